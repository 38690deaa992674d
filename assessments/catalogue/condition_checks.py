"""Checking a condition against the questions it reads: a ``show_if``, a rule's ``when``, a
row condition on the use-case group. Each problem is a ``(location, message)`` pair; evaluating
conditions on answers is ``conditions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from .fields import (
    COMBINATORS,
    OPERATORS,
    ROW_OPERATORS,
    Loc,
    _is_number,
    _must_be_a_number,
)


def _unknown_question(key: Any) -> str:
    return _("unbekannte Frage %(key)r") % {"key": key}


def _non_empty_conditions() -> str:
    return _("muss eine nicht leere Liste von Bedingungen sein")


def _combined(
    cond: dict, loc: Loc, check: Callable[[Any, Loc], list], others: Callable[[str], str]
) -> list[tuple[Loc, str]] | None:
    """Problems of an ``all``/``any``/``not`` condition, each part checked by ``check``; None when
    ``cond`` is not one. ``others(op)`` says that ``op`` stands beside other keys."""
    op = next((k for k in COMBINATORS if k in cond), None)
    if op is None:
        return None
    if len(cond) != 1:
        return [(loc, others(op))]
    if op == "not":
        return check(cond["not"], (*loc, "not"))
    items = cond[op]
    if not isinstance(items, list) or not items:
        return [((*loc, op), _non_empty_conditions())]
    return [problem for i, sub in enumerate(items) for problem in check(sub, (*loc, op, i))]


def check_condition(
    cond: Any,
    loc: Loc,
    allowed: dict[str, Any],
    known: dict[str, Any] | None,
) -> list[tuple[Loc, str]]:
    """Problems of one condition. ``allowed``: questions it may reference (for show_if the
    earlier ones); ``known``: all questions, to tell "unknown" from "not earlier" (None: same)."""
    if not isinstance(cond, dict):
        message = _("eine Bedingung muss eine Zuordnung (key: value) sein, ist aber %(value)r")
        return [(loc, message % {"value": cond})]

    def others(op: str) -> str:
        return _("%(combinator)r lässt sich nicht mit %(others)s kombinieren") % {
            "combinator": op,
            "others": ", ".join(repr(k) for k in cond if k != op),
        }

    combined = _combined(
        cond, loc, lambda sub, at: check_condition(sub, at, allowed, known), others
    )
    if combined is not None:
        return combined
    if "q" not in cond:
        return [(loc, _("braucht 'q' (einen Fragenschlüssel) oder eines von 'all', 'any', 'not'"))]
    operator, problem = _single_operator(cond, "q", OPERATORS)
    if problem:
        return [(loc, problem)]
    key = cond["q"]
    if not isinstance(key, str):
        message = _("muss ein Fragenschlüssel sein, ist aber %(value)r") % {"value": key}
        return [((*loc, "q"), message)]
    if key not in allowed:
        if key in (known or {}):
            return [(loc, _("Frage %(key)r kommt nicht vorher") % {"key": key})]
        return [(loc, _unknown_question(key))]
    question = allowed[key]
    message = _operator_problem(operator, cond[operator], question, key)
    if message:
        return [((*loc, operator), message)]
    if operator == "any_row":
        fields = {f.key: f for f in question.fields}
        return check_row_condition(cond["any_row"], (*loc, "any_row"), fields, key)
    return []


def _single_operator(cond: dict, subject: str, operators: tuple[str, ...]) -> tuple[str, str]:
    unknown = [k for k in cond if k != subject and k not in operators]
    if unknown:
        return "", _("unbekannter Operator %(operator)r (erlaubt: %(allowed)s)") % {
            "operator": unknown[0],
            "allowed": ", ".join(operators),
        }
    found = [k for k in cond if k != subject]
    if not found:
        return "", _("braucht einen Operator: %(allowed)s") % {"allowed": ", ".join(operators)}
    if len(found) > 1:
        return "", _("nur ein Operator je Bedingung, gefunden: %(found)s") % {
            "found": ", ".join(repr(k) for k in found)
        }
    return found[0], ""


def check_row_condition(
    cond: Any, loc: Loc, fields: dict[str, Any], group: str
) -> list[tuple[Loc, str]]:
    if not isinstance(cond, dict):
        message = _(
            "eine Zeilenbedingung muss eine Zuordnung (key: value) sein, ist aber %(value)r"
        )
        return [(loc, message % {"value": cond})]

    def others(op: str) -> str:
        message = _("%(combinator)r lässt sich nicht mit anderen Schlüsseln kombinieren")
        return message % {"combinator": op}

    combined = _combined(
        cond, loc, lambda sub, at: check_row_condition(sub, at, fields, group), others
    )
    if combined is not None:
        return combined
    if "field" not in cond:
        return [
            (loc, _("braucht 'field' (ein Feld der Gruppe) oder eines von 'all', 'any', 'not'"))
        ]
    operator, problem = _single_operator(cond, "field", ROW_OPERATORS)
    if problem:
        return [(loc, problem)]
    name = cond["field"]
    if name not in fields:
        message = _("unbekanntes Feld %(field)r in der repeat_group %(group)r") % {
            "field": name,
            "group": group,
        }
        return [(loc, message)]
    message = _operator_problem(operator, cond[operator], fields[name], f"{group}.{name}")
    return [((*loc, operator), message)] if message else []


def _must_be_a_boolean(value: Any) -> str:
    return _("muss true oder false sein, ist aber %(value)r") % {"value": value}


def _needs_type(operator: str, needed: str, key: str, qtype: str) -> str:
    return _("%(operator)r braucht eine Frage vom Typ %(needed)s; %(key)r ist %(type)s") % {
        "operator": operator,
        "needed": needed,
        "key": key,
        "type": qtype,
    }


def _not_an_option(value: Any, key: str) -> str:
    return _("%(value)r ist keine Option von %(key)r") % {"value": value, "key": key}


def _operator_problem(operator: str, value: Any, question: Any, key: str) -> str:
    """Why ``operator: value`` does not fit ``question`` ('' when it fits)."""
    qtype = question.type
    if operator == "answered":
        return "" if isinstance(value, bool) else _must_be_a_boolean(value)
    if operator == "includes":
        if qtype != "multi_choice":
            return _needs_type("includes", "multi_choice", key, qtype)
        if value not in _option_keys(question):
            return _not_an_option(value, key)
        return ""
    if operator in {"gte", "gt", "lte", "lt"}:
        if qtype not in {"number", "scale"}:
            return _(
                "%(operator)r braucht eine Frage vom Typ number oder scale; %(key)r ist %(type)s"
            ) % {"operator": operator, "key": key, "type": qtype}
        return "" if _is_number(value) else _must_be_a_number(value)
    if operator == "any_row":
        if qtype != "repeat_group":
            return _needs_type("any_row", "repeat_group", key, qtype)
        return ""
    if operator == "in":
        if not isinstance(value, list) or not value:
            return _("muss eine nicht leere Liste von Werten sein")
        for item in value:
            problem = _value_problem(item, question, key)
            if problem:
                return problem
        return ""
    return _value_problem(value, question, key)  # equals


def _option_keys(question: Any) -> tuple[str, ...]:
    if question.type == "yes_no":
        return ("yes", "no")
    return tuple(o.key for o in getattr(question, "options", ()) or ())


def _does_not_allow(key: str, sentinel: str) -> str:
    return _("%(key)r lässt %(sentinel)r nicht zu") % {"key": key, "sentinel": sentinel}


def _value_problem(value: Any, question: Any, key: str) -> str:
    """Why ``value`` can never be an answer of ``question`` ('' when it can)."""
    qtype = question.type
    if value == "unknown":
        return "" if question.allow_unknown else _does_not_allow(key, "unknown")
    if value == "na":
        return "" if question.allow_na else _does_not_allow(key, "na")
    if qtype in {"single_choice", "yes_no"}:
        if value not in _option_keys(question):
            return _not_an_option(value, key)
        return ""
    if qtype == "multi_choice":
        return _(
            "%(key)r ist multi_choice: bitte 'includes' verwenden "
            "(oder mit 'unknown'/'na' vergleichen)"
        ) % {"key": key}
    if qtype == "repeat_group":
        return _(
            "%(key)r ist eine repeat_group: bitte 'any_row' verwenden "
            "(oder mit 'unknown'/'na' vergleichen)"
        ) % {"key": key}
    if qtype in {"number", "scale"}:
        if not _is_number(value):
            return _must_be_a_number(value)
        if not question.min <= value <= question.max:
            return _(
                "%(value)r liegt außerhalb des Wertebereichs von %(key)r (%(min)s..%(max)s)"
            ) % {
                "value": value,
                "key": key,
                "min": question.min,
                "max": question.max,
            }
        return ""
    return (
        ""
        if isinstance(value, str)
        else _("muss ein Text sein, ist aber %(value)r") % {"value": value}
    )
