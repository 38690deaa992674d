"""Writes for PDF reports: request, claim, render, fail, release, sweep.

Every step is safe to run twice. A report is claimed with a conditional UPDATE, so two deliveries
of the same task (broker redelivery, sweep) never render twice at the same time, and a ready
report is not rendered again unless asked.
"""

import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import mail_admins
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from portal.auditlog import audit_record
from portal.dispatch import task_named
from portal.mail import email_send
from portal.models import User

from ..models import Assessment, Report
from . import storage
from .broker import PRIORITY_FIRST, RENDER_TASK, BrokerReports, broker_reports

logger = logging.getLogger(__name__)


def stale_after() -> timedelta:
    """Queued longer than this without a worker taking it means the message was lost."""
    return timedelta(seconds=settings.REPORT_STALE_SECONDS)


def lease() -> timedelta:
    """How long a render's claim holds without the worker renewing it."""
    return timedelta(seconds=settings.REPORT_LEASE_SECONDS)


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


_background: ThreadPoolExecutor | None = None
_background_lock = threading.Lock()


def _render_in_background(report_id) -> None:
    """The embedded default's stand-in for a worker: one thread of the web process renders.

    Celery runs tasks eagerly there, so ``delay()`` would render inside the request and keep the
    page waiting for seconds. One thread renders the reports one after another (WeasyPrint is not
    made for parallel threads); the report panel polls its state as it does with a real worker.
    """

    def render() -> None:
        try:
            task_named(RENDER_TASK).apply((str(report_id),))
        except Exception:
            logger.exception("Report %s failed in the background render thread", report_id)
        finally:
            connection.close()

    global _background
    with _background_lock:
        if _background is None:
            _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-render")
    _background.submit(render)


def report_enqueue(*, report_id, first: bool = False) -> bool:
    """Send the task. A broker outage is logged and noted on the row; the sweep sends it later.

    ``first`` puts the message at the front of the queue: for reports sent again after a fault,
    which have waited their turn once already. Without a broker (embedded default,
    ``REPORT_RENDER_IN_BACKGROUND``) a thread of this process renders it instead.
    """
    if settings.REPORT_RENDER_IN_BACKGROUND:
        _render_in_background(report_id)
        return True
    render_report = task_named(RENDER_TASK)
    try:
        if first:
            render_report.apply_async((str(report_id),), priority=PRIORITY_FIRST)
        else:
            render_report.delay(str(report_id))
    except (OperationalError, RedisError) as error:
        logger.warning(
            "Broker unreachable, report %s stays queued for the sweep: %s", report_id, error
        )
        Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
            delay_reason=Report.DelayReason.BROKER
        )
        return False
    Report.objects.filter(
        pk=report_id, status=Report.Status.QUEUED, delay_reason=Report.DelayReason.BROKER
    ).update(delay_reason="")
    return True


def report_claim(*, report_id, force: bool = False, task_id: str = "") -> bool:
    """Move the report to ``rendering`` if nobody else is rendering it right now.

    A render holds the report by a lease its worker renews (``lease_until``). The lease lapses
    when the worker dies; then anyone may take over. The task's own retry (same Celery task id,
    e.g. after its pool process was killed) takes over at once, without waiting for the lease.
    """
    now = timezone.now()
    claimable = Q(status=Report.Status.QUEUED) | Q(
        status=Report.Status.RENDERING, lease_until__lt=now
    )
    if task_id:
        claimable |= Q(status=Report.Status.RENDERING, task_id=task_id)
    if force:
        claimable |= Q(status__in=[Report.Status.READY, Report.Status.FAILED])
    updated = (
        Report.objects.filter(claimable, pk=report_id)
        .filter(attempts__lt=settings.REPORT_MAX_ATTEMPTS)
        .update(
            status=Report.Status.RENDERING,
            started_at=now,
            lease_until=now + lease(),
            task_id=task_id,
            attempts=F("attempts") + 1,
        )
    )
    return updated == 1


def report_lease_renew(*, report_id, task_id: str) -> bool:
    """The worker is still rendering: extend its lease. False if the report was taken over."""
    return (
        Report.objects.filter(pk=report_id, status=Report.Status.RENDERING, task_id=task_id).update(
            lease_until=timezone.now() + lease()
        )
        == 1
    )


