"""Three-valued row conditions for the AI Act procedure (pure).

A use-case row condition (the ``any_row`` syntax: ``field`` with ``equals`` / ``in`` /
``answered``, combined by ``all`` / ``any`` / ``not``) as a function row -> True / False / None.
None means open: the field is unanswered or "weiß nicht", so the procedure asks instead of
deciding. Combinations follow Kleene's logic (False decides ``all``, True decides ``any``; an
open part otherwise leaves the whole open); ``answered`` asks exactly whether a field has a value
and is never open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Tri = Callable[[dict], bool | None]

_OPEN_VALUES = (None, "", "unknown")


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    return value == expected


def _leaf(node: dict) -> Tri:
    name = node["field"]
    if "answered" in node:
        wanted = bool(node["answered"])
        return lambda row: (row.get(name) not in (None, "")) is wanted
    items = (node["equals"],) if "equals" in node else tuple(node["in"])

    def member(row: dict) -> bool | None:
        value = row.get(name)
        if value in _OPEN_VALUES:
            return None
        return any(_same(value, item) for item in items)

    return member


def _kleene(subs: tuple[Tri, ...], decisive: bool) -> Tri:
    """``all`` (decisive False) or ``any`` (decisive True) of three-valued parts."""

    def combined(row: dict) -> bool | None:
        result: bool | None = not decisive
        for sub in subs:
            value = sub(row)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return combined


def compile_tri(cond: dict | None) -> Tri | None:
    """``cond`` as a function row -> True / False / None (open); None for no condition."""
    if cond is None:
        return None
    if "all" in cond:
        return _kleene(tuple(compile_tri(c) for c in cond["all"]), False)
    if "any" in cond:
        return _kleene(tuple(compile_tri(c) for c in cond["any"]), True)
    if "not" in cond:
        sub = compile_tri(cond["not"])

        def negated(row: dict) -> bool | None:
            value = sub(row)
            return None if value is None else not value

        return negated
    return _leaf(cond)
