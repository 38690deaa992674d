"""The action plan's order by legal urgency (issue 19), one test per rule, on catalogue 2027.01:

1. end prohibited practices and unlawful processing first, whatever the dimension's level;
2. then duties already in force and unmet;
3. then duties with a future date, by date;
4. then risk reduction by impact per effort (ties in the catalogue's order, never the alphabet);
"zuerst" on at most three actions, only ones of rules 1 and 2. A recommendation is a legal duty
only where its ``legal_if`` holds. Catalogues without a legal date keep the older order.

The expected orders come from the rules above applied by hand to the personas' situations.
"""

import itertools
from pathlib import Path

import pytest

from assessments.catalogue import load_document, to_plain
from assessments.scoring import score
from tests.scoring.test_personas import PERSONAS, load_catalogue

RANK = {"stop": 0, "in_force": 1, "deadline": 2, "risk": 3}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return load_catalogue()


def plan(catalogue, answers) -> list:
    return list(score(catalogue, answers).recommendations)


def keys(recs) -> list[str]:
    return [r.key for r in recs]


def test_rule_1_unlawful_processing_comes_first_even_in_an_area_that_is_not_critical(catalogue):
    # the tax adviser of P03 (GDPR low), but client secrets now go to a vendor not bound to
    # secrecy: § 203 StGB makes that unlawful today, although its business tier with a DPA keeps
    # the GDPR area from being critical
    answers = {**PERSONAS["P03_steuerberatung"], "secrecy_safeguards": "not_bound"}
    card = score(catalogue, answers)
    assert card.dimension("gdpr").level != "critical"
    recs = list(card.recommendations)
    assert recs[0].key == "bind_vendor_to_secrecy" and recs[0].urgency == "stop"
    assert recs[0].first


def test_rule_1_a_prohibited_row_outranks_cheap_duties_in_force(catalogue):
    # P05 also lacks a finished DPIA (in force, cheap to start): the ban still comes first
    recs = plan(catalogue, PERSONAS["P05_personalservice"])
    assert keys(recs)[:2] == ["stop_prohibited_practice", "do_dpia"]
    assert recs[0].use_cases == ("Video-Interviews auswerten",)


def test_rule_2_duties_in_force_come_before_deadlines(catalogue):
    recs = plan(catalogue, PERSONAS["P14_autohaus"])
    urgencies = [r.urgency for r in recs]
    assert urgencies.index("in_force") < urgencies.index("deadline") < urgencies.index("risk")
    assert keys(recs).index("do_dpia") < keys(recs).index("do_fria")


def test_rule_2_equally_weighty_duties_in_force_follow_the_riskier_area(catalogue):
    # P22 breaks two Art. 50(4) duties (AI Act high) and lets two freelancers use consumer
    # accounts with names in the prompts (data protection low): all three are priority-1,
    # low-effort duties in force; the older date (GDPR 2018) no longer decides (decision 0050)
    card = score(catalogue, PERSONAS["P22_seekurier"])
    risk = {d.key: d.score for d in card.dimensions}
    assert risk["ai_act"] > risk["gdpr"]
    order = keys(card.recommendations)
    assert order.index("label_deepfakes") < order.index("replace_chatgpt_free")
    assert order.index("label_ai_content") < order.index("replace_chatgpt_free")
    # AI literacy (Art. 4, no fine of its own in Art. 99) comes after duties fined directly
    assert order.index("replace_chatgpt_free") < order.index("ai_literacy")
    # and in every persona's plan: among duties in force of the same priority and effort, the
    # riskier area first
    for answers in PERSONAS.values():
        card = score(catalogue, answers)
        risk = {d.key: d.score for d in card.dimensions}
        duties = [r for r in card.recommendations if r.urgency == "in_force"]
        for a, b in itertools.pairwise(duties):
            if (a.priority, a.effort) == (b.priority, b.effort):
                assert risk.get(a.dimension, 0) >= risk.get(b.dimension, 0), (a.key, b.key)


def test_rule_3_deadlines_come_by_date(catalogue):
    # P15 also builds AI into machines it sells, unassessed: the Machinery Regulation applies
    # from 20 January 2027, the provider duties of its Annex III service from 2 December 2027
    answers = {**PERSONAS["P15_softwareschmiede"], "ai_in_products": "not_assessed"}
    recs = [r for r in plan(catalogue, answers) if r.urgency == "deadline"]
    assert [(r.key, r.due) for r in recs[:2]] == [
        ("assess_product_ai", "2027-01-20"),
        ("provider_high_risk_duties", "2027-12-02"),
    ]


def test_rule_4_risk_reduction_by_impact_per_effort_then_catalogue_order(catalogue):
    recs = [r for r in plan(catalogue, PERSONAS["P03_steuerberatung"]) if r.urgency == "risk"]
    order = keys(recs)
    # second vendor (priority 2, medium effort) before the exit plan (priority 2, high effort);
    # the prompt repository (priority 3, low effort) has the same impact per effort as the second
    # vendor and comes after it in the catalogue – alphabetically it would come first
    assert order.index("second_provider") < order.index("own_prompt_repository")
    assert order.index("second_provider") < order.index("write_exit_plan")


def test_a_duty_only_where_its_legal_condition_holds(catalogue):
    bakery = plan(catalogue, PERSONAS["P04_baeckerei"])
    consumer = next(r for r in bakery if r.key == "replace_chatgpt_free")
    assert consumer.urgency == "risk"  # no personal data goes in: a risk, not an unlawful act
    with_names = plan(catalogue, {**PERSONAS["P04_baeckerei"], "personal_data": "regular"})
    consumer = next(r for r in with_names if r.key == "replace_chatgpt_free")
    assert (consumer.urgency, consumer.due) == ("in_force", "2018-05-25")


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_plan_runs_in_legal_order_with_at_most_three_first(catalogue, name):
    recs = plan(catalogue, PERSONAS[name])
    ranks = [RANK[r.urgency] for r in recs]
    assert ranks == sorted(ranks)
    deadlines = [r.due for r in recs if r.urgency == "deadline"]
    assert deadlines == sorted(deadlines)
    marked = [r for r in recs if r.first]
    assert len(marked) <= 3
    assert all(r.urgency in {"stop", "in_force"} for r in marked)
    # the first ones are the first of the plan, and "urgent" says the same for older readers
    assert marked == recs[: len(marked)]
    assert all(r.urgent == r.first for r in recs)


def test_a_catalogue_without_a_legal_date_keeps_the_older_order():
    path = Path(__file__).resolve().parents[2] / "assessments/catalogue/ki-readiness-2026.12.yaml"
    older = to_plain(load_document(path))
    answers = {
        "services_used": ["chatgpt_free"],
        "personal_data": "special",
        "dpa": "none",
        "literacy_training": "none",
    }
    recs = score(older, answers).recommendations
    assert all(r.urgency == "" and r.due is None and not r.first for r in recs)
    assert recs[0].urgent  # the knock-out fix first, as before
