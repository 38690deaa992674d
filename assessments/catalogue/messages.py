"""Validation messages: pydantic's errors and the catalogue's own problems as readable
``path: message`` lines in the active language, with paths named by keys as written in the
file (``questions.q.options.o``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from .fields import (
    QUESTION_TYPES,
    Loc,
    Problems,
)


def format_errors(error: ValidationError, data: Any) -> list[str]:
    """Readable ``path: message`` lines for a pydantic error on the raw ``data``."""
    lines: list[str] = []
    # counted once: a file with many repeated keys has as many errors, each naming a question
    key_counts = Counter(_question_keys(data))
    for item in error.errors():
        loc = tuple(item["loc"])
        exc = (item.get("ctx") or {}).get("error")
        if isinstance(exc, Problems):
            for rel, message in exc.problems:
                lines.append(_line(data, (*loc, *rel), message, key_counts))
            continue
        lines.append(_line(data, *_message(item, loc), key_counts))
    # pydantic may report one problem once per union member; keep the first of each.
    return list(dict.fromkeys(lines))


def _required(field: str) -> str:
    return _("Pflichtfeld %(field)r fehlt") % {"field": field}


def _one_of(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" with the "or" in the active language."""
    head, sep, last = str(expected).rpartition(" or ")
    if not sep:
        return str(expected)
    word = _("oder")
    return f"{head} {word} {last}"


class _Shown:
    """A value for ``%(value)r`` in a message, cut short: pydantic hands over whole sub-trees."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= 80 else text[:79] + "…"


# pydantic's own error types, in the words of the messages above. Anything else keeps pydantic's
# English wording behind a translated lead, so that no problem goes unreported.
_TYPE_MESSAGES = {
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "string_type": "text",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "tuple_type": "list",
    "list_type": "list",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
}


_BOUNDS = {
    "greater_than_equal": "ge",
    "less_than_equal": "le",
    "greater_than": "gt",
    "less_than": "lt",
}


# one message per kind of value and per bound; lazy, so that each comes in the active language
_TYPE_TEXTS = {
    "int": gettext_lazy("muss eine ganze Zahl sein, ist aber %(value)r"),
    "number": gettext_lazy("muss eine Zahl sein, ist aber %(value)r"),
    "bool": gettext_lazy("muss true oder false sein, ist aber %(value)r"),
    "text": gettext_lazy("muss ein Text sein, ist aber %(value)r"),
    "mapping": gettext_lazy("muss eine Zuordnung (key: value) sein, ist aber %(value)r"),
    "list": gettext_lazy("muss eine Liste sein, ist aber %(value)r"),
    "date": gettext_lazy("muss ein Datum wie 2026-11-30 sein, ist aber %(value)r"),
}
_BOUND_TEXTS = {
    "ge": gettext_lazy("muss mindestens %(limit)s sein, ist aber %(value)r"),
    "le": gettext_lazy("darf höchstens %(limit)s sein, ist aber %(value)r"),
    "gt": gettext_lazy("muss größer als %(limit)s sein, ist aber %(value)r"),
    "lt": gettext_lazy("muss kleiner als %(limit)s sein, ist aber %(value)r"),
}


def _message(item: dict, loc: Loc) -> tuple[Loc, str]:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "missing" and loc:
        return loc[:-1], _required(str(loc[-1]))
    if kind == "extra_forbidden" and loc:
        return loc[:-1], _("unbekanntes Feld %(field)r") % {"field": str(loc[-1])}
    if kind == "union_tag_not_found":
        return loc, _required("type")
    if kind == "union_tag_invalid":
        values = {"tag": ctx.get("tag"), "allowed": _one_of(ctx.get("expected_tags", ""))}
        if len(loc) >= 2 and loc[-2] == "fields":
            return loc, _("nicht unterstützter Feldtyp %(tag)r (erlaubt: %(allowed)s)") % values
        return loc, _("nicht unterstützter Fragetyp %(tag)r (erlaubt: %(allowed)s)") % values
    if kind == "literal_error":
        return loc, _("muss einer dieser Werte sein: %(allowed)s; ist aber %(value)r") % {
            "allowed": _one_of(ctx.get("expected", "")),
            "value": _Shown(item.get("input")),
        }
    if kind == "value_error":
        return loc, str(ctx.get("error", item["msg"]))
    if kind in _TYPE_MESSAGES:
        return loc, str(_TYPE_TEXTS[_TYPE_MESSAGES[kind]]) % {"value": _Shown(item.get("input"))}
    if kind in _BOUNDS and _BOUNDS[kind] in ctx:
        values = {"limit": ctx[_BOUNDS[kind]], "value": _Shown(item.get("input"))}
        return loc, str(_BOUND_TEXTS[_BOUNDS[kind]]) % values
    return loc, _("ungültiger Wert (%(detail)s)") % {"detail": item["msg"]}


def _line(data: Any, loc: Loc, message: str, key_counts: Counter | None = None) -> str:
    path = render_path(data, loc, key_counts)
    return f"{path}: {message}" if path else message


def render_path(data: Any, loc: Loc, key_counts: Counter | None = None) -> str:
    """A readable path: ``sections[0].questions[2].options[1]`` → ``questions.q.options.o``.

    List items with a unique ``key`` are named by it (questions by their catalogue-wide unique key,
    without the section); other items by their index. Discriminator tags pydantic inserts into the
    location (the question ``type``) are dropped.
    """
    loc = _strip_tags(data, loc)
    if (
        len(loc) >= 4
        and loc[0] == "sections"
        and loc[2] == "questions"
        and isinstance(loc[1], int)
        and isinstance(loc[3], int)
    ):
        question = _at(data, loc[:4])
        key = question.get("key") if isinstance(question, dict) else None
        if key_counts is None:
            key_counts = Counter(_question_keys(data))
        if isinstance(key, str) and key_counts[key] == 1:
            return _join(data, loc[4:], ["questions", key], question)
        # An ambiguous key would not find the question: name it by its position instead.
        return _join(data, loc[4:], [f"sections[{loc[1]}]", "questions", f"[{loc[3]}]"], question)
    return _join(data, loc, [], data)


def _strip_tags(data: Any, loc: Loc) -> Loc:
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and i > 0
            and isinstance(loc[i - 1], int)
            and isinstance(node, dict)
            and node.get("type") == part
            and part in QUESTION_TYPES
            and len(out) >= 2
            and out[-2] in {"questions", "fields"}
        ):
            continue
        out.append(part)
        node = _step(node, part)
    return tuple(out)


def _join(data: Any, loc: Loc, parts: list[str], node: Any) -> str:
    for part in loc:
        child = _step(node, part)
        if isinstance(part, int) and not isinstance(node, dict):
            # A list item: by its key when that is unique among its siblings, else by index.
            key = child.get("key") if isinstance(child, dict) else None
            siblings = [c.get("key") for c in node if isinstance(c, dict)] if node else []
            unique = isinstance(key, str) and siblings.count(key) == 1
            parts.append(key if unique else f"[{part}]")
        else:
            parts.append(str(part))
        node = child
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
        return node[part]
    if isinstance(node, dict):
        return node.get(part)
    return None


def _at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        node = _step(node, part)
    return node


def _question_keys(data: Any) -> list[Any]:
    keys: list[Any] = []
    sections = data.get("sections") if isinstance(data, dict) else None
    for section in sections if isinstance(sections, list) else ():
        questions = section.get("questions") if isinstance(section, dict) else None
        for question in questions if isinstance(questions, list) else ():
            if isinstance(question, dict):
                keys.append(question.get("key"))
    return keys
