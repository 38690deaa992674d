"""Per-document indexes for the scoring engine, built once per catalogue document and memoised.

The catalogue document is the plain dict of ``yaml.safe_load`` or ``model_dump(mode="json")``
(missing keys and ``None`` values are treated alike). Documents are immutable by contract: the
memo is keyed by ``id(document)`` and holds a reference to the document, so an id is never reused
while its entry lives.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from .compiled import compile_test, memoised_per_answers, walks_rows
from .model import Driver
from .plan import compile_row_filter, impact_per_effort, static_legal_order
from .procedure import ProcedureIndex, build_procedure
from .questions import (  # the labels, Choice and _vendor_points: also imported from here
    COMBINATION_LABEL,
    EXPOSURE_DIMENSIONS,
    NA_LABEL,
    UNANSWERED_LABEL,
    UNKNOWN_LABEL,
    Choice,
    QuestionIndex,
    _num,
    _vendor_points,
    compile_question,
)

CANONICAL_DIMENSIONS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
DEFAULT_LEVELS = {"medium": 25, "high": 50, "critical": 75}
DEFAULT_MIN_FACTOR = 0.5
# Points a use case adds to the ai_act dimension when its class has no ``points:`` in the catalogue.
DEFAULT_CLASS_POINTS = {
    "prohibited": 10,
    "high_risk": 8,
    "unclear": 4,
    "transparency": 2,
    "minimal": 0,
}
# How classes combine within one use case: the most severe wins.
CLASS_SEVERITY = {"minimal": 0, "transparency": 1, "unclear": 2, "high_risk": 3, "prohibited": 4}
EFFORT_RANK = {"low": 0, "medium": 1, "high": 2}

__all__ = [  # besides the index: names the reference engine of the tests imports from here
    "COMBINATION_LABEL",
    "EXPOSURE_DIMENSIONS",
    "NA_LABEL",
    "UNANSWERED_LABEL",
    "UNKNOWN_LABEL",
    "Choice",
    "DocumentIndex",
    "QuestionIndex",
    "_vendor_points",
    "build_index",
    "index_for",
]

_MAX_CACHED = 64
_cache: dict[int, tuple[dict, DocumentIndex]] = {}
_lock = threading.Lock()


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class ClassSpec:
    key: str
    title: dict | None
    article: str | None
    applies_from: str | None
    duties: tuple[dict, ...]
    points: int | float
    facts: tuple[str, ...] = ()


@dataclass(slots=True)
class KnockoutSpec:
    key: str
    condition: Any  # compiled ``when`` (None: only ``rows``)
    dimension: str
    title: dict
    reason: dict
    triggered_by: tuple[str, ...]
    facts: tuple[str, ...] = ()
    level: str = "critical"  # critical: knock-out; high/medium: the dimension is at least that
    rows: Any = None  # compiled ``rows`` filter on the classified use cases
    rows_slot: int = -1  # its place in ``DocumentIndex.row_filters`` (-1: no ``rows``)
    entry: tuple = ()  # (sort key, Driver): the rule's line among its dimension's drivers


@dataclass(slots=True)
class ExposureOverrideSpec:
    condition: Any  # compiled ``when``
    factor: float


@dataclass(slots=True)
class RecommendationSpec:
    key: str
    when: Any
    condition: Any  # compiled ``when`` (None: always)
    dimension: str
    priority: int
    effort: str
    effort_rank: int
    title: dict
    text: dict
    triggered_by: tuple[str, ...]
    facts: tuple[str, ...] = ()
    rows: Any = None  # compiled ``rows`` filter on the classified use cases
    rows_slot: int = -1  # its place in ``DocumentIndex.row_filters`` (-1: no ``rows``)
    urgency: str = "risk"  # stop | duty | risk (catalogue)
    applies_from: str | None = None
    legal_if: Any = None  # compiled ``legal_if``
    order: int = 0  # position in the catalogue
    memo: dict = field(default_factory=dict)  # Recommendation per urgency, date, first, rows
    # with a legal date: (urgency, due, sort key) where ``legal_if`` holds (plan.py), and the
    # impact per effort that orders it as risk reduction otherwise
    legal: tuple | None = None
    neg_impact: float = 0.0


@dataclass(slots=True)
class DocumentIndex:
    key: str
    version: str
    dimensions: tuple[str, ...]
    weights: dict[str, float]
    levels: tuple[tuple[str, float], ...]  # descending thresholds: (level, lower bound)
    critical: float
    questions: tuple[QuestionIndex, ...]
    exposure_weights: dict[str, float] | None
    min_factor: float
    vendors: tuple[str, ...]
    vendor_max: dict[str, int | float]
    vendor_scale: int | float  # the largest vendor_max: 100 % vendor exposure
    classes: dict[str, ClassSpec]
    use_case_question: str | None
    use_case_cap: int | float
    recommendations: tuple[RecommendationSpec, ...]
    knockout_rules: tuple[KnockoutSpec, ...] = ()
    exposure_overrides: tuple[ExposureOverrideSpec, ...] = ()
    fact_dates: dict[str, str] = field(default_factory=dict)  # fact key -> ISO "as of" date
    unknown_reason: dict | None = None
    high: float = 50.0  # lower bound of the "high" level: readiness cap for a critical dimension
    medium: float = 25.0  # lower bound of the "medium" level: readiness cap for a high dimension
    procedure: ProcedureIndex | None = None  # the AI Act procedure (issue 19), else the hints
    law_as_of: str | None = None  # the catalogue's legal date: the plan follows legal urgency
    area_labels: dict[str, dict] = field(default_factory=dict)  # use-case purpose -> label
    shared_conditions: int = 0  # show_if conditions more than one question has (``slot``)
    # the ``rows`` filters of knock-out rules and recommendations, applied once per rows
    # (``contributions.use_cases_of``), and their outcome without use cases
    row_filters: tuple = ()
    no_row_names: tuple[tuple[str, ...], ...] = ()
    level_of: tuple[str, ...] = ()  # the level of each risk 0..100


# --- building -----------------------------------------------------------------------------------


def _condition_keys(cond: Any, out: list[str]) -> list[str]:
    if isinstance(cond, dict):
        q = cond.get("q")
        if isinstance(q, str) and q not in out:
            out.append(q)
        for key in ("all", "any"):
            for sub in cond.get(key) or ():
                _condition_keys(sub, out)
        if cond.get("not") is not None:
            _condition_keys(cond["not"], out)
    return out


class _Conditions:
    """The index's compiled conditions: one function per distinct condition. Catalogues repeat
    long repeat-group conditions through YAML anchors, so a condition that walks the use-case
    rows, and each distinct part of one that does, is memoised per scoring
    (``compiled.memoised_per_answers``) and walked once. Other conditions are a few checks of
    the answers: cheaper to repeat than to look up."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def __call__(self, cond: Any) -> Any:
        if cond is None:
            return None
        key = json.dumps(cond, sort_keys=True, default=str)
        compiled = self.known.get(key)
        if compiled is None:
            compiled = compile_test(cond, share=self)
            if walks_rows(cond):
                compiled = memoised_per_answers(compiled)
            self.known[key] = compiled
        return compiled


