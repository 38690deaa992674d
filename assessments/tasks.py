"""Celery tasks: take primary keys, call a service, retry only what is infrastructure.

``render_report`` sorts failures in two kinds. Infrastructure (database connection, storage,
broker) is retried with backoff until ``REPORT_RETRY_BUDGET_SECONDS``; the report stays
"in der Warteschlange" with the reason, and never uses up its attempts. Anything else is bad data
or a bug: retrying cannot help, so the report fails at the first attempt with a sentence the
consultant can act on.
"""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from .models import Report
from .reports import services
from .reports.broker import PRIORITY_FIRST, PRIORITY_NORMAL, RENDER_TASK

logger = logging.getLogger(__name__)


class RenderTask(Task):
    """Render task whose retries, including Celery's retry after a lost worker, go first."""

    def signature_from_request(self, request=None, args=None, kwargs=None, queue=None, **extra):
        signature = super().signature_from_request(request, args, kwargs, queue, **extra)
        return signature.set(priority=PRIORITY_FIRST)


@shared_task(
    bind=True,
    base=RenderTask,
    name=RENDER_TASK,
    # Nobody reads the result; storing it would also make .delay() wait on the result backend
    # (the same Redis), turning a broker outage into a 20-second hang instead of a quick error.
    ignore_result=True,
    acks_late=True,
    priority=PRIORITY_NORMAL,
    # A pool process killed mid-render (OOM, SIGKILL) is retried under the same task id, which
    # may take over its own dead render at once (report_claim); REPORT_MAX_ATTEMPTS bounds a
    # report that kills its worker every time, the time budget bounds infrastructure retries.
    retry_on_worker_lost=True,
    max_retries=None,
    default_retry_delay=1,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def render_report(self, report_id: str, force: bool = False) -> str:
    task_id = self.request.id or ""
    try:
        report = services.report_render(report_id=report_id, force=force, task_id=task_id)
    except SoftTimeLimitExceeded:
        logger.error("Report %s: rendering exceeded the time limit", report_id)
        services.report_fail(
            report_id=report_id,
            kind=Report.FailureKind.TIMEOUT,
            error=_(
                "Die Erstellung hat zu lange gedauert und wurde abgebrochen. Bitte erneut "
                "versuchen; bei Wiederholung den Administrator informieren."
            ),
        )
        return "timeout"
    except Exception as error:  # noqa: BLE001 - sorted below: infrastructure or data
        reason = services.infrastructure_reason(error)
        if reason is None:
            logger.exception("Report %s failed on its data", report_id)
            services.report_fail(
                report_id=report_id,
                kind=Report.FailureKind.DATA,
                error=services.data_error_message(error),
            )
            return "failed"
        return _defer(self, report_id=report_id, reason=reason, error=error, task_id=task_id)
    return "rendered" if report else "skipped"


def _defer(task, *, report_id: str, reason: str, error: Exception, task_id: str) -> str:
    """Requeue after an infrastructure fault and retry with backoff (or fail: budget spent)."""
    retries = task.request.retries
    # Said loudly when the fault starts and about once a minute while it lasts (the retries come
    # every few seconds; the sweep logs the storage as unusable as well).
    level = logging.WARNING if retries % 12 == 0 else logging.INFO
    logger.log(level, "Report %s: %s fault, will retry (%s): %r", report_id, reason, retries, error)
    if isinstance(error, DatabaseError):
        connection.close()  # the broken connection would fail the requeue below as well
    try:
        delay = services.report_defer(
            report_id=report_id, reason=reason, error=error, task_id=task_id, retries=retries
        )
    except DatabaseError as again:
        # Still no database: retry anyway; the claim lets this task id take over its own render.
        logger.warning("Report %s: database still unreachable: %r", report_id, again)
        connection.close()
        delay = services.retry_delay(retries)
    if delay is None:
        return "failed"
    if task.request.is_eager:
        # In-process (embedded default): no broker to wait on and no beat to resume it later.
        services.report_fail(
            report_id=report_id,
            kind=Report.FailureKind.INFRASTRUCTURE,
            reason=reason,
            error=services.infrastructure_message(reason=reason, error=error),
        )
        return "failed"
    raise task.retry(exc=error, countdown=delay, max_retries=None)


@shared_task(name="assessments.tasks.reports_sweep", ignore_result=True, priority=PRIORITY_FIRST)
def reports_sweep(housekeeping: bool = True) -> dict:
    return services.reports_sweep(housekeeping=housekeeping)
