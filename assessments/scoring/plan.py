"""The order of the action plan (pure).

With a catalogue that states its legal date (``law_as_of``), recommendations are ordered by legal
urgency, whatever the level of their dimension:

1. **stop** – end a prohibited practice or an unlawful processing (Art. 5; special-category or
   § 203 StGB data without a legal basis or contract), by priority, then catalogue order;
2. **in_force** – duties that already apply and are unmet (Art. 4, Art. 50 since 2 August 2026,
   GDPR Art. 22, 28, 35 …), by priority, then impact per effort, then the riskier dimension (of
   two equally weighty breaches, the one in the area in worse shape), then the older duty first;
3. **deadline** – duties with a future date, by date, then priority;
4. **risk** – risk reduction by impact per effort (impact: priority 1 → 3 … 3 → 1; effort: low 1,
   medium 2, high 3), then the riskier dimension, then catalogue order (the author's order, never
   the alphabet).

A recommendation is "stop" or a duty only where its ``legal_if`` holds (a consumer chat tier is
an unlawful processing only with personal data in it); otherwise it reduces a risk. "zuerst"
(``first``) marks at most three actions, and only stop and in-force ones.

Catalogues without a legal date keep the older order (knock-out fixes, then critical dimensions,
then priority and effort) and its ``urgent`` flag.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .model import Recommendation, UseCaseClassification

URGENCY_RANK = {"stop": 0, "in_force": 1, "deadline": 2, "risk": 3}
FIRST_AT_MOST = 3
_MEMO_LIMIT = 256  # memoised Recommendation objects per recommendation
_IMPACT = {1: 3, 2: 2, 3: 1}
_EFFORT = {"low": 1, "medium": 2, "high": 3}


def compile_row_filter(spec: dict | None) -> Callable[[UseCaseClassification], bool] | None:
    """A ``rows`` filter as a test of one classified use case (all keys must hold, each list is
    "any of"; elements match exactly or as a prefix)."""
    if not spec:
        return None
    classes = frozenset(spec.get("class") or ())
    at_stake = frozenset(spec.get("at_stake") or ())
    roles = frozenset(spec.get("role") or ())
    elements = tuple(spec.get("elements") or ())

    def matches(use_case: UseCaseClassification) -> bool:
        if classes and use_case.ai_act_class not in classes:
            return False
        if at_stake and use_case.at_stake not in at_stake:
            return False
        if roles and use_case.role not in roles:
            return False
        return not elements or any(
            own == e or own.startswith(e + "_") for own in use_case.elements for e in elements
        )

    return matches


def matching_rows(test, use_cases: tuple) -> tuple[str, ...]:
    return tuple(u.name for u in use_cases if test(u))


def urgency_of(rec, effective: dict, law_as_of: str) -> tuple[str, str | None]:
    """("stop" | "in_force" | "deadline" | "risk", the legal date or None)."""
    legal = rec.urgency in {"stop", "duty"} and (rec.legal_if is None or rec.legal_if(effective))
    if not legal:
        return "risk", None
    if rec.urgency == "stop":
        return "stop", rec.applies_from
    if rec.applies_from is not None and rec.applies_from > law_as_of:
        return "deadline", rec.applies_from
    return "in_force", rec.applies_from


def impact_per_effort(rec) -> float:
    return _IMPACT.get(rec.priority, 1) / _EFFORT.get(rec.effort, 2)


def static_legal_order(rec, law_as_of: str) -> tuple | None:
    """What ``urgency_of`` and ``legal_sort_key`` give when the recommendation's ``legal_if``
    holds, computed once per catalogue: (urgency, due, sort key); None for risk reduction. The
    sort key of a duty in force still lacks its dimension's risk (``ordered_by_law`` adds it)."""
    if rec.urgency not in {"stop", "duty"}:
        return None
    if rec.urgency == "stop":
        urgency, due = "stop", rec.applies_from
    elif rec.applies_from is not None and rec.applies_from > law_as_of:
        urgency, due = "deadline", rec.applies_from
    else:
        urgency, due = "in_force", rec.applies_from
    return urgency, due, legal_sort_key(rec, urgency, due, 0)


def legal_sort_key(rec, urgency: str, due: str | None, risk: float) -> tuple[Any, ...]:
    impact = impact_per_effort(rec)
    if urgency == "stop":
        return (0, rec.priority, rec.order)
    if urgency == "in_force":
        return (1, rec.priority, -impact, -risk, due or "", rec.order)
    if urgency == "deadline":
        return (2, due or "", rec.priority, rec.order)
    return (3, -impact, -risk, rec.order)


def firsts(urgencies: list[str]) -> list[bool]:
    """Which of the ordered actions are "zuerst": the first three that stop or meet a duty in
    force."""
    out = []
    left = FIRST_AT_MOST
    for urgency in urgencies:
        mark = left > 0 and urgency in {"stop", "in_force"}
        out.append(mark)
        left -= mark
    return out


_first = operator.itemgetter(0)


def ordered_by_band(fired, knockout_keys, critical_dims, risk_by_dim) -> tuple:
    """Catalogues without a legal date: band 0 removes a knock-out driver, band 1 works on a
    critical dimension, band 2 the rest; priority, then effort, then risk sort inside a band,
    so a quick win never overtakes a critical fix. ``fired``: (RecommendationSpec, row names)."""
    keyed = []
    for rec, _named in fired:
        if knockout_keys.intersection(rec.triggered_by):
            band = 0
        elif rec.dimension in critical_dims:
            band = 1
        else:
            band = 2
        risk = -risk_by_dim.get(rec.dimension, 0)
        keyed.append(((band, rec.priority, rec.effort_rank, risk, rec.key), rec))
    keyed.sort(key=_first)
    return tuple(recommendation(rec, urgent=key[0] < 2) for key, rec in keyed)


def ordered_by_law(fired, effective, risk_by_dim) -> tuple:
    """Catalogues with a legal date: by legal urgency (the static part of each recommendation's
    order is computed once per catalogue, ``index.RecommendationSpec.legal``)."""
    keyed = []
    for rec, named in fired:
        legal = rec.legal
        if legal is not None and (rec.legal_if is None or rec.legal_if(effective)):
            urgency, due, sort_key = legal
            if urgency == "in_force":
                # equally weighty duties in force: the riskier dimension first
                sort_key = (
                    1,
                    rec.priority,
                    rec.neg_impact,
                    -risk_by_dim.get(rec.dimension, 0),
                    due or "",
                    rec.order,
                )
        else:
            # risk reduction, by impact per effort, then the riskier dimension
            urgency, due = "risk", None
            sort_key = (3, rec.neg_impact, -risk_by_dim.get(rec.dimension, 0), rec.order)
        keyed.append((sort_key, rec, urgency, due, named))
    keyed.sort(key=_first)
    marks = firsts([item[2] for item in keyed])
    return tuple(
        recommendation(rec, urgent=first, urgency=urgency, due=due, first=first, named=named)
        for (_key, rec, urgency, due, named), first in zip(keyed, marks, strict=True)
    )


def recommendation(
    rec, *, urgent: bool, urgency: str = "", due=None, first: bool = False, named: tuple = ()
) -> Recommendation:
    """The card's Recommendation, memoised per combination on the catalogue's spec, so that cards
    share their objects (and the stored card's packer their serialised form)."""
    memo_key = (urgent, urgency, due, first, named)
    result = rec.memo.get(memo_key)
    if result is None:
        result = Recommendation(
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
        if len(rec.memo) < _MEMO_LIMIT:
            rec.memo[memo_key] = result
    return result
