"""What the document templates read, built from one assessment.

This is the one adapter between the scoring's shapes (``ScoreCard``, ``UseCaseClassification``)
and the templates: a template never touches the card or the raw answers. The per-use-case fields
of the AI Act procedure (``role_title``, ``path``, ``check``, ``duty_dates``, ``duty_articles``)
are read with a fallback, so results of older catalogues (which have only the class, its reasons
and its "applies from") still draft. Every value that comes from the client is escaped for
Markdown (``md``); catalogue texts are too.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from ..catalogue.text import tr
from ..questionnaire.answers import answer_label
from ..questionnaire.progress import Questionnaire
from ..scoring import score
from .markup import md
from .screening import screen

USE_CASE_QUESTION_DEFAULT = "use_cases"
# The use-case field "service" names services more coarsely than the inventory question
# "services_used": which inventory entries a use case's service stands for.
USE_CASE_SERVICE = {
    "m365_copilot": "m365_copilot",
    "copilot_chat": "m365_copilot",
    "copilot_studio": "copilot_studio",
    "azure_openai": "azure_openai",
    "openai_api": "openai",
    "chatgpt_business": "openai",
    "chatgpt_free": "openai",
    "github_copilot": "github_copilot",
    "anthropic_claude": "anthropic",
}


class Answers(dict):
    """``answers.dpa.value`` / ``answers.dpa.label`` in templates; a missing key reads as
    unanswered instead of failing."""

    def __missing__(self, key):
        return {"value": None, "label": "–", "values": ()}


def _answers(questionnaire: Questionnaire, answers: dict, visible: set[str]) -> Answers:
    result = Answers()
    for key, question in questionnaire.questions.items():
        value = answers.get(key) if key in visible else None
        result[key] = {
            "value": value,
            "values": tuple(value) if isinstance(value, list) else (),
            "label": md(answer_label(question, value)),
            "question": md(tr(question["text"])),
        }
    return result


def _services(questionnaire: Questionnaire, answers: dict, document: dict) -> list[dict]:
    question = questionnaire.questions.get("services_used")
    chosen = answers.get("services_used")
    if not question or not isinstance(chosen, list):
        return []
    vendors = document.get("vendors", {})
    rows = []
    for option in question.get("options", ()):
        if option["key"] in chosen and option["key"] != "none":
            rows.append(
                {
                    "key": option["key"],
                    "label": md(tr(option["label"])),
                    "vendors": [md(tr(vendors.get(v, v))) for v in option.get("vendors", ())],
                    "vendor_keys": list(option.get("vendors", ())),
                }
            )
    return rows


def _field_label(field: dict | None, value) -> str:
    if field is None:
        return "–"
    return md(answer_label(field, value))


def _blank(value) -> bool:
    return value in (None, "", "unknown", "na")


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _duties(use_case) -> list[dict]:
    """Duties as ``{text, date, article}``: each with its own date where the classification
    gives one (``duty_dates``, parallel to ``duties``), else the class's "applies from"."""
    dates = list(getattr(use_case, "duty_dates", None) or ())
    articles = list(getattr(use_case, "duty_articles", None) or ())
    duties = []
    for index, duty in enumerate(use_case.duties):
        date_text = dates[index] if index < len(dates) else None
        duties.append(
            {
                "text": md(tr(duty)),
                "date": _date(date_text) or _date(use_case.applies_from),
                "article": md(articles[index]) if index < len(articles) else "",
            }
        )
    return duties


