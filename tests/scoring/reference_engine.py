"""A second, plain scoring engine that the tests hold the real one to.

Why it exists: ``assessments/scoring`` scores thousands of answer sets per ``rescore`` and stress
test, so it takes fast paths that are hard to check by reading: conditions compiled once per
catalogue (``compiled.py``), per-answer contributions and use-case rows memoised
(``index.py``, ``contributions.py``), score and missing answers in one walk. Decision 0008
(``docs/decisions/0008-fast-paths-beside-plain-references.md``) keeps a fast path only beside a
plain reference and a test that holds the two equal. This module is that reference for the
engine: ``assessments/scoring/engine.py`` as it was before issue 14's speed work (commit
45c8820), written to be read, not to be fast. ``test_fast_path.py`` and ``test_contributions.py``
score hundreds of random answer sets per shipped catalogue with both and require identical
cards; the production code never imports it.

When the scoring rules change, change them here too, in the plainest form (and raise
``SCORING_VERSION`` in both); never optimise this copy, or the comparison proves nothing.

Issue 19 changed what the engine computes (not how fast), and this copy follows in the plainest
form: the company's answers go to the use-case classification (the AI Act procedure), knock-out
rules and recommendations may name classified rows, N/A answers are listed, a capped readiness
keeps the order of the companies under the cap, and a catalogue with a legal date orders the
plan by legal urgency (``assessments/scoring/plan.py``).

It builds its own index per document (``build_index``), so the memo slots the reference writes
(``choice.result``, ``qi.memo``) never mix with the engine's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from assessments.scoring.ai_act import classify
from assessments.scoring.index import (
    COMBINATION_LABEL,
    EXPOSURE_DIMENSIONS,
    NA_LABEL,
    UNANSWERED_LABEL,
    UNKNOWN_LABEL,
    Choice,
    DocumentIndex,
    QuestionIndex,
    _vendor_points,
    build_index,
)
from assessments.scoring.model import DimensionScore, Driver, Recommendation, ScoreCard
from assessments.scoring.plan import firsts, legal_sort_key, urgency_of

SCORING_VERSION = "1.3"

_EPSILON = 1e-9
_MEMO_LIMIT = 1024  # memoised answers per multi_choice/number question


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves up; robust against float noise (62.49999… → 63)."""
    return math.floor(value + 0.5 + _EPSILON)


def _clean(value: float) -> int | float:
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def level_for(index: DocumentIndex, risk: float) -> str:
    for name, bound in index.levels:
        if risk >= bound:
            return name
    return "low"


def _join(labels: list[dict]) -> dict:
    return {
        "de": ", ".join(label.get("de", "") for label in labels),
        "en": ", ".join(label.get("en", "") for label in labels),
    }


def _join_reasons(reasons: list[dict]) -> dict | None:
    unique = []
    for reason in reasons:
        if reason and reason not in unique:
            unique.append(reason)
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return {
        "de": " ".join(r.get("de", "") for r in unique),
        "en": " ".join(r.get("en", "") for r in unique),
    }


def _number_label(value: Any, unit: dict | None) -> dict:
    text_en = str(value)
    text_de = text_en.replace(".", ",")
    if unit:
        return {"de": f"{text_de} {unit.get('de', '')}", "en": f"{text_en} {unit.get('en', '')}"}
    return {"de": text_de, "en": text_en}


def _chosen(qi: QuestionIndex, value: Any) -> list[Choice] | None:
    """The answers chosen for ``value``, or ``None`` when the value counts as unknown."""
    kind = qi.kind
    if kind == "single":
        choice = qi.choices.get(value) if isinstance(value, str) else None
        return None if choice is None else [choice]
    if kind == "multi":
        if not isinstance(value, list | tuple):
            return None
        choices = qi.choices
        return [choices[k] for k in dict.fromkeys(value) if isinstance(k, str) and k in choices]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind == "scale":
        if value != int(value):
            return None
        step = int(value) - qi.scale_min
        if 0 <= step < len(qi.steps):
            return [qi.steps[step]]
        return None
    if kind == "number":
        if value != value:  # NaN
            return None
        for upto, choice in qi.bands:
            if upto is None or value <= upto:
                return [choice]
        return None
    return None


@dataclass(frozen=True, slots=True)
class _Result:
    """What one answer to one question contributes (memoised per option where possible)."""

    points: tuple[tuple[str, int | float], ...]  # (dimension, points > 0)
    drivers: tuple[tuple[str, tuple, Driver], ...]  # (dimension, sort key, driver)
    knockouts: tuple[str, ...]
    vendors: tuple[tuple[str, int | float], ...]
    exposure_share: float | None  # share of the question's max in the exposure dimensions
    facts: tuple[str, ...] = ()  # facts the chosen answers rely on


