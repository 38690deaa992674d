"""``option_scores`` with ``max: keep`` and ``max: raise``, worked out by hand on a two-question
catalogue (tests/stress/fixtures/two_questions.yaml) before running the engine.

The catalogue scores one dimension, gdpr, from two single-choice questions; no exposure section
(factor 1); levels medium 25, high 50, critical 75; all five dimensions weigh 1.

    tool:  a 0, b 1, c 3 points   (maximum 3)
    notes: yes 0, no 1 point      (maximum 1)            gdpr maximum in total: 4

Client A answers tool=b, notes=no: 2 of 4 points -> gdpr 50 (high). Readiness: mean risk
50 / 5 = 10 -> 90, but a high dimension caps readiness at 100 - 25 = 75; the cap keeps the order
(issue 19): above 75 - 10 = 65 the readiness is squeezed into 65..75, 65 + 10 × 25 / 35 -> 72.
Client B answers tool=a, notes=no: 1 of 4 -> gdpr 25 (medium). Readiness 100 - 5 = 95.

1. keep: ``{question: tool, option: b, scores: {gdpr: 3}, max: keep}`` ("b got riskier").
   The maximum of tool stays 3, so the total stays 4.
   A: 3 + 1 = 4 of 4 -> gdpr 100 (critical), +50. Readiness: 100 - 20 = 80, capped by the
      critical dimension at 100 - 50 = 50, squeezed into 40..50: 40 + 10 × 40 / 60 -> 47
      (from 72). Driver: tool, gdpr 1 -> 3 (+2).
   B: a still scores 0 of the same total -> unchanged (25, 95).
2. raise: ``{question: tool, option: c, scores: {gdpr: 5}, max: raise}`` ("tool matters more").
   The maximum of tool becomes 5, the total 6. Nobody answered c, yet:
   A: 2 of 6 = 33.3 -> 33 (medium), −17. Readiness 100 - round(6.67) = 93 (from 72).
   B: 1 of 6 = 16.7 -> 17 (low), −8. Readiness 100 - round(3.4) = 97 (from 95).
   This is the surprise ``keep`` exists to avoid: both clients look safer.
3. keep with points above the maximum: ``{option: c, scores: {gdpr: 5}, max: keep}`` counts as 3,
   i.e. no change at all, and the scenario reports it.
"""

from pathlib import Path

import pytest
from django.utils import timezone

from assessments import services
from assessments.catalogue import load_document, to_plain
from assessments.models import Answer, Assessment
from assessments.results import services as result_services
from assessments.stress import selectors
from assessments.stress.engine import (
    ScenarioError,
    drivers_by_question,
    scenario_prepare,
    scenarios_from_data,
    stress_compare,
)
from tests.factories import ConsultantFactory, OrganizationFactory

CATALOGUE = Path(__file__).parent / "fixtures" / "two_questions.yaml"
CLIENT_A = {"tool": "b", "notes": "no"}
CLIENT_B = {"tool": "a", "notes": "no"}


def _scenario(*rules):
    return scenarios_from_data(
        {
            "scenarios": [
                {
                    "key": "s",
                    "title": {"de": "S", "en": "S"},
                    "description": {"de": "S", "en": "S"},
                    "source": "Test",
                    "as_of": "2026-11-30",
                    "option_scores": list(rules),
                }
            ]
        }
    )["s"]


KEEP_B = {"question": "tool", "option": "b", "scores": {"gdpr": 3}, "max": "keep"}
RAISE_C = {"question": "tool", "option": "c", "scores": {"gdpr": 5}, "max": "raise"}
KEEP_C_TOO_HIGH = {"question": "tool", "option": "c", "scores": {"gdpr": 5}, "max": "keep"}


@pytest.fixture(scope="module")
def document():
    return to_plain(load_document(CATALOGUE.read_text(encoding="utf-8")))


def _outcome(document, scenario, answers):
    prepared = scenario_prepare(document, scenario)
    return stress_compare(document, prepared.patched, answers, scenario), prepared


