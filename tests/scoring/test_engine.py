"""Unit tests of the pure scoring engine on a small inline catalogue."""

import copy
import json

import pytest

from assessments.scoring import (
    SCORING_VERSION,
    ScoreCard,
    index_for,
    round_half_up,
    score,
)


def t(de, en=None):
    return {"de": de, "en": en or de}


def make_catalogue() -> dict:
    """A small catalogue exercising every scored type. Options run best to worst."""
    return {
        "schema": 1,
        "key": "test",
        "version": "1",
        "title": t("Test"),
        "description": t("Test"),
        "dimensions": {
            "lock_in": {"title": t("Anbieterabhängigkeit", "Lock-in"), "weight": 1.0},
            "gdpr": {"title": t("DSGVO", "GDPR"), "weight": 1.0},
            "ai_act": {"title": t("AI Act"), "weight": 1.0},
            "continuity": {"title": t("Kontinuität", "Continuity"), "weight": 1.0},
            "governance": {"title": t("Governance"), "weight": 1.0},
        },
        "levels": {"medium": 25, "high": 50, "critical": 75},
        "exposure": {"question_weights": {"services": 0.5, "staff_share": 0.5}, "min_factor": 0.5},
        "vendors": {"microsoft": t("Microsoft"), "openai": t("OpenAI")},
        "ai_act": {
            "classes": {
                "prohibited": {
                    "title": t("verboten", "prohibited"),
                    "article": "Art. 5",
                    "applies_from": "2025-02-02",
                    "duties": [t("Sofort einstellen", "Stop at once")],
                },
                "high_risk": {
                    "title": t("Hochrisiko", "high-risk"),
                    "article": "Art. 26 i. V. m. Anhang III",
                    "applies_from": "2027-12-02",
                    "duties": [t("Menschliche Aufsicht", "Human oversight"), t("Logs 6 Monate")],
                },
                "transparency": {
                    "title": t("Transparenzpflicht", "transparency duty"),
                    "article": "Art. 50",
                    "applies_from": "2026-08-02",
                    "duties": [t("KI-Hinweis", "AI notice")],
                },
                "minimal": {
                    "title": t("minimal"),
                    "article": "Art. 4",
                    "applies_from": "2025-02-02",
                    "duties": [t("KI-Kompetenz", "AI literacy")],
                },
                "unclear": {"title": t("unklar", "unclear"), "duties": [t("Einstufung klären")]},
            },
            "use_case_question": "use_cases",
        },
        "sections": [
            {
                "key": "inventory",
                "title": t("Bestand"),
                "questions": [
                    {
                        "key": "services",
                        "type": "multi_choice",
                        "text": t("Welche Dienste?", "Which services?"),
                        "help": t("h"),
                        "max_points": {"lock_in": 4},
                        "options": [
                            {"key": "none", "label": t("keine", "none"), "scores": {}},
                            {
                                "key": "copilot",
                                "label": t("M365 Copilot"),
                                "scores": {"lock_in": 2, "continuity": 1},
                                "vendors": ["microsoft"],
                            },
                            {
                                "key": "chatgpt_free",
                                "label": t("ChatGPT Free"),
                                "scores": {"gdpr": 4, "lock_in": 1},
                                "vendors": ["openai"],
                                "reason": t("Training auf Eingaben", "Trains on prompts"),
                            },
                            {
                                "key": "azure_openai",
                                "label": t("Azure OpenAI"),
                                "scores": {"lock_in": 3, "continuity": 2},
                                "vendors": ["microsoft", "openai"],
                            },
                        ],
                    },
                    {
                        "key": "staff_share",
                        "type": "single_choice",
                        "text": t("Anteil Mitarbeitende", "Staff share"),
                        "help": t("h"),
                        "allow_unknown": True,
                        "options": [
                            {"key": "none", "label": t("niemand", "nobody"), "scores": {}},
                            {
                                "key": "some",
                                "label": t("einige", "some"),
                                "scores": {"continuity": 1, "lock_in": 1},
                            },
                            {
                                "key": "most",
                                "label": t("die meisten", "most"),
                                "scores": {"continuity": 3, "lock_in": 2},
                            },
                        ],
                    },
                    {
                        "key": "dpa",
                        "type": "yes_no",
                        "text": t("AVV vorhanden?", "DPA in place?"),
                        "help": t("h"),
                        "allow_unknown": True,
                        "allow_na": True,
                        "show_if": {"not": {"q": "services", "includes": "none"}},
                        "yes": {"scores": {}},
                        "no": {"scores": {"gdpr": 5}, "reason": t("Art. 28 DSGVO", "Art. 28 GDPR")},
                        "reason": t("Auftragsverarbeitung", "Processing agreement"),
                    },
                    {
                        "key": "exit_plan",
                        "type": "single_choice",
                        "text": t("Exit-Plan?", "Exit plan?"),
                        "help": t("h"),
                        "allow_unknown": True,
                        "unknown_scores": {"lock_in": 2},
                        "options": [
                            {"key": "tested", "label": t("getestet", "tested"), "scores": {}},
                            {
                                "key": "documented",
                                "label": t("dokumentiert", "documented"),
                                "scores": {"lock_in": 1},
                            },
                            {"key": "none", "label": t("keiner", "none"), "scores": {"lock_in": 3}},
                        ],
                    },
                    {
                        "key": "art5",
                        "type": "yes_no",
                        "text": t("Verbotene Praktik?", "Prohibited practice?"),
                        "help": t("h"),
                        "no": {"scores": {}},
                        "yes": {
                            "scores": {"ai_act": 10},
                            "knockout": "ai_act",
                            "reason": t("Art. 5 KI-VO", "Art. 5 AI Act"),
                        },
                    },
                    {
                        "key": "policy",
                        "type": "scale",
                        "text": t("KI-Richtlinie gelebt?", "AI policy lived?"),
                        "help": t("h"),
                        "min": 1,
                        "max": 5,
                        "labels": {1: t("voll", "fully"), 5: t("gar nicht", "not at all")},
                        "scores": {"governance": [0, 1, 2, 3, 4]},
                    },
                    {
                        "key": "staff_count",
                        "type": "number",
                        "text": t("Mitarbeitende", "Employees"),
                        "help": t("h"),
                        "min": 1,
                        "max": 10000,
                        "unit": t("Personen", "people"),
                        "bands": [
                            {"upto": 9, "scores": {"continuity": 0}},
                            {"upto": 49, "scores": {"continuity": 1}},
                            {"upto": None, "scores": {"continuity": 2}},
                        ],
                    },
                    {
                        "key": "use_cases",
                        "type": "repeat_group",
                        "text": t("Anwendungsfälle", "Use cases"),
                        "help": t("h"),
                        "allow_na": True,
                        "fields": [
                            {"key": "name", "type": "text", "text": t("Name"), "help": t("h")},
                            {
                                "key": "area",
                                "type": "single_choice",
                                "text": t("Bereich", "Area"),
                                "help": t("h"),
                                "options": [
                                    {
                                        "key": "marketing",
                                        "label": t("Marketing"),
                                        "ai_act_class": "minimal",
                                        "scores": {},
                                    },
                                    {
                                        "key": "hr",
                                        "label": t("Personal", "HR"),
                                        "ai_act_class": "high_risk",
                                        "annex_iii": "Anhang III Nr. 4",
                                        "scores": {},
                                    },
                                    {
                                        "key": "emotion",
                                        "label": t("Emotionserkennung", "Emotion recognition"),
                                        "ai_act_class": "prohibited",
                                        "scores": {},
                                    },
                                    {
                                        "key": "other",
                                        "label": t("Sonstiges", "Other"),
                                        "scores": {},
                                    },
                                ],
                            },
                            {
                                "key": "audience",
                                "type": "single_choice",
                                "text": t("Wer sieht das Ergebnis?", "Who sees the output?"),
                                "help": t("h"),
                                "options": [
                                    {
                                        "key": "internal",
                                        "label": t("intern", "internal"),
                                        "ai_act_class": "minimal",
                                        "scores": {},
                                    },
                                    {
                                        "key": "customers",
                                        "label": t("Kunden", "customers"),
                                        "ai_act_class": "transparency",
                                        "scores": {},
                                    },
                                ],
                            },
                        ],
                    },
                    {
                        "key": "notes",
                        "type": "long_text",
                        "text": t("Notizen", "Notes"),
                        "help": t("h"),
                        "required": False,
                    },
                ],
            }
        ],
        "recommendations": [
            {
                "key": "dpa",
                "when": {"q": "dpa", "in": ["no", "unknown"]},
                "dimension": "gdpr",
                "priority": 1,
                "effort": "low",
                "title": t("AVV abschließen", "Sign a DPA"),
                "text": t("…"),
            },
            {
                "key": "exit",
                "when": {"q": "exit_plan", "in": ["none", "unknown"]},
                "dimension": "lock_in",
                "priority": 1,
                "effort": "high",
                "title": t("Exit-Plan", "Exit plan"),
                "text": t("…"),
            },
            {
                "key": "replace_free",
                "when": {
                    "all": [
                        {"q": "services", "includes": "chatgpt_free"},
                        {"not": {"q": "dpa", "equals": "yes"}},
                    ]
                },
                "dimension": "gdpr",
                "priority": 1,
                "effort": "medium",
                "title": t("ChatGPT Free ersetzen", "Replace ChatGPT Free"),
                "text": t("…"),
            },
            {
                "key": "policy",
                "when": {"q": "policy", "gte": 3},
                "dimension": "governance",
                "priority": 2,
                "effort": "low",
                "title": t("Richtlinie", "Policy"),
                "text": t("…"),
            },
            {
                # a duplicate key: only the first rule with a key counts
                "key": "dpa",
                "when": {"q": "dpa", "answered": True},
                "dimension": "governance",
                "priority": 3,
                "effort": "low",
                "title": t("Duplikat", "Duplicate"),
                "text": t("…"),
            },
        ],
    }


