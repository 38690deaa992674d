"""Catalogue ki-readiness 2026.12: current facts, a reason for every point, sources and dates."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from assessments.catalogue import (
    CatalogueError,
    default_catalogue_path,
    load_document,
    parse_yaml,
    to_plain,
    validate_document,
)
from assessments.scoring import score

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2026.12.yaml"
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return to_plain(load_document(CATALOGUE))


def _questions(doc):
    return {q["key"]: q for s in doc["sections"] for q in s["questions"]}


def _scoring_blocks(doc):
    """(question, answer key, block) for every answer that can score points."""
    for q in _questions(doc).values():
        if q["type"] in {"single_choice", "multi_choice"}:
            blocks = [(o["key"], o) for o in q["options"]]
        elif q["type"] == "yes_no":
            blocks = [("yes", q["yes"]), ("no", q["no"])]
        else:
            continue
        for key, block in blocks:
            if any(points > 0 for points in block.get("scores", {}).values()):
                yield q, key, block


def test_it_stays_loadable_after_the_newer_version_shipped(doc):
    # assessments bound to 2026.12 keep scoring the same: it validates, but is no longer the newest
    assert default_catalogue_path() != CATALOGUE
    assert (doc["key"], doc["version"]) == ("ki-readiness", "2026.12")


def test_every_scoring_option_carries_a_reason_in_german_and_english(doc):
    missing = [
        f"{q['key']}.{key}"
        for q, key, block in _scoring_blocks(doc)
        if not (block.get("reason") or {}).get("de") or not (block.get("reason") or {}).get("en")
    ]
    assert missing == []
    assert len(list(_scoring_blocks(doc))) > 100


def test_scale_and_number_questions_that_score_carry_a_question_reason(doc):
    for q in _questions(doc).values():
        if q["type"] in {"scale", "number"}:
            assert q["reason"]["de"] and q["reason"]["en"], q["key"]


def test_unknown_answers_are_explained(doc):
    assert doc["unknown_reason"]["de"].startswith("„Weiß nicht“")


def test_a_scoring_option_without_a_reason_is_caught_by_the_reason_check(doc):
    broken = to_plain(load_document(CATALOGUE))
    option = _questions(broken)["dpa"]["options"][2]
    del option["reason"]
    assert [f"{q['key']}.{k}" for q, k, b in _scoring_blocks(broken) if "reason" not in b] == [
        "dpa.none"
    ]


def test_every_fact_has_a_source_and_an_as_of_date_and_is_used(doc):
    facts = {f["key"]: f for f in doc["facts"]}
    assert len(facts) >= 20
    for fact in facts.values():
        assert fact["source"].strip()
        assert dt.date.fromisoformat(fact["as_of"]) <= dt.date(2026, 12, 31)
    raw = CATALOGUE.read_text(encoding="utf-8")
    for key in facts:
        # referenced somewhere besides its own definition
        assert raw.count(key) >= 2, key


def test_an_unknown_fact_reference_is_refused(doc):
    broken = to_plain(load_document(CATALOGUE))
    _questions(broken)["dpa"]["facts"] = ["no_such_fact"]
    with pytest.raises(CatalogueError) as error:
        validate_document(broken)
    assert error.value.messages == ["questions.dpa.facts: unbekannter Fakt 'no_such_fact'"]


def test_copilot_options_name_anthropic_and_ask_about_its_models(doc):
    services = {o["key"]: o for o in _questions(doc)["services_used"]["options"]}
    assert "anthropic" in services["m365_copilot"]["vendors"]
    assert "anthropic" in services["copilot_studio"]["vendors"]
    assert "OpenAI models" not in _questions(doc)["services_used"]["help"]["en"].replace(
        "from OpenAI", ""
    )
    anthropic = _questions(doc)["anthropic_models"]
    assert "documented" in anthropic["text"]["en"]
    assert _questions(doc)["flex_routing_reviewed"]["show_if"]


def test_facts_fixed_from_2026_11(doc):
    facts = {f["key"]: f for f in doc["facts"]}
    assert "2 Aug 2025" in facts["ai_act_penalties"]["text"]["en"]
    assert "lower of the two" in facts["ai_act_penalties"]["text"]["en"]
    assert "pending" in facts["dpf_status"]["text"]["en"]
    assert "26 Aug 2026" in facts["openai_assistants_shutdown"]["text"]["en"]
    assert "take measures to support" in facts["ai_act_art4"]["text"]["en"]
    assert "applicants" in facts["ai_act_art5"]["text"]["en"]
    assert "2 Dec 2026" in facts["ai_act_omnibus_ban"]["text"]["en"]
    assert "not covered" in facts["ai_act_art50"]["text"]["en"]
    assert "by default" in facts["ms_eudb"]["text"]["en"]
    transfer = _questions(doc)["transfer_basis"]["help"]["en"]
    assert "is pending" in transfer and "possible" not in transfer


def test_missing_topics_are_asked(doc):
    questions = _questions(doc)
    for key in (
        "openai_retention",
        "secrecy_safeguards",
        "dpo",
        "ai_in_products",
        "repurposed_high_risk",
        "fria",
        "inform_affected",
        "provider_sla",
        "copyright_check",
        "prompt_injection",
    ):
        assert key in questions, key
    fields = [f["key"] for f in questions["use_cases"]["fields"]]
    assert {"personal_data", "decides_about_people"} <= set(fields)


def test_high_risk_only_duties_are_hidden_without_a_high_risk_use_case(doc):
    questions = _questions(doc)
    for key in ("human_oversight", "logs_kept", "inform_affected", "repurposed_high_risk"):
        assert "hr_screening" in str(questions[key]["show_if"]), key
    assert "credit" in str(questions["fria"]["show_if"])
    # the works council is a governance point now, not an AI Act duty
    works_council = questions["works_council"]["options"]
    assert all("ai_act" not in o["scores"] for o in works_council)


def test_marketing_text_is_not_a_transparency_case(doc):
    area = {o["key"]: o for o in _questions(doc)["use_cases"]["fields"][1]["options"]}
    assert area["marketing_text"]["ai_act_class"] == "minimal"
    assert area["synthetic_media"]["ai_act_class"] == "transparency"
    rows = [
        {"name": "Instagram", "area": "marketing_text", "affected": "public", "published": "yes"}
    ]
    card = score(doc, {"use_cases": rows})
    assert card.use_cases[0].ai_act_class == "minimal"


def test_single_choice_options_run_from_best_to_worst(doc):
    for q in _questions(doc).values():
        if q["type"] != "single_choice":
            continue
        totals = [sum(o["scores"].values()) for o in q["options"]]
        assert totals == sorted(totals), q["key"]
        assert totals[0] == 0, q["key"]


def test_every_text_has_german_and_english_and_real_umlauts():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))

    def texts(node, path=""):
        if isinstance(node, dict):
            if "de" in node or "en" in node:
                yield path, node
                return
            for key, value in node.items():
                yield from texts(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from texts(value, f"{path}[{i}]")

    found = list(texts(parse_yaml(CATALOGUE.read_text(encoding="utf-8"))))
    assert len(found) > 500
    assert len(list(texts(raw))) == len(found)  # plain safe_load reads it the same way
    for path, text in found:
        assert set(text) == {"de", "en"}, path
        assert text["de"].strip() and text["en"].strip(), path
        for bad in ("fuer", "ueber", "koenn", "muess", "pruef", "Pruef", "massnahm"):
            assert bad not in text["de"], (path, bad)


def test_knock_out_rules_and_exposure_overrides_are_validated(doc):
    broken = to_plain(load_document(CATALOGUE))
    broken["knockouts"][0]["key"] = "dpa"  # would be mistaken for the question in the drivers
    broken["knockouts"][1]["when"] = {"q": "no_such_question", "equals": "x"}
    broken["exposure"]["overrides"][0]["when"] = {"q": "no_fallback", "equals": "sometimes"}
    with pytest.raises(CatalogueError) as error:
        validate_document(broken)
    assert error.value.messages == [
        "knockouts.dpa.key: der K.-o.-Schlüssel 'dpa' ist schon vergeben",
        "knockouts.secrets_unprotected.when: unbekannte Frage 'no_such_question'",
        "exposure.overrides[0].when.equals: 'sometimes' ist keine Option von 'no_fallback'",
    ]
