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

Test = Callable[[Mapping], bool]  # a compiled condition: answers (or a row) -> bool
Condition = Callable[[Mapping, "Collection[str] | None"], bool]

_COMPARISONS = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


class _Unsupported(Exception):
    pass


# what a malformed condition raises while compiled: it is left to ``evaluate``
_NOT_COMPILED = (_Unsupported, TypeError, KeyError, AttributeError)


def compile_test(cond: Any, share: Callable[[Any], Test] | None = None) -> Test:
    """A function ``answers -> bool`` equivalent to ``evaluate(cond, answers)``.

    ``share`` (optional) compiles the parts of ``cond`` that walk repeat-group rows; the engine's
    index passes its memoised, deduplicated compiler, so a row condition nested in many
    conditions (a YAML anchor) is walked once per scoring."""
    try:
        return _compile(cond, "q", share)
    except _NOT_COMPILED:

        def fallback(answers: Mapping) -> bool:
            return evaluate(cond, answers)

        return fallback


def compile_condition(cond: Any) -> Condition:
    """A function ``(answers, visible=None) -> bool`` equivalent to ``evaluate(cond, …)``: the
    compiled test on the answers to the ``visible`` questions (an answer to a question outside
    ``visible`` counts as none, as there)."""
    try:
        test = _compile(cond, "q", None)
    except _NOT_COMPILED:

        def fallback(answers: Mapping, visible: Collection[str] | None = None) -> bool:
            return evaluate(cond, answers, visible)

        return fallback

    def condition(answers: Mapping, visible: Collection[str] | None = None) -> bool:
        if visible is not None:
            answers = {key: value for key, value in answers.items() if key in visible}
        return test(answers)

    return condition


def memoised_per_answers(test: Test) -> Test:
    """``test`` remembering its last result per answers object.

    For the engine's index only: the engine evaluates a condition on one ``effective`` dict per
    scoring, a new dict each time, and only once every question the condition names has its final
    value there (``show_if`` names earlier questions only; rules run at the end). Catalogues
    repeat long repeat-group conditions through YAML anchors; the engine builds one memoised
    function per distinct condition, so each is walked once per scoring."""
    cell: list = [None]

    def remembered(answers: Mapping) -> bool:
        last = cell[0]
        if last is not None and last[0] is answers:
            return last[1]
        result = test(answers)
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


def _all(subs: tuple[Test, ...]) -> Test:
    """``all`` of the parts, unrolled for the usual two or three (a generator costs several
    times the parts' own checks). Every compiled part returns a bool, so ``and`` does too."""
    if not subs:
        return lambda answers: True
    if len(subs) == 1:
        return subs[0]
    if len(subs) == 2:
        a, b = subs
        return lambda answers: a(answers) and b(answers)
    if len(subs) == 3:
        a, b, c = subs
        return lambda answers: a(answers) and b(answers) and c(answers)

    def every(answers):
        for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
            if not sub(answers):
                return False
        return True

    return every


def _any(subs: tuple[Test, ...]) -> Test:
    """``any`` of the parts, unrolled like ``_all``."""
    if not subs:
        return lambda answers: False
    if len(subs) == 1:
        return subs[0]
    if len(subs) == 2:
        a, b = subs
        return lambda answers: a(answers) or b(answers)
    if len(subs) == 3:
        a, b, c = subs
        return lambda answers: a(answers) or b(answers) or c(answers)

    def some(answers):
        for sub in subs:  # noqa: SIM110 - a generator costs more than the parts
            if sub(answers):
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


def _compile(cond: Any, subject: str, share: Callable[[Any], Test] | None = None) -> Test:
    """``cond`` as a test of a mapping: the answers (``subject`` "q", the question's key) or a
    repeat-group row (``subject`` "field", the field's key; ``row_matches`` there)."""
    if not isinstance(cond, Mapping):
        raise _Unsupported
    if "all" in cond:
        return _all(tuple(_part(sub, subject, share) for sub in cond["all"]))
    if "any" in cond:
        return _any(tuple(_part(sub, subject, share) for sub in cond["any"]))
    if "not" in cond:
        sub = _part(cond["not"], subject, share)
        return lambda answers: not sub(answers)
    ops = [k for k in cond if k != subject]
    if subject not in cond or len(ops) != 1:
        raise _Unsupported
    op = ops[0]
    key = cond[subject]
    expected = cond[op]

    if op == "answered":
        wanted = bool(expected)
        return lambda answers: is_answered(answers.get(key)) is wanted

    if op in {"equals", "in"}:
        items = (expected,) if op == "equals" else tuple(expected)
        strings = _answered_strings(items)
        if strings is not None:
            return lambda answers: isinstance(value := answers.get(key), str) and value in strings
        return lambda answers: (
            is_answered(value := answers.get(key)) and any(_same(value, item) for item in items)
        )

    if op == "includes":
        return lambda answers: isinstance(value := answers.get(key), list) and expected in value

    if op in _COMPARISONS:
        compare = _COMPARISONS[op]
        return lambda answers: _is_number(value := answers.get(key)) and compare(value, expected)

    if op == "any_row" and subject == "q":
        row_test = _compile(expected, "field")

        def any_row(answers):
            value = answers.get(key)
            if not isinstance(value, list):
                return False
            for row in value:
                if (type(row) is dict or isinstance(row, Mapping)) and row_test(row):
                    return True
            return False

        return any_row

    raise _Unsupported


def _part(cond: Any, subject: str, share: Callable[[Any], Test] | None) -> Test:
    if share is not None and subject == "q" and walks_rows(cond):
        return share(cond)
    return _compile(cond, subject, share)
