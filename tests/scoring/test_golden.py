"""Golden personas: full answer sets of six typical clients and the risk level per dimension a
consultant expects for them, with the reason in a comment, plus rankings between them.

Two sets: the first runs on an inline, condensed catalogue written before the real YAML existed
(it pins the engine's arithmetic on a catalogue the tests own); the second ("the real
catalogue") runs the same six clients through ``ki-readiness-2026.11.yaml`` and pins its
calibration. A catalogue change that moves a persona across a level boundary shows up here.
"""

from pathlib import Path

import pytest
import yaml

from assessments.scoring import score


def t(de, en=None):
    return {"de": de, "en": en or de}


def opt(key, vendors=(), knockout=None, reason=None, ai_act_class=None, annex_iii=None, **scores):
    option = {"key": key, "label": t(key.replace("_", " ")), "scores": scores}
    if vendors:
        option["vendors"] = list(vendors)
    if knockout:
        option["knockout"] = knockout
    if reason:
        option["reason"] = t(reason)
    if ai_act_class:
        option["ai_act_class"] = ai_act_class
    if annex_iii:
        option["annex_iii"] = annex_iii
    return option


def single(key, *options, unknown=True, na=False, show_if=None, **extra):
    q = {
        "key": key,
        "type": "single_choice",
        "text": t(key.replace("_", " ")),
        "help": t("…"),
        "allow_unknown": unknown,
        "allow_na": na,
        "options": list(options),
        **extra,
    }
    if show_if:
        q["show_if"] = show_if
    return q


def yes_no(key, yes=None, no=None, unknown=True, na=False, show_if=None):
    q = single(key, unknown=unknown, na=na, show_if=show_if)
    del q["options"]
    q["type"] = "yes_no"
    q["yes"] = yes or {"scores": {}}
    q["no"] = no or {"scores": {}}
    return q


COPILOT = {"q": "services_used", "includes": "m365_copilot"}
HIGH_RISK_USE = {"q": "use_cases", "any_row": {"field": "area", "in": ["hr_screening", "credit"]}}

