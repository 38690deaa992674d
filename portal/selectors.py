"""Reads for the portal app. Client data is always reached through ``visible_to``."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from .models import Membership, Organization, User


def organization_get_for_user(*, user: User, organization_id) -> Organization:
    """The organisation if ``user`` may see it, else 404 (never 403: do not confirm it exists)."""
    return get_object_or_404(Organization.objects.visible_to(user), pk=organization_id)


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    return (
        Organization.objects.visible_to(user)
        .select_related("consultant")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def membership_role(*, user: User, organization: Organization) -> str | None:
    return (
        Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


DASHBOARD_SCORE_FIELDS = ("readiness", "lock_in", "gdpr", "ai_act", "continuity", "governance")
DASHBOARD_SORTS = {
    "name": "name",
    "readiness": "latest_readiness",
    "lock_in": "latest_lock_in",
    "gdpr": "latest_gdpr",
    "ai_act": "latest_ai_act",
    "continuity": "latest_continuity",
    "governance": "latest_governance",
    "submitted": "latest_submitted_at",
}
LEVELS = ("low", "medium", "high", "critical")


def portfolio_for_consultant(
    *, user: User, sort: str = "name", level: str = "", mine_only: bool = False
) -> QuerySet[Organization]:
    """All client organisations with their latest scores, for the consultant dashboard."""
    from django.db.models import F, OuterRef, Subquery, UUIDField

    from assessments.models import Assessment, Result

    latest = Result.objects.filter(organization=OuterRef("pk")).order_by("-computed_at")
    organizations = organizations_for_user(user=user).annotate(
        latest_submitted_at=Subquery(latest.values("assessment__submitted_at")[:1]),
        latest_level=Subquery(latest.values("worst_level")[:1]),
        latest_incomplete_answers=Subquery(latest.values("incomplete_answers")[:1]),
        latest_assessment=Subquery(latest.values("assessment_id")[:1], output_field=UUIDField()),
        draft_assessment=Subquery(
            Assessment.objects.filter(organization=OuterRef("pk"), status="draft").values("pk")[:1],
            output_field=UUIDField(),
        ),
        **{f"latest_{name}": Subquery(latest.values(name)[:1]) for name in DASHBOARD_SCORE_FIELDS},
    )
    if mine_only:
        organizations = organizations.filter(consultant=user)
    if level in LEVELS:
        organizations = organizations.filter(latest_level=level)
    descending = sort.startswith("-")
    field = DASHBOARD_SORTS.get(sort.lstrip("-"), "name")
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return organizations.order_by(expression, "name")