def _result(
    index: DocumentIndex,
    qi: QuestionIndex,
    answer: Any,
    q_points: dict[str, int | float],
    knockouts: set[str],
    contributions: dict[str, tuple[dict, dict | None]],
    chosen: list[Choice] | None,
) -> _Result:
    dims = index.dimensions
    points = []
    drivers = []
    for dim in dims:
        pts = max(q_points.get(dim, 0), 0)
        is_knockout = dim in knockouts
        if pts > 0:
            points.append((dim, pts))
        if pts > 0 or is_knockout:
            answer_label, reason = contributions.get(dim, (NA_LABEL, qi.reason))
            driver = Driver(
                question_key=qi.key,
                dimension=dim,
                points=_clean(pts),
                answer=answer,
                answer_label=answer_label,
                question_text=qi.text,
                reason=reason,
                knockout=is_knockout,
                max_points=_clean(qi.max_by_dim.get(dim, pts)),
            )
            # knock-outs first, then by points, then in catalogue order
            drivers.append((dim, (not is_knockout, -pts, qi.order), driver))
    share = None
    share_max = sum(qi.max_by_dim.get(d, 0) for d in EXPOSURE_DIMENSIONS)
    if share_max:
        share_pts = sum(max(q_points.get(d, 0), 0) for d in EXPOSURE_DIMENSIONS)
    else:
        share_max = sum(m for _, m in qi.max)
        share_pts = sum(pts for _, pts in points)
    if share_max:
        share = min(share_pts / share_max, 1.0)
    vendors = tuple(sorted(_vendor_points(chosen, qi.caps).items())) if chosen else ()
    facts = tuple(dict.fromkeys(f for c in chosen or () for f in c.facts))
    return _Result(
        points=tuple(points),
        drivers=tuple(drivers),
        knockouts=tuple(d for d in dims if d in knockouts),
        vendors=vendors,
        exposure_share=share,
        facts=facts,
    )


def _unknown_result(index: DocumentIndex, qi: QuestionIndex, answer: Any) -> _Result:
    q_points = dict(qi.unknown)
    label = UNANSWERED_LABEL if answer is None else UNKNOWN_LABEL
    contributions = dict.fromkeys(q_points, (label, index.unknown_reason or qi.reason))
    return _result(index, qi, answer, q_points, set(), contributions, None)


def _choices_result(
    index: DocumentIndex, qi: QuestionIndex, answer: Any, chosen: list[Choice]
) -> _Result:
    q_points: dict[str, int | float] = {}
    knockouts = set()
    for choice in chosen:
        for dim, pts in choice.points:
            q_points[dim] = q_points.get(dim, 0) + pts
        if choice.knockout in index.weights:
            knockouts.add(choice.knockout)
    for dim, cap in qi.caps.items():
        if dim in q_points:
            q_points[dim] = min(q_points[dim], cap)
    contributions = {}
    for dim in set(q_points) | knockouts:
        parts = [c for c in chosen if c.points_in(dim) > 0 or c.knockout == dim]
        parts.sort(key=lambda c: -c.points_in(dim))
        if qi.kind == "number":
            label = _number_label(answer, qi.unit)
        elif len(parts) == 1:
            label = parts[0].label
        else:
            label = _join([c.label for c in parts])
        contributions[dim] = (label, _join_reasons([c.reason for c in parts]) or qi.reason)
    return _result(index, qi, answer, q_points, knockouts, contributions, chosen)


def _use_case_result(index: DocumentIndex, qi: QuestionIndex, rows: list, use_cases) -> _Result:
    total = sum(u.points for u in use_cases)
    q_points = {"ai_act": min(total, index.use_case_cap)} if total else {}
    knockouts = {"ai_act"} if any(u.ai_act_class == "prohibited" for u in use_cases) else set()
    listed = [u for u in use_cases if u.points > 0 or u.ai_act_class == "prohibited"]
    label = {
        lang: "; ".join(
            f"{u.name}: {(u.class_title or {}).get(lang, u.ai_act_class)}" for u in listed
        )
        for lang in ("de", "en")
    }
    contributions = {"ai_act": (label, qi.reason)}
    return _result(index, qi, _copy(rows), q_points, knockouts, contributions, None)