CATALOGUE = {
    "schema": 1,
    "key": "ki-readiness",
    "version": "golden",
    "title": t("KI-Readiness"),
    "description": t("…"),
    "dimensions": {
        "lock_in": {"title": t("Anbieterabhängigkeit", "Vendor lock-in"), "weight": 1.0},
        "gdpr": {"title": t("Datenschutz", "Data protection"), "weight": 1.0},
        "ai_act": {"title": t("EU AI Act"), "weight": 1.0},
        "continuity": {"title": t("Kontinuität und Kosten", "Continuity and cost"), "weight": 1.0},
        "governance": {
            "title": t("Governance und Kompetenz", "Governance and skills"),
            "weight": 1.0,
        },
    },
    "levels": {"medium": 25, "high": 50, "critical": 75},
    "exposure": {
        "question_weights": {"services_used": 0.5, "staff_share": 0.3, "no_fallback": 0.2},
        "min_factor": 0.5,
    },
    "vendors": {"microsoft": t("Microsoft"), "openai": t("OpenAI")},
    "ai_act": {
        "classes": {
            "prohibited": {
                "title": t("verboten", "prohibited"),
                "article": "Art. 5",
                "applies_from": "2025-02-02",
                "duties": [t("Einsatz sofort beenden", "Stop the use at once")],
            },
            "high_risk": {
                "title": t("Hochrisiko", "high-risk"),
                "article": "Art. 26 i. V. m. Anhang III",
                "applies_from": "2027-12-02",
                "duties": [
                    t("Menschliche Aufsicht benennen", "Name human oversight"),
                    t("Protokolle mindestens sechs Monate aufbewahren", "Keep logs ≥ 6 months"),
                    t("Beschäftigte und Betriebsrat vorab informieren", "Inform workers first"),
                ],
            },
            "transparency": {
                "title": t("Transparenzpflicht", "transparency duty"),
                "article": "Art. 50",
                "applies_from": "2026-08-02",
                "duties": [t("Auf KI hinweisen, Inhalte kennzeichnen", "Disclose and label AI")],
            },
            "minimal": {
                "title": t("minimales Risiko", "minimal risk"),
                "article": "Art. 4",
                "applies_from": "2025-02-02",
                "duties": [t("KI-Kompetenz sicherstellen", "Ensure AI literacy")],
            },
            "unclear": {
                "title": t("unklar", "unclear"),
                "duties": [t("Einstufung klären", "Resolve the classification")],
            },
        },
        "use_case_question": "use_cases",
    },
    "sections": [
        {
            "key": "inventory",
            "title": t("Bestandsaufnahme", "Inventory"),
            "questions": [
                {
                    "key": "services_used",
                    "type": "multi_choice",
                    "text": t("Welche KI-Dienste nutzen Sie?", "Which AI services do you use?"),
                    "help": t("…"),
                    "allow_unknown": True,
                    "max_points": {"lock_in": 6, "continuity": 4, "gdpr": 5},
                    "options": [
                        opt("none"),
                        opt("m365_copilot", ["microsoft"], lock_in=2, continuity=1),
                        opt("copilot_chat", ["microsoft"], lock_in=1),
                        opt("copilot_studio", ["microsoft"], lock_in=3, continuity=1),
                        opt("azure_openai", ["microsoft", "openai"], lock_in=2, continuity=2),
                        opt("openai_api", ["openai"], lock_in=2, continuity=2),
                        opt("chatgpt_business", ["openai"], lock_in=1, continuity=1),
                        opt(
                            "chatgpt_free",
                            ["openai"],
                            reason="Verbraucherversion trainiert standardmäßig auf Eingaben",
                            gdpr=5,
                            lock_in=1,
                        ),
                    ],
                },
                single(
                    "staff_share",
                    opt("none"),
                    opt("few", continuity=1, lock_in=1),
                    opt("half", continuity=2, lock_in=2),
                    opt("most", continuity=3, lock_in=3),
                ),
                single(
                    "no_fallback",
                    opt("all_have_fallback"),
                    opt("some_without", continuity=2),
                    opt("critical_without", continuity=4, lock_in=1),
                ),
                single(
                    "private_accounts",
                    opt("none"),
                    opt("tolerated", gdpr=3, governance=2),
                    opt("common", gdpr=5, governance=3),
                ),
                single(
                    "own_apps",
                    opt("none"),
                    opt("internal", lock_in=1, ai_act=1),
                    opt("customer_facing", lock_in=2, ai_act=2),
                    unknown=False,
                ),
            ],
        },
        {
            "key": "ai_act",
            "title": t("EU AI Act"),
            "questions": [
                single(
                    "role",
                    opt("off_the_shelf"),
                    opt(
                        "build_on_api", ai_act=2, reason="Art. 50 Abs. 1: Anbieter eigener Chatbots"
                    ),
                    opt("own_brand", ai_act=5, reason="Art. 25: eigene Marke macht zum Anbieter"),
                    unknown=False,
                ),
                yes_no(
                    "art5_practice",
                    yes={
                        # the knockout carries the weight; big points would only dilute the
                        # dimension for everybody who answers "no"
                        "scores": {"ai_act": 2},
                        "knockout": "ai_act",
                        "reason": t("Art. 5 KI-VO: verbotene Praktik"),
                    },
                    unknown=False,
                ),
                {
                    "key": "use_cases",
                    "type": "repeat_group",
                    "text": t("KI-Anwendungsfälle", "AI use cases"),
                    "help": t("…"),
                    "allow_na": True,
                    "fields": [
                        {"key": "name", "type": "text", "text": t("Name"), "help": t("…")},
                        {
                            "key": "area",
                            "type": "single_choice",
                            "text": t("Bereich", "Area"),
                            "help": t("…"),
                            "options": [
                                opt("office_text", ai_act_class="minimal"),
                                opt("code", ai_act_class="minimal"),
                                opt("marketing_text", ai_act_class="minimal"),
                                opt("customer_service", ai_act_class="minimal"),
                                opt(
                                    "hr_screening",
                                    ai_act_class="high_risk",
                                    annex_iii="Anhang III Nr. 4",
                                ),
                                opt(
                                    "credit", ai_act_class="high_risk", annex_iii="Anhang III Nr. 5"
                                ),
                                opt("emotion_workplace", ai_act_class="prohibited"),
                                opt("other"),
                            ],
                        },
                        {
                            "key": "audience",
                            "type": "single_choice",
                            "text": t("Wer sieht das Ergebnis?", "Who sees the output?"),
                            "help": t("…"),
                            "options": [
                                opt("internal", ai_act_class="minimal"),
                                opt("customers", ai_act_class="transparency"),
                                opt("public", ai_act_class="transparency"),
                            ],
                        },
                    ],
                },
                single(
                    "ai_content_published",
                    opt("no"),
                    opt("reviewed_labelled", ai_act=1),
                    opt("unlabelled", ai_act=4, reason="Art. 50 Abs. 4 KI-VO"),
                    na=True,
                ),
                yes_no(
                    "human_oversight",
                    no={"scores": {"ai_act": 5, "gdpr": 2}, "reason": t("Art. 26, Art. 22 DSGVO")},
                    show_if=HIGH_RISK_USE,
                ),
                single(
                    "works_council",
                    opt("informed"),
                    opt("planned", ai_act=2),
                    opt("not_informed", ai_act=4, reason="Art. 26 Abs. 7 KI-VO, § 87 BetrVG"),
                    na=True,
                    show_if=HIGH_RISK_USE,
                ),
                single(
                    "literacy_training",
                    opt("documented"),
                    opt("informal", ai_act=2, governance=2),
                    opt("none", ai_act=4, governance=4, reason="Art. 4 KI-VO"),
                ),
            ],
        },
        {
            "key": "gdpr",
            "title": t("Datenschutz", "Data protection"),
            "questions": [
                single(
                    "dpa",
                    opt("all_services"),
                    opt("some", gdpr=3),
                    opt("none", gdpr=6, reason="Art. 28 DSGVO"),
                    na=True,
                ),
                single(
                    "personal_data",
                    opt("none"),
                    opt("regular", gdpr=2),
                    opt("special", gdpr=5, reason="Art. 9 DSGVO"),
                ),
                single(
                    "training_on_data",
                    opt("excluded_by_contract"),
                    opt("switched_off", gdpr=1),
                    opt("default_on", gdpr=4),
                ),
                single("dpia", opt("done"), opt("planned", gdpr=2), opt("none", gdpr=4), na=True),
                single(
                    "transfer_basis",
                    opt("dpf_scc_tia"),
                    opt("dpf_only", gdpr=1),
                    opt("none", gdpr=4, reason="Kapitel V DSGVO"),
                ),
                single(
                    "oversharing",
                    opt("reviewed_labels"),
                    opt("partly", gdpr=2, governance=1),
                    opt("not_reviewed", gdpr=4, governance=1),
                    show_if=COPILOT,
                ),
                yes_no("flex_routing_reviewed", no={"scores": {"gdpr": 2}}, show_if=COPILOT),
            ],
        },
        {
            "key": "lock_in",
            "title": t("Anbieterabhängigkeit", "Vendor lock-in"),
            "questions": [
                single(
                    "providers", opt("three_plus"), opt("two", lock_in=2), opt("one", lock_in=5)
                ),
                single(
                    "abstraction",
                    opt("gateway"),
                    opt("partial", lock_in=2),
                    opt("direct", lock_in=4),
                    na=True,
                ),
                single(
                    "prompts_repository",
                    opt("own_repository"),
                    opt("partly", lock_in=1),
                    opt("vendor_ui_only", lock_in=3),
                ),
                single(
                    "versions_pinned",
                    opt("pinned_monitored"),
                    opt("pinned", continuity=1),
                    opt("not_pinned", continuity=3),
                    na=True,
                ),
                single(
                    "data_act_clauses",
                    opt("yes"),
                    opt("partly", lock_in=1),
                    opt("no", lock_in=3, reason="EU Data Act: Wechselrechte"),
                ),
                single(
                    "price_rise_20",
                    opt("absorbable"),
                    opt("tight", continuity=2),
                    opt("critical", continuity=4),
                ),
                single(
                    "exit_plan",
                    opt("tested"),
                    opt("documented", lock_in=2, continuity=1),
                    opt("none", lock_in=4, continuity=3),
                ),
                single(
                    "skills",
                    opt("several_ecosystems"),
                    opt("one_ecosystem", lock_in=2),
                    opt("none", lock_in=2, governance=2),
                ),
            ],
        },
        {
            "key": "governance",
            "title": t("Governance"),
            "questions": [
                single(
                    "ai_policy",
                    opt("written_trained"),
                    opt("written", governance=2),
                    opt("none", governance=5),
                    unknown=False,
                ),
                yes_no("responsible_person", no={"scores": {"governance": 4}}, unknown=False),
                single(
                    "use_case_register",
                    opt("complete"),
                    opt("partial", governance=2),
                    opt("none", governance=4, ai_act=1),
                    unknown=False,
                ),
            ],
        },
    ],
    "recommendations": [
        {
            "key": "replace_chatgpt_free",
            "when": {"q": "services_used", "includes": "chatgpt_free"},
            "dimension": "gdpr",
            "priority": 1,
            "effort": "low",
            "title": t("ChatGPT Free durch Business-Tarif ersetzen"),
            "text": t("…"),
        },
        {
            "key": "sign_dpa",
            "when": {"q": "dpa", "in": ["none", "some", "unknown"]},
            "dimension": "gdpr",
            "priority": 1,
            "effort": "low",
            "title": t("AVV für jeden Dienst abschließen"),
            "text": t("…"),
        },
        {
            "key": "high_risk_oversight",
            "when": {"all": [HIGH_RISK_USE, {"q": "human_oversight", "in": ["no", "unknown"]}]},
            "dimension": "ai_act",
            "priority": 1,
            "effort": "medium",
            "title": t("Menschliche Aufsicht für Hochrisiko-Einsatz benennen"),
            "text": t("…"),
        },
        {
            "key": "label_ai_content",
            "when": {"q": "ai_content_published", "equals": "unlabelled"},
            "dimension": "ai_act",
            "priority": 1,
            "effort": "low",
            "title": t("KI-Inhalte kennzeichnen"),
            "text": t("…"),
        },
        {
            "key": "exit_plan",
            "when": {"q": "exit_plan", "in": ["none", "unknown"]},
            "dimension": "lock_in",
            "priority": 2,
            "effort": "high",
            "title": t("Exit-Plan schreiben und testen"),
            "text": t("…"),
        },
        {
            "key": "gateway",
            "when": {"q": "abstraction", "in": ["direct", "partial"]},
            "dimension": "lock_in",
            "priority": 2,
            "effort": "medium",
            "title": t("OpenAI-kompatibles Gateway einführen"),
            "text": t("…"),
        },
        {
            "key": "ai_policy",
            "when": {"q": "ai_policy", "equals": "none"},
            "dimension": "governance",
            "priority": 1,
            "effort": "low",
            "title": t("KI-Richtlinie schreiben"),
            "text": t("…"),
        },
        {
            "key": "literacy",
            "when": {"q": "literacy_training", "in": ["none", "informal", "unknown"]},
            "dimension": "ai_act",
            "priority": 2,
            "effort": "low",
            "title": t("KI-Schulung nach Art. 4 dokumentieren"),
            "text": t("…"),
        },
        {
            "key": "dpia",
            "when": {"q": "dpia", "in": ["none", "unknown"]},
            "dimension": "gdpr",
            "priority": 2,
            "effort": "medium",
            "title": t("DSFA durchführen"),
            "text": t("…"),
        },
        {
            "key": "fallback",
            "when": {"q": "no_fallback", "equals": "critical_without"},
            "dimension": "continuity",
            "priority": 1,
            "effort": "medium",
            "title": t("Manuellen Notbetrieb für kritische Prozesse festlegen"),
            "text": t("…"),
        },
    ],
}

