"""The client's name and consultant copied onto its summary row, so that a filtered portfolio's
counts read one table (``portal.portfolio.selectors.portfolio_counted``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_from_clients(apps, schema_editor):
    ClientSummary = apps.get_model("portal", "ClientSummary")
    Organization = apps.get_model("portal", "Organization")
    client = Organization.objects.filter(pk=models.OuterRef("organization_id"))
    ClientSummary.objects.update(
        name=models.Subquery(client.values("name")[:1]),
        consultant_id=models.Subquery(client.values("consultant_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0011_client_summary_and_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="clientsummary",
            name="consultant",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="clientsummary",
            name="name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddIndex(
            model_name="clientsummary",
            index=models.Index(fields=["industry"], name="summary_industry"),
        ),
        migrations.RunPython(copy_from_clients, migrations.RunPython.noop, elidable=False),
    ]
