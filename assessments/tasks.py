"""Celery tasks: take primary keys, call a service, retry only what is transient."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from .reports import services

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the file system hiccupped.
TRANSIENT = (OperationalError, InterfaceError, OSError)


@shared_task(
    bind=True,
    name="assessments.tasks.render_report",
    # Nobody reads the result; storing it would also make .delay() wait on the result backend
    # (the same Redis), turning a broker outage into a 20-second hang instead of a quick error.
    ignore_result=True,
    acks_late=True,
    # A pool process killed mid-render (OOM, SIGKILL) is retried like any retry, up to
    # max_retries; reject_on_worker_lost would redeliver a poison report forever.
    retry_on_worker_lost=True,
    max_retries=3,
    default_retry_delay=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def render_report(self, report_id: str, force: bool = False) -> str:
    try:
        report = services.report_render(report_id=report_id, force=force)
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id=report_id,
            error=_(
                "Die Erstellung hat zu lange gedauert und wurde abgebrochen. Bitte erneut "
                "versuchen; bei Wiederholung den Administrator informieren."
            ),
        )
        return "timeout"
    except TRANSIENT as error:
        services.report_requeue(report_id=report_id, reason=str(error))
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id=report_id, error=_("Vorübergehender Fehler: %s") % error)
            return "failed"
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except Exception as error:  # noqa: BLE001 - a bug or bad data: record it, don't loop
        logger.exception("Report %s failed", report_id)
        services.report_fail(
            report_id=report_id,
            error=_("Fehler beim Erstellen des Berichts: %(error)s") % {"error": error},
        )
        return "failed"
    return "rendered" if report else "skipped"


@shared_task(name="assessments.tasks.reports_sweep", ignore_result=True)
def reports_sweep() -> dict:
    return services.reports_sweep()