# --- personas ---------------------------------------------------------------------------------

CRAFT_CHATGPT_FREE = {  # Fensterbau, 12 people, staff paste customer e-mails into ChatGPT Free
    "services_used": ["chatgpt_free"],
    "staff_share": "few",
    "no_fallback": "all_have_fallback",
    "private_accounts": "common",
    "own_apps": "none",
    "role": "off_the_shelf",
    "art5_practice": "no",
    "use_cases": [{"name": "Angebotstexte", "area": "office_text", "audience": "internal"}],
    "ai_content_published": "no",
    "literacy_training": "none",
    "dpa": "none",
    "personal_data": "regular",
    "training_on_data": "default_on",
    "dpia": "none",
    "transfer_basis": "unknown",
    "providers": "one",
    "abstraction": "na",
    "prompts_repository": "vendor_ui_only",
    "versions_pinned": "na",
    "data_act_clauses": "unknown",
    "price_rise_20": "absorbable",
    "exit_plan": "none",
    "skills": "none",
    "ai_policy": "none",
    "responsible_person": "no",
    "use_case_register": "none",
}

TAX_OFFICE_COPILOT = {  # Steuerberatung on M365 Copilot, DPA, labels, DPIA done, Microsoft only
    "services_used": ["m365_copilot", "copilot_chat"],
    "staff_share": "most",
    "no_fallback": "all_have_fallback",
    "private_accounts": "none",
    "own_apps": "none",
    "role": "off_the_shelf",
    "art5_practice": "no",
    "use_cases": [
        {"name": "Mandantenbriefe entwerfen", "area": "office_text", "audience": "internal"},
        {"name": "Besprechungsprotokolle", "area": "office_text", "audience": "internal"},
    ],
    "ai_content_published": "no",
    "literacy_training": "documented",
    "dpa": "all_services",
    "personal_data": "regular",
    "training_on_data": "excluded_by_contract",
    "dpia": "done",
    "transfer_basis": "dpf_scc_tia",
    "oversharing": "reviewed_labels",
    "flex_routing_reviewed": "yes",
    "providers": "one",
    "abstraction": "na",
    "prompts_repository": "partly",
    "versions_pinned": "na",
    "data_act_clauses": "no",
    "price_rise_20": "tight",
    "exit_plan": "none",
    "skills": "one_ecosystem",
    "ai_policy": "written_trained",
    "responsible_person": "yes",
    "use_case_register": "complete",
}

