from django.shortcuts import get_object_or_404

from portal.models import User

from ..models import Assessment, Report


def reports_for_assessment(*, user: User, assessment: Assessment) -> list[Report]:
    return list(
        Report.objects.visible_to(user)
        .filter(assessment=assessment, superseded=False)
        .select_related("requested_by", "released_by")
        .order_by("-created_at")
    )


def report_get_for_user(*, user: User, report_id) -> Report:
    """404 unless the user may see it: consultants, or members once it is released."""
    return get_object_or_404(
        Report.objects.visible_to(user).select_related("assessment__organization"),
        pk=report_id,
    )
