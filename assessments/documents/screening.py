"""DPIA screening of one use case against the catalogue's ``dpia_screening`` criteria (pure).

The criteria (Art. 35 GDPR, the DSK list of processing that always needs a DPIA, the WP 248
criteria) are catalogue data; this only applies them: a ``required`` criterion alone or
``indicators_needed`` indicators mean a DPIA is needed; a row without personal data needs none;
an open answer that could change the outcome makes it "check" with the question named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalogue.conditions import row_matches

REQUIRED = "required"
CHECK = "check"
NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class Screening:
    outcome: str  # required | check (an open answer decides) | not_required
    required: tuple[dict, ...] = ()  # criteria (catalogue entries) that demand a DPIA alone
    indicators: tuple[dict, ...] = ()  # WP 248 indicators met
    open_fields: tuple[str, ...] = ()  # field keys answered "unknown" or left empty
    facts: tuple[str, ...] = field(default=())


def _open(row: dict, key: str) -> bool:
    value = row.get(key)
    return value in (None, "", "unknown")


def screen(spec: dict | None, row: dict) -> Screening | None:
    """The screening of one use-case row; None when the catalogue has no DPIA criteria."""
    if not spec:
        return None
    facts = list(spec.get("facts", ()))
    personal = spec["personal_data_field"]
    if row.get(personal) in spec.get("no_personal_data", ()):
        return Screening(outcome=NOT_REQUIRED, facts=tuple(facts))
    required, indicators = [], []
    for criterion in spec["criteria"]:
        if row_matches(criterion["when"], row):
            (required if criterion["weight"] == "required" else indicators).append(criterion)
            facts += [f for f in criterion.get("facts", ()) if f not in facts]
    fields = {
        leaf["field"]
        for criterion in spec["criteria"]
        for leaf in _leaves(criterion["when"])
        if "field" in leaf
    } | {personal}
    open_fields = tuple(sorted(key for key in fields if _open(row, key)))
    met = bool(required) or len(indicators) >= spec.get("indicators_needed", 2)
    if met and not _open(row, personal):
        outcome = REQUIRED
    elif met or open_fields:
        # whether personal data is processed is still open: "check", with what it would need
        outcome = CHECK
        outcome = CHECK
    else:
        outcome = NOT_REQUIRED
    return Screening(
        outcome=outcome,
        required=tuple(required),
        indicators=tuple(indicators),
        open_fields=open_fields,
        facts=tuple(facts),
    )


def _leaves(cond: dict):
    for op in ("all", "any"):
        for sub in cond.get(op, ()):
            yield from _leaves(sub)
    if "not" in cond:
        yield from _leaves(cond["not"])
    if "field" in cond:
        yield cond