MACHINE_BUILDER_CV_SCREENING = {  # Maschinenbau, own HR tool on Azure OpenAI ranks applicants
    "services_used": ["m365_copilot", "azure_openai"],
    "staff_share": "half",
    "no_fallback": "some_without",
    "private_accounts": "tolerated",
    "own_apps": "internal",
    "role": "build_on_api",
    "art5_practice": "no",
    "use_cases": [
        {"name": "CV-Screening", "area": "hr_screening", "audience": "internal"},
        {"name": "Technische Dokumentation", "area": "office_text", "audience": "internal"},
    ],
    "ai_content_published": "no",
    "human_oversight": "no",
    "works_council": "not_informed",
    "literacy_training": "informal",
    "dpa": "all_services",
    "personal_data": "regular",
    "training_on_data": "excluded_by_contract",
    "dpia": "none",
    "transfer_basis": "dpf_only",
    "oversharing": "partly",
    "flex_routing_reviewed": "unknown",
    "providers": "one",
    "abstraction": "direct",
    "prompts_repository": "partly",
    "versions_pinned": "not_pinned",
    "data_act_clauses": "unknown",
    "price_rise_20": "tight",
    "exit_plan": "none",
    "skills": "one_ecosystem",
    "ai_policy": "written",
    "responsible_person": "yes",
    "use_case_register": "partial",
}

MARKETING_AGENCY_PUBLISHING = {  # Agentur, publishes AI-written texts for clients unlabelled
    "services_used": ["chatgpt_business", "copilot_chat"],
    "staff_share": "most",
    "no_fallback": "some_without",
    "private_accounts": "tolerated",
    "own_apps": "none",
    "role": "off_the_shelf",
    "art5_practice": "no",
    "use_cases": [
        {"name": "Blogartikel für Kunden", "area": "marketing_text", "audience": "public"},
        {"name": "Social-Media-Posts", "area": "marketing_text", "audience": "public"},
        {"name": "Sonstiges", "area": "other", "audience": "internal"},
    ],
    "ai_content_published": "unlabelled",
    "literacy_training": "none",
    "dpa": "all_services",
    "personal_data": "none",
    "training_on_data": "excluded_by_contract",
    "dpia": "na",
    "transfer_basis": "dpf_only",
    "providers": "two",
    "abstraction": "na",
    "prompts_repository": "vendor_ui_only",
    "versions_pinned": "na",
    "data_act_clauses": "partly",
    "price_rise_20": "tight",
    "exit_plan": "none",
    "skills": "one_ecosystem",
    "ai_policy": "written",
    "responsible_person": "yes",
    "use_case_register": "partial",
}

RETAILER_CHATBOT_OPENAI_API = {  # Onlinehändler, own customer chatbot straight on the OpenAI API
    "services_used": ["openai_api", "chatgpt_business"],
    "staff_share": "half",
    "no_fallback": "critical_without",
    "private_accounts": "none",
    "own_apps": "customer_facing",
    "role": "build_on_api",
    "art5_practice": "no",
    "use_cases": [
        {"name": "Kundenchatbot", "area": "customer_service", "audience": "customers"},
        {"name": "Produkttexte", "area": "marketing_text", "audience": "public"},
    ],
    "ai_content_published": "reviewed_labelled",
    "literacy_training": "informal",
    "dpa": "some",
    "personal_data": "regular",
    "training_on_data": "excluded_by_contract",
    "dpia": "none",
    "transfer_basis": "dpf_only",
    "providers": "one",
    "abstraction": "direct",
    "prompts_repository": "vendor_ui_only",
    "versions_pinned": "not_pinned",
    "data_act_clauses": "no",
    "price_rise_20": "critical",
    "exit_plan": "none",
    "skills": "one_ecosystem",
    "ai_policy": "written",
    "responsible_person": "yes",
    "use_case_register": "partial",
}

CAREFUL_FIRM_GATEWAY = {  # Azure OpenAI and Copilot used a lot, but behind a gateway, with an exit
    "services_used": ["m365_copilot", "azure_openai"],
    "staff_share": "half",
    "no_fallback": "all_have_fallback",
    "private_accounts": "none",
    "own_apps": "internal",
    "role": "build_on_api",
    "art5_practice": "no",
    "use_cases": [
        {"name": "Angebotsentwürfe", "area": "office_text", "audience": "internal"},
        {"name": "Code-Assistenz", "area": "code", "audience": "internal"},
    ],
    "ai_content_published": "no",
    "literacy_training": "documented",
    "dpa": "all_services",
    "personal_data": "regular",
    "training_on_data": "excluded_by_contract",
    "dpia": "done",
    "transfer_basis": "dpf_scc_tia",
    "oversharing": "reviewed_labels",
    "flex_routing_reviewed": "yes",
    "providers": "three_plus",
    "abstraction": "gateway",
    "prompts_repository": "own_repository",
    "versions_pinned": "pinned_monitored",
    "data_act_clauses": "yes",
    "price_rise_20": "absorbable",
    "exit_plan": "tested",
    "skills": "several_ecosystems",
    "ai_policy": "written_trained",
    "responsible_person": "yes",
    "use_case_register": "complete",
}

PERSONAS = {
    "craft": CRAFT_CHATGPT_FREE,
    "tax_office": TAX_OFFICE_COPILOT,
    "machine_builder": MACHINE_BUILDER_CV_SCREENING,
    "agency": MARKETING_AGENCY_PUBLISHING,
    "retailer": RETAILER_CHATBOT_OPENAI_API,
    "careful": CAREFUL_FIRM_GATEWAY,
}

