"""Reads for the portfolio dashboard: one join on each client's latest result, a constant number
of queries whatever the portfolio's size.

"Latest" is the result of the most recently *submitted* assessment, kept on
``Organization.latest_result`` (see ``assessments.services.latest_results_refresh``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from ..models import Organization, User
from .filters import DIMENSIONS, LEVELS, SCORE_FIELDS, SORTS, PortfolioFilter

STALE_AFTER = timedelta(days=365)
NEW_WITHIN = timedelta(days=14)
STUCK_AFTER = timedelta(minutes=30)
ATTENTION_LIMIT = 12
DEFAULT_THRESHOLDS = {"medium": 25, "high": 50, "critical": 75}


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


# --- catalogue facts the filters need (one small query, the document cached per version) -------


@dataclass(frozen=True)
class CatalogueFacts:
    thresholds: dict[str, int]
    vendors: tuple[tuple[str, dict], ...]  # (key, {de, en})


@lru_cache(maxsize=8)
def _facts(version_id: int, sha256: str) -> CatalogueFacts:
    from assessments.models import QuestionnaireVersion

    document = QuestionnaireVersion.objects.values_list("document", flat=True).get(pk=version_id)
    levels = {**DEFAULT_THRESHOLDS, **(document.get("levels") or {})}
    vendors = tuple((key, label) for key, label in (document.get("vendors") or {}).items())
    return CatalogueFacts(thresholds=levels, vendors=vendors)


def catalogue_facts() -> CatalogueFacts:
    """Level thresholds and vendors of the active catalogue version (shipped defaults without)."""
    from assessments.models import QuestionnaireVersion

    active = (
        QuestionnaireVersion.objects.published()
        .filter(is_active=True)
        .values_list("pk", "sha256")
        .first()
    )
    if active is None:
        return CatalogueFacts(thresholds=dict(DEFAULT_THRESHOLDS), vendors=())
    return _facts(*active)


def level_range(thresholds: dict[str, int], level: str) -> tuple[int, int | None]:
    """Scores ``[low, high)`` that have ``level`` under these thresholds."""
    bounds = [0, thresholds["medium"], thresholds["high"], thresholds["critical"], None]
    index = LEVELS.index(level)
    return bounds[index], bounds[index + 1]


def _level_q(field: str, thresholds: dict[str, int], level: str) -> Q:
    low, high = level_range(thresholds, level)
    q = Q(**{f"{field}__gte": low})
    if high is not None:
        q &= Q(**{f"{field}__lt": high})
    return q


# --- the rows ----------------------------------------------------------------------------------


def portfolio_base(*, user: User) -> QuerySet[Organization]:
    """Visible organisations with their latest result's columns joined once (LEFT JOIN)."""
    from assessments.models import Assessment

    annotations = {
        "latest_assessment": F("latest_result_id"),
        "latest_submitted_at": F("latest_result__assessment__submitted_at"),
        "latest_level": F("latest_result__worst_level"),
        **{f"latest_{name}": F(f"latest_result__{name}") for name in SCORE_FIELDS},
    }
    from assessments.models import Result

    if _has_field(Result, "incomplete_answers"):  # issue 8's flag, where present
        annotations["latest_incomplete_answers"] = F("latest_result__incomplete_answers")
    if _has_field(Assessment, "review_state"):  # issue 10's review workflow, where present
        annotations["latest_review_state"] = F("latest_result__assessment__review_state")
    return (
        Organization.objects.visible_to(user).select_related("consultant").annotate(**annotations)
    )


def portfolio_filter(
    organizations: QuerySet[Organization],
    *,
    user: User,
    filters: PortfolioFilter,
    thresholds: dict[str, int],
    vendors: set[str],
) -> QuerySet[Organization]:
    if filters.q:
        organizations = organizations.filter(name__icontains=filters.q)
    if filters.level:
        organizations = organizations.filter(latest_level=filters.level)
    for dim, level in filters.dimension_levels.items():
        organizations = organizations.filter(_level_q(f"latest_{dim}", thresholds, level))
    if filters.industry:
        organizations = organizations.filter(industry=filters.industry)
    if filters.size:
        organizations = organizations.filter(size_band=filters.size)
    if filters.consultant:
        organizations = organizations.filter(consultant_id=filters.consultant)
    if filters.unassigned:
        organizations = organizations.filter(consultant__isnull=True)
    if filters.mine:
        organizations = organizations.filter(consultant=user)
    if filters.review and "latest_review_state" in organizations.query.annotations:
        organizations = organizations.filter(latest_review_state=filters.review)
    if filters.vendor in vendors and filters.vendor_min is not None:
        lookup = "gt" if filters.vendor_op == "gt" else "gte"
        organizations = organizations.filter(
            **{f"latest_result__vendor_exposure__{filters.vendor}__{lookup}": filters.vendor_min}
        )
    if filters.stale:
        organizations = organizations.filter(latest_submitted_at__lt=timezone.now() - STALE_AFTER)
    if filters.incomplete:
        if "latest_incomplete_answers" in organizations.query.annotations:
            organizations = organizations.filter(latest_incomplete_answers=True)
        else:
            organizations = organizations.none()
    return organizations