CATALOGUE = make_catalogue()

BEST = {
    "services": ["none"],
    "staff_share": "none",
    "exit_plan": "tested",
    "art5": "no",
    "policy": 1,
    "staff_count": 5,
    "use_cases": [{"name": "Newsletter", "area": "marketing", "audience": "internal"}],
}

WORST = {
    "services": ["copilot", "chatgpt_free", "azure_openai"],
    "staff_share": "most",
    "dpa": "no",
    "exit_plan": "none",
    "art5": "no",
    "policy": 5,
    "staff_count": 500,
    "use_cases": [
        {"name": "CV-Screening", "area": "hr", "audience": "internal"},
        {"name": "Chatbot", "area": "other", "audience": "customers"},
    ],
}


def dim(card: ScoreCard, key: str):
    return card.dimension(key)


def test_best_answers_score_zero_risk_and_full_readiness():
    card = score(CATALOGUE, BEST)
    assert card.scores == {"lock_in": 0, "gdpr": 0, "ai_act": 0, "continuity": 0, "governance": 0}
    assert card.levels == dict.fromkeys(card.scores, "low")
    assert card.readiness == 100
    assert card.readiness_level == "low"
    assert card.scoring_version == SCORING_VERSION
    assert (card.catalogue_key, card.catalogue_version) == ("test", "1")
    assert card.knockouts == ()
    # dpa is hidden ("none" chosen) and contributes nothing; gdpr has only services' max left
    assert dim(card, "gdpr").max_points == 4


