"""Indexes for the portfolio dashboard (issue 10).

- ``organization_name_id``: the dashboard's default order (name, then id), so a page of 50 is an
  index walk instead of a sort of every client.
- ``portfolio_result_scores`` (PostgreSQL only): the latest result's columns the dashboard reads
  for every client (level and scores) next to the key, so the summary, heat map and attention
  counts read a narrow index (~0.6 MB at 10,000 results) instead of the result rows with their
  stored cards (~7 MB). It lives outside the model state: INCLUDE is PostgreSQL's, and the
  model would otherwise warn on SQLite.
"""

from django.db import migrations, models

COLUMNS = (
    "worst_level, readiness, lock_in, gdpr, ai_act, continuity, governance, incomplete_answers"
)


def covering_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS portfolio_result_scores ON assessments_result "
            f"(assessment_id) INCLUDE ({COLUMNS})"
        )


def covering_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS portfolio_result_scores")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_report_lease_and_failure_kinds"),
        ("portal", "0006_accounts_security"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["name", "id"], name="organization_name_id"),
        ),
        migrations.RunPython(covering_index_create, covering_index_drop, elidable=False),
    ]
