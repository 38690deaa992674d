"""Reads for looking after clients: who is told about new ones, who may take them."""

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import Organization, User


def consultancy_recipients(*, also: User | None = None) -> list[str]:
    """The consultancy's inbox, every consultant who opted in, and ``also`` (e.g. the one in
    charge), each address once."""
    addresses = [settings.CONSULTANCY_INBOX] if settings.CONSULTANCY_INBOX else []
    addresses += User.objects.filter(
        is_consultant=True, is_active=True, notify_new_clients=True
    ).values_list("email", flat=True)
    if also is not None and also.is_active and also.email:
        addresses.append(also.email)
    unique: dict[str, str] = {}
    for address in addresses:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


def organizations_unassigned(*, user: User) -> QuerySet[Organization]:
    """Clients nobody looks after yet. Every consultant may see this list (to claim from it),
    whatever ``CONSULTANT_SCOPE`` says; the client's data stays out of reach until claimed."""
    if not user.is_authenticated or not user.is_consultant:
        return Organization.objects.none()
    return Organization.objects.unassigned().order_by("-created_at")


def organization_get_claimable(*, user: User, organization_id) -> Organization:
    """An organisation ``user`` may claim or assign: one they see, or an unassigned one."""
    visible = Organization.objects.visible_to(user) | organizations_unassigned(user=user)
    return get_object_or_404(visible.distinct(), pk=organization_id)


def consultants_assignable() -> QuerySet[User]:
    return User.objects.filter(is_consultant=True, is_active=True).order_by(
        "first_name", "last_name", "email"
    )
