"""The portfolio's figures count the clients per month (UTC) of their latest submission
(``submitted:YYYY-MM``): the dashboard's "older than 12 months" adds the months before the
cutoff's instead of counting every old submission. Existing summary rows are counted here; from
now on each change adds its difference (``portal.portfolio.summary``)."""

from collections import Counter
from datetime import UTC

from django.db import migrations, models


def count_months(apps, schema_editor):
    ClientSummary = apps.get_model("portal", "ClientSummary")
    PortfolioFigure = apps.get_model("portal", "PortfolioFigure")
    months = Counter(
        f"submitted:{moment.astimezone(UTC):%Y-%m}"
        for moment in ClientSummary.objects.filter(submitted_at__isnull=False)
        .values_list("submitted_at", flat=True)
        .iterator(chunk_size=5000)
    )
    for key, count in months.items():
        figure, _created = PortfolioFigure.objects.get_or_create(key=key, shard=0)
        PortfolioFigure.objects.filter(pk=figure.pk).update(value=models.F("value") + count)


def drop_months(apps, schema_editor):
    apps.get_model("portal", "PortfolioFigure").objects.filter(
        key__startswith="submitted:"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_client_summary_level_and_name_search"),
    ]

    operations = [
        migrations.RunPython(count_months, drop_months, elidable=False),
    ]
