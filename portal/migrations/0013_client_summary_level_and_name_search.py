"""Indexes for the filtered counts on the summary rows (decision 0054): one per dimension's
level (a heat-map cell's filter), and on PostgreSQL the trigram index of the copied name for the
search (``icontains`` runs as ``UPPER(name) LIKE``; as ``organization_name_trgm`` in 0011, only
where the ``pg_trgm`` extension is there or can be created)."""

from django.db import DatabaseError, migrations, models, transaction


def name_search_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS summary_name_trgm ON portal_clientsummary "
                "USING gin ((UPPER(name)) gin_trgm_ops)"
            )
    except DatabaseError:  # no right to create extensions: the search reads every row
        pass


def name_search_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS summary_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_client_summary_name_and_consultant"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["level_lock_in"], name="summary_level_lock_in"),
        ),
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["level_gdpr"], name="summary_level_gdpr"),
        ),
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["level_ai_act"], name="summary_level_ai_act"),
        ),
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["level_continuity"], name="summary_level_continuity"),
        ),
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["level_governance"], name="summary_level_governance"),
        ),
        migrations.RunPython(name_search_index_create, name_search_index_drop, elidable=False),
    ]
