"""One term for "weiß nicht" in the wizard, the results page and the report."""

from django.utils import translation
from django.utils.translation import gettext

from assessments.scoring import score
from tests.scoring.test_engine import BEST, CATALOGUE


def _driver_labels(card) -> list[dict]:
    return [d.answer_label for dim in card.dimensions for d in dim.drivers]


def test_results_say_dont_know_like_the_wizard():
    card = score(CATALOGUE, {**BEST, "services": ["copilot"], "dpa": "unknown"})

    labels = _driver_labels(card)
    for language in ("de", "en"):
        with translation.override(language):
            wizard_term = gettext("weiß nicht")
        assert {"de": "weiß nicht", "en": "don't know"}[language] == wizard_term
        assert any(label[language] == wizard_term for label in labels), labels
