from django.db import migrations, models
import django.utils.timezone


class Migration(migrations.Migration):
    # Depends on both leaves main has at the moment (0002_lead, 0003_consultant_assignment), so it
    # also merges them.
    dependencies = [
        ("portal", "0003_consultant_assignment"),
    ]

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("name", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("kind", models.CharField(db_index=True, max_length=16)),
                ("seen_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "Lebenszeichen",
                "verbose_name_plural": "Lebenszeichen",
            },
        ),
    ]
