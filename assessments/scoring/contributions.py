"""What one answer contributes to a score card, memoised per answer (pure).

Everything here depends only on the catalogue document and one question's answer, so it is built
once per option (``Choice.result``), per multi-choice or number answer (``QuestionIndex.memo``)
and per string answer (``QuestionIndex.by_string``) and shared by every card that gives that
answer. ``use_cases_of`` does the same for the rows of the use-case group: their classification
(``ai_act.classify``) and what they add to the ai_act dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .ai_act import classify, company_answers
from .index import DocumentIndex
from .model import Driver
from .plan import matching_rows
from .questions import (
    EXPOSURE_DIMENSIONS,
    NA_LABEL,
    UNANSWERED_LABEL,
    UNKNOWN_LABEL,
    Choice,
    QuestionIndex,
    _vendor_points,
)

MEMO_LIMIT = 1024  # memoised answers per multi_choice/number question
# memoised rows per use-case group (about 7 KB each); each company has its own rows
ROWS_MEMO_LIMIT = 256


def clean(value: float) -> int | float:
    if type(value) is int:
        return value
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


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
class Result:
    """What one answer to one question contributes (memoised per option where possible)."""

    # (dimension, points, the question's max, (sort key, driver) or None) per dimension the
    # question has a max, points or a knock-out in
    lines: tuple[tuple[str, int | float, int | float, tuple[tuple, Driver] | None], ...]
    knockouts: tuple[str, ...]
    vendors: tuple[tuple[str, int | float], ...]
    facts: tuple[str, ...] = ()  # facts the question and the chosen answers rely on
    # (weight, weight × share of the question's max in the exposure dimensions) where the
    # question counts towards the exposure
    exposure: tuple[float, float] | None = None
    not_applicable: bool = False  # answered "nicht zutreffend": the question does not count
    rare: bool = False  # any knock-outs, vendors, exposure or N/A (most answers have none)


def _result(
    index: DocumentIndex,
    qi: QuestionIndex,
    answer: Any,
    q_points: dict[str, int | float],
    knockouts: set[str],
    contributions: dict[str, tuple[dict, dict | None]],
    chosen: list[Choice] | None,
) -> Result:
    dims = index.dimensions
    points = {}
    lines = []
    for dim in dims:
        pts = max(q_points.get(dim, 0), 0)
        is_knockout = dim in knockouts
        if pts > 0:
            points[dim] = pts
        entry = None
        if pts > 0 or is_knockout:
            answer_label, reason = contributions.get(dim, (NA_LABEL, qi.reason))
            driver = Driver(
                question_key=qi.key,
                dimension=dim,
                points=clean(pts),
                answer=answer,
                answer_label=answer_label,
                question_text=qi.text,
                reason=reason,
                knockout=is_knockout,
                max_points=clean(qi.max_by_dim.get(dim, pts)),
            )
            # knock-outs first, then by points, then in catalogue order
            entry = ((not is_knockout, -pts, qi.order), driver)
        if dim in points or dim in qi.max_by_dim or entry is not None:
            lines.append((dim, points.get(dim, 0), qi.max_by_dim.get(dim, 0), entry))
    share = None
    share_max = sum(qi.max_by_dim.get(d, 0) for d in EXPOSURE_DIMENSIONS)
    if share_max:
        share_pts = sum(max(q_points.get(d, 0), 0) for d in EXPOSURE_DIMENSIONS)
    else:
        share_max = sum(m for _, m in qi.max)
        share_pts = sum(points.values())
    if share_max:
        share = min(share_pts / share_max, 1.0)
    weight = (index.exposure_weights or {}).get(qi.key)
    exposure = (weight, weight * share) if weight is not None and share is not None else None
    vendors = tuple(sorted(_vendor_points(chosen, qi.caps).items())) if chosen else ()
    facts = tuple(dict.fromkeys((*qi.facts, *(f for c in chosen or () for f in c.facts))))
    knocked_out = tuple(d for d in dims if d in knockouts)
    return Result(
        lines=tuple(lines),
        knockouts=knocked_out,
        vendors=vendors,
        facts=facts,
        exposure=exposure,
        rare=bool(knocked_out or vendors or exposure),
    )


def _quiet_result(qi: QuestionIndex, not_applicable: bool) -> Result:
    """A shown question that scores nothing (or is answered "nicht zutreffend"): its facts."""
    return Result(
        lines=(),
        knockouts=(),
        vendors=(),
        facts=qi.facts,
        not_applicable=not_applicable,
        rare=not_applicable,
    )


def string_result(index: DocumentIndex, qi: QuestionIndex, value: str) -> Result:
    """What a string answer contributes: an option key, "yes"/"no", "unknown" or "na" (the
    engine memoises it per question and string)."""
    if value == "na":
        return _quiet_result(qi, not_applicable=True)
    return answer_result(index, qi, value)


def _unknown_result(index: DocumentIndex, qi: QuestionIndex, answer: Any) -> Result:
    q_points = dict(qi.unknown)
    label = UNANSWERED_LABEL if answer is None else UNKNOWN_LABEL
    contributions = dict.fromkeys(q_points, (label, index.unknown_reason or qi.reason))
    return _result(index, qi, answer, q_points, set(), contributions, None)


def _choices_result(
    index: DocumentIndex, qi: QuestionIndex, answer: Any, chosen: list[Choice]
) -> Result:
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


def answer_result(index: DocumentIndex, qi: QuestionIndex, value: Any) -> Result:
    if not qi.scored:
        if qi.quiet_result is None:
            qi.quiet_result = _quiet_result(qi, not_applicable=False)
        return qi.quiet_result
    if value is None:
        if qi.unanswered_result is None:
            qi.unanswered_result = _unknown_result(index, qi, None)
        return qi.unanswered_result
    result = _memoised(qi, value)
    if result is not None:
        return result
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
        result = _choices_result(index, qi, copy_answer(value), chosen)
        if memo_key is not None and len(qi.memo) < MEMO_LIMIT:
            qi.memo[memo_key] = result
    return result


def _memoised(qi: QuestionIndex, value: Any) -> Result | None:
    """The memoised result of a list or number answer, looked up before anything is built."""
    kind = qi.kind
    if kind == "multi" and isinstance(value, list | tuple):
        try:  # the memo's keys are tuples of strings: equal only to the same strings
            return qi.memo.get(tuple(value))
        except TypeError:  # an unhashable item, never memoised
            return None
    if kind == "number" and (type(value) is int or type(value) is float):
        return qi.memo.get(value)
    if kind == "scale" and type(value) is int and 0 <= value - qi.scale_min < len(qi.steps):
        return qi.steps[value - qi.scale_min].result
    return None


def copy_answer(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [copy_answer(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_answer(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class UseCases:
    """The rows of the use-case group classified, and what they add to the card."""

    use_cases: tuple  # UseCaseClassification per row
    facts: tuple[str, ...]  # the facts the rows' classes and legal elements rely on
    result: Result  # what the group adds to ai_act
    # per ``index.row_filters`` (the ``rows`` of knock-out rules and recommendations): the names
    # of the rows it matches
    row_names: tuple[tuple[str, ...], ...]


def use_cases_of(index: DocumentIndex, qi: QuestionIndex, rows: list, answers: dict) -> UseCases:
    """The rows classified (``ai_act.classify``), memoised per rows and the company-level answers
    the classification reads: a company's rows come back unchanged with most of its answers."""
    company = company_answers(index, answers)
    key = _rows_key(rows, company)
    hit = qi.rows_memo.get(key) if key is not None else None
    if hit is not None:
        return hit
    use_cases = classify(index, qi, rows, answers)
    facts: dict[str, None] = {}
    procedure = index.procedure
    for use_case in use_cases:
        facts.update(dict.fromkeys(index.classes[use_case.ai_act_class].facts))
        if procedure is not None:
            facts.update(dict.fromkeys(procedure.facts_of(use_case)))
    if qi.scored:
        # rows of text answers (a key): a copy of each row is a copy of its values
        copied = [dict(row) for row in rows] if key is not None else copy_answer(rows)
        result = _use_case_result(index, qi, copied, use_cases)
    else:
        result = answer_result(index, qi, rows)  # its facts only
    row_names = tuple(matching_rows(test, use_cases) for test in index.row_filters)
    entry = UseCases(use_cases, tuple(facts), result, row_names)
    if key is not None:
        if len(qi.rows_memo) >= ROWS_MEMO_LIMIT:
            qi.rows_memo.clear()  # start again with the rows of the companies scored now
        qi.rows_memo[key] = entry
    return entry


def _rows_key(rows: list, company: tuple) -> tuple | None:
    """A key equal only for rows that give the same classification and the same copy: rows of
    text answers (strings, or None for an empty field). Rows with numbers or lists (never given
    by the form) are not memoised: 1, 1.0 and True are equal keys but different answers."""
    key = [company]
    for value in company:
        if value is not None and type(value) is not str:
            return None
    for row in rows:
        if type(row) is not dict:
            return None
        for value in row.values():
            if value is not None and type(value) is not str:
                return None
        key.append(tuple(row.items()))
    return tuple(key)


def _use_case_result(index: DocumentIndex, qi: QuestionIndex, copied: list, use_cases) -> Result:
    """``copied``: the rows as the card keeps them (a copy of the answer)."""
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
    return _result(index, qi, copied, q_points, knockouts, contributions, None)
