"""``Report.organization`` required, and on PostgreSQL the partial index of failing, queued and
rendering reports (``report_attention``, portal 0011) with the client instead of the assessment:
the dashboard reads the clients of failing reports from that index alone."""

import django.db.models.deletion
from django.db import migrations, models

ATTENTION = (
    "CREATE INDEX IF NOT EXISTS report_attention ON assessments_report (status) "
    "INCLUDE ({columns}) WHERE NOT superseded AND status IN ('failed', 'queued', 'rendering')"
)


def attention_index_with_client(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_attention")
        schema_editor.execute(ATTENTION.format(columns="organization_id, queued_at"))


def attention_index_with_assessment(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_attention")
        schema_editor.execute(ATTENTION.format(columns="assessment_id, queued_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0016_report_organization"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="organization",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="portal.organization",
            ),
        ),
        migrations.RunPython(
            attention_index_with_client, attention_index_with_assessment, elidable=False
        ),
    ]
