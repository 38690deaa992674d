from django.db import migrations


def names_single_line(apps, schema_editor):
    Organization = apps.get_model("portal", "Organization")
    changed = []
    for organization in Organization.objects.filter(name__regex=r"\s\s|[\r\n\t\f\v]|^\s|\s$"):
        organization.name = " ".join(organization.name.split())
        changed.append(organization)
    Organization.objects.bulk_update(changed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_portfolio_generation")]

    operations = [migrations.RunPython(names_single_line, migrations.RunPython.noop)]
