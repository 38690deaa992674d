"""The engine's fast path gives exactly the reference results, on many random answer sets.

Reference: the engine before the speed work (``reference_engine.py``), ``Questionnaire.missing``
for the incomplete-answers check.
The random answers are deliberately rough: valid options, "unknown"/"na", empty lists and texts,
wrong types and unknown keys, missing answers, hidden questions answered anyway.
"""

import json
import random
from pathlib import Path

import pytest

from assessments.catalogue import load_document, to_plain
from assessments.questionnaire.progress import Questionnaire
from assessments.results import services as result_services
from assessments.scoring import score, score_and_missing, score_figures
from tests.scoring import reference_engine

CATALOGUES = sorted(
    (Path(__file__).resolve().parents[2] / "assessments" / "catalogue").glob("ki-readiness-*.yaml")
)
SETS_PER_CATALOGUE = 400


def _document(path: Path) -> dict:
    return to_plain(load_document(path.read_text(encoding="utf-8")))


def _junk(rng: random.Random):
    return rng.choice(["", "  ", [], "na", "unknown", "no_such_option", 3, 2.5, True, None, {}])


def _field_value(field: dict, rng: random.Random, rough: bool = True):
    kind = field["type"]
    if kind in ("single_choice", "multi_choice") and field.get("options"):
        keys = [o["key"] for o in field["options"]]
        if kind == "single_choice":
            return rng.choice(keys)
        return rng.sample(keys, k=rng.randint(0 if rough else 1, len(keys)))
    if kind == "yes_no":
        return rng.choice(["yes", "no"])
    if kind == "number":
        return rng.choice([0, 1, 7, 40, 250, 5000, 3.5])
    if kind == "scale":
        low, high = int(field.get("min", 1)), int(field.get("max", 5))
        if not rough:
            return rng.randint(low, high)
        return rng.randint(low - 1, high + 1)  # sometimes out of range
    return rng.choice(["Text", "", "Anwendungsfall"] if rough else ["Text", "Anwendungsfall"])


def _answers(document: dict, rng: random.Random, rough: bool) -> dict:
    """Random answers; ``rough`` also leaves some out and gives junk, else all are valid."""
    answers = {}
    for section in document["sections"]:
        for question in section["questions"]:
            roll = rng.random() if rough else 1.0
            if roll < 0.15:
                continue  # unanswered
            if roll < 0.25:
                answers[question["key"]] = _junk(rng)
                continue
            if question["type"] == "repeat_group":
                rows = []
                for _ in range(rng.randint(0 if rough else 1, 3)):
                    rows.append(
                        {f["key"]: _field_value(f, rng, rough) for f in question.get("fields", ())}
                    )
                answers[question["key"]] = rows
                continue
            answers[question["key"]] = _field_value(question, rng, rough)
    return answers


@pytest.fixture(scope="module", params=CATALOGUES, ids=lambda path: path.stem)
def catalogue(request):
    document = _document(request.param)
    rng = random.Random(f"issue-14 {request.param.stem}")
    return document, [
        _answers(document, rng, rough=number % 4 != 0) for number in range(SETS_PER_CATALOGUE)
    ]


def _text(card) -> str:
    return json.dumps(card.to_dict(), sort_keys=True)


def test_engine_gives_the_reference_results(catalogue):
    document, sets = catalogue
    for answers in sets:
        expected = reference_engine.score(document, answers)
        card = score(document, answers)
        assert card == expected
        assert _text(card) == _text(expected)  # also 1 vs 1.0, tuple vs list


def test_one_walk_gives_the_cards_and_the_missing_answers(catalogue):
    document, sets = catalogue
    questionnaire = Questionnaire(document)
    incomplete = 0
    for answers in sets:
        card, missing = score_and_missing(document, answers)
        assert _text(card) == _text(score(document, answers))
        assert list(missing) == questionnaire.missing(answers)
        incomplete += bool(missing)
    assert 0 < incomplete < len(sets)  # the sets cover both cases


def test_the_figures_are_the_cards(catalogue):
    """``score_figures`` (what a rescore computes) leaves out the action plan and the texts; every
    figure it does give is the card's, and so is every stored field of a result."""
    document, sets = catalogue
    for answers in sets:
        card, missing = score_and_missing(document, answers)
        dimensions = tuple(d.key for d in card.dimensions)
        figures, figures_missing = score_figures(document, answers, drivers_of=dimensions)
        assert figures_missing == missing
        assert (figures.scores, figures.levels) == (card.scores, card.levels)
        assert list(figures.scores) == list(card.scores)  # in the card's order
        assert (figures.readiness, figures.exposure) == (card.readiness, card.exposure)
        assert figures.vendor_exposure == card.vendor_exposure
        assert (figures.catalogue_key, figures.catalogue_version, figures.scoring_version) == (
            card.catalogue_key,
            card.catalogue_version,
            card.scoring_version,
        )
        assert {d: figures.drivers_of(d) for d in dimensions} == {
            d.key: d.drivers for d in card.dimensions
        }
        assert score_figures(document, answers)[0].drivers == {}

        stored = result_services.result_fields(document=document, answers=answers)
        assert stored == result_services.scored_result(document=document, answers=answers)[1]
