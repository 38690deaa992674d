"""The parts of the results page that follow from the card alone, rendered once and kept in the
shared cache (decision 0051).

A submitted assessment's answers are frozen (0006) and a published catalogue version never
changes (0002), so its card, the answer-by-answer comparison with the previous assessment and the
charts are a pure function of: the two assessments, the catalogue document, the scoring code
(``result_stamp``), the code and templates that present them and their translations
(``presentation_digest``), the previous result's stored scores, the language, today's date (legal
dates read "seit …" or "bis …") and whether a consultant reads (the legal path is open for them).
The cache key holds exactly these, so an entry can never be served for other inputs; what a
live page changes (review, notes, reports, benchmark, trend) is not in here, and the action
plan's table is kept under a hash of the rows read on each view (``plan_fragment``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from portal.sources import content_key

from ..history.selectors import answer_effects, answer_sets_of
from ..models import Assessment
from ..questionnaire.selectors import missing_required_questions
from ..scoring.stamp import result_stamp
from .keys import CACHE_SECONDS, PLAN_TEMPLATE, TEMPLATES, presentation_digest
from .presentation import card_view


def cache_key(*, assessment: Assessment, previous: dict | None, consultant: bool) -> str:
    """Every input of ``card_fragments``; the assessment with its result and catalogue version."""
    result = assessment.result
    parts = (
        assessment.pk,
        assessment.previous_id,
        assessment.questionnaire_id,
        result_stamp(assessment.questionnaire.document),
        result.computed_with,
        presentation_digest(),
        get_language(),
        timezone.localdate().isoformat(),  # the date the texts are written for
        "consultant" if consultant else "client",
        sorted(previous.items()) if previous else None,
    )
    return content_key("results-card", *parts)


def card_fragments(*, assessment: Assessment, previous: dict | None, consultant: bool) -> dict:
    """``dimensions`` (the score table's rows), ``legal_state``, ``incomplete`` (for a
    consultant, the required questions the client left empty when the result says so) and the
    rendered ``gauge``, ``charts`` and ``details`` (AI Act table, not applicable, drivers,
    changed answers) of the results page, from the shared cache or built and stored there (an
    unreachable cache is an empty one: decision 0026)."""
    key = cache_key(assessment=assessment, previous=previous, consultant=consultant)
    fragments = cache.get(key)
    if fragments is None:
        fragments = _build(assessment=assessment, previous=previous, consultant=consultant)
        cache.set(key, fragments, CACHE_SECONDS)
    return fragments


def _build(*, assessment: Assessment, previous: dict | None, consultant: bool) -> dict:
    document = assessment.questionnaire.document
    # both answer sets in one query: this card, and what each changed answer did
    answer_sets = answer_sets_of(assessment)
    card = assessment.result.scorecard(answers=answer_sets[0])
    view = card_view(card, document, previous_scores=previous)
    context = {
        "view": view,
        "previous": previous,
        "changed": (
            answer_effects(assessment=assessment, answer_sets=answer_sets) if previous else []
        ),
        "consultant": consultant,
    }
    return {
        "dimensions": [
            {
                "key": d.key,
                "title": d.title,
                "score": d.score,
                "level": d.level,
                "level_label": d.level_label,
                "delta": d.delta,
            }
            for d in view["dimensions"]
        ],
        "legal_state": view["legal_state"],
        "incomplete": (
            missing_required_questions(assessment, answers=answer_sets[0])
            if consultant and assessment.result.incomplete_answers
            else []
        ),
        **{name: render_to_string(template, context) for name, template in TEMPLATES.items()},
    }


def plan_fragment(*, rows: list[dict]) -> str:
    """The action plan's table for ``plan_rows`` read just now, kept in the cache under a hash
    of those rows (with the language and ``presentation_digest``): a changed action is a new
    key, while an unchanged plan is not rendered again on every view."""
    key = content_key("results-plan", presentation_digest(), get_language(), rows)
    html = cache.get(key)
    if html is None:
        html = render_to_string(PLAN_TEMPLATE, {"plan": rows})
        cache.set(key, html, CACHE_SECONDS)
    return html
