"""The report's client copied onto the report (``Report.organization``); 0017 makes it required.
Two migrations: PostgreSQL refuses to change a column in the transaction that filled it while
the foreign key's deferred checks are pending."""

import django.db.models.deletion
from django.db import migrations, models


def copy_from_assessments(apps, schema_editor):
    Report = apps.get_model("assessments", "Report")
    Assessment = apps.get_model("assessments", "Assessment")
    Report.objects.update(
        organization_id=models.Subquery(
            Assessment.objects.filter(pk=models.OuterRef("assessment_id")).values(
                "organization_id"
            )[:1]
        )
    )



class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0015_result_without_stored_card"),
        ("portal", "0011_client_summary_and_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="organization",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="portal.organization",
            ),
        ),
        migrations.RunPython(copy_from_assessments, migrations.RunPython.noop, elidable=False),
    ]
