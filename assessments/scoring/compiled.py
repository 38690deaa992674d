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


def walks_rows(cond: Any) -> bool:
    """Whether ``cond`` (or a part of it) walks the rows of a repeat group."""
    if not isinstance(cond, Mapping):
        return False
    if "any_row" in cond:
        return True
    parts = (*(cond.get("all") or ()), *(cond.get("any") or ()), cond.get("not"))
    return any(walks_rows(part) for part in parts)


def _part(cond: Any, share: Callable[[Any], Condition] | None) -> Condition:
    if share is not None and walks_rows(cond):
        return share(cond)
    return _compile(cond, share)


def _all(subs: tuple[Condition, ...]) -> Condition:
    """``all`` of the parts, unrolled for the usual two or three (a generator costs several
    times the parts' own checks). Every compiled part returns a bool, so ``and`` does too."""
    if len(subs) == 1:
        return subs[0]
    if len(subs) == 2:
        a, b = subs
        return lambda answers, visible=None: a(answers, visible) and b(answers, visible)
    if len(subs) == 3:
        a, b, c = subs
        return lambda answers, visible=None: (
            a(answers, visible) and b(answers, visible) and c(answers, visible)
        )

    def every(answers, visible=None):
        for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
            if not sub(answers, visible):
                return False
        return True

    return every


def _any(subs: tuple[Condition, ...]) -> Condition:
    """``any`` of the parts, unrolled like ``_all``."""
    if len(subs) == 1:
        return subs[0]
    if len(subs) == 2:
        a, b = subs
        return lambda answers, visible=None: a(answers, visible) or b(answers, visible)
    if len(subs) == 3:
        a, b, c = subs
        return lambda answers, visible=None: (
            a(answers, visible) or b(answers, visible) or c(answers, visible)
        )

    def some(answers, visible=None):
        for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
            if sub(answers, visible):
                return True
        return False

    return some


def _answered_strings(items: Any) -> frozenset[str] | None:
    """The answered strings among ``items`` when all of them are strings (None otherwise): a
    string answer meets ``equals``/``in`` exactly when it is one of them, so the leaf is one set
    lookup (an unanswered ``""`` or ``"  "`` never meets a leaf)."""
    if not all(isinstance(item, str) for item in items):
        return None
    return frozenset(item for item in items if is_answered(item))


def _compile(cond: Any, share: Callable[[Any], Condition] | None = None) -> Condition:
    if not isinstance(cond, Mapping):
        raise _Unsupported
    if "all" in cond:
        subs = tuple(_part(sub, share) for sub in cond["all"])
        if not subs:
            return lambda answers, visible=None: True
        return _all(subs)
    if "any" in cond:
        subs = tuple(_part(sub, share) for sub in cond["any"])
        if not subs:
            return lambda answers, visible=None: False
        return _any(subs)
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

    if op in {"equals", "in"}:
        strings = _answered_strings((expected,) if op == "equals" else tuple(expected))
        if strings is not None:

            def in_strings(answers, visible=None):
                value = answers.get(key) if visible is None or key in visible else None
                return isinstance(value, str) and value in strings

            return in_strings
        items = (expected,) if op == "equals" else tuple(expected)

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
            for row in value:
                if (type(row) is dict or isinstance(row, Mapping)) and row_condition(row):
                    return True
            return False

        return any_row

    raise _Unsupported


def _compile_row(cond: Any) -> Callable[[Mapping], bool]:
    """``row_matches(cond, row)`` as a closure over ``row``."""
    if not isinstance(cond, Mapping):
        raise _Unsupported
    if "all" in cond:
        subs = tuple(_compile_row(sub) for sub in cond["all"])
        if len(subs) == 2:
            a, b = subs
            return lambda row: a(row) and b(row)

        def every(row):
            for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
                if not sub(row):
                    return False
            return True

        return every
    if "any" in cond:
        subs = tuple(_compile_row(sub) for sub in cond["any"])
        if len(subs) == 2:
            a, b = subs
            return lambda row: a(row) or b(row)

        def some(row):
            for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
                if sub(row):
                    return True
            return False

        return some
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
    if op in {"equals", "in"}:
        items = (expected,) if op == "equals" else tuple(expected)
        strings = _answered_strings(items)
        if strings is not None:
            return lambda row: isinstance(value := row.get(field), str) and value in strings
        return lambda row: (
            is_answered(value := row.get(field)) and any(_same(value, item) for item in items)
        )
    if op == "includes":
        return lambda row: isinstance(value := row.get(field), list) and expected in value
    if op in _COMPARISONS:
        compare = _COMPARISONS[op]
        return lambda row: _is_number(value := row.get(field)) and compare(value, expected)
    raise _Unsupported
