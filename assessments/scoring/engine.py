"""The scoring engine: ``score(document, answers) -> ScoreCard``.

Pure Python: no Django, no ORM, no I/O. The same (catalogue document, answers) always give the
same ScoreCard. Rules (see docs/catalogue-format.md, "Scoring"):

* Questions are walked in catalogue order; a question whose ``show_if`` is false is hidden and
  ignored entirely (its stored answer too).
* Per visible question and dimension: points of the chosen answer(s) (multi_choice: sum, capped at
  ``max_points``), max = the largest points any answer could give. ``"na"`` removes the question
  from both sums; ``"unknown"`` and unanswered give ``unknown_scores`` (default: the max).
* The use-case group named by ``ai_act.use_case_question`` adds, in ai_act, the sum of its rows'
  class points (``ai_act.classes.<class>.points``, defaults in ``index.DEFAULT_CLASS_POINTS``),
  capped at the largest class points, which is also its max. A prohibited use case is a knockout.
* Risk = 100 × Σpoints / Σmax; lock_in and continuity × the exposure factor; a knockout lifts the
  dimension to at least ``levels.critical`` and makes it critical. Integers round half up.
* Exposure = weighted mean over the visible, non-N/A exposure questions of each one's share of its
  max in lock_in + continuity (all dimensions if it has none there); 0 when none counts.
* Vendor exposure = 100 × exposure factor × (lock_in + continuity points of the chosen options
  tagged with the vendor) / (the largest such total any vendor can reach in the catalogue).

Speed: everything that depends only on the document (option tables, maxima, compiled conditions)
is built once per document object (``index.py``); what an answer contributes is memoised per
answer (``contributions.py``).
"""

from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

from assessments.catalogue.conditions import is_answered

from .contributions import MEMO_LIMIT, answer_result, clean, string_result, use_cases_of
from .index import DocumentIndex, index_for, level_at
from .model import DimensionScore, Driver, Figures, ScoreCard
from .plan import ordered_by_band, ordered_by_law
from .questions import EXPOSURE_DIMENSIONS

SCORING_VERSION = "1.3"
# A capped readiness keeps the order of the companies under the cap: the readiness above
# ``cap - CAP_BAND`` is squeezed into [cap - CAP_BAND, cap] instead of cut off at the cap.
CAP_BAND = 10