EXPECTED_LEVELS = {
    # ChatGPT Free with customer data, no DPA, private accounts everywhere: GDPR is as bad as it
    # gets. Governance has nothing (no policy, no one in charge, no register, no training). Few
    # staff and full fallback keep exposure low, so lock-in (one vendor, no exit plan) is damped
    # to medium and continuity stays low. AI Act: one minimal use case, off the shelf; only the
    # missing Art. 4 training and register drive it → low (the literacy action covers it).
    "craft": {
        "lock_in": "medium",
        "gdpr": "critical",
        "ai_act": "low",
        "continuity": "low",
        "governance": "critical",
    },
    # Clean GDPR and governance (DPA, labels, DPIA, policy, training), minimal use cases. But
    # Microsoft only, most staff on Copilot, no exit plan, no Data Act clauses → lock-in high;
    # a +20 % price rise would be "tight" → continuity medium.
    "tax_office": {
        "lock_in": "high",
        "gdpr": "low",
        "ai_act": "low",
        "continuity": "medium",
        "governance": "low",
    },
    # CV screening is Annex III no. 4 high-risk, run without human oversight and without telling
    # the works council → AI Act high. Personal data without a DPIA and partly checked Copilot
    # oversharing → GDPR medium. Direct API use, one provider, no exit → lock-in high; unpinned
    # models, processes without fallback, a tight budget → continuity high.
    "machine_builder": {
        "lock_in": "high",
        "gdpr": "medium",
        "ai_act": "high",
        "continuity": "high",
        "governance": "medium",
    },
    # Publishes AI texts to the public unlabelled (Art. 50 applies since 2026-08-02), one use case
    # unclassified, no AI training → AI Act high. Hardly any personal data → GDPR low.
    "agency": {
        "lock_in": "medium",
        "gdpr": "low",
        "ai_act": "high",
        "continuity": "medium",
        "governance": "medium",
    },
    # A customer chatbot straight on one vendor's API: one provider, no gateway, prompts only in
    # the vendor's UI, no Data Act clauses, no exit, critical processes without fallback, a +20 %
    # price rise would be critical → lock-in and continuity critical. Provider role for Art. 50
    # and transparency duties → AI Act medium; DPA missing for some services, no DPIA → GDPR
    # medium.
    "retailer": {
        "lock_in": "critical",
        "gdpr": "medium",
        "ai_act": "medium",
        "continuity": "critical",
        "governance": "medium",
    },
    # Gateway, three providers, tested exit, pinned versions, DPIA, policy: low everywhere,
    # although it uses Microsoft and OpenAI as much as the machine builder.
    "careful": dict.fromkeys(("lock_in", "gdpr", "ai_act", "continuity", "governance"), "low"),
}


@pytest.fixture(scope="module")
def cards():
    return {name: score(CATALOGUE, answers) for name, answers in PERSONAS.items()}


def test_the_inline_catalogue_is_valid_and_scores_the_same_after_validation(cards):
    from assessments.catalogue import validate_document

    document = validate_document(CATALOGUE)
    for name, answers in PERSONAS.items():
        assert score(document, answers).to_dict() == cards[name].to_dict(), name


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_levels_per_dimension(cards, persona):
    card = cards[persona]
    detail = {d.key: (d.score, d.level) for d in card.dimensions}
    assert card.levels == EXPECTED_LEVELS[persona], detail


def test_no_persona_has_a_knockout(cards):
    assert all(card.knockouts == () for card in cards.values())


def test_careful_firm_is_the_most_ready(cards):
    ranking = sorted(cards, key=lambda name: -cards[name].readiness)
    assert ranking[0] == "careful"
    assert cards["careful"].readiness >= 85
    # the two "we just let people use it" clients are at the bottom
    assert set(ranking[-2:]) <= {"craft", "machine_builder", "retailer"}


def test_craft_business_has_the_worst_gdpr(cards):
    gdpr = {name: card.dimension("gdpr").score for name, card in cards.items()}
    assert max(gdpr, key=gdpr.get) == "craft"
    top = cards["craft"].dimension("gdpr").drivers[0]
    assert top.question_key in {"dpa", "services_used", "private_accounts"}


def test_machine_builder_has_the_worst_ai_act_and_a_high_risk_use_case(cards):
    ai_act = {name: card.dimension("ai_act").score for name, card in cards.items()}
    assert max(ai_act, key=ai_act.get) == "machine_builder"
    use_case = cards["machine_builder"].use_cases[0]
    assert (use_case.ai_act_class, use_case.annex_iii) == ("high_risk", "Anhang III Nr. 4")
    assert use_case.applies_from == "2027-12-02"
    keys = [r.key for r in cards["machine_builder"].recommendations]
    assert keys[0] == "high_risk_oversight"


def test_retailer_has_the_worst_continuity_and_openai_exposure(cards):
    continuity = {name: card.dimension("continuity").score for name, card in cards.items()}
    assert max(continuity, key=continuity.get) == "retailer"
    retailer = cards["retailer"]
    assert retailer.vendor_exposure["openai"] > retailer.vendor_exposure["microsoft"]
    assert retailer.use_cases[0].ai_act_class == "transparency"
    assert retailer.recommendations[0].key == "fallback"


def test_vendor_exposure_tells_microsoft_shops_from_openai_shops(cards):
    tax = cards["tax_office"].vendor_exposure
    assert tax["microsoft"] > 0 == tax["openai"]
    assert cards["craft"].vendor_exposure["microsoft"] == 0
    # same services as the careful firm → similar vendor exposure; the careful firm is less
    # exposed only through its fallback (exposure factor)
    assert (
        cards["careful"].vendor_exposure["microsoft"]
        <= cards["machine_builder"].vendor_exposure["microsoft"]
    )


def test_agency_has_transparency_duties_and_an_unclear_use_case(cards):
    classes = [u.ai_act_class for u in cards["agency"].use_cases]
    assert classes == ["transparency", "transparency", "unclear"]
    assert cards["agency"].use_cases[0].article == "Art. 50"
    assert "label_ai_content" in [r.key for r in cards["agency"].recommendations]


