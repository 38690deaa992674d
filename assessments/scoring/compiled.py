"""Conditions compiled to closures, for speed.

Same semantics as ``assessments.catalogue.conditions.evaluate`` (the reference; a differential
property test holds the two together), but the condition tree is walked once per document instead
of once per evaluation. Anything this compiler does not recognise falls back to ``evaluate``
itself, so a malformed condition behaves exactly as there (``ValueError`` when reached).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from typing import Any

from assessments.catalogue.conditions import evaluate, is_answered

Condition = Callable[[Mapping, "Collection[str] | None"], bool]

_COMPARISONS = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


class _Unsupported(Exception):
    pass


def compile_condition(cond: Any, share: Callable[[Any], Condition] | None = None) -> Condition:
    """A function ``(answers, visible=None) -> bool`` equivalent to ``evaluate(cond, …)``.

    ``share`` (optional) compiles the parts of ``cond`` that walk repeat-group rows; the engine's
    index passes its memoised, deduplicated compiler, so a row condition nested in many
    conditions (a YAML anchor) is walked once per scoring."""
    try:
        return _compile(cond, share)
    except (_Unsupported, TypeError, KeyError, AttributeError):

        def fallback(answers: Mapping, visible: Collection[str] | None = None) -> bool:
            return evaluate(cond, answers, visible)

        return fallback


def memoised_per_answers(condition: Condition) -> Condition:
    """``condition`` remembering its last result per answers object (``visible`` None).

    For the engine's index only: the engine evaluates a condition on one ``effective`` dict per
    scoring, a new dict each time, and only once every question the condition names has its final
    value there (``show_if`` names earlier questions only; rules run at the end). Catalogues
    repeat long repeat-group conditions through YAML anchors; the engine builds one memoised
    function per distinct condition, so each is walked once per scoring."""
    cell: list = [None]

    def remembered(answers: Mapping, visible: Collection[str] | None = None) -> bool:
        if visible is not None:
            return condition(answers, visible)
        last = cell[0]
        if last is not None and last[0] is answers:
            return last[1]
        result = condition(answers, None)
        cell[0] = (answers, result)
        return result

    return remembered


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(value, list | dict):
        return False
    return value == expected


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _walks_rows(cond: Any) -> bool:
    if not isinstance(cond, Mapping):
        return False
    if "any_row" in cond:
        return True
    parts = (*(cond.get("all") or ()), *(cond.get("any") or ()), cond.get("not"))
    return any(_walks_rows(part) for part in parts)


def _part(cond: Any, share: Callable[[Any], Condition] | None) -> Condition:
    if share is not None and _walks_rows(cond):
        return share(cond)
    return _compile(cond, share)


def _compile(cond: Any, share: Callable[[Any], Condition] | None = None) -> Condition:
    if not isinstance(cond, Mapping):
        raise _Unsupported
    if "all" in cond:
        subs = tuple(_part(sub, share) for sub in cond["all"])
        return lambda answers, visible=None: all(f(answers, visible) for f in subs)
    if "any" in cond:
        subs = tuple(_part(sub, share) for sub in cond["any"])
        return lambda answers, visible=None: any(f(answers, visible) for f in subs)
    if "not" in cond:
        sub = _part(cond["not"], share)
        return lambda answers, visible=None: not sub(answers, visible)
    ops = [k for k in cond if k != "q"]
    if "q" not in cond or len(ops) != 1:
        raise _Unsupported
    op = ops[0]
    key = cond["q"]
    expected = cond[op]

    if op == "answered":
        wanted = bool(expected)

        def answered(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            return is_answered(value) is wanted

        return answered

    if op == "equals":
        if isinstance(expected, str):

            def equals_str(answers, visible=None):
                value = answers.get(key) if visible is None or key in visible else None
                return isinstance(value, str) and value == expected and is_answered(value)

            return equals_str

        def equals(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            return is_answered(value) and _same(value, expected)

        return equals

    if op == "in":
        items = tuple(expected)
        if all(isinstance(item, str) for item in items):
            item_set = frozenset(items)

            def in_str(answers, visible=None):
                value = answers.get(key) if visible is None or key in visible else None
                return isinstance(value, str) and value in item_set and is_answered(value)

            return in_str

        def in_any(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            return is_answered(value) and any(_same(value, item) for item in items)

        return in_any

    if op == "includes":

        def includes(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            return isinstance(value, list) and expected in value

        return includes

    if op in _COMPARISONS:
        compare = _COMPARISONS[op]

        def comparison(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            return _is_number(value) and compare(value, expected)

        return comparison

    if op == "any_row":
        row_condition = _compile_row(expected)

        def any_row(answers, visible=None):
            value = answers.get(key) if visible is None or key in visible else None
            if not isinstance(value, list):
                return False
            return any(row_condition(row) for row in value if isinstance(row, Mapping))

        return any_row

    raise _Unsupported


def _compile_row(cond: Any) -> Callable[[Mapping], bool]:
    """``row_matches(cond, row)`` as a closure over ``row``."""
    if not isinstance(cond, Mapping):
        raise _Unsupported
    if "all" in cond:
        subs = tuple(_compile_row(sub) for sub in cond["all"])
        return lambda row: all(f(row) for f in subs)
    if "any" in cond:
        subs = tuple(_compile_row(sub) for sub in cond["any"])
        return lambda row: any(f(row) for f in subs)
    if "not" in cond:
        sub = _compile_row(cond["not"])
        return lambda row: not sub(row)
    ops = [k for k in cond if k != "field"]
    if "field" not in cond or len(ops) != 1:
        raise _Unsupported
    op = ops[0]
    field = cond["field"]
    expected = cond[op]
    if op == "answered":
        wanted = bool(expected)
        return lambda row: is_answered(row.get(field)) is wanted
    if op == "equals":
        return lambda row: is_answered(value := row.get(field)) and _same(value, expected)
    if op == "in":
        items = tuple(expected)
        if all(isinstance(item, str) for item in items):
            item_set = frozenset(items)
            return lambda row: (
                isinstance(value := row.get(field), str)
                and value in item_set
                and is_answered(value)
            )
        return lambda row: (
            is_answered(value := row.get(field)) and any(_same(value, item) for item in items)
        )
    if op == "includes":
        return lambda row: isinstance(value := row.get(field), list) and expected in value
    if op in _COMPARISONS:
        compare = _COMPARISONS[op]
        return lambda row: _is_number(value := row.get(field)) and compare(value, expected)
    raise _Unsupported
