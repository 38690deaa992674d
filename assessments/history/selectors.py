"""Reads across a client's assessments: the trend per dimension and what each changed answer
did to the scores."""

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.sources import content_key

from ..catalogue.text import tr
from ..models import Answer, Assessment, Result
from ..questionnaire.answers import answer_label
from ..questionnaire.selectors import CATALOGUE_TEXT, questionnaire_for, with_catalogue_document
from ..results.keys import CACHE_SECONDS, presentation_digest
from ..results.presentation import dimension_titles
from ..scoring import score
from ..scoring.stamp import result_stamp
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


def answer_effects(*, assessment: Assessment, answer_sets: tuple | None = None) -> list[dict]:
    """Answers that differ from the previous assessment, each with what it alone changed in the
    scores (see ``answer_diff``); ``answer_sets`` from ``answer_sets_of`` if read already."""
    if not assessment.previous_id:
        return []
    rows, _explained = _changed_answers(
        before_id=assessment.previous_id, after=assessment, answer_sets=answer_sets
    )
    return rows


def answer_sets_of(assessment: Assessment) -> tuple[dict, dict]:
    """(this assessment's answers, the previous assessment's) in one query (the second one is
    empty without a previous assessment)."""
    return _answer_sets(before_id=assessment.previous_id, after=assessment)


def _answer_sets(*, before_id, after: Assessment) -> tuple[dict, dict]:
    now, then = {}, {}
    ids = [after.pk] if before_id is None else [before_id, after.pk]
    for assessment_id, key, value in Answer.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "question_key", "value"
    ):
        (now if assessment_id == after.pk else then)[key] = value
    return now, then


def answer_diff(*, before: Assessment, after: Assessment) -> dict:
    """Which answers changed from ``before`` to ``after`` and what each changed in the scores.

    A row's effect is ``after``'s score minus the score with just that answer put back as it was
    (scored against ``after``'s catalogue), so it is what that one answer did. ``totals`` are the
    stored results' differences; ``rest`` is the part of a dimension's move that no single answer
    explains (answers acting together, or a newer catalogue version).
    """
    rows, explained = _changed_answers_kept(before_id=before.pk, after=after)
    titles = dimension_titles(after.questionnaire.document)
    catalogue_changed = before.questionnaire_id != after.questionnaire_id
    totals = []
    before_result = getattr(before, "result", None)
    after_result = getattr(after, "result", None)
    if before_result is not None and after_result is not None:
        for dim in (*TREND_FIELDS, "readiness"):
            delta = getattr(after_result, dim) - getattr(before_result, dim)
            title = titles.get(dim, _("KI-Readiness"))
            rest, note = 0, ""  # readiness: the table shows no rest for it ("–")
            if dim != "readiness":
                singly = explained.get(dim, 0)
                rest = delta - singly
                note = rest_note(
                    dimension=title,
                    delta=delta,
                    explained=singly,
                    answers_changed=bool(rows),
                    catalogue_changed=catalogue_changed,
                )
            totals.append(
                {
                    "key": dim,
                    "dimension": title,
                    "before": getattr(before_result, dim),
                    "after": getattr(after_result, dim),
                    "delta": delta,
                    "rest": rest,
                    "rest_note": note,
                }
            )
    return {
        "before": before,
        "after": after,
        "rows": rows,
        "totals": totals,
        "rest_notes": [t["rest_note"] for t in totals if t["rest_note"]],
        "catalogue_changed": catalogue_changed,
    }


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else str(number)  # as the table shows it


# Each single answer's effect is a difference of two rounded scores: a few points of the rest
# are rounding, not rules (Seetal's demo: -31 of -33 by single answers)
REST_NOTE_MIN = 5


def rest_note(
    *, dimension: str, delta: int, explained: int, answers_changed: bool, catalogue_changed: bool
) -> str:
    """Why a dimension moved by ``delta`` while its changed answers, each put back on its own,
    add up to ``explained``; empty when they add up to the move, give or take the rounding
    (``REST_NOTE_MIN``).

    The two differ when the catalogue's rules join answers. Several answers that each suffice
    for one rule (a knock-out, a floor) each seem to do the whole move alone, so together they
    explain more than happened; a rule that needs several answers together fires for none of
    them alone, so they explain less. A newer catalogue version may score answers differently
    too. The table's last column alone ("+71" beside "−70") read like an error."""
    rest = delta - explained
    if abs(rest) < REST_NOTE_MIN:
        return ""
    values = {"dimension": dimension, "explained": _signed(explained), "delta": _signed(delta)}
    if not answers_changed:
        if catalogue_changed:
            return (
                _(
                    "%(dimension)s: Keine Antwort hat sich geändert; die Veränderung um %(delta)s "
                    "Punkte geht auf die neuere Fassung des Fragebogens zurück."
                )
                % values
            )
        return (
            _(
                "%(dimension)s: Keine Antwort hat sich geändert; die Veränderung um %(delta)s "
                "Punkte geht auf eine geänderte Bewertung zurück."
            )
            % values
        )
    if explained and (rest > 0) != (explained > 0):
        note = (
            _(
                "%(dimension)s: Einzeln gerechnet ergeben die geänderten Antworten zusammen "
                "%(explained)s Punkte, tatsächlich sind es %(delta)s. Ihre Wirkungen überschneiden "
                "sich: Mehrere dieser Antworten lösen dieselbe Regel aus (etwa ein "
                "K.-o.-Kriterium), und diese zählt nur einmal."
            )
            % values
        )
    else:
        note = (
            _(
                "%(dimension)s: Einzeln gerechnet ergeben die geänderten Antworten zusammen "
                "%(explained)s Punkte, tatsächlich sind es %(delta)s. Manche Regeln greifen erst, "
                "wenn mehrere Antworten zusammenkommen (etwa ein K.-o.-Kriterium)."
            )
            % values
        )
    if catalogue_changed:
        note += " " + _("Auch kann die neuere Fassung des Fragebogens Antworten anders bewerten.")
    return note