def test_worst_answers():
    card = score(CATALOGUE, WORST)
    # lock_in: services capped at 4 + staff 2 + exit 3 = 9 of 4 + 2 + 3 = 9 → raw 100, exposure 1
    assert dim(card, "lock_in").points == 9
    assert dim(card, "lock_in").score == 100
    assert card.exposure == 1.0
    assert dim(card, "gdpr").score == 100
    assert dim(card, "governance").score == 100
    assert dim(card, "continuity").score == 100
    # ai_act: art5 0/10, use cases: high-risk 8 + unclear 4 (area "other" → unclear), capped: 10
    assert dim(card, "ai_act").points == 10
    assert dim(card, "ai_act").max_points == 20
    assert dim(card, "ai_act").score == 50
    assert dim(card, "ai_act").level == "high"
    assert card.readiness == 10  # 100 − mean(100, 100, 50, 100, 100)
    assert card.readiness_level == "critical"


def test_na_leaves_the_denominator():
    base = {**BEST, "services": ["copilot"], "dpa": "yes"}
    with_yes = score(CATALOGUE, base)
    with_na = score(CATALOGUE, {**base, "dpa": "na"})
    assert dim(with_yes, "gdpr").max_points == 4 + 5
    assert dim(with_na, "gdpr").max_points == 4
    assert dim(with_na, "gdpr").points == dim(with_yes, "gdpr").points == 0
    # N/A on the use cases removes their ai_act max too
    assert dim(score(CATALOGUE, {**BEST, "use_cases": "na"}), "ai_act").max_points == 10
    assert dim(score(CATALOGUE, BEST), "ai_act").max_points == 20


