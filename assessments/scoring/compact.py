"""Stored form of a ScoreCard: keys and numbers, texts as references into the catalogue version.

A full ``ScoreCard.to_dict()`` repeats every question text, answer label, reason and
recommendation in two languages (40–50 KB per result). Those texts all live in the catalogue
version the result records, and published versions never change, so the stored card keeps a small
integer per text instead and ``card_unpack`` puts the texts back from the same document.

Generic on purpose: every dataclass field whose annotation mentions ``Text`` is stored as a
reference when its ``{de, en}`` value occurs anywhere in the catalogue document (inline otherwise,
e.g. joined labels of a multi-choice answer), every other field as plain JSON. A field added to a
result dataclass later is stored without touching this module; each card carries the field names
it was written with, so older cards still read after fields are added or removed.

References number the document's texts in a fixed walk (sorted keys, list order); a few engine
constants have negative numbers. ``"walk"`` records the walk's version in each card.

Pure Python like the engine: no Django, no I/O.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from json.encoder import encode_basestring_ascii
from typing import Any

from .index import NA_LABEL, NO_LABEL, UNANSWERED_LABEL, UNKNOWN_LABEL, YES_LABEL
from .model import (
    DimensionScore,
    Driver,
    Recommendation,
    ScoreCard,
    UseCaseClassification,
    _jsonable,
)

FORMAT = "compact-1"
WALK = 1
# Append only: a constant's number is stored in cards.
CONSTANTS = (YES_LABEL, NO_LABEL, UNKNOWN_LABEL, NA_LABEL, UNANSWERED_LABEL)
LANGUAGES = ("de", "en")
JOIN = ", "  # how the engine joins the labels of several chosen options
RECORDS = (ScoreCard, DimensionScore, Driver, UseCaseClassification, Recommendation)
_BY_NAME = {cls.__name__: cls for cls in RECORDS}


def _text_key(value: dict) -> tuple | None:
    if len(value) > len(LANGUAGES):
        return None
    key = tuple(value.get(lang) for lang in LANGUAGES)
    if not all(isinstance(part, str) for part in key):
        return None
    return key


def _is_text(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= set(LANGUAGES)
        and all(isinstance(v, str) for v in value.values())
    )


class TextTable:
    """The catalogue's texts in walk order, and a reverse map ``(de, en) → number``."""

    def __init__(self, document: dict) -> None:
        self.texts: list[dict] = []
        self.numbers: dict[tuple, int] = {}
        self.strings: list[str] = []
        self.string_numbers: dict[str, int] = {}
        self._refs: dict[int, tuple[dict, Any]] = {}
        self._walk(document)
        for number, text in enumerate(CONSTANTS, start=1):
            self.numbers.setdefault(_text_key(text), -number)

    def _walk(self, value: Any) -> None:
        if isinstance(value, dict):
            if _is_text(value):
                key = _text_key(value)
                if key is not None and key not in self.numbers:
                    self.numbers[key] = len(self.texts)
                self.texts.append(value)
                return
            for name in sorted(value):
                self._string(name)
                self._walk(value[name])
        elif isinstance(value, list | tuple):
            for item in value:
                self._walk(item)
        elif isinstance(value, str):
            self._string(value)

    def _string(self, value: str) -> None:
        if value not in self.string_numbers:
            self.string_numbers[value] = len(self.strings)
            self.strings.append(value)

    def ref(self, value: Any) -> Any:
        """A number for a catalogue text, a list of numbers for texts the engine joined with
        ``JOIN`` (multi-choice labels), else the text itself."""
        if not isinstance(value, dict):
            return value
        # Most texts are the document's own objects (or the engine's memoised ones): remember
        # the answer per object. The memo holds the object, so its id is not reused meanwhile.
        # Only references are remembered (inline texts are copied each time, never shared).
        hit = self._refs.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1] if type(hit[1]) is int else list(hit[1])
        result = self._ref(value)
        if not isinstance(result, dict) and len(self._refs) < 50_000:
            self._refs[id(value)] = (value, result if type(result) is int else tuple(result))
        return result

    def _ref(self, value: dict) -> Any:
        key = _text_key(value)
        if key is None:
            return dict(value)
        number = self.numbers.get(key)
        if number is not None:
            return number
        numbers = self._joined(key)
        if numbers is not None and self.text(numbers) == value:
            return numbers
        return dict(value)

    def _joined(self, key: tuple) -> list[int] | None:
        """Catalogue texts that, joined with ``JOIN``, give ``key`` in every language. A label
        may contain ``JOIN`` itself ("ChatGPT Free, Plus oder Pro"), so the pieces are searched,
        not just split."""
        parts = [part.split(JOIN) for part in key]
        if len(parts) != 2 or max(len(p) for p in parts) > 40:
            return None
        first, second = parts
        failed: set[tuple[int, int]] = set()

        def search(i: int, j: int) -> list[int] | None:
            if i == len(first) and j == len(second):
                return []
            if (i, j) in failed:
                return None
            for k in range(i + 1, len(first) + 1):
                piece_first = JOIN.join(first[i:k])
                for m in range(j + 1, len(second) + 1):
                    number = self.numbers.get((piece_first, JOIN.join(second[j:m])))
                    if number is not None:
                        rest = search(k, m)
                        if rest is not None:
                            return [number, *rest]
            failed.add((i, j))
            return None

        numbers = search(0, 0)
        return numbers if numbers and len(numbers) > 1 else None

    def text(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            source = CONSTANTS[-value - 1] if value < 0 else self.texts[value]
            return dict(source)
        if isinstance(value, list):
            texts = [self.text(number) for number in value]
            return {lang: JOIN.join(t.get(lang, "") for t in texts) for lang in LANGUAGES}
        if isinstance(value, dict):
            return dict(value)
        return value

    def string_ref(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string_numbers.get(value, value)
        return value

    def string(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.strings[value]
        return value


_tables: dict[int, tuple[dict, TextTable]] = {}
_lock = threading.Lock()


def text_table(document: dict) -> TextTable:
    """Memoised per document object (held, so its id is not reused while cached)."""
    entry = _tables.get(id(document))
    if entry is not None and entry[0] is document:
        return entry[1]
    table = TextTable(document)
    with _lock:
        while len(_tables) >= 32:
            _tables.pop(next(iter(_tables)))
        _tables[id(document)] = (document, table)
    return table


# --- field plans -------------------------------------------------------------------------------

_TEXT, _TEXTS, _RECORDS_KIND, _PLAIN, _MAPPING, _TUPLE, _STR, _STRS = range(8)


def _kind(annotation: str) -> tuple[int, type | None]:
    annotation = str(annotation)
    for name, cls in _BY_NAME.items():
        if f"tuple[{name}" in annotation:
            return _RECORDS_KIND, cls
    if annotation in ("str", "str | None"):
        return _STR, None
    if annotation == "tuple[str, ...]":
        return _STRS, None
    if annotation.startswith("tuple[Text"):
        return _TEXTS, None
    if "Text" in annotation:
        return _TEXT, None
    if annotation.startswith("dict"):
        return _MAPPING, None
    if annotation.startswith("tuple["):
        return _TUPLE, None
    return _PLAIN, None


def _plan(cls: type) -> list[tuple[str, int, type | None, Any]]:
    plan = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        kind, sub = _kind(f.type)
        plan.append((f.name, kind, sub, default))
    return plan


_PLANS = {cls: _plan(cls) for cls in RECORDS}
_SCHEMA = {cls.__name__: [name for name, *_ in _PLANS[cls]] for cls in RECORDS}

# The field lists cards were written with, by number: a card stores only the number. Append a new
# entry when a result dataclass gains or loses a field (tests/scoring/test_compact.py says so);
# until then cards embed the whole field list, so nothing is ever misread.
SCHEMAS: dict[int, dict[str, list[str]]] = {
    1: {
        "ScoreCard": [
            "scoring_version",
            "catalogue_key",
            "catalogue_version",
            "dimensions",
            "readiness",
            "readiness_level",
            "exposure",
            "exposure_factor",
            "vendor_exposure",
            "use_cases",
            "recommendations",
            "knockouts",
        ],
        "DimensionScore": [
            "key",
            "score",
            "level",
            "points",
            "max_points",
            "drivers",
            "raw_score",
            "knockout",
        ],
        "Driver": [
            "question_key",
            "dimension",
            "points",
            "answer",
            "answer_label",
            "question_text",
            "reason",
            "knockout",
        ],
        "UseCaseClassification": [
            "index",
            "name",
            "area",
            "ai_act_class",
            "annex_iii",
            "article",
            "applies_from",
            "duties",
            "reasons",
            "area_label",
            "class_title",
            "points",
        ],
        "Recommendation": [
            "key",
            "dimension",
            "priority",
            "effort",
            "title",
            "text",
            "triggered_by",
        ],
    },
}


def _schema_extended(base: dict[str, list[str]], **added: list[str]) -> dict[str, list[str]]:
    """A new schema number: the previous field lists with fields appended at the end."""
    return {record: [*fields, *added.get(record, [])] for record, fields in base.items()}


# issue 9: legal_state, facts_used, Driver.max_points, Recommendation.urgent
SCHEMAS[2] = _schema_extended(
    SCHEMAS[1],
    ScoreCard=["legal_state", "facts_used"],
    Driver=["max_points"],
    Recommendation=["urgent"],
)
CURRENT_SCHEMA = next((n for n, known in SCHEMAS.items() if known == _SCHEMA), None)


def _default_json(kind: int, default: Any) -> Any:
    if default is dataclasses.MISSING:
        return dataclasses.MISSING
    if kind in (_TEXTS, _RECORDS_KIND, _TUPLE, _STRS):
        return list(default)
    return default


# --- pack --------------------------------------------------------------------------------------


_encode = json.JSONEncoder(separators=(",", ":")).encode


def _json(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``, with the common scalars done directly."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _encode(value)


class _Packer:
    def __init__(self, table: TextTable) -> None:
        self.table = table
        # The engine memoises drivers and recommendations per answer option and rule, so the same
        # objects recur across thousands of cards; their packed form is computed once.
        self.memo: dict[int, tuple[Any, list]] = {}
        self.json_memo: dict[int, tuple[Any, str]] = {}

    def _field(self, kind: int, value: Any) -> Any:
        if kind == _TEXT:
            return self.table.ref(value)
        if kind == _TEXTS:
            return [self.table.ref(v) for v in value]
        if kind == _STR:
            return self.table.string_ref(value)
        if kind == _STRS:
            return [self.table.string_ref(v) for v in value]
        if kind == _MAPPING:
            return {str(k): _jsonable(value[k]) for k in sorted(value)}
        return _jsonable(value)

    def record(self, obj: Any) -> list:
        entry = self.memo.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        out = []
        keep = 0
        for name, kind, _sub, default in _JSON_PLANS[type(obj)]:
            value = getattr(obj, name)
            if kind == _RECORDS_KIND:
                packed = [self.record(v) for v in value]
            else:
                packed = self._field(kind, value)
            out.append(packed)
            if packed != default:
                keep = len(out)
        del out[keep:]  # trailing defaults are implied
        if type(obj) in _SHARED and len(self.memo) < 20_000:
            self.memo[id(obj)] = (obj, out)
        return out

    def record_json(self, obj: Any) -> str:
        """``_json(self.record(obj))`` without building the lists of shared records again: a
        driver's or recommendation's JSON text is made once and reused in every card."""
        entry = self.json_memo.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        parts = []
        keep = 0
        table = self.table
        memo_get = self.json_memo.get
        for name, kind, _sub, default in _JSON_PLANS[type(obj)]:
            value = getattr(obj, name)
            if kind == _RECORDS_KIND:
                texts = []
                for item in value:
                    hit = memo_get(id(item))  # inline: most drivers are shared
                    texts.append(
                        hit[1] if hit is not None and hit[0] is item else self.record_json(item)
                    )
                parts.append("[" + ",".join(texts) + "]")
                if value or default != []:
                    keep = len(parts)
                continue
            if kind == _STR:
                packed = table.string_numbers.get(value, value) if type(value) is str else value
            elif kind == _PLAIN and type(value) in _SCALARS:
                packed = value
            else:
                packed = self._field(kind, value)
            parts.append(_json(packed))
            if packed != default:
                keep = len(parts)
        text = "[" + ",".join(parts[:keep]) + "]"
        if type(obj) in _SHARED and len(self.json_memo) < 20_000:
            self.json_memo[id(obj)] = (obj, text)
        return text


_SCALARS = frozenset((int, float, bool, type(None), str))
# Only these are shared between cards (the engine memoises them per option and rule); the rest is
# new for every card and would only fill the memo (and the garbage collector's work).
_SHARED = (Driver, Recommendation)
# Per field: name, kind, record class, and the default in its JSON form (MISSING: none).
_JSON_PLANS = {
    cls: [(name, kind, sub, _default_json(kind, default)) for name, kind, sub, default in plan]
    for cls, plan in _PLANS.items()
}
_packers: dict[int, tuple[TextTable, _Packer]] = {}


def _packer(document: dict) -> _Packer:
    table = text_table(document)
    entry = _packers.get(id(table))
    if entry is None or entry[0] is not table:
        with _lock:
            _packers.clear()  # one catalogue at a time is the normal case; memo stays bounded
            entry = _packers[id(table)] = (table, _Packer(table))
    return entry[1]


def _schema_ref() -> Any:
    return _SCHEMA if CURRENT_SCHEMA is None else CURRENT_SCHEMA


def card_pack(card: ScoreCard, document: dict) -> dict:
    """The stored form of ``card`` scored against ``document`` (a few KB)."""
    return {
        "format": FORMAT,
        "walk": WALK,
        "schema": _schema_ref(),
        "card": _packer(document).record(card),
    }


def card_pack_json(card: ScoreCard, document: dict) -> str:
    """``card_pack`` as compact JSON text (``json.dumps(card_pack(…), separators=(",", ":"))``),
    for writers that send text to the database (rescore's COPY): shared drivers and
    recommendations are serialised once, not once per card."""
    return (
        f'{{"format":{_json(FORMAT)},"walk":{_json(WALK)},"schema":{_json(_schema_ref())},'
        f'"card":{_packer(document).record_json(card)}}}'
    )


# --- unpack ------------------------------------------------------------------------------------


def _unpack(cls: type, values: list, schema: dict, table: TextTable) -> Any:
    names = schema.get(cls.__name__, [])
    plans = {name: (kind, sub) for name, kind, sub, _default in _PLANS[cls]}
    kwargs = {}
    for name, value in zip(names, values, strict=False):
        if name not in plans:
            continue  # a field this code no longer has
        kind, sub = plans[name]
        if kind == _TEXT:
            kwargs[name] = table.text(value)
        elif kind == _TEXTS:
            kwargs[name] = tuple(table.text(v) for v in value)
        elif kind == _RECORDS_KIND:
            kwargs[name] = tuple(_unpack(sub, v, schema, table) for v in value)
        elif kind == _TUPLE:
            kwargs[name] = tuple(value)
        elif kind == _STR:
            kwargs[name] = table.string(value)
        elif kind == _STRS:
            kwargs[name] = tuple(table.string(v) for v in value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def is_packed(data: dict) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def card_unpack(data: dict, document: dict) -> ScoreCard:
    """The ScoreCard of a stored card; ``document`` is the catalogue version it records.

    Older stored cards (the full ``to_dict`` form) are read as they are.
    """
    if not is_packed(data):
        return ScoreCard.from_dict(data)
    if data.get("walk") != WALK:
        raise ValueError(f"stored card uses text walk {data.get('walk')}, this code knows {WALK}")
    schema = data["schema"]
    if not isinstance(schema, dict):
        schema = SCHEMAS[schema]
    return _unpack(ScoreCard, data["card"], schema, text_table(document))
