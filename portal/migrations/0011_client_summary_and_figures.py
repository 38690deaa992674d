"""The portfolio's stored figures (issue 20): a summary row per client and the counts over them.

The rows are filled after ``migrate`` by the post-migrate hook (``portal.apps``), with the code of
the day, for every client that has none yet. Also the partial index of consultants, and on
PostgreSQL:

- ``organization_name_trgm``: a trigram index for the name search (``icontains``, which
  PostgreSQL runs as ``UPPER(name) LIKE``), where the ``pg_trgm`` extension can be created (it
  ships with PostgreSQL; without it the search reads every name);
- ``summary_<column>_desc``: the descending sorts with clients without a result last (SQLite
  cannot index NULLS LAST);
- ``report_attention``: the reports that are failed, queued or rendering and not superseded,
  the few rows the dashboard's "report failed or stuck" reads instead of every report.
"""

import django.db.models.deletion
from django.db import DatabaseError, migrations, models, transaction

SORTED = ("readiness", "lock_in", "gdpr", "ai_act", "continuity", "governance", "submitted_at")


def postgresql_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm' UNION ALL "
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
        )
        available = cursor.fetchone() is not None
    if available:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                schema_editor.execute(
                    "CREATE INDEX IF NOT EXISTS organization_name_trgm ON portal_organization "
                    "USING gin ((UPPER(name)) gin_trgm_ops)"
                )
        except DatabaseError:  # no right to create extensions: the search reads every name
            pass
    for column in SORTED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS summary_{column}_desc ON portal_clientsummary "
            f"({column} DESC NULLS LAST)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS report_attention ON assessments_report (status) "
        "INCLUDE (assessment_id, queued_at) "
        "WHERE NOT superseded AND status IN ('failed', 'queued', 'rendering')"
    )


def postgresql_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organization_name_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS report_attention")
        for column in SORTED:
            schema_editor.execute(f"DROP INDEX IF EXISTS summary_{column}_desc")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_result_computed_with"),
        ("portal", "0010_auditlog_protect_references"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientSummary",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="summary",
                        serialize=False,
                        to="portal.organization",
                    ),
                ),
                ("industry", models.CharField(blank=True, max_length=32)),
                ("size_band", models.CharField(blank=True, max_length=16)),
                ("submitted_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                ("review_state", models.CharField(blank=True, db_index=True, max_length=16)),
                ("readiness", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("lock_in", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("gdpr", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("ai_act", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("continuity", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("governance", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("worst_level", models.CharField(blank=True, db_index=True, max_length=16)),
                ("level_lock_in", models.CharField(blank=True, max_length=16)),
                ("level_gdpr", models.CharField(blank=True, max_length=16)),
                ("level_ai_act", models.CharField(blank=True, max_length=16)),
                ("level_continuity", models.CharField(blank=True, max_length=16)),
                ("level_governance", models.CharField(blank=True, max_length=16)),
                ("incomplete_answers", models.BooleanField(default=False)),
                ("vendor_exposure", models.JSONField(blank=True, default=dict)),
                ("open_actions", models.PositiveIntegerField(default=0)),
                ("next_due", models.DateField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "Kundenübersicht",
                "verbose_name_plural": "Kundenübersichten",
                "indexes": [
                    models.Index(fields=["readiness"], name="summary_readiness"),
                    models.Index(fields=["lock_in"], name="summary_lock_in"),
                    models.Index(fields=["gdpr"], name="summary_gdpr"),
                    models.Index(fields=["ai_act"], name="summary_ai_act"),
                    models.Index(fields=["continuity"], name="summary_continuity"),
                    models.Index(fields=["governance"], name="summary_governance"),
                    models.Index(fields=["next_due"], name="summary_next_due"),
                ],
            },
        ),
        migrations.CreateModel(
            name="PortfolioFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=96)),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "Portfolio-Kennzahl",
                "verbose_name_plural": "Portfolio-Kennzahlen",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "shard"), name="portfolio_figure_key_shard"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("is_consultant", True)),
                fields=["is_consultant"],
                name="user_consultants",
            ),
        ),
        migrations.RunPython(postgresql_indexes_create, postgresql_indexes_drop, elidable=False),
    ]