def test_unknown_counts_as_max_risk_unless_unknown_scores_say_otherwise():
    answers = {**BEST, "services": ["copilot"], "dpa": "unknown"}
    card = score(CATALOGUE, answers)
    assert dim(card, "gdpr").points == 5  # the max of dpa
    driver = next(d for d in dim(card, "gdpr").drivers if d.question_key == "dpa")
    assert driver.answer == "unknown"
    assert driver.answer_label == {"de": "weiß nicht", "en": "don't know"}
    # exit_plan: unknown_scores {lock_in: 2}, max stays 3
    card = score(CATALOGUE, {**BEST, "exit_plan": "unknown"})
    assert dim(card, "lock_in").points == 2
    assert dim(card, "lock_in").max_points == 4 + 2 + 3


def test_unanswered_visible_questions_count_as_unknown():
    answers = dict(BEST)
    del answers["policy"]
    card = score(CATALOGUE, answers)
    assert dim(card, "governance").points == 4
    assert dim(card, "governance").score == 100
    driver = dim(card, "governance").drivers[0]
    assert driver.answer is None
    assert driver.answer_label["en"] == "not answered"
    # an empty answer set: every scored question is unknown
    empty = score(CATALOGUE, {})
    assert all(d.score > 0 for d in empty.dimensions if d.key != "ai_act")
    assert dim(empty, "ai_act").points == 10 + 10
    assert empty.use_cases == ()


def test_hidden_question_is_ignored_even_when_answered():
    answers = {**BEST, "dpa": "no"}  # services == ["none"] hides dpa
    card = score(CATALOGUE, answers)
    assert dim(card, "gdpr").points == 0
    assert all(d.question_key != "dpa" for d in dim(card, "gdpr").drivers)
    assert not any(r.key == "dpa" for r in card.recommendations)


def test_knockout_makes_the_dimension_critical_and_caps_readiness():
    card = score(CATALOGUE, {**BEST, "art5": "yes"})
    ai_act = dim(card, "ai_act")
    assert ai_act.level == "critical"
    assert ai_act.knockout
    # raw 10/20 = 50, lifted into the critical band 75..100 (issue 9: a floor lifts without
    # flattening, so two clients with the same knock-out keep their order): 75 + 25 × 0.5
    assert ai_act.score == 88
    assert ai_act.raw_score == 50
    # capped at 100 − 75, otherwise it would be 85; the cap keeps the order (issue 19): above
    # 15 the readiness is squeezed into 15..25, 85 → 23
    assert card.readiness == 23
    assert card.readiness_level == "critical"
    assert len(card.knockouts) == 1
    knockout = card.knockouts[0]
    assert (knockout.question_key, knockout.dimension, knockout.knockout) == (
        "art5",
        "ai_act",
        True,
    )
    assert knockout.reason == {"de": "Art. 5 KI-VO", "en": "Art. 5 AI Act"}