def test_recommendations_are_ordered_for_the_craft_business(cards):
    recs = cards["craft"].recommendations
    assert [r.priority for r in recs] == sorted(r.priority for r in recs)
    first_three = {r.key for r in recs[:3]}
    assert {"replace_chatgpt_free", "sign_dpa"} <= first_three


# === the real catalogue ===========================================================================

REAL_CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"
)

REAL_PERSONAS = {
    # Fensterbau, 12 people: staff paste customer e-mails into ChatGPT Free, private accounts
    # everywhere, nobody in charge.
    "craft": {
        "services_used": ["chatgpt_free"],
        "staff_share": "few",
        "no_fallback": "all_have_fallback",
        "private_accounts": "common",
        "own_apps": "none",
        "use_case_register": "none",
        "role": "off_the_shelf",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "Angebote und Kundenmails",
                "area": "office_text",
                "affected": "staff",
                "published": "no",
            }
        ],
        "ai_content_published": "none_published",
        "works_council": "na",
        "literacy_training": "none",
        "dpa": "none",
        "contract_tier": "consumer",
        "training_on_data": "default_on",
        "personal_data": "regular",
        "data_residency": "unknown",
        "transfer_basis": "unknown",
        "dpia": "none",
        "records_of_processing": "none",
        "prompt_retention": "vendor_default",
        "automated_decisions": "never",
        "privacy_notice": "outdated",
        "providers": "one",
        "proprietary_features": "none",
        "prompts_repository": "vendor_ui_only",
        "export_tested": "possible_untested",
        "data_act_clauses": "none",
        "alternative_tested": "not_tried",
        "exit_plan": "none",
        "skills": "none",
        "monthly_spend": 0,
        "price_rise_20": "absorbable",
        "contract_term": "monthly",
        "cost_tracking": "no_overview",
        "change_monitoring": "nobody",
        "fallback_drill": "never",
        "ai_policy": "none",
        "responsible_person": "no",
        "approval_process": "none",
        "incident_process": "not_known",
        "review_cycle": "never",
        "confidence": 2,
        "comments": "",
    },
    # Steuerberatung, 25 people: M365 Copilot for everybody, DPA, labels and DLP, DPIA done,
    # policy and training; but Microsoft only and no exit plan.
    "tax_office": {
        "services_used": ["m365_copilot", "copilot_chat"],
        "staff_share": "most",
        "no_fallback": "all_have_fallback",
        "private_accounts": "blocked",
        "own_apps": "none",
        "use_case_register": "complete",
        "role": "off_the_shelf",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "Mandantenbriefe",
                "area": "office_text",
                "affected": "staff",
                "published": "no",
            },
            {"name": "Recherche", "area": "research", "affected": "staff", "published": "no"},
        ],
        "ai_content_published": "none_published",
        "works_council": "na",
        "literacy_training": "documented",
        "dpa": "all_services",
        "contract_tier": "business_only",
        "training_on_data": "excluded_by_contract",
        "personal_data": "regular",
        "data_residency": "eu_contractual",
        "flex_routing_reviewed": "reviewed_documented",
        "transfer_basis": "dpf_scc_tia",
        "dpia": "done",
        "records_of_processing": "complete",
        "prompt_retention": "defined",
        "automated_decisions": "never",
        "privacy_notice": "updated",
        "oversharing": "reviewed_labels",
        "labels_dlp": "labels_and_dlp",
        "providers": "one",
        "proprietary_features": "some",
        "prompts_repository": "partly",
        "export_tested": "unknown",
        "data_act_clauses": "none",
        "alternative_tested": "not_tried",
        "exit_plan": "none",
        "skills": "one_ecosystem",
        "monthly_spend": 1500,
        "price_rise_20": "tight",
        "contract_term": "annual",
        "cost_tracking": "total_only",
        "change_monitoring": "occasionally",
        "fallback_drill": "planned",
        "ai_policy": "written_trained",
        "responsible_person": "yes",
        "approval_process": "formal",
        "incident_process": "defined",
        "review_cycle": "yearly",
        "confidence": 4,
        "comments": "",
    },
    # Maschinenbau, 180 people: an own HR tool on Azure OpenAI ranks applicants; no human
    # oversight, no logs, works council not told, no DPIA.
    "machine_builder": {
        "services_used": ["m365_copilot", "azure_openai"],
        "staff_share": "half",
        "no_fallback": "some_without",
        "private_accounts": "tolerated",
        "own_apps": "internal",
        "use_case_register": "partial",
        "role": "build_on_api",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "CV-Screening",
                "area": "hr_screening",
                "affected": "applicants_employees",
                "published": "no",
            },
            {
                "name": "Technische Doku",
                "area": "office_text",
                "affected": "staff",
                "published": "no",
            },
        ],
        "ai_content_published": "none_published",
        "provider_duties_checked": "not_checked",
        "human_oversight": "no",
        "logs_kept": "none",
        "works_council": "not_informed",
        "literacy_training": "informal",
        "dpa": "all_services",
        "contract_tier": "business_only",
        "training_on_data": "excluded_by_contract",
        "personal_data": "regular",
        "data_residency": "partly_eu",
        "flex_routing_reviewed": "not_reviewed",
        "azure_abuse_monitoring": "not_assessed",
        "transfer_basis": "dpf_only",
        "dpia": "none",
        "records_of_processing": "partial",
        "prompt_retention": "vendor_default",
        "automated_decisions": "sometimes",
        "privacy_notice": "outdated",
        "oversharing": "partly",
        "labels_dlp": "labels_only",
        "providers": "one",
        "proprietary_features": "some",
        "abstraction": "direct",
        "prompts_repository": "partly",
        "export_tested": "possible_untested",
        "versions_pinned": "not_pinned",
        "data_act_clauses": "partly",
        "alternative_tested": "not_tried",
        "exit_plan": "none",
        "skills": "one_ecosystem",
        "monthly_spend": 3000,
        "price_rise_20": "tight",
        "contract_term": "annual",
        "cost_tracking": "total_only",
        "change_monitoring": "occasionally",
        "fallback_drill": "never",
        "ai_policy": "written",
        "responsible_person": "yes",
        "approval_process": "informal",
        "incident_process": "partly",
        "review_cycle": "occasionally",
        "confidence": 3,
        "comments": "",
    },
    # Werbeagentur, 15 people: publishes AI-written blog and social posts for clients, unlabelled.
    "agency": {
        "services_used": ["chatgpt_business", "copilot_chat"],
        "staff_share": "most",
        "no_fallback": "some_without",
        "private_accounts": "tolerated",
        "own_apps": "none",
        "use_case_register": "partial",
        "role": "off_the_shelf",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "Blogartikel",
                "area": "marketing_text",
                "affected": "public",
                "published": "yes",
            },
            {
                "name": "Social Media",
                "area": "marketing_text",
                "affected": "public",
                "published": "yes",
            },
            {"name": "Sonstiges", "area": "other", "affected": "staff", "published": "no"},
        ],
        "ai_content_published": "unlabelled",
        "works_council": "na",
        "literacy_training": "none",
        "dpa": "all_services",
        "contract_tier": "business_only",
        "training_on_data": "excluded_by_contract",
        "personal_data": "none",
        "data_residency": "partly_eu",
        "flex_routing_reviewed": "reviewed",
        "transfer_basis": "dpf_only",
        "dpia": "na",
        "records_of_processing": "partial",
        "prompt_retention": "vendor_default",
        "automated_decisions": "never",
        "privacy_notice": "updated",
        "providers": "two",
        "proprietary_features": "none",
        "prompts_repository": "vendor_ui_only",
        "export_tested": "possible_untested",
        "data_act_clauses": "partly",
        "alternative_tested": "piloted",
        "exit_plan": "none",
        "skills": "one_ecosystem",
        "monthly_spend": 800,
        "price_rise_20": "tight",
        "contract_term": "monthly",
        "cost_tracking": "total_only",
        "change_monitoring": "occasionally",
        "fallback_drill": "never",
        "ai_policy": "written",
        "responsible_person": "yes",
        "approval_process": "informal",
        "incident_process": "partly",
        "review_cycle": "occasionally",
        "confidence": 3,
        "comments": "",
    },
    # Onlinehändler, 40 people: an own customer chatbot straight on the OpenAI API (Assistants),
    # the shop's support depends on it, no fallback, no second provider.
    "retailer": {
        "services_used": ["openai_api", "chatgpt_business"],
        "staff_share": "most",
        "no_fallback": "critical_without",
        "private_accounts": "forbidden",
        "own_apps": "customer_facing",
        "use_case_register": "partial",
        "role": "build_on_api",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "Kundenchatbot",
                "area": "customer_chatbot",
                "affected": "customers",
                "published": "no",
            },
            {
                "name": "Produkttexte",
                "area": "marketing_text",
                "affected": "public",
                "published": "yes",
            },
        ],
        "ai_content_published": "reviewed_labelled",
        "chatbot_disclosure": "partly",
        "provider_duties_checked": "in_progress",
        "works_council": "informal",
        "literacy_training": "informal",
        "dpa": "some",
        "contract_tier": "business_only",
        "training_on_data": "excluded_by_contract",
        "personal_data": "regular",
        "data_residency": "outside_eu",
        "transfer_basis": "dpf_only",
        "dpia": "none",
        "records_of_processing": "partial",
        "prompt_retention": "vendor_default",
        "automated_decisions": "never",
        "privacy_notice": "outdated",
        "providers": "one",
        "proprietary_features": "core",
        "abstraction": "direct",
        "prompts_repository": "vendor_ui_only",
        "export_tested": "not_possible",
        "versions_pinned": "not_pinned",
        "data_act_clauses": "none",
        "alternative_tested": "not_tried",
        "exit_plan": "none",
        "skills": "one_ecosystem",
        "monthly_spend": 6000,
        "price_rise_20": "critical",
        "contract_term": "annual",
        "cost_tracking": "total_only",
        "change_monitoring": "nobody",
        "fallback_drill": "never",
        "ai_policy": "written",
        "responsible_person": "yes",
        "approval_process": "informal",
        "incident_process": "partly",
        "review_cycle": "occasionally",
        "confidence": 3,
        "comments": "",
    },
    # Careful firm, 60 people: uses Copilot and Azure OpenAI as much as the machine builder, but
    # behind a gateway, with a second provider in use, a tested exit plan and everything documented.
    "careful": {
        "services_used": ["mistral", "m365_copilot", "azure_openai"],
        "staff_share": "half",
        "no_fallback": "all_have_fallback",
        "private_accounts": "blocked",
        "own_apps": "internal",
        "use_case_register": "complete",
        "role": "build_on_api",
        "art5_practice": "no",
        "use_cases": [
            {
                "name": "Angebotsentwürfe",
                "area": "office_text",
                "affected": "staff",
                "published": "no",
            },
            {"name": "Code-Assistenz", "area": "code", "affected": "staff", "published": "no"},
        ],
        "ai_content_published": "none_published",
        "provider_duties_checked": "checked_documented",
        "works_council": "agreed",
        "literacy_training": "documented",
        "dpa": "all_services",
        "contract_tier": "business_only",
        "training_on_data": "excluded_by_contract",
        "personal_data": "regular",
        "data_residency": "eu_contractual",
        "flex_routing_reviewed": "reviewed_documented",
        "azure_abuse_monitoring": "modified_approved",
        "transfer_basis": "dpf_scc_tia",
        "dpia": "done",
        "records_of_processing": "complete",
        "prompt_retention": "defined",
        "automated_decisions": "never",
        "privacy_notice": "updated",
        "oversharing": "reviewed_labels",
        "labels_dlp": "labels_and_dlp",
        "providers": "three_plus",
        "proprietary_features": "none",
        "abstraction": "gateway",
        "prompts_repository": "own_repository",
        "export_tested": "tested",
        "versions_pinned": "pinned_monitored",
        "data_act_clauses": "full",
        "alternative_tested": "in_use",
        "exit_plan": "tested",
        "skills": "several_ecosystems",
        "monthly_spend": 2000,
        "price_rise_20": "absorbable",
        "contract_term": "monthly",
        "cost_tracking": "per_purpose",
        "change_monitoring": "named_person",
        "fallback_drill": "practised",
        "ai_policy": "written_trained",
        "responsible_person": "yes",
        "approval_process": "formal",
        "incident_process": "defined",
        "review_cycle": "yearly",
        "confidence": 5,
        "comments": "",
    },
}

