from django.db import migrations, models


class Migration(migrations.Migration):
    """``Result.computed_with`` (what engine state computed the result) replaces the per-result
    ``fingerprint``: answers of a submitted assessment are frozen, so the stamp needs no answers
    and SQL can select the stale results of a catalogue version without reading any. Existing
    rows get an empty stamp and count as stale: the first ``rescore`` recomputes them once."""

    dependencies = [
        ("assessments", "0006_stress_job"),
    ]

    operations = [
        migrations.RemoveField(model_name="result", name="fingerprint"),
        migrations.AddField(
            model_name="result",
            name="computed_with",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
    ]