def test_drivers_list_answers_with_points_sorted_desc():
    card = score(CATALOGUE, WORST)
    lock_in = dim(card, "lock_in")
    assert [(d.question_key, d.points) for d in lock_in.drivers] == [
        ("services", 4),
        ("exit_plan", 3),
        ("staff_share", 2),
    ]
    services = lock_in.drivers[0]
    assert services.answer == ["copilot", "chatgpt_free", "azure_openai"]
    # contributing options, most points first
    assert services.answer_label["de"] == "Azure OpenAI, M365 Copilot, ChatGPT Free"
    assert services.question_text == {"de": "Welche Dienste?", "en": "Which services?"}
    gdpr = dim(card, "gdpr")
    assert [(d.question_key, d.points) for d in gdpr.drivers] == [("dpa", 5), ("services", 4)]
    assert gdpr.drivers[0].reason == {"de": "Art. 28 DSGVO", "en": "Art. 28 GDPR"}
    assert gdpr.drivers[1].reason == {"de": "Training auf Eingaben", "en": "Trains on prompts"}
    assert gdpr.drivers[1].answer_label == {"de": "ChatGPT Free", "en": "ChatGPT Free"}
    continuity = dim(card, "continuity")
    staff_count = next(d for d in continuity.drivers if d.question_key == "staff_count")
    assert staff_count.answer_label == {"de": "500 Personen", "en": "500 people"}
    assert all(d.points > 0 for ds in card.dimensions for d in ds.drivers)


def test_multi_choice_points_are_capped():
    card = score(CATALOGUE, {**BEST, "services": ["copilot", "azure_openai"], "dpa": "yes"})
    assert next(d for d in dim(card, "lock_in").drivers if d.question_key == "services").points == 4
    catalogue = make_catalogue()
    catalogue["sections"][0]["questions"][0]["max_points"] = {"lock_in": 2}
    card = score(catalogue, {**BEST, "services": ["azure_openai"], "dpa": "yes"})  # 3 > cap 2
    assert next(d for d in dim(card, "lock_in").drivers if d.question_key == "services").points == 2


def test_scale_and_number_bands():
    for step, expected in [(1, 0), (2, 1), (5, 4)]:
        assert dim(score(CATALOGUE, {**BEST, "policy": step}), "governance").points == expected
    for count, expected in [(1, 0), (9, 0), (10, 1), (49, 1), (50, 2), (9.5, 1)]:
        card = score(CATALOGUE, {**BEST, "staff_count": count})
        assert dim(card, "continuity").points == expected, count


def test_exposure_factor_damps_lock_in_and_continuity():
    # exit_plan "none" gives lock_in 3 of 9 → raw 33.3; no exposure → factor 0.5 → 16.7 → 17
    card = score(CATALOGUE, {**BEST, "exit_plan": "none"})
    assert card.exposure == 0.0
    assert card.exposure_factor == 0.5
    assert dim(card, "lock_in").raw_score == 33
    assert dim(card, "lock_in").score == 17
    # staff_share "most": share 5/5 with weight 0.5; services none: 0/6 → exposure 0.5
    card = score(CATALOGUE, {**BEST, "exit_plan": "none", "staff_share": "most"})
    assert card.exposure == 0.5
    assert card.exposure_factor == 0.75
    # lock_in 5 of 9 = 55.6 × 0.75 = 41.7 → 42
    assert dim(card, "lock_in").score == 42
    # gdpr, ai_act and governance are never damped
    card = score(CATALOGUE, {**BEST, "policy": 5})
    assert dim(card, "governance").score == 100


