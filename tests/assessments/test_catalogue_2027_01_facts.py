"""Catalogue 2027.01: the legal and vendor facts a consultant re-checked on 5 December 2026.

The expected statements come from the sources, not from the catalogue: Regulation (EU) 2026/1744
(OJ L, 2026/1744, 24.7.2026: signed 8 July 2026, in force on the third day after publication, it
deletes machinery from Annex I section A and adds the Art. 5 ban from 2 December 2026);
Microsoft Learn "Flex routing (EU and EFTA)" and Message Center MC1269223 (on for all EU/EFTA
tenants, existing ones from 17 April 2026); the Microsoft and OpenAI announcements of 27 April
2026 (Azure no longer exclusive, non-exclusive licence through 2032); Cohere's announcement of
April 2026 (a takeover announced, not completed); Art. 50(3) AI Act.
"""

import datetime as dt
import re
from pathlib import Path

import pytest

from assessments.catalogue import load_document, to_plain

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2027.01.yaml"
)
CHECKED = dt.date(2026, 12, 5)

# fact → the date of the latest change it reports; it cannot have been checked before that
CHANGED_ON = {
    "ai_act_timeline": dt.date(2026, 7, 27),  # Reg. (EU) 2026/1744 in force
    "ai_act_art4": dt.date(2026, 7, 27),
    "ai_act_omnibus_ban": dt.date(2026, 7, 27),
    "ai_act_annex_i": dt.date(2026, 7, 27),
    "ai_act_art50": dt.date(2026, 7, 27),  # Art. 111(4) inserted
    "ms_openai_agreement": dt.date(2026, 4, 27),
    "ms_flex_routing": dt.date(2026, 4, 17),
    "ms_anthropic": dt.date(2026, 5, 4),
    "openai_assistants_shutdown": dt.date(2026, 8, 26),
    "dpf_status": dt.date(2025, 12, 22),  # appeal C-703/25 P published in the OJ
}


@pytest.fixture(scope="module")
def doc() -> dict:
    return to_plain(load_document(CATALOGUE))


@pytest.fixture(scope="module")
def facts(doc) -> dict:
    return {fact["key"]: fact for fact in doc["facts"]}


def _strings(node):
    """Every text the catalogue shows, in both languages."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@pytest.fixture(scope="module")
def texts(doc) -> list[str]:
    return list(_strings(doc))


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_every_fact_has_both_languages_a_source_and_an_as_of_date(facts):
    for key, fact in facts.items():
        assert fact["text"]["de"].strip() and fact["text"]["en"].strip(), key
        assert len(fact["source"].strip()) > 10, key
        assert _as_date(fact["as_of"]) <= CHECKED, key


@pytest.mark.parametrize("key", sorted(CHANGED_ON))
def test_a_changed_fact_was_checked_after_the_change(facts, key):
    as_of = _as_date(facts[key]["as_of"])
    assert CHANGED_ON[key] <= as_of <= CHECKED


def test_no_text_claims_azure_exclusivity_for_openai(texts):
    stale = re.compile(
        r"Azure-Exklusivität für OpenAI|exclusivity for OpenAI's API|bleiben exklusiv auf Azure"
        r"|exklusiv auf Azure|exclusive to Azure",
        re.IGNORECASE,
    )
    assert not [t for t in texts if stale.search(t)]


def test_the_microsoft_openai_fact_is_the_april_2026_amendment(facts):
    fact = facts["ms_openai_agreement"]
    de, en = fact["text"]["de"], fact["text"]["en"]
    assert "27.4.2026" in de and "27 Apr 2026" in en
    assert "nicht mehr exklusiv" in de and "no longer exclusive" in en
    assert "2032" in de and "2030" in de  # non-exclusive licence; capped revenue share
    assert "jede Cloud" in de and "any cloud" in en
    assert "27.4.2026" in fact["source"]


def test_flex_routing_is_documented_and_on_for_existing_tenants(facts, doc, texts):
    fact = facts["ms_flex_routing"]
    assert "Microsoft Learn" in fact["source"] and "MC1269223" in fact["source"]
    assert "17.4.2026" in fact["text"]["de"] and "17 Apr 2026" in fact["text"]["en"]
    assert "alle EU- und EFTA-Tenants" in fact["text"]["de"]
    flex_texts = [t for t in texts if re.search("flex routing", t, re.IGNORECASE)]
    assert flex_texts
    for text in flex_texts:
        assert not re.search(r"\bberichtet|\breported", text, re.IGNORECASE), text
        assert "nach dem 25. März" not in text and "ab 25. März" not in text, text


def test_the_omnibus_is_cited_as_regulation_2026_1744(facts, texts):
    timeline = facts["ai_act_timeline"]
    assert "2026/1744" in timeline["source"] and "2026/1744" in timeline["text"]["de"]
    assert "8.7.2026" in timeline["text"]["de"] and "27.7.2026" in timeline["text"]["de"]
    for key in ("ai_act_art4", "ai_act_omnibus_ban", "ai_act_annex_i", "ai_act_art50"):
        assert "2026/1744" in facts[key]["source"], key
    wrong = re.compile(
        r"Omnibus vom 2\. August 2026|Digital Omnibus, Juni 2026|Digital Omnibus, June 2026"
    )
    assert not [t for t in texts if wrong.search(t)]


def test_machinery_is_no_longer_an_annex_i_section_a_example(facts, texts):
    fact = facts["ai_act_annex_i"]
    assert "Abschnitt A" in fact["text"]["de"] and "Abschnitt B" in fact["text"]["de"]
    annex_i = [t for t in texts if re.search("Anhang I\\b|Annex I\\b", t)]
    for text in annex_i:
        assert not re.search(r"Anhang I[^I].{0,40}\(z\. B\. Maschinen", text), text
        assert not re.search(r"Annex I[^I].{0,40}\(e\.g\. machinery", text), text


def test_art_50_names_the_deployers_information_duty_of_para_3(facts):
    fact = facts["ai_act_art50"]
    assert "Abs. 3" in fact["text"]["de"]
    de = fact["text"]["de"]
    assert "Emotionserkennung" in de and "biometrischer Kategorisierung" in de
    assert "2.12.2026" in de  # Art. 111(4): marking by systems already on the market


def test_the_new_art_5_ban_applies_from_2_december_2026(facts):
    fact = facts["ai_act_omnibus_ban"]
    assert "2.12.2026" in fact["text"]["de"] and "2 Dec 2026" in fact["text"]["en"]


def test_aleph_alpha_is_an_announced_takeover_not_a_merger_done(texts):
    aleph = [t for t in texts if "Aleph Alpha" in t]
    assert aleph
    for text in aleph:
        assert not re.search(r"aufgegangen|ging .* in Cohere auf|merged into", text), text
        assert re.search(r"angekündigt|announced", text), text
