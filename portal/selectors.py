"""Reads for the portal app. Client data is always reached through ``visible_to``."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from .models import Membership, Organization, User


def organization_get_for_user(*, user: User, organization_id) -> Organization:
    """The organisation if ``user`` may see it, else 404 (never 403: do not confirm it exists)."""
    return get_object_or_404(
        Organization.objects.visible_to(user).select_related("consultant"), pk=organization_id
    )


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


def portfolio_for_consultant(
    *, user: User, sort: str = "name", level: str = "", mine_only: bool = False
) -> QuerySet[Organization]:
    """All visible clients with their latest scores (one join on ``latest_result``); the
    dashboard's full filter set lives in ``portal.portfolio``."""
    from .portfolio.filters import LEVELS, SORTS, PortfolioFilter
    from .portfolio.selectors import portfolio_rows

    filters = PortfolioFilter(
        sort=sort if sort.lstrip("-") in SORTS else "name",
        level=level if level in LEVELS else "",
        mine=mine_only,
    )
    return portfolio_rows(user=user, filters=filters)