def test_vendor_exposure():
    card = score(CATALOGUE, BEST)
    assert card.vendor_exposure == {"microsoft": 0, "openai": 0}
    assert list(card.vendor_exposure) == ["microsoft", "openai"]
    # microsoft max: copilot 2+1 and azure 3+2 capped lock_in 4 → 4 + 3 = 7
    # copilot alone: 3 of 7; exposure: services 3 of 7 lock_in/continuity points with weight
    # 0.5, staff none 0 → 3/14 → factor 0.5 + 0.5 × 3/14 = 0.607 → 100 × 0.607 × 3/7 = 26
    card = score(CATALOGUE, {**BEST, "services": ["copilot"], "dpa": "yes"})
    assert card.exposure == round(3 / 14, 4)
    assert card.vendor_exposure == {"microsoft": 26, "openai": 0}
    # everything, most staff: full exposure; microsoft 7 of 7 (the largest vendor footprint, the
    # common scale), openai: ChatGPT Free 1 + Azure OpenAI 3 lock_in and 2 continuity = 6 of 7
    card = score(CATALOGUE, WORST)
    assert card.vendor_exposure == {"microsoft": 100, "openai": 86}
    # ChatGPT Free only: openai 1 of 7 lock_in/continuity points
    card = score(CATALOGUE, {**BEST, "services": ["chatgpt_free"], "staff_share": "most"})
    assert card.vendor_exposure["microsoft"] == 0
    assert 0 < card.vendor_exposure["openai"] < 25


def test_use_case_classification():
    rows = [
        {"name": "CV-Screening", "area": "hr", "audience": "internal"},
        {"name": "Newsletter", "area": "marketing", "audience": "customers"},
        {"name": "Sonstiges", "area": "other", "audience": "internal"},
        {"name": "Unbekannt", "area": "unknown", "audience": "internal"},
        {"name": "Bewerberchat", "area": "hr", "audience": "customers"},
        {"area": "marketing", "audience": "internal"},
        {"name": "Marketing, Publikum unbekannt", "area": "marketing"},
    ]
    card = score(CATALOGUE, {**BEST, "use_cases": rows})
    classes = [(u.index, u.name, u.area, u.ai_act_class) for u in card.use_cases]
    assert classes == [
        (0, "CV-Screening", "hr", "high_risk"),
        (1, "Newsletter", "marketing", "transparency"),
        (2, "Sonstiges", "other", "unclear"),
        (3, "Unbekannt", None, "unclear"),
        (4, "Bewerberchat", "hr", "high_risk"),
        (5, "#6", "marketing", "minimal"),
        (6, "Marketing, Publikum unbekannt", "marketing", "unclear"),
    ]
    cv, newsletter, other = card.use_cases[:3]
    # dates, articles and duties come from the document
    assert cv.applies_from == "2027-12-02"
    assert cv.article == "Art. 26 i. V. m. Anhang III"
    assert cv.annex_iii == "Anhang III Nr. 4"
    assert cv.duties == (
        {"de": "Menschliche Aufsicht", "en": "Human oversight"},
        t("Logs 6 Monate"),
    )
    assert cv.area_label == {"de": "Personal", "en": "HR"}
    assert newsletter.applies_from == "2026-08-02"
    assert newsletter.duties == ({"de": "KI-Hinweis", "en": "AI notice"},)
    assert other.applies_from is None
    assert other.reasons
    # a high-risk use case that also faces customers carries the Art. 50 duties too
    chat = card.use_cases[4]
    assert chat.article == "Art. 26 i. V. m. Anhang III; Art. 50"
    assert {"de": "KI-Hinweis", "en": "AI notice"} in chat.duties
    # ai_act points: capped at the largest class points (10)
    assert dim(card, "ai_act").points == 10
    assert dim(card, "ai_act").max_points == 20
    driver = next(d for d in dim(card, "ai_act").drivers if d.question_key == "use_cases")
    assert driver.answer_label["de"].startswith("CV-Screening: Hochrisiko; Newsletter: Transparenz")


