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

Schema 3 (issue 14, round 3) stores less of what the catalogue version says anyway: a driver's
question text and a recommendation's dimension, priority, effort, title and text are left out
when they equal the catalogue's for the record's key (``DERIVED``; read back from the document);
a choice question's answer is stored as string references; texts the engine joined with a space
(the reasons of several chosen options) are references too. Cards of schema 1 and 2 read as
before.

Pure Python like the engine: no Django, no I/O.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from .model import (
    DimensionScore,
    Driver,
    Recommendation,
    ScoreCard,
    UseCaseClassification,
    _jsonable,
)
from .questions import (
    COMBINATION_LABEL,
    NA_LABEL,
    NO_LABEL,
    UNANSWERED_LABEL,
    UNKNOWN_LABEL,
    YES_LABEL,
)

FORMAT = "compact-1"
WALK = 1
# Append only: a constant's number is stored in cards.
CONSTANTS = (YES_LABEL, NO_LABEL, UNKNOWN_LABEL, NA_LABEL, UNANSWERED_LABEL, COMBINATION_LABEL)
LANGUAGES = ("de", "en")
JOIN = ", "  # how the engine joins the labels of several chosen options
# how it joins their reasons; a text joined with another separator than JOIN is stored as a list
# of references that starts with the separator
SEPARATORS = (" ",)
CHOICE_TYPES = frozenset({"single_choice", "multi_choice", "yes_no"})
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
        self._prefixes: dict[str, list[tuple[int, str, str]]] | None = None
        self._walk(document)
        for number, text in enumerate(CONSTANTS, start=1):
            self.numbers.setdefault(_text_key(text), -number)
        self._derivable = _derivable(document)
        # questions whose answers are option keys (one, or a list), and rows of them
        self.choice_questions = _questions_of_type(document, CHOICE_TYPES)
        self.group_questions = _questions_of_type(document, frozenset({"repeat_group"}))

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
        for separator in SEPARATORS:
            numbers = self._joined_by(key, separator)
            if numbers is not None and self.text(numbers) == value:
                return numbers
        return dict(value)

    def _joined_by(self, key: tuple, separator: str) -> list | None:
        """``[separator, n1, n2, …]``: catalogue texts that, joined with ``separator``, give
        ``key`` in every language (the engine joins the reasons of several options with a
        space). Found by matching whole texts from the left, not by splitting."""
        if len(key) != 2 or not all(key):
            return None
        first, second = key
        prefixes = self._prefix_index()
        short = prefixes.get("", ())
        failed: set[tuple[int, int]] = set()

        def search(i: int, j: int, depth: int) -> list[int] | None:
            if (i, j) in failed or depth > 40:
                return None
            for number, text_first, text_second in (*prefixes.get(first[i : i + 4], ()), *short):
                if not (first.startswith(text_first, i) and second.startswith(text_second, j)):
                    continue
                end_first, end_second = i + len(text_first), j + len(text_second)
                if end_first == len(first) and end_second == len(second):
                    return [number]
                if first.startswith(separator, end_first) and second.startswith(
                    separator, end_second
                ):
                    rest = search(
                        end_first + len(separator), end_second + len(separator), depth + 1
                    )
                    if rest is not None:
                        return [number, *rest]
            failed.add((i, j))
            return None

        numbers = search(0, 0, 0)
        return [separator, *numbers] if numbers and len(numbers) > 1 else None

    def _prefix_index(self) -> dict[str, list[tuple[int, str, str]]]:
        """The catalogue's texts by their first four characters ("": shorter texts)."""
        if self._prefixes is None:
            prefixes: dict[str, list[tuple[int, str, str]]] = {}
            for (text_first, text_second), number in self.numbers.items():
                if text_first and text_second:
                    prefix = text_first[:4] if len(text_first) >= 4 else ""
                    prefixes.setdefault(prefix, []).append((number, text_first, text_second))
            self._prefixes = prefixes
        return self._prefixes

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
            separator = JOIN
            if value and isinstance(value[0], str):
                separator, value = value[0], value[1:]
            texts = [self.text(number) for number in value]
            return {lang: separator.join(t.get(lang, "") for t in texts) for lang in LANGUAGES}
        if isinstance(value, dict):
            return dict(value)
        return value

    def derived(self, record: str, name: str, key: Any) -> Any:
        """The text ``record.name`` has when the catalogue renders it again from the record's
        key (a question's or rule's key, a recommendation's key); None when it cannot."""
        return self._derivable.get((record, name), {}).get(key)

    def answer_ref(self, question_key: Any, value: Any) -> Any:
        """A driver's answer, schema 3 on: for a choice question its option keys as string
        references (one, or a list); any other value of such a question as ``{"v": value}``, so
        that a number always means a reference there. Other questions' answers as they are."""
        if value is None:
            return None
        numbers = self.string_numbers
        if question_key in self.choice_questions:
            if type(value) is str:
                return numbers.get(value, value)
            if isinstance(value, list | tuple) and all(type(v) is str for v in value):
                return [numbers.get(v, v) for v in value]
        elif question_key in self.group_questions:
            # rows (use cases): each row's values like a choice answer, keys as they are
            if isinstance(value, list | tuple) and all(type(row) is dict for row in value):
                return [
                    {
                        str(k): (
                            numbers.get(v, v)
                            if type(v) is str
                            else None
                            if v is None
                            else {"v": _jsonable(v)}
                        )
                        for k, v in row.items()
                    }
                    for row in value
                ]
        else:
            return _jsonable(value)
        return {"v": _jsonable(value)}

    def answer(self, question_key: Any, value: Any) -> Any:
        if question_key in self.group_questions and isinstance(value, list):
            return [{k: self._answer_value(v) for k, v in row.items()} for row in value]
        if question_key not in self.choice_questions and question_key not in self.group_questions:
            return value
        if isinstance(value, list):
            return [self.string(v) for v in value]
        return self._answer_value(value)

    def _answer_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.strings[value]
        if isinstance(value, dict):
            return value.get("v")
        return value

    def string_ref(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string_numbers.get(value, value)
        return value

    def string(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.strings[value]
        return value


def _derivable(document: dict) -> dict[tuple[str, str], dict]:
    """``(record, field) → {key: text}`` for the fields in ``DERIVED``: what the catalogue says
    for that key. Packing drops a field only when its value equals this, so a card never reads
    back differently."""
    questions: dict = {}
    for section in document.get("sections") or ():
        for question in section.get("questions") or ():
            if isinstance(question, dict) and "key" in question:
                questions.setdefault(question["key"], question.get("text"))
    for rule in document.get("knockouts") or ():
        if isinstance(rule, dict) and "key" in rule:
            questions.setdefault(rule["key"], rule.get("title"))
    recommendations = [
        rec for rec in document.get("recommendations") or () if isinstance(rec, dict)
    ]
    derivable = {("Driver", "question_text"): questions}
    for name in DERIVED["Recommendation"]:
        derivable["Recommendation", name] = {r.get("key"): r.get(name) for r in recommendations}
    return derivable


def _questions_of_type(document: dict, types: frozenset) -> frozenset:
    return frozenset(
        question["key"]
        for section in document.get("sections") or ()
        for question in section.get("questions") or ()
        if isinstance(question, dict)
        and question.get("type") in types
        and isinstance(question.get("key"), str)
    )


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

_TEXT, _TEXTS, _RECORDS_KIND, _PLAIN, _MAPPING, _TUPLE, _STR, _STRS, _ANSWER = range(9)
# schema 3 on: stored with TextTable.answer_ref (needs the record's question_key, stored first)
ANSWER_FIELDS = {"Driver": ("answer", "question_key")}


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


# Schema 3 on: texts the catalogue version renders again from a key of the same record are not
# stored when they equal what the catalogue says (field → the field holding the key). They come
# last in the field list, so an omitted one is a trailing field; one that differs (a text the
# engine made itself) is still stored.
DERIVED: dict[str, dict[str, str]] = {
    "Driver": {"question_text": "question_key"},
    "Recommendation": dict.fromkeys(("dimension", "priority", "effort", "title", "text"), "key"),
}
# Schema 3 on: fields moved to the end of the list, in this order (a trailing default is not
# stored: a driver's ``knockout`` is mostly false).
LAST: dict[str, tuple[str, ...]] = {
    "Driver": ("knockout", "question_text"),
    "Recommendation": ("dimension", "priority", "effort", "title", "text"),
}


def _last(record: str, name: str) -> int:
    order = LAST.get(record, ())
    return order.index(name) if name in order else -1


def _plan(cls: type) -> list[tuple[str, int, type | None, Any]]:
    plan = []
    fields = sorted(dataclasses.fields(cls), key=lambda f: _last(cls.__name__, f.name))
    for f in fields:
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        kind, sub = _kind(f.type)
        if ANSWER_FIELDS.get(cls.__name__, ("",))[0] == f.name:
            kind = _ANSWER
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


def _schema_reordered(base: dict[str, list[str]]) -> dict[str, list[str]]:
    """A new schema number: the previous field lists with the ``LAST`` fields moved last."""
    return {
        record: sorted(fields, key=lambda name: _last(record, name))
        for record, fields in base.items()
    }


# issue 14, round 3: question texts and what a recommendation's key says come from the catalogue
# version (``DERIVED``); a choice question's answer is stored as string references (``_answer``)
SCHEMAS[3] = _schema_reordered(SCHEMAS[2])
# issue 19: the AI Act procedure's row fields, the plan's legal urgency, the N/A answers
SCHEMAS[4] = _schema_reordered(
    _schema_extended(
        SCHEMAS[3],
        ScoreCard=["not_applicable"],
        UseCaseClassification=[
            "role",
            "role_title",
            "path",
            "duty_articles",
            "duty_dates",
            "check",
            "at_stake",
            "elements",
        ],
        Recommendation=["urgency", "due", "first", "use_cases"],
    )
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


_encode_jsonb = json.JSONEncoder(separators=(", ", ": "), ensure_ascii=False).encode


def _scalar_first(encode_string, encode_other, separator: str):
    """A JSON encoder that writes the common scalars, and lists of them, directly and hands the
    rest on (``encode_other`` must join list items with ``separator``). A card has a dozen short
    lists (text references, option keys); the json module's encoder costs microseconds each."""

    def encode(value: Any) -> str:
        kind = type(value)
        if kind is int:
            return int.__repr__(value)
        if kind is str:
            return encode_string(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if kind is list:
            return "[" + separator.join([encode(item) for item in value]) + "]"
        return encode_other(value)

    return encode


# ``value`` as PostgreSQL prints it from jsonb: ", " and ": ", UTF-8 (objects keep their key
# order: the card's are written in jsonb's order already).
_jsonb = _scalar_first(encode_basestring, _encode_jsonb, ", ")
# ``json.dumps(value, separators=(",", ":"))``
_json = _scalar_first(encode_basestring_ascii, _encode, ",")


class _Packer:
    def __init__(self, table: TextTable) -> None:
        self.table = table
        # The engine memoises drivers and recommendations per answer option and rule, so the same
        # objects recur across thousands of cards; their packed form is computed once.
        self.memo: dict[int, tuple[Any, list]] = {}
        self.json_memo: dict[int, tuple[Any, str]] = {}
        self.jsonb_memo: dict[int, tuple[Any, str]] = {}
        # per record class, the text packer compiled from its plan (``_compile_text``)
        self.json_packers = _compile_text_packers(self, self.json_memo, ",", _json)
        self.jsonb_packers = _compile_text_packers(self, self.jsonb_memo, ", ", _jsonb)

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
            # in the order PostgreSQL keeps a jsonb object's keys (shorter first, then
            # bytewise), so that the stored card compares as text (rescore)
            keys = sorted(value, key=lambda k: (len(str(k).encode()), str(k).encode()))
            return {str(k): _jsonable(value[k]) for k in keys}
        return _jsonable(value)

    def _answer(self, obj: Any, value: Any) -> Any:
        return self.table.answer_ref(getattr(obj, ANSWER_FIELDS[type(obj).__name__][1]), value)

    def _underived(self, obj: Any, name: str, value: Any) -> bool:
        """Whether ``obj.name`` must be stored: the catalogue does not render it again."""
        record = type(obj).__name__
        key = getattr(obj, DERIVED[record][name])
        return value is None or self.table.derived(record, name, key) != value

    def record(self, obj: Any) -> list:
        entry = self.memo.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        out = []
        keep = 0
        memo_get = self.memo.get
        string_numbers = self.table.string_numbers
        for name, kind, _sub, default in _JSON_PLANS[type(obj)]:
            value = getattr(obj, name)
            if kind == _RECORDS_KIND:
                packed = []
                for item in value:
                    hit = memo_get(id(item))  # inline: most drivers are shared
                    packed.append(
                        hit[1] if hit is not None and hit[0] is item else self.record(item)
                    )
            elif kind == _STR:
                packed = string_numbers.get(value, value) if type(value) is str else value
            elif kind == _PLAIN and type(value) in _SCALARS:
                packed = value
            elif kind == _ANSWER:
                packed = self._answer(obj, value)
            else:
                packed = self._field(kind, value)
            out.append(packed)
            if packed != default if default is not _DERIVE else self._underived(obj, name, value):
                keep = len(out)
        del out[keep:]  # trailing defaults are implied
        if type(obj) in _SHARED and len(self.memo) < 20_000:
            self.memo[id(obj)] = (obj, out)
        return out

    def record_json(self, obj: Any) -> str:
        """``_json(self.record(obj))`` without building the lists of shared records again: a
        driver's or recommendation's JSON text is made once and reused in every card."""
        return self.json_packers[type(obj)](obj)

    def record_jsonb(self, obj: Any) -> str:
        """The same as PostgreSQL prints it back from jsonb (``jsonb_text``)."""
        return self.jsonb_packers[type(obj)](obj)

    def _record_text(self, obj: Any, memo: dict, separator: str, encode) -> str:
        """The generic form of the compiled text packers (``_compile_text``): the same text,
        field by field from the plan. Kept as their reference (tests/scoring/test_compact.py
        compares both on random cards)."""
        entry = memo.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        parts = []
        keep = 0
        table = self.table
        memo_get = memo.get
        for name, kind, _sub, default in _JSON_PLANS[type(obj)]:
            value = getattr(obj, name)
            if kind == _RECORDS_KIND:
                texts = []
                for item in value:
                    hit = memo_get(id(item))  # inline: most drivers are shared
                    texts.append(
                        hit[1]
                        if hit is not None and hit[0] is item
                        else self._record_text(item, memo, separator, encode)
                    )
                parts.append("[" + separator.join(texts) + "]")
                if value or default != []:
                    keep = len(parts)
                continue
            if kind == _STR:
                packed = table.string_numbers.get(value, value) if type(value) is str else value
            elif kind == _PLAIN and type(value) in _SCALARS:
                packed = value
            elif kind == _ANSWER:
                packed = self._answer(obj, value)
            else:
                packed = self._field(kind, value)
            parts.append(encode(packed))
            if packed != default if default is not _DERIVE else self._underived(obj, name, value):
                keep = len(parts)
        text = "[" + separator.join(parts[:keep]) + "]"
        if type(obj) in _SHARED and len(memo) < 20_000:
            memo[id(obj)] = (obj, text)
        return text


def _compile_text_packers(packer: _Packer, memo: dict, separator: str, encode) -> dict[type, Any]:
    """For each record class, a function that gives ``packer._record_text(obj, memo,
    separator, encode)``: the plan unrolled into straight-line code (no loop over the plan, no
    dispatch on the field kind per value). Packing a card was a third of a rescore's Python
    time, most of it that dispatch."""
    packers: dict[type, Any] = {}
    for cls in _JSON_PLANS:
        packers[cls] = _compile_text(cls, packer, memo, separator, encode, packers)
    return packers


def _compile_text(cls, packer, memo, separator, encode, packers) -> Any:
    plan = _JSON_PLANS[cls]
    shared = cls in _SHARED
    namespace: dict[str, Any] = {
        "memo": memo,
        "memo_get": memo.get,
        "packers": packers,
        "SEP": separator,
        "encode": encode,
        "table": packer.table,
        "field": packer._field,
        "answer": packer._answer,
        "underived": packer._underived,
        "SCALARS": _SCALARS,
    }
    lines = ["def pack(obj):"]
    if shared:
        lines += [
            "    entry = memo_get(id(obj))",
            "    if entry is not None and entry[0] is obj:",
            "        return entry[1]",
        ]
    lines.append("    keep = 0")
    for number, (name, kind, _sub, default) in enumerate(plan, start=1):
        namespace[f"D{number}"] = default
        namespace[f"K{number}"] = kind
        lines.append(f"    v = obj.{name}")
        if kind == _RECORDS_KIND:
            lines += [
                "    texts = []",
                "    for item in v:",
                "        hit = memo_get(id(item))  # most drivers are shared",
                "        texts.append(",
                "            hit[1] if hit is not None and hit[0] is item",
                "            else packers[type(item)](item)",
                "        )",
                f"    p{number} = '[' + SEP.join(texts) + ']'",
                f"    if v or D{number} != []:",
                f"        keep = {number}",
            ]
            continue
        if kind == _STR:
            lines.append("    packed = table.string_numbers.get(v, v) if type(v) is str else v")
        elif kind == _PLAIN:
            lines.append(f"    packed = v if type(v) in SCALARS else field(K{number}, v)")
        elif kind == _ANSWER:
            lines.append("    packed = answer(obj, v)")
        else:
            lines.append(f"    packed = field(K{number}, v)")
        lines.append(f"    p{number} = encode(packed)")
        if default is _DERIVE:
            lines.append(f"    if underived(obj, {name!r}, v):")
        else:
            lines.append(f"    if packed != D{number}:")
        lines.append(f"        keep = {number}")
    parts = ", ".join(f"p{number}" for number in range(1, len(plan) + 1))
    lines.append(f"    text = '[' + SEP.join(({parts},)[:keep]) + ']'")
    if shared:
        lines += [
            "    if len(memo) < 20_000:",
            "        memo[id(obj)] = (obj, text)",
        ]
    lines.append("    return text")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<compact text packer {cls.__name__}>", "exec"), namespace)  # noqa: S102 - code generated from the record plans above, no outside input
    return namespace["pack"]


_SCALARS = frozenset((int, float, bool, type(None), str))
# Only these are shared between cards (the engine memoises them per option and rule); the rest is
# new for every card and would only fill the memo (and the garbage collector's work).
_SHARED = (Driver, Recommendation)
# Per field: name, kind, record class, and the default in its JSON form (MISSING: none).
_DERIVE = object()  # the default of a DERIVED field: what the catalogue says for the key
_JSON_PLANS = {
    cls: [
        (
            name,
            kind,
            sub,
            _DERIVE if name in DERIVED.get(cls.__name__, {}) else _default_json(kind, default),
        )
        for name, kind, sub, default in plan
    ]
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


# Cards that embed their field lists (no registered schema) written by this code: answers are
# stored as references, texts derived (as in schema 3). Older embedded lists lack the marker.
_EMBEDDED = {**_SCHEMA, "encoding": 3}


def _schema_ref() -> Any:
    return _EMBEDDED if CURRENT_SCHEMA is None else CURRENT_SCHEMA


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


def card_pack_jsonb(card: ScoreCard, document: dict) -> str:
    """``card_pack`` as the text PostgreSQL prints for it from jsonb (``card::text``): keys in
    jsonb's order (shorter first), ", " and ": ", UTF-8. Rescore compares this with the stored
    card's text instead of decoding it, and sends it to COPY when it differs."""
    encode = _jsonb
    return (
        f'{{"card": {_packer(document).record_jsonb(card)}, "walk": {encode(WALK)}, '
        f'"format": {encode(FORMAT)}, "schema": {encode(_schema_ref())}}}'
    )


# --- unpack ------------------------------------------------------------------------------------


def _unpack(cls: type, values: list, schema: dict, table: TextTable, encoding: int) -> Any:
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
            kwargs[name] = tuple(_unpack(sub, v, schema, table, encoding) for v in value)
        elif kind == _ANSWER and encoding >= 3:
            kwargs[name] = table.answer(kwargs.get(ANSWER_FIELDS[cls.__name__][1]), value)
        elif kind == _TUPLE:
            kwargs[name] = tuple(value)
        elif kind == _STR:
            kwargs[name] = table.string(value)
        elif kind == _STRS:
            kwargs[name] = tuple(table.string(v) for v in value)
        elif kind == _MAPPING and isinstance(value, dict):
            # in key order, as the engine and ScoreCard.from_dict give it (jsonb and schema 3
            # store it shorter keys first)
            kwargs[name] = {k: value[k] for k in sorted(value)}
        else:
            kwargs[name] = value
    for name, key_field in DERIVED.get(cls.__name__, {}).items():
        if name not in kwargs and name in plans:
            # not stored (schema 3 on): the catalogue's text for the record's key
            text = table.derived(cls.__name__, name, kwargs.get(key_field))
            if text is not None:
                kwargs[name] = dict(text) if isinstance(text, dict) else text
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
    if isinstance(schema, dict):
        encoding = schema.get("encoding", 2)
    else:
        encoding, schema = schema, SCHEMAS[schema]
    return _unpack(ScoreCard, data["card"], schema, text_table(document), encoding)
