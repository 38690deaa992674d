from django.db import migrations, models


def flag_incomplete_results(apps, schema_editor):
    """Results submitted while an empty list still counted as an answer: flag them."""
    from assessments.questionnaire.progress import Questionnaire

    Answer = apps.get_model("assessments", "Answer")
    Result = apps.get_model("assessments", "Result")
    questionnaires = {}
    incomplete = []
    for pk, version_id, document in Result.objects.values_list(
        "pk", "assessment__questionnaire_id", "assessment__questionnaire__document"
    ).iterator():
        if version_id not in questionnaires:
            questionnaires[version_id] = Questionnaire(document)
        answers = dict(Answer.objects.filter(assessment_id=pk).values_list("question_key", "value"))
        if questionnaires[version_id].missing(answers):
            incomplete.append(pk)
    Result.objects.filter(pk__in=incomplete).update(incomplete_answers=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_review_workflow_and_action_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="incomplete_answers",
            field=models.BooleanField(default=False, verbose_name="unvollständig beantwortet"),
        ),
        migrations.RunPython(flag_incomplete_results, migrations.RunPython.noop),
    ]