def _changed_answers_kept(*, before_id, after: Assessment) -> tuple[list[dict], dict[str, int]]:
    """``_changed_answers`` from the shared cache, or worked out and kept there. Submitted
    answers are frozen and a published catalogue never changes, so the rows follow from the
    two assessments, the scoring (``result_stamp``), the code that presents them and the
    language, which the key holds (as the results page's card, decision 0051): the client page
    and the comparison score every changed answer again otherwise (16 scorings, ~6 ms)."""
    key = content_key(
        "answer-diff",
        before_id,
        after.pk,
        after.questionnaire_id,
        result_stamp(after.questionnaire.document),
        presentation_digest(),
        get_language(),
    )
    found = cache.get(key)
    if found is None:
        found = _changed_answers(before_id=before_id, after=after)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _changed_answers(
    *, before_id, after: Assessment, answer_sets: tuple | None = None
) -> tuple[list[dict], dict[str, int]]:
    """The rows of ``answer_diff`` and, per dimension, how much of the move they explain (both
    answer sets in one query; the results page needs no more than this)."""
    questionnaire = questionnaire_for(after)
    document = after.questionnaire.document
    titles = dimension_titles(document)
    now, then = answer_sets or _answer_sets(before_id=before_id, after=after)
    visible = questionnaire.visible(now)
    current = score(document, now) if answer_sets is None else after.result.scorecard(answers=now)
    current_scores = current.scores
    rows = []
    explained: dict[str, int] = {}
    for key, question in questionnaire.questions.items():
        if key not in visible or now.get(key) == then.get(key):
            continue
        reverted = dict(now)
        if key in then:
            reverted[key] = then[key]
        else:
            reverted.pop(key, None)
        other = score(document, reverted)
        effects = []
        for dim in current_scores:
            delta = current_scores[dim] - other.scores.get(dim, 0)
            if delta:
                effects.append({"key": dim, "dimension": titles.get(dim, dim), "delta": delta})
                explained[dim] = explained.get(dim, 0) + delta
        rows.append(
            {
                "key": key,
                "question": tr(question["text"]),
                "before": answer_label(question, then.get(key)),
                "now": answer_label(question, now.get(key)),
                "effects": effects,
                "readiness_delta": current.readiness - other.readiness,
            }
        )
    rows.sort(key=lambda r: -max((abs(e["delta"]) for e in r["effects"]), default=0))
    return rows, explained


def comparable_assessments(*, user, organization) -> list[Assessment]:
    """The client's submitted assessments, newest first, for choosing what to compare (each
    with its catalogue's document, the process's copy)."""
    return [
        with_catalogue_document(assessment)
        for assessment in Assessment.objects.visible_to(user)
        .filter(organization=organization, status=Assessment.Status.SUBMITTED)
        .select_related("questionnaire", "result")
        .defer(*CATALOGUE_TEXT)
        .order_by("-submitted_at")
    ]


def latest_two_submitted(*, user, organization) -> list[Assessment]:
    """The client's two newest submitted assessments with catalogue and result (one query)."""
    return [
        with_catalogue_document(assessment)
        for assessment in Assessment.objects.visible_to(user)
        .filter(organization=organization, status=Assessment.Status.SUBMITTED)
        .select_related("questionnaire", "result")
        .defer(*CATALOGUE_TEXT)
        .order_by("-submitted_at")[:2]
    ]


def previous_submitted(*, assessment: Assessment) -> Assessment | None:
    """The client's assessment submitted last before ``assessment``."""
    previous = (
        Assessment.objects.filter(
            organization_id=assessment.organization_id,
            status=Assessment.Status.SUBMITTED,
            submitted_at__lt=assessment.submitted_at,
        )
        .select_related("questionnaire", "result")
        .defer(*CATALOGUE_TEXT)
        .order_by("-submitted_at")
        .first()
    )
    return with_catalogue_document(previous) if previous is not None else None