def portfolio_sort(organizations: QuerySet[Organization], sort: str) -> QuerySet[Organization]:
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "name")
    if field == "name":  # never empty: a plain order the (name, id) index serves
        return organizations.order_by("-name" if descending else "name", "pk")
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return organizations.order_by(expression, "name", "pk")


def portfolio_filtered(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[Organization]:
    """The clients of the current filter (for counts, the heat map and the attention list)."""
    facts = facts or catalogue_facts()
    return portfolio_filter(
        portfolio_base(user=user),
        user=user,
        filters=filters,
        thresholds=facts.thresholds,
        vendors={key for key, _label in facts.vendors},
    )


def _with_draft_flag(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    from assessments.models import Assessment

    return organizations.annotate(
        draft_assessment=Exists(
            Assessment.objects.filter(organization=OuterRef("pk"), status="draft")
        )
    )


def portfolio_rows(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[Organization]:
    """The filtered clients, sorted, each with a flag for an open draft (a page, the exports).

    The default order (name, id) has an index: a page of 50 walks it and joins 50 results."""
    organizations = _with_draft_flag(portfolio_filtered(user=user, filters=filters, facts=facts))
    # only what a row shows: every other column (dates, the consultant's account) costs parsing
    organizations = organizations.only(
        "name",
        "industry",
        "size_band",
        "consultant__first_name",
        "consultant__last_name",
        "consultant__email",
    )
    return portfolio_sort(organizations, filters.sort)


# --- above the table ---------------------------------------------------------------------------


def _failed_or_stuck_reports() -> Q:
    """Clients with a failed report or one queued/rendering for too long: one uncorrelated
    subquery (PostgreSQL hashes it once) instead of a lookup per client."""
    from assessments.models import Report

    stuck = timezone.now() - STUCK_AFTER
    failing = Report.objects.filter(superseded=False).filter(
        Q(status=Report.Status.FAILED)
        | Q(status__in=[Report.Status.QUEUED, Report.Status.RENDERING], queued_at__lt=stuck)
    )
    return Q(pk__in=failing.values("assessment__organization_id"))


def _new_q(organizations) -> Q:
    if "latest_review_state" in organizations.query.annotations:
        return Q(latest_review_state="submitted")
    return Q(latest_submitted_at__gte=timezone.now() - NEW_WITHIN)


ATTENTION_REASONS = ("reports", "critical", "unassigned", "new", "stale")
# most urgent first; a client with none of the reasons sorts after every one that has one
URGENCY = ("reports", "critical", "new", "unassigned", "stale")


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


@dataclass
class AttentionItem:
    pk: object
    name: str
    reasons: list[str]  # keys of ATTENTION_REASONS


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) OVER ()"


def _overview_counts(thresholds: dict[str, int]) -> list[tuple[str, str, list]]:
    """(name, SQL over the filtered rows ``f``, parameters) of every count above the table."""
    counts = [
        ("total", "COUNT(*) OVER ()", []),
        ("no_result", _count("f.latest_assessment IS NULL"), []),
        *((f"level_{level}", _count("f.latest_level = %s"), [level]) for level in LEVELS),
    ]
    for dim in DIMENSIONS:
        for level in LEVELS:
            low, high = level_range(thresholds, level)
            condition = f"f.latest_{dim} >= %s" + (
                "" if high is None else f" AND f.latest_{dim} < %s"
            )
            counts.append(
                (
                    f"heat_{dim}_{level}",
                    _count(condition),
                    [low, *([high] if high is not None else [])],
                )
            )
    counts += [(f"att_count_{key}", _count(f"f.att_{key}"), []) for key in ATTENTION_REASONS]
    return counts


def portfolio_overview_sql(
    organizations: QuerySet[Organization], *, thresholds: dict[str, int], limit: int
) -> tuple[str, list, list[tuple[str, str, list]]]:
    """The overview's query (text, parameters, the counts it computes); see below."""
    now = timezone.now()
    conditions = {
        "reports": _failed_or_stuck_reports(),
        "critical": Q(latest_level="critical"),
        "unassigned": Q(consultant__isnull=True),
        "new": _new_q(organizations),
        "stale": Q(latest_submitted_at__lt=now - STALE_AFTER),
    }
    flags = [f"att_{key}" for key in ATTENTION_REASONS]
    inner = (
        organizations.order_by()
        .annotate(o_pk=F("pk"), o_name=F("name"))
        .annotate(**{f"att_{key}": _flag(conditions[key]) for key in ATTENTION_REASONS})
        .values(
            "o_pk",
            "o_name",
            "latest_assessment",
            "latest_level",
            "latest_submitted_at",
            *(f"latest_{dim}" for dim in DIMENSIONS),
            *flags,
        )
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    counts = _overview_counts(thresholds)
    urgency = " ".join(f"WHEN f.att_{key} THEN {rank}" for rank, key in enumerate(URGENCY))
    # every piece of the text is ours (column names, constants); values go in as parameters
    select = ", ".join(
        [
            "f.o_pk",
            "f.o_name",
            f"CASE {urgency} ELSE {len(URGENCY)} END AS urgency",
            *(f"f.{flag}" for flag in flags),
            *(f"{expression} AS n_{name}" for name, expression, _params in counts),
        ]
    )
    order = "urgency, f.latest_submitted_at DESC NULLS LAST, f.o_name, f.o_pk"
    sql = f"SELECT {select} FROM ({inner_sql}) f ORDER BY {order} LIMIT %s"  # noqa: S608
    params = [p for _name, _sql, ps in counts for p in ps] + list(inner_params) + [limit]
    return sql, params, counts


def portfolio_overview(
    organizations: QuerySet[Organization],
    *,
    thresholds: dict[str, int],
    limit: int = ATTENTION_LIMIT,
) -> tuple[dict, list[AttentionItem]]:
    """Counts by level, the clients × dimensions heat map, attention counts and the attention
    list (most urgent first, each with its reasons) for the current filter: one query, one pass.

    The filter and the five reasons are the ORM's (``organizations`` plus one flag per reason);
    around them a small hand-written query adds the counts as window sums over every filtered
    client and returns only the ``limit`` most urgent rows. So the join over the portfolio is
    read once for the summary and the list, and the ORM does not have to build (and the page
    pay for) 34 filtered aggregates. Plain SQL that SQLite and PostgreSQL both run."""
    sql, params, counts = portfolio_overview_sql(organizations, thresholds=thresholds, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    first_count = 3 + len(ATTENTION_REASONS)
    names = [name for name, _sql, _params in counts]
    data = dict(zip(names, rows[0][first_count:], strict=True)) if rows else dict.fromkeys(names, 0)
    to_pk = Organization._meta.pk.to_python  # SQLite hands back the uuid as hex text
    attention = [
        AttentionItem(
            pk=to_pk(row[0]),
            name=row[1],
            reasons=[
                key for key, flag in zip(ATTENTION_REASONS, row[3:first_count], strict=True) if flag
            ],
        )
        for row in rows
        if row[2] < len(URGENCY)
    ]
    scored = data["total"] - data["no_result"]
    heat = []
    for dim in DIMENSIONS:
        cells = []
        for level in LEVELS:
            count = data[f"heat_{dim}_{level}"]
            share = count / scored if scored else 0.0
            cells.append({"level": level, "count": count, "share": share})
        heat.append({"dimension": dim, "cells": cells})
    summary = {
        "total": data["total"],
        "no_result": data["no_result"],
        "levels": [{"level": level, "count": data[f"level_{level}"]} for level in LEVELS],
        "heat": heat,
        "attention_counts": {key: data[f"att_count_{key}"] for key in ATTENTION_REASONS},
    }
    return summary, attention


def consultants_for_filter() -> list[tuple[int, str]]:
    return [
        (user.pk, user.display_name)
        for user in User.objects.filter(is_consultant=True, is_active=True).only(
            "pk", "first_name", "last_name", "email"
        )
    ]


def review_states() -> list[tuple[str, str]]:
    from assessments.models import Assessment

    if not _has_field(Assessment, "review_state"):
        return []
    field = Assessment._meta.get_field("review_state")
    return [(value, label) for value, label in field.choices if value]