def _answer_result(index: DocumentIndex, qi: QuestionIndex, value: Any) -> _Result:
    if value is None:
        if qi.unanswered_result is None:
            qi.unanswered_result = _unknown_result(index, qi, None)
        return qi.unanswered_result
    chosen = None if value == "unknown" else _chosen(qi, value)
    if chosen is None:
        if qi.unknown_result is None:
            qi.unknown_result = _unknown_result(index, qi, "unknown")
        return qi.unknown_result
    if qi.kind in {"single", "scale"}:
        choice = chosen[0]
        if choice.result is None:
            choice.result = _choices_result(index, qi, choice.key, chosen)
        return choice.result
    if qi.kind == "multi":
        memo_key = tuple(value) if all(isinstance(v, str) for v in value) else None
    else:
        memo_key = value
    result = qi.memo.get(memo_key) if memo_key is not None else None
    if result is None:
        result = _choices_result(index, qi, _copy(value), chosen)
        if memo_key is not None and len(qi.memo) < _MEMO_LIMIT:
            qi.memo[memo_key] = result
    return result


_indexes: dict[int, tuple[dict, DocumentIndex]] = {}


def _index(document: dict) -> DocumentIndex:
    entry = _indexes.get(id(document))
    if entry is None or entry[0] is not document:
        entry = _indexes[id(document)] = (document, build_index(document))
    return entry[1]


