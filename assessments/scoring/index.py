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

from .compiled import compile_condition, memoised_per_answers, walks_rows
from .model import Driver
from .plan import compile_row_filter, impact_per_effort, static_legal_order
from .procedure import ProcedureIndex, build_procedure

CANONICAL_DIMENSIONS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
EXPOSURE_DIMENSIONS = ("lock_in", "continuity")
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
# Fallback for use-case yes/no fields without ``ai_act_class`` hints: a "yes" to a field whose key
# contains one of these asks whether the output reaches customers or the public (Art. 50).
AUDIENCE_FIELD_HINTS = ("customer", "public", "publish", "extern", "chatbot", "kunde")
EFFORT_RANK = {"low": 0, "medium": 1, "high": 2}

YES_LABEL = {"de": "Ja", "en": "Yes"}
NO_LABEL = {"de": "Nein", "en": "No"}
UNKNOWN_LABEL = {"de": "weiß nicht", "en": "don't know"}  # the wizard's term
NA_LABEL = {"de": "nicht zutreffend", "en": "not applicable"}
UNANSWERED_LABEL = {"de": "nicht beantwortet", "en": "not answered"}
COMBINATION_LABEL = {"de": "Kombination Ihrer Antworten", "en": "combination of your answers"}

_MAX_CACHED = 64
_cache: dict[int, tuple[dict, DocumentIndex]] = {}
_lock = threading.Lock()