def test_baseline_is_what_the_hand_calculation_says(document):
    from assessments.scoring import score

    a, b = score(document, CLIENT_A), score(document, CLIENT_B)
    assert (a.scores["gdpr"], a.readiness) == (50, 72)
    assert (b.scores["gdpr"], b.readiness) == (25, 95)


def test_keep_moves_only_the_client_with_that_answer(document):
    scenario = _scenario(KEEP_B)
    a, prepared = _outcome(document, scenario, CLIENT_A)
    b, _ = _outcome(document, scenario, CLIENT_B)

    assert prepared.problems == ()
    assert (a.after.scores["gdpr"], a.deltas["gdpr"], a.after.readiness) == (100, 50, 47)
    assert drivers_by_question(a.moved) == [
        {
            "question_key": "tool",
            "question": {"de": "Wo laufen Ihre Eingaben?", "en": "Where do your prompts run?"},
            "changes": [{"dimension": "gdpr", "points": 2, "before": 1, "after": 3}],
        }
    ]
    assert (b.after.scores["gdpr"], b.after.readiness, b.moved) == (25, 95, [])


def test_raise_lets_clients_with_better_answers_fall(document):
    scenario = _scenario(RAISE_C)
    a, prepared = _outcome(document, scenario, CLIENT_A)
    b, _ = _outcome(document, scenario, CLIENT_B)

    assert prepared.problems == ()
    assert (a.after.scores["gdpr"], a.deltas["gdpr"], a.after.readiness) == (33, -17, 93)
    assert (b.after.scores["gdpr"], b.deltas["gdpr"], b.after.readiness) == (17, -8, 97)
    assert a.risk_delta == 0 and b.risk_delta == 0


def test_keep_above_the_maximum_counts_as_the_maximum_and_is_reported(document):
    scenario = _scenario(KEEP_C_TOO_HIGH)
    a, prepared = _outcome(document, scenario, CLIENT_A)
    c, _ = _outcome(document, scenario, {"tool": "c", "notes": "no"})

    assert prepared.problems == (
        "s: tool.c gdpr 5 is above the question's maximum 3 (max: keep): counts as 3",
    )
    assert a.deltas["gdpr"] == 0 and c.deltas["gdpr"] == 0


def test_keep_on_multiple_choice_sets_the_cap_to_the_old_maximum(document):
    # An extra multiple-choice question x 1, y 1 (no cap: maximum 1 + 1 = 2) in continuity.
    # keep x -> 2: the cap becomes 2, so [x] goes from 1/2 to 2/2, [y] stays 1/2 and [x, y]
    # stays 2/2 (3 points capped at 2). Continuity has only this question: 50 -> 100, 50, 100.
    extended = to_plain(load_document(CATALOGUE.read_text(encoding="utf-8")))
    extended["sections"][0]["questions"].append(
        {
            "key": "extras",
            "type": "multi_choice",
            "text": {"de": "Zusatzdienste", "en": "Add-ons"},
            "help": {"de": "h", "en": "h"},
            "options": [
                {"key": "x", "label": {"de": "X", "en": "X"}, "scores": {"continuity": 1}},
                {"key": "y", "label": {"de": "Y", "en": "Y"}, "scores": {"continuity": 1}},
            ],
        }
    )
    scenario = _scenario(
        {"question": "extras", "option": "x", "scores": {"continuity": 2}, "max": "keep"}
    )
    prepared = scenario_prepare(extended, scenario)
    assert prepared.problems == ()

    def continuity(chosen):
        outcome = stress_compare(
            extended, prepared.patched, {**CLIENT_B, "extras": chosen}, scenario
        )
        return outcome.before.scores["continuity"], outcome.after.scores["continuity"]

    assert continuity(["x"]) == (50, 100)
    assert continuity(["y"]) == (50, 50)
    assert continuity(["x", "y"]) == (100, 100)


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"question": "tool", "option": "b", "scores": {"gdpr": 3}}, "missing max"),
        ({"question": "tool", "option": "b", "scores": {"gdpr": 3}, "max": "more"}, "max must"),
        ({"question": "tool", "option": "b", "scores": {"gdpr": -1}, "max": "keep"}, ">= 0"),
    ],
)
def test_option_scores_must_say_what_happens_to_the_maximum(rule, message):
    with pytest.raises(ScenarioError, match=message):
        _scenario(rule)


