from datetime import timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User

from ..models import Assessment, Report


def reports_for_assessment(*, user: User, assessment: Assessment) -> list[Report]:
    """The reports panel's list (results page, and every 2 s while one is on its way), with
    what the panel shows of each report (``PANEL_FIELDS``)."""
    return list(
        Report.objects.visible_to(user)
        .filter(assessment=assessment, superseded=False)
        .only(*PANEL_FIELDS)
        .order_by("-created_at")
    )


# what the panel and ``report_delay`` read of a report (the whole row has 26 columns)
PANEL_FIELDS = (
    "status",
    "created_at",
    "pages",
    "released",
    "last_error",
    "delay_reason",
    "cycle_started_at",
)


def report_get_for_user(*, user: User, report_id) -> Report:
    """404 unless the user may see it: consultants, or members once it is released."""
    return get_object_or_404(
        Report.objects.visible_to(user).select_related("assessment__organization"),
        pk=report_id,
    )


def report_delay(report: Report, *, now=None, worker_alive: bool | None = None) -> str:
    """Why a pending report is late, for the panel; "" while it is on time.

    A broker outage is said at once (the report waits in the database for the sweep); any other
    reason only once the report has waited ``REPORT_DELAYED_SECONDS``.
    """
    if not report.is_pending:
        return ""
    if report.delay_reason == Report.DelayReason.BROKER:
        return _("in der Warteschlange, wird erstellt, sobald der Dienst wieder erreichbar ist")
    now = now or timezone.now()
    if now - report.cycle_started_at < timedelta(seconds=settings.REPORT_DELAYED_SECONDS):
        return ""
    if report.last_error:
        reason = report.last_error
    elif report.delay_reason:
        reason = report.get_delay_reason_display()
    elif worker_alive is False:
        reason = _("Zurzeit läuft kein Dienst, der Berichte erstellt.")
    else:
        reason = _("Der Bericht wartet länger als üblich.")
    return _("verzögert: %(reason)s Der Bericht wird automatisch erstellt, sobald es geht.") % {
        "reason": reason.rstrip(".") + "."
    }
