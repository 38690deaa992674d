from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from .models import Lead


def leads_for_user(*, user, state: str = "") -> QuerySet[Lead]:
    leads = Lead.objects.visible_to(user).select_related("organization", "handled_by")
    if state in Lead.State.values:
        leads = leads.filter(state=state)
    return leads.order_by("-created_at")


def lead_get_for_user(*, user, lead_id) -> Lead:
    return get_object_or_404(Lead.objects.visible_to(user), pk=lead_id)


def lead_counts(*, user) -> dict[str, int]:
    rows = Lead.objects.visible_to(user).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def lead_organization_id(lead_id):
    """For the audit of reads: the client an enquiry became, if any."""
    return Lead.objects.filter(pk=lead_id).values_list("organization_id", flat=True).first()