def test_prohibited_use_case_is_a_knockout():
    rows = [{"name": "Stimmungsanalyse", "area": "emotion", "audience": "internal"}]
    card = score(CATALOGUE, {**BEST, "use_cases": rows})
    assert card.use_cases[0].ai_act_class == "prohibited"
    assert card.use_cases[0].article == "Art. 5"
    assert dim(card, "ai_act").level == "critical"
    assert [k.question_key for k in card.knockouts] == ["use_cases"]


def test_yes_no_audience_field_without_class_hints_raises_to_transparency():
    catalogue = make_catalogue()
    use_cases = catalogue["sections"][0]["questions"][7]
    use_cases["fields"][2] = {
        "key": "customer_facing",
        "type": "yes_no",
        "text": t("Kundenkontakt?", "Customer-facing?"),
        "help": t("h"),
    }
    rows = [
        {"name": "Chatbot", "area": "marketing", "customer_facing": "yes"},
        {"name": "Intern", "area": "marketing", "customer_facing": "no"},
        {"name": "?", "area": "marketing", "customer_facing": "unknown"},
    ]
    card = score(catalogue, {**BEST, "use_cases": rows})
    assert [u.ai_act_class for u in card.use_cases] == ["transparency", "minimal", "unclear"]


def test_class_points_come_from_the_document_when_given():
    catalogue = make_catalogue()
    catalogue["ai_act"]["classes"]["unclear"]["points"] = 1
    catalogue["ai_act"]["classes"]["prohibited"]["points"] = 8
    rows = [{"name": "x", "area": "other", "audience": "internal"}]
    card = score(catalogue, {**BEST, "use_cases": rows})
    assert dim(card, "ai_act").points == 1
    assert dim(card, "ai_act").max_points == 10 + 8  # the cap is the largest class points


def test_recommendations_are_filtered_deduplicated_and_ordered():
    card = score(CATALOGUE, WORST)
    # priority 1 first; among them by dimension risk desc (gdpr 100 = lock_in 100),
    # then effort low → high, then key
    assert [r.key for r in card.recommendations] == ["dpa", "replace_free", "exit", "policy"]
    dpa = card.recommendations[0]
    assert dpa.title == {"de": "AVV abschließen", "en": "Sign a DPA"}
    assert dpa.dimension == "gdpr"
    assert card.recommendations[1].triggered_by == ("services", "dpa")
    # the lower-risk dimension sorts later within a priority
    answers = {**WORST, "services": ["chatgpt_free"], "staff_share": "none", "exit_plan": "none"}
    card = score(CATALOGUE, answers)
    assert dim(card, "gdpr").score > dim(card, "lock_in").score
    # Issue 9 (consultant rule): a fix in a critical dimension (governance 100 here) comes before
    # a priority-1 fix in a dimension that is not critical (lock_in), whatever the priorities say.
    assert dim(card, "governance").level == "critical"
    assert dim(card, "lock_in").level != "critical"
    assert [r.key for r in card.recommendations][:3] == ["dpa", "replace_free", "policy"]
    assert [r.urgent for r in card.recommendations] == [True, True, True, False]
    assert len({r.key for r in card.recommendations}) == len(card.recommendations)


def test_round_half_up():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 62.5, 2.4999, 100 * 5 / 8)] == [
        1,
        2,
        3,
        63,
        2,
        63,
    ]
    assert round_half_up(100 * 0.145) == 15  # 14.499999999999998 in floats


def test_round_trip_through_json():
    card = score(CATALOGUE, {**WORST, "art5": "yes"})
    data = card.to_dict()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    restored = ScoreCard.from_dict(json.loads(text))
    assert restored == card
    assert restored.to_dict() == data
    assert json.dumps(restored.to_dict(), sort_keys=True, ensure_ascii=False) == text
    assert data["dimensions"][0]["key"] == "lock_in"
    assert data["use_cases"][0]["applies_from"] == "2027-12-02"


def test_dates_parsed_by_yaml_become_iso_strings():
    import datetime as dt

    catalogue = make_catalogue()
    catalogue["ai_act"]["classes"]["high_risk"]["applies_from"] = dt.date(2027, 12, 2)
    card = score(catalogue, {**BEST, "use_cases": [{"name": "x", "area": "hr"}]})
    assert card.use_cases[0].applies_from == "2027-12-02"
    json.dumps(card.to_dict())


