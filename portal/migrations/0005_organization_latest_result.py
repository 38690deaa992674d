import django.db.models.deletion
from django.db import migrations, models


def fill_latest_result(apps, schema_editor):
    """Each organisation's result of its most recently *submitted* assessment."""
    Organization = apps.get_model("portal", "Organization")
    Result = apps.get_model("assessments", "Result")
    newest = (
        Result.objects.filter(organization=models.OuterRef("pk"))
        .order_by("-assessment__submitted_at", "-assessment__created_at", "-pk")
        .values("pk")[:1]
    )
    Organization.objects.update(latest_result=models.Subquery(newest))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("portal", "0004_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="latest_result",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="assessments.result",
                verbose_name="letztes Ergebnis",
            ),
        ),
        migrations.RunPython(fill_latest_result, migrations.RunPython.noop),
    ]