def score(document: dict, answers: dict) -> ScoreCard:
    """Score ``answers`` (``{question_key: value}``) against the catalogue ``document``."""
    index = _index(document)
    answers = answers or {}
    dims = index.dimensions
    points = dict.fromkeys(dims, 0)
    maxima = dict.fromkeys(dims, 0)
    drivers: dict[str, list[tuple[tuple, Driver]]] = {d: [] for d in dims}
    knockout_dims: set[str] = set()
    effective: dict[str, Any] = {}
    exposure_weights = index.exposure_weights
    exposure_sum = 0.0
    exposure_weight = 0.0
    vendor_points: dict[str, int | float] = {}
    use_cases: tuple = ()
    facts: dict[str, None] = {}  # ordered set of the facts this result relies on
    not_applicable: list[str] = []

    for qi in index.questions:
        # ``effective`` holds exactly the answers of the questions shown so far, so the compiled
        # condition needs no ``visible`` set: evaluate(show_if, effective, visible) is the same
        if qi.condition is not None and not qi.condition(effective):
            continue
        key = qi.key
        value = answers.get(key)
        if value == []:
            value = None  # nothing ticked, no row: unanswered (stored before SCORING_VERSION 1.1)
        if value is not None:
            effective[key] = value
        for fact in qi.facts:
            facts[fact] = None
        if value == "na":
            not_applicable.append(key)
        if qi.kind == "use_cases" and isinstance(value, list):
            use_cases = classify(index, qi, value, effective)
            for use_case in use_cases:
                for fact in index.classes[use_case.ai_act_class].facts:
                    facts[fact] = None
                if index.procedure is not None:
                    for fact in index.procedure.facts_of(use_case):
                        facts[fact] = None
            if not qi.scored:
                continue
            result = _use_case_result(index, qi, value, use_cases)
        elif not qi.scored or value == "na":
            continue
        else:
            result = _answer_result(index, qi, value)

        for dim, m in qi.max:
            maxima[dim] += m
        for dim, pts in result.points:
            points[dim] += pts
        for dim, sort_key, driver in result.drivers:
            drivers[dim].append((sort_key, driver))
        if result.knockouts:
            knockout_dims.update(result.knockouts)
        for vendor, pts in result.vendors:
            vendor_points[vendor] = vendor_points.get(vendor, 0) + pts
        for fact in result.facts:
            facts[fact] = None
        if (
            exposure_weights is not None
            and key in exposure_weights
            and result.exposure_share is not None
        ):
            weight = exposure_weights[key]
            exposure_sum += weight * result.exposure_share
            exposure_weight += weight

    # Knock-out rules: combinations of visible answers that are critical on their own.
    knockout_keys: set[str] = set()
    floors: dict[str, float] = {}  # dimension -> lowest risk a floor rule allows
    for rule in index.knockout_rules:
        if rule.condition is not None and not rule.condition(effective):
            continue
        if rule.rows is not None and not any(rule.rows(u) for u in use_cases):
            continue
        is_knockout = rule.level == "critical"
        if is_knockout:
            knockout_dims.add(rule.dimension)
            knockout_keys.update(rule.triggered_by)
        else:
            bound = index.high if rule.level == "high" else index.medium
            floors[rule.dimension] = max(floors.get(rule.dimension, 0.0), bound)
        for fact in rule.facts:
            facts[fact] = None
        drivers[rule.dimension].append(
            (
                (not is_knockout, -1000, -1),
                Driver(
                    question_key=rule.key,
                    dimension=rule.dimension,
                    points=0,
                    answer=None,
                    answer_label=COMBINATION_LABEL,
                    question_text=rule.title,
                    reason=rule.reason,
                    knockout=is_knockout,
                ),
            )
        )

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

    critical = index.critical
    dimension_scores = []
    weighted = 0.0
    weights = 0.0
    for dim in dims:
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
        dimension_scores.append(
            DimensionScore(
                key=dim,
                score=value,
                level="critical" if knocked else level_for(index, value),
                points=_clean(points[dim]),
                max_points=_clean(m),
                drivers=tuple(d for _, d in sorted(drivers[dim], key=lambda item: item[0])),
                raw_score=min(max(round_half_up(raw), 0), 100),
                knockout=knocked,
            )
        )
        weight = index.weights.get(dim, 1.0)
        weighted += weight * value
        weights += weight
    mean_risk = weighted / weights if weights else 0.0
    readiness = min(max(100 - round_half_up(mean_risk), 0), 100)
    cap = None
    if knockout_dims:
        cap = max(100 - round_half_up(critical), 0)
    elif any(d.level == "critical" for d in dimension_scores):
        cap = max(100 - round_half_up(index.high), 0)
    elif any(d.level == "high" for d in dimension_scores):
        cap = max(100 - round_half_up(index.medium), 0)
    if cap is not None:
        # above cap - 10 the readiness is squeezed into [cap - 10, cap]: order kept, no ties
        low = max(cap - 10, 0)
        if readiness > low:
            readiness = min(round_half_up(low + (cap - low) * (readiness - low) / (100 - low)), cap)

    vendor_exposure = {}
    for vendor in index.vendors:
        # one scale for all vendors (the largest vendor footprint the catalogue allows), so that
        # "Microsoft 56, Mistral 8" compares across vendors; within a vendor the ranking of
        # clients is the same either way
        vmax = index.vendor_scale
        share = min(vendor_points.get(vendor, 0) / vmax, 1.0) if vmax else 0.0
        vendor_exposure[vendor] = min(max(round_half_up(100.0 * factor * share), 0), 100)

    risk_by_dim = {d.key: d.score for d in dimension_scores}
    critical_dims = {d.key for d in dimension_scores if d.level == "critical"}
    knockout_keys.update(
        d.question_key for ds in dimension_scores for d in ds.drivers if d.knockout
    )
    fired = []
    for rec in index.recommendations:
        if rec.condition is not None and not rec.condition(effective):
            continue
        named = ()
        if rec.rows is not None:
            named = tuple(u.name for u in use_cases if rec.rows(u))
            if not named:
                continue
        for fact in rec.facts:
            facts[fact] = None
        fired.append((rec, named))
    if index.law_as_of is None:
        # Band 0 removes a knock-out driver, band 1 works on a critical dimension, band 2 the
        # rest; priority, then effort, then risk sort inside a band, so a quick win never
        # overtakes a critical fix.
        banded = []
        for rec, _named in fired:
            if knockout_keys.intersection(rec.triggered_by):
                band = 0
            elif rec.dimension in critical_dims:
                band = 1
            else:
                band = 2
            sort_key = (
                band,
                rec.priority,
                rec.effort_rank,
                -risk_by_dim.get(rec.dimension, 0),
                rec.key,
            )
            banded.append((sort_key, rec))
        banded.sort(key=lambda item: item[0])
        recommendations = tuple(_recommendation(rec, key[0] < 2) for key, rec in banded)
    else:
        legal = []
        for rec, named in fired:
            urgency, due = urgency_of(rec, effective, index.law_as_of)
            sort_key = legal_sort_key(rec, urgency, due, risk_by_dim.get(rec.dimension, 0))
            legal.append((sort_key, rec, urgency, due, named))
        legal.sort(key=lambda item: item[0])
        marks = firsts([item[2] for item in legal])
        recommendations = tuple(
            _recommendation(rec, first, urgency=urgency, due=due, first=first, named=named)
            for (_key, rec, urgency, due, named), first in zip(legal, marks, strict=True)
        )

    knockouts_out = tuple(d for ds in dimension_scores for d in ds.drivers if d.knockout)
    dates = [index.fact_dates[f] for f in facts if f in index.fact_dates]
    return ScoreCard(
        scoring_version=SCORING_VERSION,
        catalogue_key=index.key,
        catalogue_version=index.version,
        dimensions=tuple(dimension_scores),
        readiness=readiness,
        readiness_level=level_for(index, 100 - readiness),
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


def _lift(risk: float, floor: float) -> float:
    return floor + (100.0 - floor) * min(max(risk, 0.0), 100.0) / 100.0


def _recommendation(
    rec, urgent: bool, *, urgency: str = "", due=None, first: bool = False, named: tuple = ()
) -> Recommendation:
    return Recommendation(
        key=rec.key,
        dimension=rec.dimension,
        priority=rec.priority,
        effort=rec.effort,
        title=rec.title,
        text=rec.text,
        triggered_by=rec.triggered_by,
        urgent=urgent,
        urgency=urgency,
        due=due,
        first=first,
        use_cases=named,
    )


def _copy(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
