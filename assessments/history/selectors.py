"""Reads across a client's assessments: the trend per dimension and what each changed answer
did to the scores."""

from ..models import Answer, Assessment, Result
from ..presentation import dimension_titles
from ..questionnaire import answer_label, tr
from ..scoring import score
from ..selectors import questionnaire_for
from .charts import sparkline_svg

TREND_FIELDS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
TREND_MAX_POINTS = 12


def trend_rows(*, user, assessment: Assessment) -> list[tuple]:
    """``(submitted_at, readiness, *TREND_FIELDS, assessment id)`` of the client's results up to
    this one, oldest first (at most TREND_MAX_POINTS): the trend, and the previous result's
    scores for the comparison."""
    return list(
        Result.objects.visible_to(user)
        .filter(
            organization_id=assessment.organization_id,
            assessment__submitted_at__lte=assessment.submitted_at,
        )
        .order_by("-assessment__submitted_at")
        .values_list("assessment__submitted_at", "readiness", *TREND_FIELDS, "assessment_id")[
            :TREND_MAX_POINTS
        ]
    )[::-1]


def previous_scores(rows: list[tuple], assessment: Assessment) -> dict | None:
    """The previous assessment's scores (``{"submitted_at", "readiness", dimension: score}``)
    from ``trend_rows``, or None."""
    for submitted_at, readiness, *scores, assessment_id in rows:
        if assessment_id == assessment.previous_id:
            return {
                "submitted_at": submitted_at,
                "readiness": readiness,
                **dict(zip(TREND_FIELDS, scores, strict=True)),
            }
    return None


def dimension_trend(
    *, user, assessment: Assessment, levels: dict[str, str], rows: list[tuple] | None = None
) -> list[dict]:
    """One sparkline per dimension over the client's submitted assessments up to this one
    (``rows``: ``trend_rows``, read here when not given). Empty with fewer than two results,
    where there is no trend to show."""
    if rows is None:
        rows = trend_rows(user=user, assessment=assessment)
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
    now, before = {}, {}
    both = Answer.objects.filter(assessment_id__in=[assessment.pk, assessment.previous_id])
    for assessment_id, key, value in both.values_list("assessment_id", "question_key", "value"):
        (now if assessment_id == assessment.pk else before)[key] = value
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