def test_the_validated_document_scores_like_the_raw_one():
    """What the app stores is ``validate_document`` output (model_dump, floats, ISO dates)."""
    from assessments.catalogue import validate_document

    catalogue = make_catalogue()
    catalogue["recommendations"].pop()  # the schema refuses the duplicate key kept for the test
    document = validate_document(catalogue)
    for answers in (BEST, WORST, {**WORST, "art5": "yes"}, {}):
        assert score(document, answers).to_dict() == score(CATALOGUE, answers).to_dict()


def test_model_dump_style_nones_are_accepted():
    """pydantic's model_dump writes ``None`` for unset optional fields; that must not matter."""
    catalogue = make_catalogue()
    for section in catalogue["sections"]:
        for q in section["questions"]:
            q.setdefault("show_if", None)
            q.setdefault("unknown_scores", None)
            q.setdefault("reason", None)
            for option in q.get("options") or ():
                for key in ("knockout", "reason", "ai_act_class", "annex_iii", "vendors"):
                    option.setdefault(key, None)
    assert score(catalogue, WORST).to_dict() == score(CATALOGUE, WORST).to_dict()


def test_dimension_order_does_not_depend_on_dict_order():
    catalogue = make_catalogue()
    catalogue["dimensions"] = dict(sorted(catalogue["dimensions"].items()))
    card = score(catalogue, WORST)
    assert [d.key for d in card.dimensions] == [
        "lock_in",
        "gdpr",
        "ai_act",
        "continuity",
        "governance",
    ]
    assert card.to_dict() == score(CATALOGUE, WORST).to_dict()


def test_weights_change_readiness():
    catalogue = make_catalogue()
    catalogue["dimensions"]["governance"]["weight"] = 3.0
    answers = {**BEST, "policy": 5}
    # governance 100 weighted 3 of 7 → mean 42.86 → readiness 57 (unweighted: 80) – but
    # governance is critical, and since issue 9 a critical dimension caps readiness at 50
    # (100 − the "high" threshold): a client with a critical risk never reads "on a good way".
    # Issue 19: the cap keeps the order – two different companies are no tie at exactly 50;
    # above 40 the readiness is squeezed into 40..50 (57 → 43, 80 → 47).
    weighted, unweighted = score(catalogue, answers), score(CATALOGUE, answers)
    assert 40 < weighted.readiness < unweighted.readiness < 50
    assert weighted.readiness_level == unweighted.readiness_level == "high"
    answers = {**BEST, "policy": 2}  # governance 25 (medium): no cap, the weights show
    assert score(catalogue, answers).readiness < score(CATALOGUE, answers).readiness


def test_invalid_values_count_as_unknown():
    card = score(CATALOGUE, {**BEST, "staff_share": "bogus", "policy": 9, "services": "copilot"})
    assert dim(card, "continuity").points > 0
    assert dim(card, "governance").points == 4


def test_the_index_is_memoised_per_document_object():
    assert index_for(CATALOGUE) is index_for(CATALOGUE)
    other = copy.deepcopy(CATALOGUE)
    assert index_for(other) is not index_for(CATALOGUE)


def test_scoring_does_not_mutate_its_inputs():
    catalogue = make_catalogue()
    answers = copy.deepcopy(WORST)
    frozen_catalogue = json.dumps(catalogue, sort_keys=True)
    card = score(catalogue, answers)
    assert answers == WORST
    assert json.dumps(catalogue, sort_keys=True) == frozen_catalogue
    assert card.dimension("lock_in").drivers[0].answer == answers["services"]
    assert card.dimension("lock_in").drivers[0].answer is not answers["services"]  # a copy


def test_unknown_dimension_key_raises():
    with pytest.raises(KeyError):
        score(CATALOGUE, BEST).dimension("nope")
