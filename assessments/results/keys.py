"""What the parts of results kept in the shared cache are made of, besides the data in their
keys: how long they are kept, the templates that render them and the code that presents them
(``presentation_digest``). Used by the results page's card (``fragments``) and by what changed
between two assessments (``history.selectors.answer_diff``); a module of its own, so that both
read it without importing each other."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from portal.sources import sources_digest

# An hour: long enough for a consultant's session with the client (the page is opened again and
# again), short enough that an erased client's rendered results leave the cache soon after the
# erasure (they are never served: the page checks access first). The key holds today's date too.
CACHE_SECONDS = 60 * 60
TEMPLATES = {
    "gauge": "assessments/_results_gauge.html",
    "charts": "assessments/_results_charts.html",
    "details": "assessments/_results_details.html",
}
PLAN_TEMPLATE = "assessments/_results_plan.html"
_APP = Path(__file__).resolve().parents[1]
# What turns a card into these fragments besides the scoring code: any edit to it (or a new
# translation) changes every key, so a deploy never serves markup of the code before it.
PRESENTATION_SOURCES = (
    Path(__file__),
    _APP / "results" / "fragments.py",
    _APP / "results" / "presentation.py",
    _APP / "results" / "charts.py",
    _APP / "history" / "selectors.py",
    _APP / "questionnaire" / "answers.py",
    _APP / "questionnaire" / "progress.py",  # which changed answers are shown
    _APP / "questionnaire" / "selectors.py",  # the required questions left unanswered
    _APP / "catalogue" / "text.py",
    *(settings.BASE_DIR / "templates" / name for name in (*TEMPLATES.values(), PLAN_TEMPLATE)),
)


def presentation_digest() -> str:
    """A hash of ``PRESENTATION_SOURCES``, the compiled translations and Django's version (its
    date formats), read once per process."""
    return sources_digest(PRESENTATION_SOURCES)
