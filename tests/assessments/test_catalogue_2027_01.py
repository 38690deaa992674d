"""Catalogue 2027.01 (issue 19): the AI Act procedure's data is complete, the questions that check
high-risk duties appear exactly where the procedure finds such a duty, wording a consultancy
signs, and the calibration cases. (The legal and vendor facts: test_catalogue_2027_01_facts.py.)
"""

import re
from pathlib import Path

import pytest

from assessments.catalogue import default_catalogue_path, load_document, to_plain
from assessments.catalogue.conditions import visible_questions
from assessments.scoring import score
from tests.scoring.test_ai_act_cases import CASES
from tests.scoring.test_personas import GOOD

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2027.01.yaml"
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return to_plain(load_document(CATALOGUE))


def _questions(doc) -> dict:
    return {q["key"]: q for s in doc["sections"] for q in s["questions"]}


def _texts(node, skip=("facts",)):
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from _texts(value, skip)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, skip)
    elif isinstance(node, str):
        yield node


def test_it_is_the_shipped_catalogue_and_states_its_legal_date(doc):
    assert default_catalogue_path() == CATALOGUE
    assert doc["law_as_of"] == "2026-12-05"


def test_every_purpose_option_has_a_procedure_entry_and_every_role_option_a_role(doc):
    procedure = doc["ai_act"]["procedure"]
    fields = {f["key"]: f for f in _questions(doc)["use_cases"]["fields"]}
    purposes = {o["key"] for o in fields["area"]["options"]}
    # "other" is deliberately open: its row says "prüfen" with the question about the purpose
    assert purposes - set(procedure["purposes"]) == {"other"}
    assert {o["key"] for o in fields["role"]["options"]} == set(procedure["roles"])
    assert all(o.get("group") for o in fields["area"]["options"])


def test_every_scoring_option_carries_a_reason(doc):
    missing = []
    for q in _questions(doc).values():
        blocks = [(o["key"], o) for o in q.get("options", ())]
        if q["type"] == "yes_no":
            blocks = [("yes", q["yes"]), ("no", q["no"])]
        for key, block in blocks:
            scores = (block.get("scores") or {}).values()
            if any(points > 0 for points in scores) and not (block.get("reason") or {}).get("de"):
                missing.append(f"{q['key']}.{key}")
    assert missing == []


def _deployer_duty_questions(answers, doc) -> bool:
    return "human_oversight" in visible_questions(doc, answers)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_high_risk_duty_questions_appear_exactly_where_the_procedure_finds_deployer_duties(
    doc, case
):
    answers = {**GOOD, "role": case.company_role, "use_cases": [case.row]}
    row = score(doc, answers).use_cases[0]
    deployer_duties = row.ai_act_class == "high_risk" and any(
        a.startswith("Art. 26") for a in row.duty_articles
    )
    if row.role is None:
        return  # the role is open: the questions are asked so the answers are at hand
    assert _deployer_duty_questions(answers, doc) == deployer_duties, row.duty_articles


def test_wording_a_consultancy_would_sign(doc):
    texts = list(_texts(doc))
    wrong = {
        r"mehr Pflichten als Nutzer": "deployers are 'Betreiber', not 'Nutzer'",
        r"more duties than users": "deployers, not users",
        r"sofort beenden": "no 'stop at once' where an exception may apply",
        r"jederzeit stoppen lassen": "the works council cannot stop the use at any time",
        r"Pflicht-DSFA": "a DPIA is mandatory only for some uses",
        r"in der Regel (eine )?DSFA": "stronger than the DSK",
        r"Versicherungstarife": "only life and health insurance are Annex III",
        r"Menschen unbemerkt zu beeinflussen": "manipulation is prohibited only with harm",
        r"Bis zur Klärung wie einen Hochrisiko": "an open question is no silent high-risk",
    }
    for pattern, why in wrong.items():
        found = [t for t in texts if re.search(pattern, t)]
        assert found == [], why
    # "verstößt"/"breach" about a chatbot only where the company is the chatbot's provider
    question = _questions(doc)["chatbot_disclosure"]
    assert "role" in str(question["show_if"])


def test_staff_breadth_is_exposure_not_lock_in(doc):
    staff = _questions(doc)["staff_share"]
    assert all("lock_in" not in o["scores"] for o in staff["options"])
    assert doc["exposure"]["question_weights"]["staff_share"] > 0
    few = score(doc, {**GOOD, "staff_share": "few"})
    most = score(doc, {**GOOD, "staff_share": "most"})
    assert few.dimension("lock_in").points == most.dimension("lock_in").points
    assert few.exposure < most.exposure


def test_a_business_chat_tier_with_a_full_fallback_is_low_continuity_like_the_free_tier(doc):
    for service in ("chatgpt_free", "chatgpt_business", "copilot_chat"):
        answers = {
            **GOOD,
            "services_used": [service],
            "no_fallback": "all_have_fallback",
            "exit_plan": "none",
            "alternative_tested": "not_tried",
            "providers": "one",
        }
        card = score(doc, answers)
        assert card.exposure_factor == 0.25, service
        assert card.dimension("continuity").level == "low", service
        assert card.dimension("lock_in").level == "low", service


def test_an_undecided_transfer_outside_the_eu_data_boundary_is_at_least_medium(doc):
    base = {
        **GOOD,
        "services_used": ["m365_copilot"],
        "anthropic_models": "off_documented",
        "flex_routing_reviewed": "reviewed_documented",
        "oversharing": "reviewed_labels",
        "labels_dlp": "labels_and_dlp",
    }
    assert score(doc, base).dimension("gdpr").level == "low"
    for key, value in (("anthropic_models", "not_decided"), ("flex_routing_reviewed", "unknown")):
        assert score(doc, {**base, key: value}).dimension("gdpr").level != "low", key


def test_customer_data_in_an_external_chatbot_without_a_finished_dpia_is_at_least_medium(doc):
    row = {
        "name": "Buchungs-Chatbot",
        "area": "customer_chatbot",
        "role": "use_product",
        "affected": "customers",
        "output_use": "no_people",
        "safety_purpose": "no",
        "personal_data": "regular",
    }
    answers = {**GOOD, "use_cases": [row], "prompt_injection": "tested"}
    assert score(doc, answers).dimension("gdpr").level == "low"
    for dpia in ("planned", "none"):
        assert score(doc, {**answers, "dpia": dpia}).dimension("gdpr").level != "low", dpia


def test_two_companies_under_the_same_cap_do_not_tie(doc):
    # both have a critical area (a prohibited row) – one otherwise exemplary, one not
    banned = {
        "name": "Video-Interviews",
        "area": "emotion_recognition",
        "role": "use_product",
        "affected": "applicants_employees",
        "safety_purpose": "no",
    }
    careful = score(doc, {**GOOD, "use_cases": [banned]})
    careless = score(doc, {**GOOD, "use_cases": [banned], "exit_plan": "none", "ai_policy": "none"})
    assert careful.readiness_level == careless.readiness_level == "critical"
    assert careful.readiness > careless.readiness


def test_without_ai_only_the_questions_against_shadow_ai_are_asked(doc):
    shown = visible_questions(doc, {"services_used": ["none"]})
    assert shown == ["services_used", "private_accounts", "no_ai_rule", "approval_process"] + [
        "confidence",
        "comments",
    ]