_EPSILON = 1e-9


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves up; robust against float noise (62.49999… → 63)."""
    return math.floor(value + 0.5 + _EPSILON)


def level_for(index: DocumentIndex, risk: float) -> str:
    return level_at(index.levels, risk)


def score(document: dict, answers: dict) -> ScoreCard:
    """Score ``answers`` (``{question_key: value}``) against the catalogue ``document``."""
    return _score(index_for(document), answers or {}, None)


def score_and_missing(document: dict, answers: dict) -> tuple[ScoreCard, tuple[str, ...]]:
    """``score()`` and, from the same walk over the shown questions, the keys of the required
    questions shown for ``answers`` that have no answer, in catalogue order (what
    ``Questionnaire.missing`` returns). Storing a result needs both; walking once is cheaper."""
    missing: list[str] = []
    card = _score(index_for(document), answers or {}, missing)
    return card, tuple(missing)


def score_figures(
    document: dict, answers: dict, *, drivers_of: tuple[str, ...] = ()
) -> tuple[Figures, tuple[str, ...]]:
    """The figures of ``score_and_missing``'s card (scores, levels, readiness, exposures and the
    drivers of the dimensions ``drivers_of``) and the missing required questions, without the
    action plan and the texts: what recomputing a stored result needs, in about half the time.
    Both come from the same code up to the dimension scores; only what follows is left out."""
    missing: list[str] = []
    figures = _score(index_for(document), answers or {}, missing, figures_of=drivers_of)
    return figures, tuple(missing)


def _score(
    index: DocumentIndex,
    answers: dict,
    missing: list[str] | None,
    figures_of: tuple[str, ...] | None = None,
):
    """The ScoreCard of ``answers``; with ``figures_of`` (a tuple of dimensions, maybe empty)
    only its Figures, with the drivers of those dimensions."""
    dims = index.dimensions
    points = dict.fromkeys(dims, 0)
    maxima = dict.fromkeys(dims, 0)
    drivers: dict[str, list[tuple[tuple, Driver]]] = {d: [] for d in dims}
    knockout_dims: set[str] = set()
    knockout_keys: set[str] = set()  # the questions and rules behind a knock-out
    effective: dict[str, Any] = {}
    exposure_weights = index.exposure_weights
    exposure_sum = 0.0
    exposure_weight = 0.0
    vendor_points: dict[str, int | float] = {}
    use_cases: tuple = ()
    row_names = index.no_row_names  # per rows filter: the names of the use cases it matches
    facts: set[str] = set()  # the facts this result relies on
    not_applicable: list[str] = []
    shown: list[bool | None] = [None] * index.shared_conditions

    for qi in index.questions:
        # ``effective`` holds exactly the answers of the questions shown so far, so the compiled
        # condition needs no ``visible`` set: evaluate(show_if, effective, visible) is the same.
        # A condition names earlier questions only, so one that several questions share has the
        # same value for all of them: it is evaluated once (``slot``).
        condition = qi.condition
        if condition is not None:
            slot = qi.slot
            if slot < 0:
                if not condition(effective):
                    continue
            else:
                visible = shown[slot]
                if visible is None:
                    visible = shown[slot] = condition(effective)
                if not visible:
                    continue
        key = qi.key
        value = answers.get(key)
        if not value and isinstance(value, list):
            value = None  # nothing ticked, no row: unanswered (stored before SCORING_VERSION 1.1)
        if value is not None:
            effective[key] = value
        if type(value) is str:
            if missing is not None and qi.required and not value.strip():
                missing.append(key)  # is_answered, inlined for the common case
            # most answers are an option key, "yes"/"no", "unknown" or "na": what a string
            # contributes is fixed per question, so the memoised result is looked up directly
            result = qi.by_string.get(value)
            if result is None:
                result = string_result(index, qi, value)
                if len(qi.by_string) < MEMO_LIMIT:
                    qi.by_string[value] = result
        else:
            if missing is not None and qi.required and not is_answered(value):
                missing.append(key)
            if qi.kind == "use_cases" and isinstance(value, list):
                classified = use_cases_of(index, qi, value, effective)
                use_cases = classified.use_cases
                row_names = classified.row_names
                facts.update(classified.facts)
                result = classified.result
            else:
                result = answer_result(index, qi, value)

        for dim, pts, m, entry in result.lines:
            points[dim] += pts
            maxima[dim] += m
            if entry is not None:
                drivers[dim].append(entry)
        if result.facts:
            facts.update(result.facts)
        if result.rare:
            if result.not_applicable:
                not_applicable.append(key)
            if result.knockouts:
                knockout_dims.update(result.knockouts)
                knockout_keys.add(key)
            for vendor, pts in result.vendors:
                vendor_points[vendor] = vendor_points.get(vendor, 0) + pts
            if result.exposure is not None:
                weight, weighted = result.exposure
                exposure_sum += weighted
                exposure_weight += weight

    # Knock-out rules: combinations of visible answers that are critical on their own.
    floors: dict[str, float] = {}  # dimension -> lowest risk a floor rule allows
    for rule in index.knockout_rules:
        if rule.condition is not None and not rule.condition(effective):
            continue
        if rule.rows_slot >= 0 and not row_names[rule.rows_slot]:
            continue
        if rule.level == "critical":
            knockout_dims.add(rule.dimension)
            knockout_keys.update(rule.triggered_by)
            knockout_keys.add(rule.key)
        else:
            bound = index.high if rule.level == "high" else index.medium
            floors[rule.dimension] = max(floors.get(rule.dimension, 0.0), bound)
        if rule.facts:
            facts.update(rule.facts)
        drivers[rule.dimension].append(rule.entry)

    if exposure_weights is None:
        exposure = 1.0
        factor = 1.0
    else:
        exposure = exposure_sum / exposure_weight if exposure_weight else 0.0
        factor = index.min_factor + (1.0 - index.min_factor) * exposure
        for override in index.exposure_overrides:
            # a single critical dependency is not diluted by low use; a consumer chat tool with
            # a manual fallback everywhere is not inflated by missing exit plans
            if override.condition(effective):
                factor = override.factor
                break

    risks = _risks(index, points, maxima, knockout_dims, floors, factor)
    vendor_exposure = _vendor_exposure(index, vendor_points, factor)
    if figures_of is not None:
        return Figures(
            scoring_version=SCORING_VERSION,
            catalogue_key=index.key,
            catalogue_version=index.version,
            scores=dict(zip(index.dimensions, risks.values, strict=True)),
            levels=dict(zip(index.dimensions, risks.levels, strict=True)),
            readiness=risks.readiness,
            exposure=round(exposure, 4),
            vendor_exposure=vendor_exposure,
            drivers={dim: _sorted_drivers(drivers[dim]) for dim in figures_of if dim in drivers},
        )
    dimension_scores = _dimensions(index, points, maxima, drivers, knockout_dims, risks)
    readiness = risks.readiness

    risk_by_dim = {d.key: d.score for d in dimension_scores}
    fired = []
    for rec in index.recommendations:
        if rec.condition is not None and not rec.condition(effective):
            continue
        named: tuple[str, ...] = ()
        if rec.rows_slot >= 0:
            named = row_names[rec.rows_slot]
            if not named:
                continue
        if rec.facts:
            facts.update(rec.facts)
        fired.append((rec, named))
    if index.law_as_of is None:
        critical_dims = {d.key for d in dimension_scores if d.level == "critical"}
        recommendations = ordered_by_band(fired, knockout_keys, critical_dims, risk_by_dim)
    else:
        recommendations = ordered_by_law(fired, effective, risk_by_dim)

    # a knock-out driver is in a knocked-out dimension only
    knockouts_out = tuple(
        d for ds in dimension_scores if ds.knockout for d in ds.drivers if d.knockout
    )
    fact_dates = index.fact_dates
    dates = [fact_dates[f] for f in facts if f in fact_dates]
    return ScoreCard(
        scoring_version=SCORING_VERSION,
        catalogue_key=index.key,
        catalogue_version=index.version,
        dimensions=dimension_scores,
        readiness=readiness,
        readiness_level=index.level_of[100 - readiness],
        exposure=round(exposure, 4),
        exposure_factor=round(factor, 4),
        vendor_exposure=vendor_exposure,
        use_cases=use_cases,
        recommendations=recommendations,
        knockouts=knockouts_out,
        legal_state=min(dates) if dates else None,
        facts_used=tuple(sorted(facts)),
        not_applicable=tuple(not_applicable),
    )


class _Risks(NamedTuple):
    """Per dimension in the index's order: the risk, the level and the risk before the exposure
    factor; and the readiness."""

    values: list[int]
    levels: list[str]
    raws: list[int]
    readiness: int


def _risks(index: DocumentIndex, points, maxima, knockout_dims, floors, factor) -> _Risks:
    """The dimension risks and levels, and the readiness (the card and the figures share it)."""
    critical = index.critical
    level_of = index.level_of
    values = []
    levels = []
    raws = []
    weighted = 0.0
    weights = 0.0
    for dim in index.dimensions:
        m = maxima[dim]
        raw = 100.0 * points[dim] / m if m else 0.0
        risk = raw * factor if dim in EXPOSURE_DIMENSIONS else raw
        knocked = dim in knockout_dims
        # A floor lifts the dimension into its band without flattening it: the risk is spread
        # over floor..100, so two clients above the same floor keep their order.
        if knocked:
            risk = _lift(risk, critical)
        elif dim in floors:
            risk = _lift(risk, floors[dim])
        value = min(max(round_half_up(risk), 0), 100)
        values.append(value)
        levels.append("critical" if knocked else level_of[value])
        raws.append(min(max(round_half_up(raw), 0), 100))
        weight = index.weights.get(dim, 1.0)
        weighted += weight * value
        weights += weight
    mean_risk = weighted / weights if weights else 0.0
    readiness = min(max(100 - round_half_up(mean_risk), 0), 100)
    cap = None
    if knockout_dims:
        cap = critical
    elif "critical" in levels:
        # a critical dimension never reads "on a good way": at best "clear need to catch up"
        cap = index.high
    elif "high" in levels:
        # and a high one never reads "well prepared": readiness is one step below the worst area
        cap = index.medium
    if cap is not None:
        readiness = _capped(readiness, max(100 - round_half_up(cap), 0))
    return _Risks(values, levels, raws, readiness)


def _vendor_exposure(index: DocumentIndex, vendor_points: dict, factor: float) -> dict[str, int]:
    vendor_exposure = dict.fromkeys(index.vendors, 0)
    vmax = index.vendor_scale
    for vendor, pts in vendor_points.items():  # the vendors of chosen answers (all in vendors)
        # one scale for all vendors (the largest vendor footprint the catalogue allows), so that
        # "Microsoft 56, Mistral 8" compares across vendors; within a vendor the ranking of
        # clients is the same either way
        if pts and vmax:
            share = min(pts / vmax, 1.0)
            vendor_exposure[vendor] = min(max(round_half_up(100.0 * factor * share), 0), 100)
    return vendor_exposure


def _sorted_drivers(entries: list) -> tuple[Driver, ...]:
    """A dimension's drivers, most points first (``entries``: (sort key, Driver))."""
    entries.sort(key=_first)
    return tuple(map(_second, entries))


def _dimensions(
    index: DocumentIndex, points, maxima, drivers, knockout_dims, risks: _Risks
) -> tuple[DimensionScore, ...]:
    """The card's dimension scores."""
    return tuple(
        DimensionScore(
            key=dim,
            score=value,
            level=level,
            points=clean(points[dim]),
            max_points=clean(maxima[dim]),
            drivers=_sorted_drivers(drivers[dim]),
            raw_score=raw,
            knockout=dim in knockout_dims,
        )
        for dim, value, level, raw in zip(
            index.dimensions, risks.values, risks.levels, risks.raws, strict=True
        )
    )


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _capped(readiness: int, cap: int) -> int:
    """``readiness`` under ``cap``, keeping the order: values above ``cap - CAP_BAND`` are
    squeezed into the band below the cap, so two companies above it do not tie at the cap."""
    low = max(cap - CAP_BAND, 0)
    if readiness <= low:
        return readiness
    return min(round_half_up(low + (cap - low) * (readiness - low) / (100 - low)), cap)


def _lift(risk: float, floor: float) -> float:
    return floor + (100.0 - floor) * min(max(risk, 0.0), 100.0) / 100.0
