"""EU AI Act classification of the use cases a client declares (pure).

A catalogue with an ``ai_act.procedure`` classifies each row by the law's own procedure
(``procedure.py``). Older catalogues classify through hints, as described here.

Each row of the use-case group is classified from the ``ai_act_class`` hints on the options chosen
in it: the area field's option gives the starting class; other classifying fields (for example
"published to customers", "customer-facing chatbot") can raise it. The most severe class wins
(prohibited > high_risk > unclear > transparency > minimal). An area option without a class, an
area or classifying field answered "unknown" or left empty, or a row without any hint is
``unclear``. Titles, articles, dates and duties come from the catalogue's ``ai_act.classes``.
"""

from __future__ import annotations

from typing import Any

from .index import CLASS_SEVERITY, DocumentIndex
from .model import UseCaseClassification
from .procedure import classify_row as classify_by_procedure
from .questions import UNKNOWN_LABEL, QuestionIndex


def _reason(field_text: dict, label: dict, class_title: dict | None, cls: str) -> dict:
    title = class_title or {"de": cls, "en": cls}
    return {
        "de": f"{field_text.get('de', '')}: {label.get('de', '')} → {title.get('de', cls)}",
        "en": f"{field_text.get('en', '')}: {label.get('en', '')} → {title.get('en', cls)}",
    }


def classify_row(index: DocumentIndex, qi: QuestionIndex, row_index: int, row: Any):
    spec = qi.use_cases
    classes = index.classes
    if not isinstance(row, dict):
        row = {}
    candidates: list[tuple[str, dict | None, str | None]] = []  # (class, reason, annex_iii)
    area = None
    area_label = None
    for f in spec.fields:
        value = row.get(f.key)
        if value == "na":
            continue
        choice = f.choices.get(value) if isinstance(value, str) else None
        if choice is None:
            cls = "unclear"
            label = UNKNOWN_LABEL
            candidates.append((cls, _reason(f.text, label, classes[cls].title, cls), None))
            continue
        if f.is_area:
            area = choice.key
            area_label = choice.label
        cls = choice.ai_act_class
        if cls not in CLASS_SEVERITY:
            if not f.is_area:
                continue
            cls = "unclear"
        reason = choice.reason or _reason(f.text, choice.label, classes[cls].title, cls)
        candidates.append((cls, reason, choice.annex_iii))
    if not candidates:
        cls = "unclear"
        candidates.append(
            (
                cls,
                {
                    "de": "Keine Angabe, die eine Einstufung erlaubt.",
                    "en": "No answer that allows a classification.",
                },
                None,
            )
        )

    final = max((c[0] for c in candidates), key=CLASS_SEVERITY.__getitem__)
    also_transparency = final in {"high_risk", "unclear"} and any(
        c[0] == "transparency" for c in candidates
    )
    reasons = []
    annex_iii = None
    for cls, reason, annex in candidates:
        if cls == final or (also_transparency and cls == "transparency"):
            if reason not in reasons:
                reasons.append(reason)
            if cls == "high_risk" and annex and annex_iii is None:
                annex_iii = annex
    spec_final = classes[final]
    duties = list(spec_final.duties)
    article = spec_final.article
    if also_transparency:
        extra = classes["transparency"]
        duties.extend(d for d in extra.duties if d not in duties)
        if extra.article and extra.article != article:
            article = f"{article}; {extra.article}" if article else extra.article

    name = row.get(spec.name_field) if spec.name_field else None
    if not isinstance(name, str) or not name.strip() or name in {"unknown", "na"}:
        name = f"#{row_index + 1}"
    return UseCaseClassification(
        index=row_index,
        name=name.strip(),
        area=area,
        ai_act_class=final,
        annex_iii=annex_iii,
        article=article,
        applies_from=spec_final.applies_from,
        duties=tuple(duties),
        reasons=tuple(reasons),
        area_label=area_label,
        class_title=spec_final.title,
        points=spec_final.points,
    )


def classify(index: DocumentIndex, qi: QuestionIndex, rows: list, answers: dict) -> tuple:
    """The rows classified; ``answers``: the company's answers shown so far (the procedure reads
    the company-level role for rows without one)."""
    procedure = index.procedure
    if procedure is None:
        return tuple(classify_row(index, qi, i, row) for i, row in enumerate(rows))
    name_field = qi.use_cases.name_field if qi.use_cases else None
    return tuple(
        classify_by_procedure(
            procedure,
            index.classes,
            i,
            row,
            answers,
            name_field=name_field,
            area_labels=index.area_labels,
        )
        for i, row in enumerate(rows)
    )


def company_answers(index: DocumentIndex, answers: dict) -> tuple:
    """The company-level answers ``classify`` reads besides the rows (the procedure's company
    role, for rows without one of their own)."""
    procedure = index.procedure
    if procedure is None or procedure.company_question is None:
        return ()
    return (answers.get(procedure.company_question),)
