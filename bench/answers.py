"""Answer sets for the benchmarks, built from the catalogue itself (no Django, no ORM).

* ``mid_answers``: every question answered the way a typical SMB would (middle option, a number
  in range, two use-case rows); what the scoring benchmark scores.
* ``rich_answers``: every question visible and answered (Copilot + Azure OpenAI, a customer
  chatbot and an HR use case, a customer-facing app), for the fullest possible report.
* ``varied_answers``: ``mid_answers`` with a seeded random drift, for bulk data.
* ``trivial_score``: the baseline, a plain loop summing the chosen options' points.

Every value passes ``assessments.questionnaire.answers.validate_value``.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"

USE_CASE_AREAS = ["office_text", "code", "marketing_text", "customer_chatbot", "hr_screening"]


def load_catalogue(path: Path = CATALOGUE) -> dict:
    """The catalogue as stored per questionnaire version (validated, plain JSON)."""
    from assessments.catalogue import load_document, to_plain

    return to_plain(load_document(path.read_text(encoding="utf-8")))


def questions(document: dict) -> list[dict]:
    return [q for section in document["sections"] for q in section["questions"]]


def _keys(question: dict) -> list[str]:
    return [option["key"] for option in question.get("options", ())]


def _mid(question: dict) -> str:
    keys = _keys(question)
    return keys[len(keys) // 2]


def _use_case_row(question: dict, number: int, area: str | None, rng=None) -> dict:
    row = {}
    for field in question["fields"]:
        kind = field["type"]
        if kind == "text":
            row[field["key"]] = f"Anwendungsfall {number}"
        elif kind == "yes_no":
            row[field["key"]] = "yes" if number % 2 else "no"
        elif field["key"] == "area" and area in _keys(field):
            row[field["key"]] = area
        else:
            keys = _keys(field)
            row[field["key"]] = rng.choice(keys) if rng else keys[(number * 2 + 1) % len(keys)]
    return row


def _number(question: dict, rng=None) -> int:
    low, high = question.get("min", 0), question.get("max", 1000)
    candidates = [v for v in (40, 350, 850, 2400, 7000) if low <= v <= high] or [low]
    return rng.choice(candidates) if rng else candidates[len(candidates) // 2]


def mid_answers(document: dict, *, use_cases: int = 2) -> dict:
    """A complete, realistic answer set: middle options, a number in range, two use cases."""
    answers: dict = {}
    for q in questions(document):
        kind = q["type"]
        if kind == "single_choice":
            answers[q["key"]] = _mid(q)
        elif kind == "multi_choice":
            keys = _keys(q)
            answers[q["key"]] = keys[1 : 1 + max(1, len(keys) // 3)]
        elif kind == "yes_no":
            answers[q["key"]] = "no"
        elif kind == "scale":
            answers[q["key"]] = (q.get("min", 1) + q.get("max", 5)) // 2
        elif kind == "number":
            answers[q["key"]] = _number(q)
        elif kind == "repeat_group":
            answers[q["key"]] = [
                _use_case_row(q, n, USE_CASE_AREAS[n % len(USE_CASE_AREAS)])
                for n in range(1, use_cases + 1)
            ]
        elif kind == "text":
            answers[q["key"]] = "Freitext"
        elif kind == "long_text":
            answers[q["key"]] = "Wir nutzen KI seit einem Jahr im Büro und in der Entwicklung."
    return answers


def varied_answers(document: dict, seed: int) -> dict:
    """``mid_answers`` drifted by a seeded RNG: ±1 option, other services, 1-4 use cases."""
    rng = random.Random(seed)
    answers = mid_answers(document)
    for q in questions(document):
        kind = q["type"]
        key = q["key"]
        if kind == "single_choice":
            keys = _keys(q)
            middle = len(keys) // 2
            answers[key] = keys[max(0, min(len(keys) - 1, middle + rng.choice((-1, 0, 0, 1))))]
        elif kind == "multi_choice":
            keys = _keys(q)[1:]
            answers[key] = [k for k in _keys(q) if k in rng.sample(keys, rng.randint(1, 4))]
        elif kind == "yes_no" and rng.random() < 0.4:
            answers[key] = "yes"
        elif kind == "number":
            answers[key] = _number(q, rng)
        elif kind == "scale":
            answers[key] = rng.randint(q.get("min", 1), q.get("max", 5))
        elif kind == "repeat_group":
            answers[key] = [
                _use_case_row(q, n, rng.choice(USE_CASE_AREAS), rng)
                for n in range(1, rng.randint(1, 4) + 1)
            ]
        if q.get("allow_unknown") and kind != "repeat_group" and rng.random() < 0.05:
            answers[key] = "unknown"
    return answers


def rich_answers(document: dict) -> dict:
    """Every conditional question visible and answered: the fullest report there is."""
    answers = mid_answers(document)
    by_key = {q["key"]: q for q in questions(document)}
    wanted = {"m365_copilot", "copilot_chat", "azure_openai", "openai_api", "mistral"}
    services = [k for k in _keys(by_key.get("services_used", {})) if k in wanted]
    overrides = {
        "services_used": services,
        "own_apps": "customer_facing",
        "role": "build_on_api",
        "no_fallback": "some_without",
        "monthly_spend": 2400,
        "comments": (
            "Wir setzen Copilot im Büro ein und testen einen Chatbot für Kundenanfragen. "
            "Die Personalabteilung probiert ein Werkzeug zur Vorauswahl von Bewerbungen aus."
        ),
    }
    for key, value in overrides.items():
        if key in by_key:
            answers[key] = value
    group = next((q for q in questions(document) if q["type"] == "repeat_group"), None)
    if group is not None:
        names = [
            ("Angebotstexte mit Copilot", "office_text"),
            ("Code-Vorschläge", "code"),
            ("Social-Media-Beiträge", "marketing_text"),
            ("Chatbot auf der Website", "customer_chatbot"),
            ("Bewerbungen vorsortieren", "hr_screening"),
        ]
        rows = []
        for number, (name, area) in enumerate(names, start=1):
            row = _use_case_row(group, number, area)
            row["name"] = name
            rows.append(row)
        answers[group["key"]] = rows
    return answers


# --- baseline ----------------------------------------------------------------------------------


def baseline_index(document: dict) -> dict:
    """Question by key, built once (the engine memoises its own index too)."""
    return {q["key"]: q for q in questions(document)}


def _add(totals: dict, scores) -> None:
    for dimension, points in (scores or {}).items():
        totals[dimension] = totals.get(dimension, 0) + points


def trivial_score(index: dict, answers: dict) -> dict:
    """Baseline: walk the answers once and sum the chosen options' points per dimension."""
    totals: dict = {}
    for key, value in answers.items():
        q = index.get(key)
        if q is None or value == "unknown" or value == "na":
            continue
        kind = q["type"]
        if kind == "single_choice":
            for option in q["options"]:
                if option["key"] == value:
                    _add(totals, option.get("scores"))
        elif kind == "multi_choice":
            for option in q["options"]:
                if option["key"] in value:
                    _add(totals, option.get("scores"))
        elif kind == "yes_no":
            _add(totals, (q.get(value) or {}).get("scores"))
        elif kind == "number":
            for band in q.get("bands", ()):
                if "upto" not in band or value <= band["upto"]:
                    _add(totals, band.get("scores"))
                    break
        elif kind == "scale":
            for dimension, points in (q.get("scores") or {}).items():
                totals[dimension] = totals.get(dimension, 0) + points[value - q.get("min", 1)]
        elif kind == "repeat_group":
            for row in value:
                for field in q["fields"]:
                    for option in field.get("options", ()):
                        if option["key"] == row.get(field["key"]):
                            klass = option.get("ai_act_class", "minimal")
                            totals[klass] = totals.get(klass, 0) + 1
    return totals
