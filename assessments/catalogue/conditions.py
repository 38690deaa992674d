"""Conditions on answers (``show_if`` of questions, ``when`` of recommendations).

Pure functions on plain data (the catalogue's JSON form; a ``CatalogueDocument`` is accepted too).
A condition on a question that is hidden or unanswered is false, so ``not`` of it is true. The one
exception is ``answered``, which asks exactly that: ``answered: false`` is true for a hidden or
unanswered question.

Conditions are validated when the catalogue is loaded (``condition_checks.check_condition``); here a
malformed condition raises ``ValueError`` instead of guessing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from typing import Any

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


def _as_dict(document: Any) -> Mapping:
    if hasattr(document, "model_dump"):
        return document.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def is_answered(value: Any) -> bool:
    """An empty text or an empty list (no box ticked, no row) is no answer. "None of these" is
    an explicit option where the catalogue offers one, never the absence of a choice."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple):
        return len(value) > 0
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(value: Any, expected: Any) -> bool:
    # True == 1 in Python; an answer "yes" or 1 must not match a stray boolean.
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(value, list | dict):
        return False
    return value == expected


def _compare(op: str, value: Any, expected: Any) -> bool:
    """The leaf operators shared by question conditions and repeat-group row conditions."""
    if op == "equals":
        return _same(value, expected)
    if op == "in":
        return any(_same(value, item) for item in expected)
    if op == "includes":
        return isinstance(value, list) and expected in value
    if op in _COMPARISONS:
        # "unknown"/"na" (strings) are never greater or smaller than a number.
        return _is_number(value) and _COMPARISONS[op](value, expected)
    raise ValueError(f"unknown operator {op!r}")


def _combine(cond: Mapping, leaf: Callable[[Mapping], bool]) -> bool | None:
    """Evaluate all/any/not with ``leaf`` for the leaves; None if ``cond`` is a leaf itself."""
    if "all" in cond:
        return all(_walk(sub, leaf) for sub in cond["all"])
    if "any" in cond:
        return any(_walk(sub, leaf) for sub in cond["any"])
    if "not" in cond:
        return not _walk(cond["not"], leaf)
    return None


def _walk(cond: Mapping, leaf: Callable[[Mapping], bool]) -> bool:
    if not isinstance(cond, Mapping):
        raise ValueError(f"a condition must be a mapping, got {cond!r}")
    combined = _combine(cond, leaf)
    return leaf(cond) if combined is None else combined


def _operator(cond: Mapping, subject: str) -> str:
    ops = [key for key in cond if key != subject]
    if subject not in cond or len(ops) != 1:
        raise ValueError(f"malformed condition: {dict(cond)!r}")
    return ops[0]


def evaluate(cond: Mapping, answers: Mapping, visible: Collection[str] | None = None) -> bool:
    """Whether ``cond`` holds for ``answers``.

    ``visible``: the questions shown so far (None: treat every question as shown). A condition on a
    question outside ``visible`` is false.
    """

    def leaf(node: Mapping) -> bool:
        op = _operator(node, "q")
        key = node["q"]
        shown = visible is None or key in visible
        value = answers.get(key) if shown else None
        if op == "answered":
            return is_answered(value) is bool(node["answered"])
        if not is_answered(value):
            return False
        if op == "any_row":
            rows = value if isinstance(value, list) else []
            return any(
                row_matches(node["any_row"], row) for row in rows if isinstance(row, Mapping)
            )
        return _compare(op, value, node[op])

    return _walk(cond, leaf)


def row_matches(cond: Mapping, row: Mapping) -> bool:
    """Whether one repeat-group row (``{field: value}``) satisfies a row condition."""

    def leaf(node: Mapping) -> bool:
        op = _operator(node, "field")
        value = row.get(node["field"])
        if op == "answered":
            return is_answered(value) is bool(node["answered"])
        return is_answered(value) and _compare(op, value, node[op])

    return _walk(cond, leaf)


def visible_questions(document: Any, answers: Mapping) -> list[str]:
    """Keys of the questions shown for ``answers``, in catalogue order.

    One pass suffices because ``show_if`` may only reference earlier questions. Answers to hidden
    questions never reach later conditions, so a question that depends (positively) on a hidden
    question is hidden too, however the hidden one was answered before.
    """
    document = _as_dict(document)
    shown: list[str] = []
    seen: set[str] = set()
    effective: dict[str, Any] = {}
    for section in document.get("sections") or ():
        for question in section.get("questions") or ():
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
    return {key: answers[key] for key in visible_questions(document, answers) if key in answers}