def _dimensions(document: dict) -> tuple[str, ...]:
    declared = document.get("dimensions") or {}
    if not declared:
        return CANONICAL_DIMENSIONS
    # Canonical order, independent of the dict order a JSON store might give back.
    first = [d for d in CANONICAL_DIMENSIONS if d in declared]
    return tuple(first + sorted(d for d in declared if d not in CANONICAL_DIMENSIONS))


def build_index(document: dict) -> DocumentIndex:
    dimensions = _dimensions(document)
    dims = set(dimensions)
    declared = document.get("dimensions") or {}
    weights = {}
    for dim in dimensions:
        weight = (declared.get(dim) or {}).get("weight")
        weights[dim] = 1.0 if weight is None else float(weight)

    levels_doc = {**DEFAULT_LEVELS, **(document.get("levels") or {})}
    levels = tuple(
        sorted(
            ((name, float(levels_doc[name])) for name in ("medium", "high", "critical")),
            key=lambda item: -item[1],
        )
    )

    ai_act = document.get("ai_act") or {}
    use_case_key = ai_act.get("use_case_question") or None
    classes = {}
    for cls, default_points in DEFAULT_CLASS_POINTS.items():
        spec = (ai_act.get("classes") or {}).get(cls) or {}
        points = spec.get("points")
        classes[cls] = ClassSpec(
            key=cls,
            title=spec.get("title") or None,
            article=spec.get("article") or None,
            applies_from=iso_date(spec.get("applies_from")),
            duties=tuple(spec.get("duties") or ()),
            points=default_points if points is None else _num(points),
            facts=tuple(spec.get("facts") or ()),
        )
    use_case_cap = max((c.points for c in classes.values()), default=0)
    procedure = build_procedure(ai_act["procedure"]) if ai_act.get("procedure") else None
    area_labels: dict[str, dict] = {}

    questions = []
    order = 0
    conditions = _Conditions()
    for section in document.get("sections") or ():
        for q in section.get("questions") or ():
            questions.append(compile_question(q, order, dims, use_case_key, conditions))
            order += 1
    _share_slots(questions)
    for qi in questions:
        if qi.kind == "use_cases" and use_case_cap > 0 and "ai_act" in dims:
            maxima = dict(qi.max)
            maxima["ai_act"] = max(maxima.get("ai_act", 0), use_case_cap)
            unknown = dict(qi.unknown)
            unknown.setdefault("ai_act", maxima["ai_act"])
            qi.max_by_dim = maxima
            qi.max = tuple(sorted(maxima.items()))
            qi.unknown = tuple(sorted(unknown.items()))
            qi.scored = True
        if qi.kind == "use_cases" and procedure is not None:
            purpose_field = qi.group_fields.get(procedure.fields.get("purpose")) or {}
            area_labels = {o["key"]: o.get("label") for o in purpose_field.get("options") or ()}

    exposure_doc = document.get("exposure")
    if exposure_doc:
        known = {qi.key for qi in questions}
        exposure_weights = {
            k: float(w)
            for k, w in (exposure_doc.get("question_weights") or {}).items()
            if k in known and w and float(w) > 0
        }
        min_factor = exposure_doc.get("min_factor")
        min_factor = DEFAULT_MIN_FACTOR if min_factor is None else float(min_factor)
        exposure_overrides = tuple(
            ExposureOverrideSpec(conditions(o["when"]), float(o["factor"]))
            for o in exposure_doc.get("overrides") or ()
            if o.get("when") is not None and o.get("factor") is not None
        )
    else:
        exposure_weights = None
        min_factor = 1.0
        exposure_overrides = ()

    vendor_max: dict[str, int | float] = {}
    for qi in questions:
        for vendor, pts in qi.vendor_max.items():
            vendor_max[vendor] = vendor_max.get(vendor, 0) + pts
    vendors = tuple(sorted(set(document.get("vendors") or {}) | set(vendor_max)))

    recommendations = []
    seen = set()
    for order, rec in enumerate(document.get("recommendations") or ()):
        if rec["key"] in seen:
            continue
        seen.add(rec["key"])
        effort = rec.get("effort") or "medium"
        recommendations.append(
            RecommendationSpec(
                key=rec["key"],
                when=rec.get("when"),
                condition=conditions(rec.get("when")),
                dimension=rec.get("dimension"),
                priority=int(rec.get("priority") or 3),
                effort=effort,
                effort_rank=EFFORT_RANK.get(effort, 1),
                title=rec.get("title"),
                text=rec.get("text"),
                triggered_by=tuple(_condition_keys(rec.get("when"), [])),
                facts=tuple(rec.get("facts") or ()),
                rows=compile_row_filter(rec.get("rows")),
                urgency=rec.get("urgency") or "risk",
                applies_from=iso_date(rec.get("applies_from")),
                legal_if=conditions(rec.get("legal_if")),
                order=order,
            )
        )

    law_as_of = iso_date(document.get("law_as_of"))
    if law_as_of is not None:
        for spec in recommendations:
            spec.legal = static_legal_order(spec, law_as_of)
            spec.neg_impact = -impact_per_effort(spec)

    knockout_rules = tuple(
        _knockout(rule, conditions)
        for rule in document.get("knockouts") or ()
        if (rule.get("when") is not None or rule.get("rows")) and rule.get("dimension") in dims
    )
    row_filters = []
    for spec in (*knockout_rules, *recommendations):
        if spec.rows is not None:
            spec.rows_slot = len(row_filters)
            row_filters.append(spec.rows)
    fact_dates = {
        fact["key"]: iso_date(fact.get("as_of"))
        for fact in document.get("facts") or ()
        if fact.get("key") and fact.get("as_of")
    }

    return DocumentIndex(
        key=str(document.get("key", "")),
        version=str(document.get("version", "")),
        dimensions=dimensions,
        weights=weights,
        levels=levels,
        critical=float(levels_doc["critical"]),
        questions=tuple(questions),
        exposure_weights=exposure_weights,
        min_factor=min_factor,
        vendors=vendors,
        vendor_max=vendor_max,
        vendor_scale=max(vendor_max.values(), default=0),
        classes=classes,
        use_case_question=use_case_key,
        use_case_cap=use_case_cap,
        recommendations=tuple(recommendations),
        knockout_rules=knockout_rules,
        exposure_overrides=exposure_overrides,
        fact_dates=fact_dates,
        unknown_reason=document.get("unknown_reason") or None,
        high=float(levels_doc["high"]),
        medium=float(levels_doc["medium"]),
        procedure=procedure,
        law_as_of=law_as_of,
        area_labels=area_labels,
        shared_conditions=max((qi.slot + 1 for qi in questions), default=0),
        row_filters=tuple(row_filters),
        no_row_names=((),) * len(row_filters),
        level_of=tuple(level_at(levels, risk) for risk in range(101)),
    )


