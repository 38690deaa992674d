"""Reads for the portfolio dashboard: one join on each client's latest result, a constant number
of queries whatever the portfolio's size.

"Latest" is the result of the most recently *submitted* assessment, kept on
``Organization.latest_result`` (see ``assessments.services.latest_results_refresh``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
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


def portfolio_rows(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[Organization]:
    """The filtered clients, sorted, each with a flag for an open draft (the table, exports)."""
    from assessments.models import Assessment

    organizations = portfolio_filtered(user=user, filters=filters, facts=facts).annotate(
        draft_assessment=Exists(
            Assessment.objects.filter(organization=OuterRef("pk"), status="draft")
        )
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


def portfolio_summary(organizations: QuerySet[Organization], *, thresholds: dict[str, int]) -> dict:
    """Counts by level, the clients × dimensions heat map and attention counts: one query."""
    stale_before = timezone.now() - STALE_AFTER
    aggregates = {
        "total": Count("pk"),
        "no_result": Count("pk", filter=Q(latest_result__isnull=True)),
        **{f"level_{level}": Count("pk", filter=Q(latest_level=level)) for level in LEVELS},
        **{
            f"heat_{dim}_{level}": Count("pk", filter=_level_q(f"latest_{dim}", thresholds, level))
            for dim in DIMENSIONS
            for level in LEVELS
        },
        "unassigned": Count("pk", filter=Q(consultant__isnull=True)),
        "stale": Count("pk", filter=Q(latest_submitted_at__lt=stale_before)),
        "new": Count("pk", filter=_new_q(organizations)),
        "reports": Count("pk", filter=_failed_or_stuck_reports()),
    }
    data = organizations.order_by().aggregate(**aggregates)
    scored = data["total"] - data["no_result"]
    heat = []
    for dim in DIMENSIONS:
        cells = []
        for level in LEVELS:
            count = data[f"heat_{dim}_{level}"]
            share = count / scored if scored else 0.0
            cells.append({"level": level, "count": count, "share": share})
        heat.append({"dimension": dim, "cells": cells})
    return {
        "total": data["total"],
        "no_result": data["no_result"],
        "levels": [{"level": level, "count": data[f"level_{level}"]} for level in LEVELS],
        "heat": heat,
        "attention_counts": {
            "reports": data["reports"],
            "critical": data["level_critical"],
            "unassigned": data["unassigned"],
            "new": data["new"],
            "stale": data["stale"],
        },
    }


ATTENTION_REASONS = ("reports", "critical", "unassigned", "new", "stale")


def portfolio_attention(
    organizations: QuerySet[Organization], *, limit: int = ATTENTION_LIMIT
) -> list[tuple[Organization, list[str]]]:
    """Clients that need a look, most urgent first, each with its reasons: one query."""
    now = timezone.now()
    flags = {
        "att_reports": Case(
            When(_failed_or_stuck_reports(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "att_critical": Case(
            When(latest_level="critical", then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "att_unassigned": Case(
            When(consultant__isnull=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "att_new": Case(
            When(_new_q(organizations), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "att_stale": Case(
            When(latest_submitted_at__lt=now - STALE_AFTER, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }
    urgency = Case(
        When(att_reports=True, then=Value(0)),
        When(att_critical=True, then=Value(1)),
        When(att_new=True, then=Value(2)),
        When(att_unassigned=True, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    rows = (
        organizations.annotate(**flags)
        .filter(
            Q(att_reports=True)
            | Q(att_critical=True)
            | Q(att_unassigned=True)
            | Q(att_new=True)
            | Q(att_stale=True)
        )
        .annotate(urgency=urgency)
        .order_by("urgency", F("latest_submitted_at").desc(nulls_last=True), "name")[:limit]
    )
    return [
        (org, [reason for reason in ATTENTION_REASONS if getattr(org, f"att_{reason}")])
        for org in rows
    ]


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