def report_render(*, report_id, force: bool = False, task_id: str = "") -> Report | None:
    """Render the PDF into private storage. Returns None when there was nothing to do.

    Storage is checked before rendering (a read-only or full disk fails fast, not after the
    whole PDF). The PDF goes to a temporary file; the row is marked ready and the file renamed
    to its final name in one transaction, so a ready row never points to a file still being
    written, and the sweep never sees a finished file it does not know (plus a grace age).
    Raises what failed; the task decides between retrying (infrastructure) and failing (data).
    """
    from .render import report_pdf

    if not report_claim(report_id=report_id, force=force, task_id=task_id):
        _fail_if_exhausted(report_id)
        return None
    storage.storage_probe()
    report = Report.objects.select_related("assessment__organization").get(pk=report_id)
    with _lease_keeper(report_id=report_id, task_id=task_id):
        result = report_pdf(report)
        temporary = storage.write_temporary(result.pdf, report_id=report.pk)
    try:
        with transaction.atomic():
            now = timezone.now()
            owned = Report.objects.filter(
                pk=report.pk, status=Report.Status.RENDERING, task_id=task_id
            ).update(
                file=storage.final_name(report.pk),
                sha256=hashlib.sha256(result.pdf).hexdigest(),
                size=len(result.pdf),
                pages=result.pages,
                status=Report.Status.READY,
                last_error="",
                delay_reason="",
                failure_kind="",
                lease_until=None,
                finished_at=now,
            )
            if not owned:
                logger.warning("Report %s was taken over by another render; dropped", report_id)
                storage.discard(temporary)
                return None
            storage.publish(temporary, report_id=report.pk)
    except BaseException:
        storage.discard(temporary)
        raise
    logger.info("Report %s rendered: %s pages, %s bytes", report.pk, result.pages, len(result.pdf))
    report.refresh_from_db()
    _supersede_older(report)
    transaction.on_commit(lambda: _notify_ready(report_id=report.pk))
    return report