def level_at(levels: tuple[tuple[str, float], ...], risk: float) -> str:
    """The level of ``risk`` (0..100) for the descending thresholds ``levels``."""
    for name, bound in levels:
        if risk >= bound:
            return name
    return "low"


def _share_slots(questions: list[QuestionIndex]) -> None:
    """A slot per show_if condition that more than one question has (the compiler gives equal
    conditions one function): the engine evaluates it once per scoring and keeps the result."""
    uses: dict[int, int] = {}
    for qi in questions:
        if qi.condition is not None:
            uses[id(qi.condition)] = uses.get(id(qi.condition), 0) + 1
    slots: dict[int, int] = {}
    for qi in questions:
        if qi.condition is not None and uses[id(qi.condition)] > 1:
            qi.slot = slots.setdefault(id(qi.condition), len(slots))


def _knockout(rule: dict, conditions: _Conditions) -> KnockoutSpec:
    level = rule.get("level") or "critical"
    title = rule.get("title") or {"de": rule["key"], "en": rule["key"]}
    is_knockout = level == "critical"
    driver = Driver(
        question_key=rule["key"],
        dimension=rule["dimension"],
        points=0,
        answer=None,
        answer_label=COMBINATION_LABEL,
        question_text=title,
        reason=rule.get("reason"),
        knockout=is_knockout,
    )
    return KnockoutSpec(
        key=rule["key"],
        condition=conditions(rule.get("when")),
        dimension=rule["dimension"],
        title=title,
        reason=rule.get("reason"),
        triggered_by=tuple(_condition_keys(rule.get("when"), [])),
        facts=tuple(rule.get("facts") or ()),
        level=level,
        rows=compile_row_filter(rule.get("rows")),
        # after the knock-out drivers of questions, before their other drivers
        entry=((not is_knockout, -1000, -1), driver),
    )


def index_for(document: dict) -> DocumentIndex:
    """The memoised index of ``document`` (built on first use)."""
    entry = _cache.get(id(document))
    if entry is not None and entry[0] is document:
        return entry[1]
    index = build_index(document)
    with _lock:
        while len(_cache) >= _MAX_CACHED:
            _cache.pop(next(iter(_cache)))
        _cache[id(document)] = (document, index)
    return index
