"""Writes for PDF reports: request, claim, render, fail, release, sweep.

Every step is safe to run twice. A report is claimed with a conditional UPDATE, so two deliveries
of the same task (broker redelivery, sweep) never render twice at the same time, and a ready
report is not rendered again unless asked.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from portal.models import User
from portal.services import audit_record, email_send

from ..models import Assessment, Report

logger = logging.getLogger(__name__)


def stale_after() -> timedelta:
    """Queued or rendering longer than this means the message or the worker was lost."""
    return timedelta(seconds=settings.REPORT_STALE_SECONDS)


def report_request(*, assessment: Assessment, user: User, language: str | None = None) -> Report:
    """Create the row and queue the task once the transaction commits."""
    if assessment.is_draft:
        raise ValidationError(_("Einen Bericht gibt es erst nach dem Absenden der Antworten."))
    report = Report.objects.create(
        assessment=assessment,
        language=language or assessment.organization.language,
        requested_by=user,
    )
    audit_record(
        action="report.request",
        actor=user,
        organization=assessment.organization,
        target=str(report.pk),
    )
    transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report


def report_enqueue(*, report_id) -> bool:
    """Send the task. A broker outage is logged, not raised: the sweep sends it later."""
    from ..tasks import render_report

    try:
        render_report.delay(str(report_id))
    except (OperationalError, RedisError) as error:
        logger.warning(
            "Broker unreachable, report %s stays queued for the sweep: %s", report_id, error
        )
        return False
    return True


def report_claim(*, report_id, force: bool = False) -> bool:
    """Move the report to ``rendering`` if nobody else is rendering it right now."""
    now = timezone.now()
    claimable = Q(status=Report.Status.QUEUED) | Q(
        status=Report.Status.RENDERING, started_at__lt=now - stale_after()
    )
    if force:
        claimable |= Q(status__in=[Report.Status.READY, Report.Status.FAILED])
    updated = (
        Report.objects.filter(claimable, pk=report_id)
        .filter(attempts__lt=settings.REPORT_MAX_ATTEMPTS)
        .update(
            status=Report.Status.RENDERING,
            started_at=now,
            attempts=F("attempts") + 1,
        )
    )
    return updated == 1


def report_render(*, report_id, force: bool = False) -> Report | None:
    """Render the PDF into private storage. Returns None when there was nothing to do."""
    from .render import report_pdf

    if not report_claim(report_id=report_id, force=force):
        _fail_if_exhausted(report_id)
        return None
    report = Report.objects.select_related("assessment__organization").get(pk=report_id)
    result = report_pdf(report)
    name = f"reports/{report.pk}.pdf"
    storage = report.file.storage
    if storage.exists(name):
        storage.delete(name)  # an earlier, interrupted attempt: keep exactly one file
    report.file.save(
        f"{report.pk}.pdf", ContentFile(result.pdf), save=False
    )  # upload_to adds reports/
    report.sha256 = hashlib.sha256(result.pdf).hexdigest()
    report.size = len(result.pdf)
    report.pages = result.pages
    report.status = Report.Status.READY
    report.last_error = ""
    report.finished_at = timezone.now()
    report.save(
        update_fields=["file", "sha256", "size", "pages", "status", "last_error", "finished_at"]
    )
    _supersede_older(report)
    transaction.on_commit(lambda: _notify_ready(report_id=report.pk))
    return report


def _supersede_older(report: Report) -> None:
    Report.objects.filter(
        assessment_id=report.assessment_id, status=Report.Status.READY, released=False
    ).exclude(pk=report.pk).filter(created_at__lt=report.created_at).update(superseded=True)


def _fail_if_exhausted(report_id) -> None:
    Report.objects.filter(
        pk=report_id,
        status__in=[Report.Status.QUEUED, Report.Status.RENDERING],
        attempts__gte=settings.REPORT_MAX_ATTEMPTS,
    ).update(
        status=Report.Status.FAILED,
        finished_at=timezone.now(),
        last_error=_(
            "Der Bericht konnte nach %(n)s Versuchen nicht erstellt werden. Bitte erneut "
            "anstoßen; bleibt der Fehler, die Antworten auf ungewöhnliche Inhalte prüfen."
        )
        % {"n": settings.REPORT_MAX_ATTEMPTS},
    )


def report_fail(*, report_id, error: str) -> None:
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.READY).update(
        status=Report.Status.FAILED, finished_at=timezone.now(), last_error=error[:2000]
    )


def report_requeue(*, report_id, reason: str = "") -> None:
    """Back to the queue after a transient error (the task retries with backoff)."""
    Report.objects.filter(pk=report_id, status=Report.Status.RENDERING).update(
        status=Report.Status.QUEUED, queued_at=timezone.now(), last_error=reason[:2000]
    )


def report_retry(*, report: Report, user: User) -> Report:
    if (
        not user.is_consultant
        and not report.assessment.organization.memberships.filter(user=user).exists()
    ):
        raise PermissionDenied
    Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
        status=Report.Status.QUEUED, attempts=0, last_error="", queued_at=timezone.now()
    )
    audit_record(
        action="report.retry",
        actor=user,
        organization=report.assessment.organization,
        target=str(report.pk),
    )
    transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    report.refresh_from_db()
    return report


def report_release(*, report: Report, user: User) -> Report:
    if not user.is_consultant:
        raise PermissionDenied
    if not report.is_ready:
        raise ValidationError(_("Nur fertige Berichte können freigegeben werden."))
    Report.objects.filter(pk=report.pk).update(
        released=True, released_at=timezone.now(), released_by=user
    )
    audit_record(
        action="report.release",
        actor=user,
        organization=report.assessment.organization,
        target=str(report.pk),
    )
    transaction.on_commit(lambda: _notify_released(report_id=report.pk))
    report.refresh_from_db()
    return report


def report_download_record(*, report: Report, user: User) -> None:
    audit_record(
        action="report.download",
        actor=user,
        organization=report.assessment.organization,
        target=str(report.pk),
        data={"sha256": report.sha256},
    )


def reports_sweep(*, now=None) -> dict:
    """Re-queue reports whose message or worker was lost; delete files nobody needs any more."""
    now = now or timezone.now()
    stuck = list(
        Report.objects.filter(
            Q(status=Report.Status.QUEUED, queued_at__lt=now - stale_after())
            | Q(status=Report.Status.RENDERING, started_at__lt=now - stale_after())
        ).values_list("pk", flat=True)
    )
    for report_id in stuck:
        Report.objects.filter(pk=report_id).update(queued_at=now)
        report_enqueue(report_id=report_id)
    removed = 0
    for report in Report.objects.filter(superseded=True).exclude(file=""):
        report.file.delete(save=False)
        Report.objects.filter(pk=report.pk).update(file="")
        removed += 1
    removed += _delete_orphan_files()
    return {"requeued": len(stuck), "files_removed": removed}


def _delete_orphan_files() -> int:
    """Files in private storage without a report row (the organisation was deleted)."""
    storage = Report._meta.get_field("file").storage
    if not storage.exists("reports"):
        return 0
    known = set(Report.objects.exclude(file="").values_list("file", flat=True))
    removed = 0
    for filename in storage.listdir("reports")[1]:
        name = f"reports/{filename}"
        if name not in known:
            storage.delete(name)
            removed += 1
    return removed


def _notify_ready(*, report_id) -> None:
    report = Report.objects.select_related("assessment__organization__consultant").get(pk=report_id)
    organization = report.assessment.organization
    # Nobody in charge yet: the consultancy's inbox hears of it instead of no one.
    to = organization.consultant.email if organization.consultant else settings.CONSULTANCY_INBOX
    if to:
        email_send(
            template="assessments/email/report_ready",
            to=[to],
            context={"report": report, "organization": organization},
            language=settings.LANGUAGE_CODE,
        )


def _notify_released(*, report_id) -> None:
    report = Report.objects.select_related("assessment__organization").get(pk=report_id)
    organization = report.assessment.organization
    recipients = list(organization.memberships.values_list("user__email", flat=True))
    if recipients:
        email_send(
            template="assessments/email/report_released",
            to=recipients,
            context={"report": report, "organization": organization},
            language=organization.language,
        )
