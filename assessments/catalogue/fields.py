"""Reusable building blocks of the catalogue schema: the error types, key and text checks, and
the small field types every model of the catalogue (``questions``, ``rules``, ``facts``, ``legal``,
``document``) uses.

No I/O. Messages go through Django's ``gettext`` when a problem is found (see ``document``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

DIMENSIONS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
AI_ACT_CLASSES = ("prohibited", "high_risk", "transparency", "minimal", "unclear")
QUESTION_TYPES = (
    "single_choice",
    "multi_choice",
    "yes_no",
    "scale",
    "number",
    "text",
    "long_text",
    "repeat_group",
)
FIELD_TYPES = ("single_choice", "yes_no", "text")
SENTINELS = ("unknown", "na")
OPERATORS = ("equals", "in", "includes", "gte", "gt", "lte", "lt", "any_row", "answered")
ROW_OPERATORS = ("equals", "in", "answered")
COMBINATORS = ("all", "any", "not")
MAX_POINTS = 10
MAX_WEIGHT = 5

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FAMILY_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

Loc = tuple[str | int, ...]


class CatalogueError(ValueError):
    """An invalid catalogue; ``messages`` are readable ``path: what is wrong`` lines."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = list(messages)


class Problems(ValueError):
    """Several validation problems found by one model validator, each with its relative location."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _raise(problems: list[tuple[Loc, str]]) -> None:
    if problems:
        raise Problems(problems)


def repeated(
    located: Iterable[tuple[Loc, Any]], message: str, *, taken: Collection[Any] = ()
) -> list[tuple[Loc, str]]:
    """A problem at each ``(location, key)`` whose key came before, or is in ``taken``.
    ``message`` names the key as ``%(key)r`` (or ``%(id)r``)."""
    problems: list[tuple[Loc, str]] = []
    seen: set[Any] = set()
    for loc, key in located:
        if key in seen or key in taken:
            problems.append((loc, message % {"key": key, "id": key}))
        seen.add(key)
    return problems


# --- reusable field types -----------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _must_match(pattern: str, value: Any) -> str:
    return _("muss dem Muster %(pattern)s entsprechen, ist aber %(value)r") % {
        "pattern": pattern,
        "value": value,
    }


def _check_key(value: Any) -> str:
    if not isinstance(value, str) or not KEY_RE.match(value):
        raise ValueError(_must_match("[a-z][a-z0-9_]*", value))
    return value


def _check_option_key(value: str) -> str:
    if value in SENTINELS:
        # "unknown" and "na" are answer sentinels; an option with that key would be ambiguous.
        flag = "allow_unknown" if value == "unknown" else "allow_na"
        raise ValueError(
            _("der Optionsschlüssel %(key)r ist reserviert; bitte '%(flag)s: true' verwenden")
            % {"key": value, "flag": flag}
        )
    return value


def _check_family(value: Any) -> str:
    if not isinstance(value, str) or not FAMILY_RE.match(value):
        raise ValueError(_must_match("[a-z][a-z0-9_-]*", value))
    return value


def _check_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("muss ein Text sein, ist aber %(value)r") % {"value": value})
    if not value.strip():
        raise ValueError(_("darf nicht leer sein"))
    return value


def _check_version(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        # YAML reads 2026.11 as a float (and 2026.10 as 2026.1): versions must be quoted.
        raise ValueError(
            _('muss ein Text in Anführungszeichen sein, etwa "2026.11", ist aber %(value)r')
            % {"value": value}
        )
    return value


def _mapping_of_points(example: str) -> str:
    return _("muss Dimensionen Punkte zuordnen, z. B. %(example)s") % {"example": example}


def _unknown_dimension(dim: Any) -> str:
    return _("unbekannte Dimension %(dimension)r (erlaubt: %(allowed)s)") % {
        "dimension": dim,
        "allowed": ", ".join(DIMENSIONS),
    }


def _check_scores(value: Any) -> dict[str, int | float]:
    if not isinstance(value, dict):
        raise ValueError(_mapping_of_points("{gdpr: 3}"))
    for dim, points in value.items():
        if dim not in DIMENSIONS:
            raise ValueError(_unknown_dimension(dim))
        if not _is_number(points) or not 0 <= points <= MAX_POINTS:
            raise ValueError(
                _(
                    "die Punkte für %(dimension)r müssen zwischen 0 und %(max)s liegen, "
                    "sind aber %(value)r"
                )
                % {"dimension": dim, "max": MAX_POINTS, "value": points}
            )
    return dict(value)


def _check_caps(value: Any) -> dict[str, int | float]:
    if not isinstance(value, dict):
        raise ValueError(_mapping_of_points("{lock_in: 6}"))
    for dim, points in value.items():
        if dim not in DIMENSIONS:
            raise ValueError(_unknown_dimension(dim))
        if not _is_number(points) or points < 0:
            raise ValueError(
                _("die Obergrenze für %(dimension)r muss eine Zahl >= 0 sein, ist aber %(value)r")
                % {"dimension": dim, "value": points}
            )
    return dict(value)


def _check_points(value: Any) -> int | float:
    if not _is_number(value) or not 0 <= value <= MAX_POINTS:
        raise ValueError(
            _("die Punkte müssen zwischen 0 und %(max)s liegen, sind aber %(value)r")
            % {"max": MAX_POINTS, "value": value}
        )
    return value


def _above_zero_at_most(limit: int, value: Any) -> str:
    return _("muss größer als 0 und höchstens %(max)s sein, ist aber %(value)r") % {
        "max": limit,
        "value": value,
    }


def _check_weight(value: Any) -> float:
    if not _is_number(value) or not 0 < value <= MAX_WEIGHT:
        raise ValueError(_above_zero_at_most(MAX_WEIGHT, value))
    return float(value)


def _non_empty(value: Any) -> Any:
    # Checked before the items: pydantic's min_length on a tuple counts only the items that
    # validated, and would add a misleading "at least 1 item" error to every item error.
    if isinstance(value, list | tuple | dict) and not value:
        raise ValueError(_("darf nicht leer sein"))
    return value


def _check_share(value: Any) -> float:
    if not _is_number(value) or not 0 < value <= 1:
        raise ValueError(_above_zero_at_most(1, value))
    return float(value)


def _must_be_a_number(value: Any) -> str:
    return _("muss eine Zahl sein, ist aber %(value)r") % {"value": value}


def _check_number(value: Any) -> int | float:
    if not _is_number(value):
        raise ValueError(_must_be_a_number(value))
    return value


Key = Annotated[str, BeforeValidator(_check_key)]
OptionKey = Annotated[str, BeforeValidator(_check_key), AfterValidator(_check_option_key)]
NonEmpty = Annotated[str, BeforeValidator(_check_text)]
Scores = Annotated[dict[str, int | float], BeforeValidator(_check_scores)]
Caps = Annotated[dict[str, int | float], BeforeValidator(_check_caps)]
Points = Annotated[int | float, BeforeValidator(_check_points)]
Number = Annotated[int | float, BeforeValidator(_check_number)]
Dimension = Literal["lock_in", "gdpr", "ai_act", "continuity", "governance"]
AiActClass = Literal["prohibited", "high_risk", "transparency", "minimal", "unclear"]
# Conditions are checked as a whole by the document validator (they need the question list).
Condition = dict[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    de: NonEmpty
    en: NonEmpty


# Keys of entries in the catalogue's ``facts`` list that a question, answer, class, knock-out rule
# or recommendation relies on (the results page prints the oldest "as of" of the facts used).
FactKeys = tuple[Key, ...]