# (lock_in, gdpr, ai_act, continuity, governance)
REAL_EXPECTED_LEVELS = {
    # ChatGPT Free (consumer tier, trains on input) with customer data, no DPA, private accounts
    # common → GDPR critical; no policy, no owner, no register, no approval → governance critical.
    # Few users, everything has a manual fallback → low exposure damps lock-in to medium and
    # continuity to low. One minimal use case; only the missing Art. 4 training → AI Act low.
    "craft": ("medium", "critical", "low", "low", "critical"),
    # Clean GDPR, AI Act and governance. Microsoft only, most staff on Copilot, no exit plan, no
    # second provider, export untested, no Data Act clauses → lock-in high; tight budget for a
    # +20 % price rise and an annual contract → continuity medium.
    "tax_office": ("high", "low", "low", "medium", "low"),
    # CV screening = Annex III no. 4 high-risk, without oversight, logs or works council, provider
    # duties not checked → AI Act high. No DPIA, AI decisions "sometimes", partial EU residency →
    # GDPR medium. One provider, direct API calls, unpinned models → lock-in and continuity high.
    "machine_builder": ("high", "medium", "high", "high", "medium"),
    # Publishes AI text unlabelled (Art. 50 applies since 2026-08-02), one use case unclassified,
    # no training → AI Act high; hardly any personal data → GDPR low.
    "agency": ("medium", "low", "high", "medium", "medium"),
    # Support runs on one vendor's proprietary API with no fallback, no export, no exit, a +20 %
    # price rise would be critical → lock-in and continuity critical. Chatbot disclosure only
    # partly, provider duties in progress → AI Act medium; DPA for some services, no DPIA, data
    # outside the EU → GDPR medium.
    "retailer": ("critical", "medium", "medium", "critical", "medium"),
    # Same services as the machine builder, but gateway, three providers, tested exit, pinned
    # versions, DPIA, policy, training → low everywhere.
    "careful": ("low", "low", "low", "low", "low"),
}
DIMENSION_ORDER = ("lock_in", "gdpr", "ai_act", "continuity", "governance")