class _lease_keeper:
    """Renew the render's lease from a thread while the (long, DB-free) layout runs."""

    def __init__(self, *, report_id, task_id: str):
        self.report_id = report_id
        self.task_id = task_id
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _run(self) -> None:
        interval = max(settings.REPORT_LEASE_SECONDS / 3, 0.5)
        used_database = False
        try:
            while not self.stop.wait(interval):
                used_database = True
                try:
                    report_lease_renew(report_id=self.report_id, task_id=self.task_id)
                except DatabaseError as error:
                    logger.warning("Lease of report %s not renewed: %s", self.report_id, error)
        finally:
            if used_database:
                connection.close()

    def __enter__(self):
        if self.task_id:
            self.thread = threading.Thread(target=self._run, name="report-lease", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def _supersede_older(report: Report) -> None:
    Report.objects.filter(
        assessment_id=report.assessment_id, status=Report.Status.READY, released=False
    ).exclude(pk=report.pk).filter(created_at__lt=report.created_at).update(superseded=True)


def _fail_if_exhausted(report_id) -> None:
    """A report whose renders kept dying (the worker was killed each time) is failed."""
    updated = Report.objects.filter(
        pk=report_id,
        status__in=[Report.Status.QUEUED, Report.Status.RENDERING],
        attempts__gte=settings.REPORT_MAX_ATTEMPTS,
    ).update(
        status=Report.Status.FAILED,
        failure_kind=Report.FailureKind.ATTEMPTS,
        lease_until=None,
        finished_at=timezone.now(),
        last_error=_(
            "Die Erstellung wurde %(n)s-mal mitten im Rendern abgebrochen (der Prozess wurde "
            "beendet, etwa wegen Speichermangels). Bitte den Administrator informieren."
        )
        % {"n": settings.REPORT_MAX_ATTEMPTS},
    )
    if updated:
        logger.error(
            "Report %s failed: its render was interrupted %s times",
            report_id,
            settings.REPORT_MAX_ATTEMPTS,
        )


# --- failures: infrastructure (retry until the budget is spent) or data (fail at once) ----------


def infrastructure_reason(error: BaseException) -> str | None:
    """The delay reason when ``error`` is a fault of the infrastructure, None for bad data."""
    if isinstance(error, DatabaseError) and not isinstance(error, DataError | IntegrityError):
        return Report.DelayReason.DATABASE
    if isinstance(error, OperationalError | RedisError):
        return Report.DelayReason.BROKER
    if isinstance(error, OSError):
        return Report.DelayReason.STORAGE
    return None


def infrastructure_message(*, reason: str, error: BaseException) -> str:
    if reason == Report.DelayReason.STORAGE and isinstance(error, OSError):
        return storage.describe_os_error(error)
    if reason == Report.DelayReason.DATABASE:
        return _("Die Datenbank war während der Erstellung nicht erreichbar.")
    return _("Der Warteschlangendienst war nicht erreichbar.")


def data_error_message(error: BaseException) -> str:
    """A sentence for the consultant instead of ``KeyError: 'scoring_version'``."""
    if isinstance(error, KeyError):
        detail = _("In den gespeicherten Ergebnisdaten fehlt der Eintrag „%(key)s“.") % {
            "key": error.args[0] if error.args else "?"
        }
    else:
        detail = str(error) or error.__class__.__name__
    return _(
        "Der Bericht kann aus den gespeicherten Daten dieser Bewertung nicht erstellt werden: "
        "%(detail)s Ein erneuter Versuch hilft erst, wenn die Daten korrigiert sind (z. B. "
        "durch erneutes Absenden oder Neuberechnen); bitte den Administrator informieren."
    ) % {"detail": detail.rstrip(".") + "."}


def retry_delay(retries: int) -> int:
    """Backoff for infrastructure retries: 1, 2, 4, 8, 16 s, then every REPORT_RETRY_MAX_DELAY."""
    return int(min(2 ** min(retries, 10), settings.REPORT_RETRY_MAX_DELAY))


def report_defer(*, report_id, reason: str, error: BaseException, task_id: str, retries: int):
    """Back to the queue after an infrastructure fault; returns the delay, or None when failed.

    Such attempts do not count against ``REPORT_MAX_ATTEMPTS`` (only interrupted renders do);
    they are bounded by the time budget ``REPORT_RETRY_BUDGET_SECONDS`` from the start of the
    round. When the budget is spent the report fails as *infrastructure*; the sweep resumes it
    once the fault is gone.
    """
    message = infrastructure_message(reason=reason, error=error)
    now = timezone.now()
    started = Report.objects.filter(pk=report_id).values_list("cycle_started_at", flat=True).first()
    if started is None:
        return None
    budget = timedelta(seconds=settings.REPORT_RETRY_BUDGET_SECONDS)
    if now - started >= budget:
        logger.error(
            "Report %s failed after %ss of infrastructure faults (%s): %s",
            report_id,
            settings.REPORT_RETRY_BUDGET_SECONDS,
            reason,
            error,
        )
        report_fail(
            report_id=report_id,
            kind=Report.FailureKind.INFRASTRUCTURE,
            reason=reason,
            error=_(
                "%(message)s Der Bericht wird automatisch erstellt, sobald der Fehler behoben "
                "ist; die Administratoren sind informiert."
            )
            % {"message": message},
        )
        return None
    delay = retry_delay(retries)
    Report.objects.filter(
        Q(status=Report.Status.RENDERING, task_id=task_id) | Q(status=Report.Status.QUEUED),
        pk=report_id,
    ).update(
        status=Report.Status.QUEUED,
        queued_at=now + timedelta(seconds=delay),  # the sweep leaves it to the retry until then
        lease_until=None,
        delay_reason=reason,
        last_error=message,
        attempts=Greatest(F("attempts") - 1, 0),
    )
    return delay


def report_fail(*, report_id, error: str, kind: str = "", reason: str = "") -> None:
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.READY).update(
        status=Report.Status.FAILED,
        failure_kind=kind,
        delay_reason=reason,
        lease_until=None,
        finished_at=timezone.now(),
        last_error=error[:2000],
    )


def report_retry(*, report: Report, user: User) -> Report:
    """A consultant starts a failed report again (a fresh round: attempts, budget, alert)."""
    if not user.is_consultant:
        raise PermissionDenied
    now = timezone.now()
    Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
        status=Report.Status.QUEUED,
        attempts=0,
        last_error="",
        failure_kind="",
        delay_reason="",
        queued_at=now,
        cycle_started_at=now,
        alerted_at=None,
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


def report_file_missing(*, report_id) -> bool:
    """A ready report whose PDF is gone renders itself again. True if it was re-queued."""
    now = timezone.now()
    updated = Report.objects.filter(pk=report_id, status=Report.Status.READY).update(
        status=Report.Status.QUEUED,
        delay_reason=Report.DelayReason.FILE_MISSING,
        attempts=0,
        queued_at=now,
        cycle_started_at=now,
        alerted_at=None,
    )
    if updated:
        logger.error("Report %s is ready but its PDF is missing; rendering it again", report_id)
        transaction.on_commit(lambda: report_enqueue(report_id=report_id, first=True))
    return bool(updated)


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


