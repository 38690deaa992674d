"""Reads across a client's assessments: the trend per dimension and what each changed answer
did to the scores."""

from ..models import Assessment, Result
from ..presentation import dimension_titles
from ..questionnaire import answer_label, tr
from ..scoring import score
from ..selectors import answers_dict, questionnaire_for
from .charts import sparkline_svg

TREND_FIELDS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
TREND_MAX_POINTS = 12


def dimension_trend(*, user, assessment: Assessment, levels: dict[str, str]) -> list[dict]:
    """One sparkline per dimension over the client's submitted assessments up to this one.
    Empty with fewer than two results, where there is no trend to show."""
    rows = list(
        Result.objects.visible_to(user)
        .filter(
            organization_id=assessment.organization_id,
            assessment__submitted_at__lte=assessment.submitted_at,
        )
        .order_by("-assessment__submitted_at")
        .values_list("assessment__submitted_at", "readiness", *TREND_FIELDS)[:TREND_MAX_POINTS]
    )[::-1]
    if len(rows) < 2:
        return []
    titles = dimension_titles(assessment.questionnaire.document)
    trend = []
    for index, field in enumerate(TREND_FIELDS, start=2):
        scores = [row[index] for row in rows]
        title = titles.get(field, field)
        trend.append(
            {
                "key": field,
                "title": title,
                "first": scores[0],
                "last": scores[-1],
                "svg": sparkline_svg(scores, label=title, level=levels.get(field, "")),
            }
        )
    return trend


def trend_dates(*, user, assessment: Assessment) -> list:
    return list(
        Result.objects.visible_to(user)
        .filter(
            organization_id=assessment.organization_id,
            assessment__submitted_at__lte=assessment.submitted_at,
        )
        .order_by("-assessment__submitted_at")
        .values_list("assessment__submitted_at", flat=True)[:TREND_MAX_POINTS]
    )[::-1]


def answer_effects(*, assessment: Assessment) -> list[dict]:
    """Answers that differ from the previous assessment, each with what it alone changed in the
    scores: this assessment's scores minus the scores with just that answer put back."""
    if not assessment.previous_id:
        return []
    questionnaire = questionnaire_for(assessment)
    document = assessment.questionnaire.document
    titles = dimension_titles(document)
    now = answers_dict(assessment)
    before = dict(
        Assessment.objects.get(pk=assessment.previous_id).answers.values_list(
            "question_key", "value"
        )
    )
    visible = questionnaire.visible(now)
    current = score(document, now)
    current_scores = current.scores
    rows = []
    for key, question in questionnaire.questions.items():
        if key not in visible or now.get(key) == before.get(key):
            continue
        reverted = dict(now)
        if key in before:
            reverted[key] = before[key]
        else:
            reverted.pop(key, None)
        other = score(document, reverted)
        effects = [
            {
                "dimension": titles.get(dim, dim),
                "delta": current_scores[dim] - other.scores.get(dim, 0),
            }
            for dim in current_scores
            if current_scores[dim] != other.scores.get(dim, 0)
        ]
        rows.append(
            {
                "key": key,
                "question": tr(question["text"]),
                "before": answer_label(question, before.get(key)),
                "now": answer_label(question, now.get(key)),
                "effects": effects,
                "readiness_delta": current.readiness - other.readiness,
            }
        )
    return rows