def _num(value: Any) -> int | float:
    """Scores as int when integral, so results stay stable in JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class Choice:
    """One answer that can score: an option, a yes/no block, a scale step or a number band."""

    key: Any
    label: dict
    points: tuple[tuple[str, int | float], ...]  # (dimension, points) with points != 0
    vendors: tuple[str, ...] = ()
    knockout: str | None = None
    reason: dict | None = None
    ai_act_class: str | None = None
    annex_iii: str | None = None
    facts: tuple[str, ...] = ()
    result: Any = None  # the engine's memoised scoring result for this answer

    def points_in(self, dimension: str) -> int | float:
        for dim, pts in self.points:
            if dim == dimension:
                return pts
        return 0


@dataclass(slots=True)
class UseCaseField:
    key: str
    text: dict
    choices: dict[str, Choice]
    is_area: bool


@dataclass(slots=True)
class UseCaseSpec:
    name_field: str | None
    area_field: str | None
    fields: tuple[UseCaseField, ...]  # the fields that classify (some option has ai_act_class)


@dataclass(slots=True)
class QuestionIndex:
    key: str
    type: str
    kind: str  # single | multi | scale | number | use_cases | none
    text: dict
    reason: dict | None
    show_if: Any
    order: int
    condition: Any = None  # compiled show_if: (answers, visible=None) -> bool
    slot: int = -1  # where the engine keeps the result of a show_if other questions share
    choices: dict[Any, Choice] = field(default_factory=dict)
    caps: dict[str, int | float] = field(default_factory=dict)  # multi_choice max_points
    scale_min: int = 1
    steps: tuple[Choice, ...] = ()
    bands: tuple[tuple[float | None, Choice], ...] = ()
    unit: dict | None = None
    max: tuple[tuple[str, int | float], ...] = ()  # (dimension, max points)
    unknown: tuple[tuple[str, int | float], ...] = ()  # (dimension, points when unknown)
    vendor_max: dict[str, int | float] = field(default_factory=dict)
    use_cases: UseCaseSpec | None = None
    group_fields: dict = field(default_factory=dict)  # the use-case group's fields by key
    max_by_dim: dict[str, int | float] = field(default_factory=dict)
    scored: bool = False  # has points or a knockout in some answer
    facts: tuple[str, ...] = ()
    required: bool = True  # a shown, unanswered required question makes the answers incomplete
    unknown_result: Any = None  # memoised by the engine
    unanswered_result: Any = None
    memo: dict = field(default_factory=dict)  # engine results per multi_choice/number answer
    by_string: dict = field(default_factory=dict)  # engine results per string answer
    rows_memo: dict = field(default_factory=dict)  # the use-case group's rows classified


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


def _choice(key: Any, block: dict | None, label: dict, dims: set[str]) -> Choice:
    block = block or {}
    scores = block.get("scores") or {}
    points = tuple(
        (dim, _num(scores[dim])) for dim in sorted(scores) if dim in dims and _num(scores[dim])
    )
    return Choice(
        key=key,
        label=block.get("label") or label,
        points=points,
        vendors=tuple(block.get("vendors") or ()),
        knockout=block.get("knockout") or None,
        reason=block.get("reason") or None,
        ai_act_class=block.get("ai_act_class") or None,
        annex_iii=block.get("annex_iii") or None,
        facts=tuple(block.get("facts") or ()),
    )


def _scale_label(labels: dict, step: int) -> dict:
    label = labels.get(step) or labels.get(str(step))
    return label or {"de": str(step), "en": str(step)}


def _band_label(upto: Any, previous: Any, unit: dict | None) -> dict:
    de_unit = f" {unit['de']}" if unit else ""
    en_unit = f" {unit['en']}" if unit else ""
    if upto is None:
        return {"de": f"über {previous}{de_unit}", "en": f"over {previous}{en_unit}"}
    return {"de": f"bis {upto}{de_unit}", "en": f"up to {upto}{en_unit}"}


def _compile_question(
    q: dict, order: int, dims: set[str], use_case_key: str | None, conditions: Any
):
    kind_of = {
        "single_choice": "single",
        "multi_choice": "multi",
        "yes_no": "single",
        "scale": "scale",
        "number": "number",
    }
    qtype = q.get("type", "text")
    qi = QuestionIndex(
        key=q["key"],
        type=qtype,
        kind=kind_of.get(qtype, "none"),
        text=q.get("text") or {"de": q["key"], "en": q["key"]},
        reason=q.get("reason") or None,
        show_if=q.get("show_if") or None,
        order=order,
        facts=tuple(q.get("facts") or ()),
        required=bool(q.get("required", True)),
    )
    maxima: dict[str, int | float] = {}
    if qtype in {"single_choice", "multi_choice"}:
        for option in q.get("options") or ():
            qi.choices[option["key"]] = _choice(option["key"], option, option.get("label"), dims)
    elif qtype == "yes_no":
        qi.choices["yes"] = _choice("yes", q.get("yes"), YES_LABEL, dims)
        qi.choices["no"] = _choice("no", q.get("no"), NO_LABEL, dims)
    elif qtype == "scale":
        low = int(q.get("min", 1))
        high = int(q.get("max", 5))
        labels = q.get("labels") or {}
        scores = q.get("scores") or {}
        steps = []
        for i, step in enumerate(range(low, high + 1)):
            block = {"scores": {d: s[i] for d, s in scores.items() if i < len(s)}}
            steps.append(_choice(step, block, _scale_label(labels, step), dims))
        qi.scale_min = low
        qi.steps = tuple(steps)
    elif qtype == "number":
        qi.unit = q.get("unit") or None
        bands = []
        previous = q.get("min", 0)
        for band in q.get("bands") or ():
            upto = band.get("upto")
            label = band.get("label") or _band_label(upto, previous, qi.unit)
            bands.append((upto, _choice(upto, band, label, dims)))
            previous = upto
        qi.bands = tuple(bands)
    elif qtype == "repeat_group" and q["key"] == use_case_key:
        qi.kind = "use_cases"
        qi.use_cases = _compile_use_cases(q, dims)
        qi.group_fields = {f["key"]: f for f in q.get("fields") or ()}

    if qi.kind == "single":
        for choice in qi.choices.values():
            for dim, pts in choice.points:
                maxima[dim] = max(maxima.get(dim, 0), pts)
    elif qi.kind == "multi":
        caps = q.get("max_points") or {}
        qi.caps = {dim: _num(cap) for dim, cap in caps.items() if dim in dims}
        for choice in qi.choices.values():
            for dim, pts in choice.points:
                if pts > 0:
                    maxima[dim] = maxima.get(dim, 0) + pts
        for dim, cap in qi.caps.items():
            if dim in maxima:
                maxima[dim] = min(maxima[dim], cap)
    elif qi.kind in {"scale", "number"}:
        for choice in qi.steps or tuple(c for _, c in qi.bands):
            for dim, pts in choice.points:
                maxima[dim] = max(maxima.get(dim, 0), pts)
    unknown_scores = q.get("unknown_scores") or {}
    unknown = {dim: pts for dim, pts in maxima.items() if pts > 0}
    for dim, pts in unknown_scores.items():
        if dim in dims:
            unknown[dim] = _num(pts)
            maxima[dim] = max(maxima.get(dim, 0), _num(pts))
    qi.max_by_dim = {dim: pts for dim, pts in maxima.items() if pts > 0}
    qi.max = tuple(sorted(qi.max_by_dim.items()))
    qi.unknown = tuple((dim, pts) for dim, pts in sorted(unknown.items()) if pts)
    qi.vendor_max = _vendor_max(qi)
    if qi.show_if is not None:
        qi.condition = conditions(qi.show_if)
    qi.scored = bool(qi.max) or any(
        c.knockout for c in (*qi.choices.values(), *qi.steps, *(c for _, c in qi.bands))
    )
    return qi


def _compile_use_cases(q: dict, dims: set[str]) -> UseCaseSpec:
    name_field = None
    area_field = None
    fields = []
    for f in q.get("fields") or ():
        ftype = f.get("type")
        if ftype in {"text", "long_text"} and name_field is None:
            name_field = f["key"]
            continue
        choices: dict[str, Choice] = {}
        if ftype == "single_choice":
            for option in f.get("options") or ():
                choices[option["key"]] = _choice(option["key"], option, option.get("label"), dims)
        elif ftype == "yes_no":
            choices["yes"] = _choice("yes", f.get("yes"), YES_LABEL, dims)
            choices["no"] = _choice("no", f.get("no"), NO_LABEL, dims)
            if not any(c.ai_act_class for c in choices.values()) and any(
                hint in f["key"] for hint in AUDIENCE_FIELD_HINTS
            ):
                # a yes/no field without class hints that asks "customer-facing / published?"
                choices["yes"].ai_act_class = "transparency"
        if not any(c.ai_act_class for c in choices.values()):
            continue
        is_area = area_field is None and ftype == "single_choice"
        if is_area:
            area_field = f["key"]
        fields.append(UseCaseField(f["key"], f.get("text") or {}, choices, is_area))
    return UseCaseSpec(name_field=name_field, area_field=area_field, fields=tuple(fields))


def _vendor_points(
    chosen: list[Choice] | tuple[Choice, ...], caps: dict[str, int | float]
) -> dict[str, int | float]:
    """Per vendor: chosen tagged answers' points in lock_in + continuity (caps per dimension)."""
    out: dict[str, int | float] = {}
    vendors = {v for c in chosen for v in c.vendors}
    for vendor in vendors:
        total = 0
        for dim in EXPOSURE_DIMENSIONS:
            pts = sum(max(c.points_in(dim), 0) for c in chosen if vendor in c.vendors)
            if dim in caps:
                pts = min(pts, caps[dim])
            total += pts
        out[vendor] = total
    return out


def _vendor_max(qi: QuestionIndex) -> dict[str, int | float]:
    if qi.kind == "multi":
        return _vendor_points(list(qi.choices.values()), qi.caps)
    candidates = list(qi.choices.values()) + list(qi.steps) + [c for _, c in qi.bands]
    best: dict[str, int | float] = {}
    for choice in candidates:
        for vendor, pts in _vendor_points((choice,), {}).items():
            best[vendor] = max(best.get(vendor, 0), pts)
    return best


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
            compiled = compile_condition(cond, share=self)
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
            questions.append(_compile_question(q, order, dims, use_case_key, conditions))
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