def _use_cases(questionnaire, document, card, answers) -> list[dict]:
    group_key = (document.get("ai_act") or {}).get("use_case_question") or USE_CASE_QUESTION_DEFAULT
    group = questionnaire.questions.get(group_key) or {}
    fields = {f["key"]: f for f in group.get("fields", ())}
    rows = answers.get(group_key)
    rows = rows if isinstance(rows, list) else []
    spec = document.get("dpia_screening")
    result = []
    for use_case in card.use_cases:
        row = rows[use_case.index] if use_case.index < len(rows) else {}
        row = row if isinstance(row, dict) else {}
        screening = screen(spec, row)
        # the legal path in the law's order where the classification gives it, else its reasons
        legal_path = getattr(use_case, "path", None) or use_case.reasons
        role = getattr(use_case, "role_title", None)
        check = getattr(use_case, "check", None)
        result.append(
            {
                "number": use_case.index + 1,
                "name": md(use_case.name),
                "purpose": "" if _blank(row.get("purpose")) else md(row.get("purpose")),
                "area": md(tr(use_case.area_label)) if use_case.area_label else "–",
                "class": use_case.ai_act_class,
                "class_title": md(tr(use_case.class_title)),
                "article": md(use_case.article or ""),
                "annex_iii": md(use_case.annex_iii or ""),
                "applies_from": _date(use_case.applies_from),
                "role": md(tr(role)) if role else "",
                "legal_path": [md(tr(sentence)) for sentence in legal_path],
                "open_questions": [md(tr(check))] if check else [],
                "duties": _duties(use_case),
                "service": _field_label(fields.get("service"), row.get("service")),
                "service_key": row.get("service") or "",
                "affected": _field_label(fields.get("affected"), row.get("affected")),
                "affected_key": row.get("affected") or "",
                "personal_data": _field_label(
                    fields.get("personal_data"), row.get("personal_data")
                ),
                "personal_data_key": row.get("personal_data") or "",
                # what the output is used for (2027.01: output_use; older catalogues asked
                # "decides about people" yes/no)
                "output_use": _field_label(fields.get("output_use"), row.get("output_use"))
                if "output_use" in fields
                else _field_label(
                    fields.get("decides_about_people"), row.get("decides_about_people")
                ),
                "decides_people": row.get("output_use") in ("assesses_people", "decides_people")
                or row.get("decides_about_people") == "yes",
                "dpia": _screening_view(screening, fields),
            }
        )
    return result


def _screening_view(screening, fields: dict) -> dict | None:
    if screening is None:
        return None
    return {
        "outcome": screening.outcome,
        "required": [md(tr(c["title"])) for c in screening.required],
        "indicators": [md(tr(c["title"])) for c in screening.indicators],
        "open": [
            md(tr(fields[k]["text"])) if k in fields else md(k) for k in screening.open_fields
        ],
        "facts": list(screening.facts),
    }


def _measures(organization) -> list[dict]:
    return [
        {
            "date": m.held_on,
            "title": md(m.title),
            "format": md(m.get_format_display()),
            "topics": md(m.topics),
            "participants": md(m.participants),
            "count": m.participant_count,
            "trainer": md(m.trainer),
            "minutes": m.duration_minutes,
        }
        for m in organization.literacy_measures.order_by("held_on", "created_at")
    ]


def document_context(*, assessment, language: str) -> dict:
    """Everything a template may use. Call inside ``translation.override(language)``."""
    organization = assessment.organization
    document = assessment.questionnaire.document
    questionnaire = Questionnaire(document)
    answers = dict(assessment.answers.values_list("question_key", "value"))
    visible = questionnaire.visible(answers)
    card = score(document, answers)  # the card of the stored result (Result.scorecard)
    use_cases = _use_cases(questionnaire, document, card, answers)
    services = _services(questionnaire, answers, document)
    for service in services:
        key = USE_CASE_SERVICE.get(service["key"], "other_service")
        service["use_cases"] = [u for u in use_cases if u["service_key"] == key]
    consultant = organization.consultant
    return {
        "language": language,
        "today": timezone.localdate(),
        "organization": {
            "name": md(organization.name),
            "industry": md(organization.get_industry_display()),
            "size_band": md(organization.get_size_band_display()),
            "size_band_key": organization.size_band,
        },
        "consultant": md(consultant.display_name) if consultant else "",
        "consultancy": {key: md(value) for key, value in settings.CONSULTANCY.items()},
        "assessment": {
            "submitted_at": timezone.localdate(assessment.submitted_at)
            if assessment.submitted_at
            else None,
            "catalogue_version": md(assessment.questionnaire.version),
        },
        "answers": _answers(questionnaire, answers, visible),
        "services": services,
        "use_cases": use_cases,
        "dpia_needed": [u for u in use_cases if u["dpia"] and u["dpia"]["outcome"] == "required"],
        "dpia_check": [u for u in use_cases if u["dpia"] and u["dpia"]["outcome"] == "check"],
        "measures": _measures(organization),
    }
