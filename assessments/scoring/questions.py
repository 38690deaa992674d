"""The per-question part of the scoring index: each question's answers that can score (options,
yes/no blocks, scale steps, number bands) with their points, and the question's maxima.

Built once per catalogue document by ``index.build_index``; the engine memoises what each answer
contributes on these objects (``contributions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXPOSURE_DIMENSIONS = ("lock_in", "continuity")
# Fallback for use-case yes/no fields without ``ai_act_class`` hints: a "yes" to a field whose key
# contains one of these asks whether the output reaches customers or the public (Art. 50).
AUDIENCE_FIELD_HINTS = ("customer", "public", "publish", "extern", "chatbot", "kunde")

YES_LABEL = {"de": "Ja", "en": "Yes"}
NO_LABEL = {"de": "Nein", "en": "No"}
UNKNOWN_LABEL = {"de": "weiß nicht", "en": "don't know"}  # the wizard's term
NA_LABEL = {"de": "nicht zutreffend", "en": "not applicable"}
UNANSWERED_LABEL = {"de": "nicht beantwortet", "en": "not answered"}
COMBINATION_LABEL = {"de": "Kombination Ihrer Antworten", "en": "combination of your answers"}


def _num(value: Any) -> int | float:
    """Scores as int when integral, so results stay stable in JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


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
    condition: Any = None  # compiled show_if: answers -> bool
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
    quiet_result: Any = None  # a question that scores nothing: its facts only
    memo: dict = field(default_factory=dict)  # engine results per multi_choice/number answer
    by_string: dict = field(default_factory=dict)  # engine results per string answer
    rows_memo: dict = field(default_factory=dict)  # the use-case group's rows classified


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


def compile_question(
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
