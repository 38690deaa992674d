"""What "Welche Kunden betrifft das?" sorts and filters by, stored on each affected row (issue 20):
the client's lock-in score and level and submission date (copied from its summary row), and
whether it was told about the article (a follow-up exists); an index per sort, and on PostgreSQL
``affected_by_submitted`` and ``affected_by_level_submitted`` for "Stand: neueste zuerst" with
no submission last (SQLite cannot index NULLS LAST). The count per article also keeps the
vendor tags the rows were found by (``ArticleReach.vendors``). The rows' own indexes on article
and client go: the unique constraint and ``affected_by_client`` serve them. The data steps fill
the new columns (decision 0052)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def columns_fill(apps, schema_editor):
    AffectedClient = apps.get_model("news", "AffectedClient")
    ClientFollowUp = apps.get_model("news", "ClientFollowUp")
    ClientSummary = apps.get_model("portal", "ClientSummary")
    summary = ClientSummary.objects.filter(organization_id=OuterRef("organization_id"))

    def copied(name):
        return Subquery(summary.values(name)[:1])

    AffectedClient.objects.update(
        lock_in=Coalesce(copied("lock_in"), Value(0)),
        lock_in_level=Coalesce(copied("level_lock_in"), Value("")),
        submitted_at=copied("submitted_at"),
        informed=Exists(
            ClientFollowUp.objects.filter(
                article_id=OuterRef("article_id"), organization_id=OuterRef("organization_id")
            )
        ),
    )


def vendors_fill(apps, schema_editor):
    Article = apps.get_model("news", "Article")
    ArticleReach = apps.get_model("news", "ArticleReach")
    links = Article.vendors.through.objects.order_by("tag__kind", "tag__name", "tag_id")
    tags = {}
    for article_id, slug, name in links.values_list("article_id", "tag__slug", "tag__name"):
        tags.setdefault(article_id, []).append([slug, name])
    reaches = list(ArticleReach.objects.all())
    for reach in reaches:
        reach.vendors = tags.get(reach.article_id, [])
    ArticleReach.objects.bulk_update(reaches, ["vendors"])


def postgresql_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS affected_by_submitted ON news_affectedclient "
            "(article_id, submitted_at DESC NULLS LAST)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS affected_by_level_submitted ON news_affectedclient "
            "(article_id, lock_in_level, submitted_at DESC NULLS LAST)"
        )


def postgresql_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS affected_by_submitted")
        schema_editor.execute("DROP INDEX IF EXISTS affected_by_level_submitted")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_affected_clients_and_reach"),
        ("portal", "0011_client_summary_and_figures"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="affectedclient",
            name="affected_by_exposure",
        ),
        migrations.AddField(
            model_name="affectedclient",
            name="informed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="affectedclient",
            name="lock_in",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="affectedclient",
            name="lock_in_level",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="affectedclient",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="affectedclient",
            index=models.Index(
                fields=["article", "-exposure", "-exposure_sum", "-lock_in"],
                name="affected_by_exposure",
            ),
        ),
        migrations.AddIndex(
            model_name="affectedclient",
            index=models.Index(
                fields=["article", "-lock_in", "-exposure"], name="affected_by_lock_in"
            ),
        ),
        migrations.AddIndex(
            model_name="affectedclient",
            index=models.Index(
                fields=["article", "lock_in_level", "-exposure", "-exposure_sum", "-lock_in"],
                name="affected_by_level",
            ),
        ),
        migrations.AddIndex(
            model_name="affectedclient",
            index=models.Index(
                fields=["article", "lock_in_level", "-lock_in", "-exposure"],
                name="affected_by_level_lock_in",
            ),
        ),
        migrations.AddIndex(
            model_name="affectedclient",
            index=models.Index(
                condition=models.Q(("informed", True)),
                fields=["article", "-exposure", "-exposure_sum", "-lock_in"],
                name="affected_informed",
            ),
        ),
        migrations.AlterField(
            model_name="affectedclient",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="affected",
                to="news.article",
            ),
        ),
        migrations.AlterField(
            model_name="affectedclient",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="news_affected",
                to="portal.organization",
            ),
        ),
        migrations.AddField(
            model_name="articlereach",
            name="vendors",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(columns_fill, migrations.RunPython.noop),
        migrations.RunPython(vendors_fill, migrations.RunPython.noop),
        migrations.RunPython(postgresql_index_create, postgresql_index_drop),
    ]