@pytest.fixture(scope="module")
def real_cards():
    if not REAL_CATALOGUE.exists():
        pytest.skip("the real catalogue is not there")
    with REAL_CATALOGUE.open(encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    return document, {name: score(document, answers) for name, answers in REAL_PERSONAS.items()}


def test_real_personas_answer_every_visible_question_with_valid_values(real_cards):
    from assessments.catalogue.conditions import visible_questions

    document, _ = real_cards
    questions = {q["key"]: q for s in document["sections"] for q in s["questions"]}
    for name, answers in REAL_PERSONAS.items():
        visible = visible_questions(document, answers)
        assert set(visible) == set(answers), name  # full answer sets, nothing hidden answered
        for key, value in answers.items():
            q = questions[key]
            keys = [o["key"] for o in q.get("options") or ()] + ["unknown", "na"]
            if q["type"] == "single_choice":
                assert value in keys, (name, key, value)
            elif q["type"] == "multi_choice":
                assert set(value) <= set(keys), (name, key, value)


@pytest.mark.parametrize("persona", sorted(REAL_PERSONAS))
def test_real_levels_per_dimension(real_cards, persona):
    _, cards = real_cards
    card = cards[persona]
    detail = {d.key: (d.score, d.level) for d in card.dimensions}
    expected = dict(zip(DIMENSION_ORDER, REAL_EXPECTED_LEVELS[persona], strict=True))
    assert card.levels == expected, detail
    assert card.knockouts == ()


def test_real_ranking_makes_sense_to_a_consultant(real_cards):
    _, cards = real_cards

    def by(dimension):
        return max(cards, key=lambda name: cards[name].dimension(dimension).score)

    readiness = sorted(cards, key=lambda name: -cards[name].readiness)
    assert readiness[0] == "careful"  # mitigations beat equal usage
    assert cards["careful"].readiness > cards["machine_builder"].readiness + 30
    assert by("gdpr") == "craft"  # ChatGPT Free with customer data
    assert by("ai_act") == "machine_builder"  # high-risk CV screening without oversight
    assert by("continuity") == "retailer"  # no fallback, critical price exposure
    assert by("lock_in") == "retailer"
    assert by("governance") == "craft"
    retailer = cards["retailer"]
    assert retailer.vendor_exposure["openai"] > retailer.vendor_exposure["microsoft"] == 0
    assert cards["careful"].vendor_exposure["mistral"] < cards["careful"].vendor_exposure["openai"]


def test_real_use_cases_and_actions(real_cards):
    _, cards = real_cards
    cv = cards["machine_builder"].use_cases[0]
    assert (cv.ai_act_class, cv.applies_from) == ("high_risk", "2027-12-02")
    assert "high_risk_oversight" in [r.key for r in cards["machine_builder"].recommendations]
    assert [u.ai_act_class for u in cards["agency"].use_cases] == [
        "transparency",
        "transparency",
        "unclear",
    ]
    assert cards["retailer"].recommendations[0].key == "manual_fallback"
    assert cards["careful"].recommendations == ()
    craft = [r.key for r in cards["craft"].recommendations]
    assert {"replace_chatgpt_free", "sign_dpa"} <= set(craft)
    for card in cards.values():
        # Issue 9 (consultant rule): fixes for knock-out drivers and critical dimensions come
        # first as "urgent"; priority orders only within the urgent and the other band.
        bands = [(not r.urgent, r.priority) for r in card.recommendations]
        assert bands == sorted(bands)