def test_shipped_option_scores_keep_the_maximum():
    for scenario in selectors.scenarios_all().values():
        for rule in scenario.option_scores:
            assert rule["max"] == "keep", (scenario.key, rule)


# --- the same two clients as a portfolio in the database ------------------------------------


@pytest.fixture
def two_clients(db):
    version = services.questionnaire_load(source=CATALOGUE.read_text(encoding="utf-8"))
    services.questionnaire_publish(version=version)
    carla = ConsultantFactory(first_name="Carla")
    for name, answers in (("Anton GmbH", CLIENT_A), ("Berta KG", CLIENT_B)):
        organization = OrganizationFactory(name=name, consultant=carla)
        assessment = Assessment.objects.create(
            organization=organization,
            questionnaire=version,
            status="submitted",
            review_state="submitted",
            submitted_at=timezone.now(),
        )
        Answer.objects.bulk_create(
            Answer(assessment=assessment, question_key=k, value=v) for k, v in answers.items()
        )
        result_services.result_store(assessment=assessment)
    return carla


@pytest.mark.django_db
@pytest.mark.parametrize("drivers", [True, False])
def test_two_client_portfolio_moves_as_worked_out(two_clients, drivers):
    result = selectors.stress_run(user=two_clients, scenario=_scenario(KEEP_B), drivers=drivers)
    selectors.stress_drivers_fill(rows=result.rows, scenario=_scenario(KEEP_B))

    anton, berta = result.rows
    assert (anton.name, anton.readiness_before, anton.readiness_after) == ("Anton GmbH", 72, 47)
    assert anton.deltas == {"lock_in": 0, "gdpr": 50, "ai_act": 0, "continuity": 0, "governance": 0}
    assert anton.risk_delta == 50
    assert anton.drivers[0]["changes"] == [
        {"dimension": "gdpr", "points": 2, "before": 1, "after": 3}
    ]
    assert (berta.name, berta.readiness_after, berta.risk_delta, berta.moved) == (
        "Berta KG",
        95,
        0,
        False,
    )
    # Only Anton's answer to tool is b: one client scored, not both.
    assert (result.clients, result.scored, result.moved) == (2, 1, 1)


@pytest.mark.django_db
def test_two_client_portfolio_under_raise_scores_everybody(two_clients):
    result = selectors.stress_run(user=two_clients, scenario=_scenario(RAISE_C))

    by_name = {row.name: row for row in result.rows}
    assert by_name["Anton GmbH"].deltas["gdpr"] == -17
    assert by_name["Berta KG"].deltas["gdpr"] == -8
    assert result.scored == 2


@pytest.mark.parametrize("care", [0.0, 0.3, 0.6, 1.0])
def test_scoring_without_recommendations_gives_the_same_scores_and_drivers(care):
    # The stress test scores without the catalogue's recommendations (a third cheaper); that is
    # only right while recommendations never feed back into scores, readiness or drivers.
    from assessments.demo import default_catalogue_path, profile_answers
    from assessments.scoring import score

    document = to_plain(load_document(default_catalogue_path().read_text(encoding="utf-8")))
    prepared = scenario_prepare(document, selectors.scenarios_all()["inference_outside_eudb"])
    answers = profile_answers(document, care, {"services_used": ["m365_copilot", "chatgpt_free"]})

    full, slim = score(document, answers), score(prepared.scoring, answers)
    assert full.recommendations and not slim.recommendations
    assert (slim.scores, slim.readiness) == (full.scores, full.readiness)
    assert [d.drivers for d in slim.dimensions] == [d.drivers for d in full.dimensions]