def reports_sweep(*, now=None, housekeeping: bool = True) -> dict:
    """The safety net, run by beat; every step is idempotent.

    Every ``REPORT_SWEEP_SECONDS`` (``housekeeping=False``) it re-sends, at the front of the
    queue, what was lost: reports whose message the broker no longer holds, reports queued while
    the broker was down, renders whose lease lapsed. Every ``REPORT_HOUSEKEEPING_SECONDS`` it
    also resumes reports that failed on an infrastructure fault once storage is writable again,
    re-renders ready reports whose file vanished, deletes files nobody needs (orphans only past a
    grace age) and e-mails the admins once about reports that failed or make no progress
    (``reports_alert_admins``).
    """
    now = now or timezone.now()
    outcome = {"requeued": _requeue_lost(now), "resumed": 0, "rerendered": 0, "files_removed": 0}
    outcome["alerted"] = 0
    if not housekeeping:
        return outcome
    if _storage_check() is None:
        outcome["resumed"] = _resume_infrastructure_failures(now)
        outcome["rerendered"] = _rerender_missing_files()
        outcome["files_removed"] = _delete_unneeded_files()
    outcome["alerted"] = reports_alert_admins(now=now)
    return outcome


def _message_alive(in_broker: BrokerReports, report_id: str, now) -> bool:
    """A queued report's message will still be worked on.

    Waiting in the queue: yes, however long the queue. Delivered to a worker but not started yet
    (a retry's countdown, a pool slot to free up): for one lease after delivery; longer means the
    worker holding it died, and Redis would give the message back only after its visibility
    timeout (minutes).
    """
    if report_id in in_broker.waiting:
        return True
    delivered = in_broker.held.get(report_id)
    return delivered is not None and delivered >= now.timestamp() - lease().total_seconds()


def _storage_check() -> OSError | None:
    try:
        storage.storage_probe()
    except OSError as error:
        logger.error("Report storage unusable: %s (%s)", storage.describe_os_error(error), error)
        return error
    return None


# A message reaches Redis within milliseconds of the commit; a queued report older than this that
# the broker does not hold has lost its message.
LOST_GRACE = timedelta(seconds=5)


def _requeue_lost(now) -> int:
    """Queued without a message in the broker, or a render whose lease lapsed: send again."""
    in_broker = broker_reports()
    # Without a look into the broker (not Redis, or unreachable) only age tells a lost message.
    waited = LOST_GRACE if in_broker is not None else stale_after()
    requeued = 0
    queued = (
        Report.objects.filter(status=Report.Status.QUEUED)
        .filter(
            # The enqueue itself failed (broker down): nothing to wait for.
            Q(delay_reason=Report.DelayReason.BROKER, queued_at__lte=now)
            | Q(queued_at__lt=now - waited)
        )
        .values_list("pk", "queued_at", "delay_reason")
    )
    for report_id, queued_at, reason in queued:
        if in_broker is not None and _message_alive(in_broker, str(report_id), now):
            continue  # waiting its turn in a long queue, or about to start
        if not Report.objects.filter(
            pk=report_id, status=Report.Status.QUEUED, queued_at=queued_at
        ).update(queued_at=now):
            continue  # a worker or another sweep got there first
        if reason != Report.DelayReason.BROKER:
            logger.warning(
                "Report %s waited %ss in the queue %s; sending it again",
                report_id,
                int((now - queued_at).total_seconds()),
                "but the broker no longer holds a live message for it (lost, e.g. Redis "
                "restarted, or held by a worker that died)"
                if in_broker is not None
                else "without a worker taking it (message lost or no worker running)",
            )
        requeued += report_enqueue(report_id=report_id, first=True) or 0
    lapsed = Report.objects.filter(status=Report.Status.RENDERING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=now - stale_after())
    )
    for report_id in lapsed.values_list("pk", flat=True):
        # Back to the queue: the message sent below claims it as any queued report, and a render
        # that was only slow to renew (not dead) finds it taken and drops its result.
        if not lapsed.filter(pk=report_id).update(
            status=Report.Status.QUEUED,
            queued_at=now,
            lease_until=None,
            delay_reason=Report.DelayReason.CRASH,
        ):
            continue
        logger.warning(
            "Report %s: the render's lease lapsed (worker died mid-render); sending it again",
            report_id,
        )
        report_enqueue(report_id=report_id, first=True)
        requeued += 1
    return requeued


