"""Conditions on answers (``show_if`` of questions, ``when`` of recommendations).

Pure functions on plain data. A condition on a question that is hidden or unanswered is false,
so ``not`` of it is true.
"""

from collections.abc import Iterable, Mapping
from typing import Any

_COMPARISONS = {
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
}


def _as_dict(document: Any) -> Mapping:
    return document.model_dump(mode="json") if hasattr(document, "model_dump") else document


def evaluate(cond: Mapping, answers: Mapping, visible: Iterable[str] | None = None) -> bool:
    if "all" in cond:
        return all(evaluate(sub, answers, visible) for sub in cond["all"])
    if "any" in cond:
        return any(evaluate(sub, answers, visible) for sub in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], answers, visible)
    key = cond["q"]
    if visible is not None and key not in visible:
        return False
    value = answers.get(key)
    if "answered" in cond:
        answered = value is not None and value != "" and value != []
        return answered is bool(cond["answered"])
    if value is None:
        return False
    if "equals" in cond:
        return value == cond["equals"]
    if "in" in cond:
        return not isinstance(value, list | dict) and value in cond["in"]
    if "includes" in cond:
        return isinstance(value, list) and cond["includes"] in value
    if "any_row" in cond:
        if not isinstance(value, list):
            return False
        return any(_row_matches(row, cond["any_row"]) for row in value if isinstance(row, dict))
    for op, compare in _COMPARISONS.items():
        if op in cond:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            return compare(value, cond[op])
    raise ValueError(f"unknown condition: {dict(cond)!r}")


def _row_matches(row: Mapping, spec: Mapping) -> bool:
    value = row.get(spec["field"])
    if value is None:
        return False
    if "equals" in spec:
        return value == spec["equals"]
    if "in" in spec:
        return value in spec["in"]
    raise ValueError(f"unknown row condition: {dict(spec)!r}")


def visible_questions(document: Any, answers: Mapping) -> list[str]:
    """Keys of the questions shown for ``answers``, in catalogue order.

    A question whose ``show_if`` references a hidden question is hidden too, because hidden
    answers are left out of ``effective`` before later conditions are evaluated.
    """
    document = _as_dict(document)
    shown: list[str] = []
    seen: set[str] = set()
    effective: dict[str, Any] = {}
    for section in document["sections"]:
        for question in section["questions"]:
            condition = question.get("show_if")
            if condition and not evaluate(condition, effective, seen):
                continue
            key = question["key"]
            shown.append(key)
            seen.add(key)
            if key in answers:
                effective[key] = answers[key]
    return shown


def effective_answers(document: Any, answers: Mapping) -> dict:
    """Only the answers to visible questions: stale answers behind a false condition drop out."""
    shown = visible_questions(document, answers)
    return {key: answers[key] for key in shown if key in answers}