def _resume_infrastructure_failures(now) -> int:
    """Failed on an infrastructure fault that is gone now (the sweep just wrote to storage)."""
    oldest = now - timedelta(seconds=settings.REPORT_RESUME_MAX_AGE_SECONDS)
    resumed = 0
    candidates = Report.objects.filter(
        status=Report.Status.FAILED,
        failure_kind=Report.FailureKind.INFRASTRUCTURE,
        finished_at__gte=oldest,
        superseded=False,
    ).values_list("pk", flat=True)
    for report_id in candidates:
        if Report.objects.filter(
            pk=report_id,
            status=Report.Status.FAILED,
            failure_kind=Report.FailureKind.INFRASTRUCTURE,
        ).update(
            status=Report.Status.QUEUED,
            failure_kind="",
            attempts=0,
            queued_at=now,
            cycle_started_at=now,
        ):
            logger.warning("Report %s: the infrastructure fault is gone, resuming", report_id)
            report_enqueue(report_id=report_id, first=True)
            resumed += 1
    return resumed


def _rerender_missing_files() -> int:
    rerendered = 0
    ready = Report.objects.filter(status=Report.Status.READY, superseded=False).exclude(file="")
    for report_id, name in ready.values_list("pk", "file"):
        if not storage.file_present(name) and report_file_missing(report_id=report_id):
            rerendered += 1
    return rerendered


def _delete_unneeded_files() -> int:
    """Files of superseded reports, and files without a row (past the grace age).

    A row lets go of its file before the file is deleted, never the other way round: no row
    ever names a file that is gone (a ready report "without a file"). A file whose deletion
    fails after that is an orphan, and goes with the orphans once past the grace age.
    """
    removed = 0
    files = storage.report_storage()
    try:
        superseded = Report.objects.filter(superseded=True).exclude(file="")
        for report_id, name in superseded.values_list("pk", "file"):
            if Report.objects.filter(pk=report_id, superseded=True, file=name).update(file=""):
                files.delete(name)
                removed += 1
        known = set(Report.objects.exclude(file="").values_list("file", flat=True))
        for name in storage.orphans(known=known):
            files.delete(name)
            removed += 1
    except OSError as error:
        logger.error("Sweep could not delete report files: %s", error)
    return removed


# Faults a pending report is being retried for: it is not waiting its turn, it cannot proceed.
_RETRYING_ON = (
    Report.DelayReason.BROKER,
    Report.DelayReason.DATABASE,
    Report.DelayReason.STORAGE,
)


def reports_alert_admins(*, now) -> int:
    """E-mail the admins once per report that failed, or that makes no progress.

    Age alone says nothing: in a long, healthy queue (a burst of requests) a report waits its
    turn for as long as the reports before it take. A pending report whose round began more than
    ``REPORT_ALERT_SECONDS`` ago counts as stuck only when, in that time,

    - no report has been rendered at all (no worker, a hung worker, a dead queue), or
    - it is being retried on an infrastructure fault (broker, database, storage), or
    - its own render has run that long.
    """
    threshold = now - timedelta(seconds=settings.REPORT_ALERT_SECONDS)
    queue_moves = Report.objects.filter(
        status=Report.Status.READY, finished_at__gte=threshold
    ).exists()
    pending_long = Q(
        status__in=[Report.Status.QUEUED, Report.Status.RENDERING], cycle_started_at__lt=threshold
    )
    if queue_moves:
        pending_long &= Q(delay_reason__in=_RETRYING_ON) | Q(
            status=Report.Status.RENDERING, started_at__lt=threshold
        )
    due = list(
        Report.objects.filter(alerted_at__isnull=True)
        .filter(pending_long | Q(status=Report.Status.FAILED))
        .select_related("assessment__organization")
        .order_by("created_at")[:50]
    )
    if not due:
        return 0
    lines = []
    for report in due:
        reason = report.last_error or report.get_delay_reason_display() or "-"
        lines.append(
            f"{report.get_status_display()} seit "
            f"{timezone.localtime(report.cycle_started_at):%d.%m.%Y %H:%M}, Bericht {report.pk}: "
            f"{reason}"
        )
    # Names of clients go to the admins' mail, not into the log (it outlives an erasure).
    logger.error("Reports stuck or failed, telling the admins:\n%s", "\n".join(lines))
    body = "\n".join(
        f"- {report.assessment.organization.name}: {line}"
        for report, line in zip(due, lines, strict=True)
    )
    try:
        mail_admins(
            _("%(n)s PDF-Bericht(e) hängen oder sind fehlgeschlagen") % {"n": len(due)},
            body + "\n\n" + settings.SITE_URL + "/healthz",
        )
    except Exception as error:  # noqa: BLE001 - no mail now: try again at the next sweep
        logger.error("Could not e-mail the admins about stuck reports: %s", error)
        return 0
    Report.objects.filter(pk__in=[r.pk for r in due]).update(alerted_at=now)
    return len(due)


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
