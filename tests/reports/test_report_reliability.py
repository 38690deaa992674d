"""Reliability of PDF reports without a worker process: claims, failures, sweep, panel, retry.

The real-worker counterparts (killed processes, lost connections, read-only storage) are in
``test_worker_faults.py``.
"""

import os
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import Report
from assessments.reports import selectors as report_selectors
from assessments.reports import services as report_services
from portal.models import AuditLog
from tests.reports.conftest import ready_report

pytestmark = pytest.mark.django_db


def _queued(assessment, user) -> Report:
    return Report.objects.create(assessment=assessment, requested_by=user)


def _age(report: Report, seconds: float, **fields) -> None:
    then = timezone.now() - timezone.timedelta(seconds=seconds)
    Report.objects.filter(pk=report.pk).update(cycle_started_at=then, queued_at=then, **fields)
    report.refresh_from_db()


# --- claim: lease and owner -------------------------------------------------------------------


def test_a_render_holds_its_report_until_its_lease_lapses(consultant, submitted):
    report = _queued(submitted, consultant)
    assert report_services.report_claim(report_id=report.pk, task_id="task-a")

    assert not report_services.report_claim(report_id=report.pk, task_id="task-b")
    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now())
    assert report_services.report_claim(report_id=report.pk, task_id="task-b")
    report.refresh_from_db()
    assert (report.task_id, report.attempts) == ("task-b", 2)


def test_the_task_s_own_retry_takes_over_its_dead_render_at_once(consultant, submitted):
    report = _queued(submitted, consultant)
    assert report_services.report_claim(report_id=report.pk, task_id="task-a")

    # Same task id: its pool process died and Celery retried it; the lease is still running.
    assert report_services.report_claim(report_id=report.pk, task_id="task-a")
    assert report_services.report_lease_renew(report_id=report.pk, task_id="task-a")
    assert not report_services.report_lease_renew(report_id=report.pk, task_id="task-b")


def test_a_report_whose_render_dies_every_time_fails_with_a_message(
    consultant, submitted, settings
):
    report = _queued(submitted, consultant)
    for attempt in range(settings.REPORT_MAX_ATTEMPTS):
        assert report_services.report_claim(report_id=report.pk, task_id=f"t{attempt}")
        Report.objects.filter(pk=report.pk).update(lease_until=timezone.now())

    assert report_services.report_render(report_id=report.pk, task_id="last") is None
    report.refresh_from_db()
    assert (report.status, report.failure_kind) == ("failed", "attempts")
    assert "abgebrochen" in report.last_error


# --- failures: data fails at once, infrastructure is deferred ----------------------------------


def test_poison_data_fails_at_the_first_attempt_with_a_readable_message(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    # Poison: the catalogue version the assessment was scored against lost an entry the report
    # needs (a hand edit of the database: published versions are never changed by the portal).
    version = submitted.questionnaire
    version.document = {k: v for k, v in version.document.items() if k != "dimensions"}
    version.save(update_fields=["document"])

    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)

    assert (report.status, report.failure_kind, report.attempts) == ("failed", "data", 1)
    assert "KeyError" not in report.last_error
    assert "fehlt der Eintrag „dimensions“" in report.last_error
    assert report.last_error.startswith("Der Bericht kann aus den gespeicherten Daten")


def test_infrastructure_fault_requeues_with_reason_without_using_up_attempts(
    consultant, submitted, settings
):
    settings.REPORT_RETRY_MAX_DELAY = 15  # the fourth retry (retries=3) waits 2³ = 8 s
    report = _queued(submitted, consultant)
    assert report_services.report_claim(report_id=report.pk, task_id="t1")

    delay = report_services.report_defer(
        report_id=report.pk,
        reason=Report.DelayReason.STORAGE,
        error=OSError(30, "Read-only file system"),
        task_id="t1",
        retries=3,
    )

    report.refresh_from_db()
    assert delay == 8
    assert (report.status, report.attempts, report.delay_reason) == ("queued", 0, "storage")
    assert report.last_error == "Der Berichtsspeicher ist schreibgeschützt."
    assert report.queued_at > timezone.now()  # the sweep leaves it to the task's retry


def test_infrastructure_retries_back_off_up_to_the_maximum_delay(settings):
    settings.REPORT_RETRY_MAX_DELAY = 5
    # 2**retries seconds: 1, 2, 4, then capped at 5 s.
    assert [report_services.retry_delay(n) for n in range(6)] == [1, 2, 4, 5, 5, 5]


def test_infrastructure_fault_beyond_the_budget_fails_as_infrastructure(
    consultant, submitted, settings
):
    report = _queued(submitted, consultant)
    _age(report, settings.REPORT_RETRY_BUDGET_SECONDS + 1)
    report_services.report_claim(report_id=report.pk, task_id="t1")

    delay = report_services.report_defer(
        report_id=report.pk,
        reason=Report.DelayReason.STORAGE,
        error=OSError(28, "No space left on device"),
        task_id="t1",
        retries=9,
    )

    report.refresh_from_db()
    assert delay is None
    assert (report.status, report.failure_kind) == ("failed", "infrastructure")
    assert report.last_error.startswith("Der Berichtsspeicher ist voll.")
    assert "automatisch erstellt, sobald der Fehler behoben" in report.last_error


def test_storage_is_checked_before_the_pdf_is_rendered(
    consultant, submitted, private_storage, settings, monkeypatch
):
    from assessments.reports import render

    rendered = []
    monkeypatch.setattr(render, "report_pdf", lambda report: rendered.append(report))
    settings.REPORT_MIN_FREE_BYTES = 1 << 62
    report = _queued(submitted, consultant)

    with pytest.raises(OSError, match="bytes free"):
        report_services.report_render(report_id=report.pk, task_id="t1")
    assert rendered == []


def test_sweep_resumes_an_infrastructure_failure_once_storage_is_writable(
    consultant, submitted, private_storage, settings, django_capture_on_commit_callbacks
):
    report = _queued(submitted, consultant)
    report_services.report_fail(
        report_id=report.pk, error="voll", kind="infrastructure", reason="storage"
    )
    settings.REPORT_MIN_FREE_BYTES = 1 << 62
    assert report_services.reports_sweep()["resumed"] == 0
    report.refresh_from_db()
    assert report.status == "failed"

    settings.REPORT_MIN_FREE_BYTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.reports_sweep()["resumed"] == 1
    report.refresh_from_db()
    assert report.status == "ready"


def test_sweep_leaves_data_failures_alone(consultant, submitted, private_storage):
    report = _queued(submitted, consultant)
    report_services.report_fail(report_id=report.pk, error="kaputt", kind="data")

    assert report_services.reports_sweep()["resumed"] == 0
    report.refresh_from_db()
    assert report.status == "failed"


# --- files: never delete a finishing report's PDF; a missing file renders again -----------------


def test_a_ready_report_without_its_file_is_rendered_again_by_the_sweep(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks, caplog
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    (private_storage / report.file.name).unlink()

    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.reports_sweep()["rerendered"] == 1

    report.refresh_from_db()
    assert report.status == "ready" and (private_storage / report.file.name).exists()
    assert any(r.levelname == "ERROR" and "missing" in r.getMessage() for r in caplog.records)


def test_download_of_a_missing_file_says_so_and_renders_again_instead_of_a_500(
    client, consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    (private_storage / report.file.name).unlink()
    client.force_login(consultant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("report_download", args=[report.pk]), follow=True)

    assert response.status_code == 200
    assert "Die PDF-Datei dieses Berichts fehlte" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "ready" and (private_storage / report.file.name).exists()
    download = client.get(reverse("report_download", args=[report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()


def test_no_temporary_file_is_left_and_only_old_unknown_files_are_swept(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    assert sorted(p.name for p in (private_storage / "reports").iterdir()) == [f"{report.pk}.pdf"]
    stale_part = private_storage / "reports" / f".{report.pk}.abc.part"
    stale_part.write_bytes(b"%PDF")
    old = time.time() - 7200
    os.utime(stale_part, (old, old))

    assert report_services.reports_sweep()["files_removed"] == 1
    assert (private_storage / report.file.name).exists()


# --- the consultant is told; the admins are told once -------------------------------------------


def test_admins_get_one_mail_about_stuck_and_failed_reports(
    consultant, submitted, settings, monkeypatch
):
    monkeypatch.setattr(report_services, "report_enqueue", lambda **kwargs: False)  # no worker
    settings.ADMINS = [("Betrieb", "betrieb@beratung.example")]
    stuck = _queued(submitted, consultant)
    _age(stuck, settings.REPORT_ALERT_SECONDS + 1)
    fresh = _queued(submitted, consultant)
    failed = _queued(submitted, consultant)
    report_services.report_fail(report_id=failed.pk, error="Daten kaputt", kind="data")

    assert report_services.reports_sweep()["alerted"] == 2
    assert report_services.reports_sweep()["alerted"] == 0

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert str(stuck.pk) in body and str(failed.pk) in body and str(fresh.pk) not in body
    assert "Daten kaputt" in body


def test_panel_says_delayed_with_the_reason_after_a_few_minutes(
    client, consultant, submitted, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    report = _queued(submitted, consultant)
    client.force_login(consultant)
    panel = reverse("reports_panel", args=[submitted.pk])

    page = client.get(panel).content.decode()
    assert "verzögert" not in page and 'hx-trigger="every 2s"' in page

    _age(
        report,
        settings.REPORT_DELAYED_SECONDS + 1,
        delay_reason="storage",
        last_error="Der Berichtsspeicher ist schreibgeschützt.",
    )
    page = client.get(panel).content.decode()
    assert "verzögert: Der Berichtsspeicher ist schreibgeschützt." in page
    # Late: no more polling; a button asks for the state when the consultant wants it.
    assert "hx-trigger" not in page
    assert "Stand prüfen" in page


def test_panel_says_no_worker_runs_when_none_has_a_heartbeat(consultant, submitted, settings):
    report = _queued(submitted, consultant)
    _age(report, settings.REPORT_DELAYED_SECONDS + 1)

    text = report_selectors.report_delay(report, worker_alive=False)

    assert text.startswith("verzögert: Zurzeit läuft kein Dienst, der Berichte erstellt.")


def test_panel_says_queued_until_the_service_is_back_when_the_broker_is_down(
    client, consultant, submitted, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from assessments.tasks import render_report

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(render_report, "delay", refuse)
    ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    client.force_login(consultant)

    page = client.get(reverse("reports_panel", args=[submitted.pk])).content.decode()

    assert "in der Warteschlange, wird erstellt, sobald der Dienst wieder erreichbar ist" in page


# --- retry is the consultant's -------------------------------------------------------------------


def test_a_client_cannot_retry_a_report(
    client, alice, consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=report.pk).update(status="failed", released=True, last_error="x")
    client.force_login(alice)

    page = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert "Erneut versuchen" not in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("report_retry", args=[report.pk]))

    assert response.status_code == 403
    assert callbacks == []
    report.refresh_from_db()
    assert report.status == "failed"
    assert not AuditLog.objects.filter(action="report.retry").exists()


def test_a_client_cannot_retry_an_unreleased_report_and_does_not_learn_it_exists(
    client, alice, consultant, submitted
):
    report = _queued(submitted, consultant)
    Report.objects.filter(pk=report.pk).update(status="failed")
    client.force_login(alice)

    assert client.post(reverse("report_retry", args=[report.pk])).status_code == 404


def test_a_superseded_report_lets_go_of_its_file_before_the_file_is_deleted(
    consultant, submitted, private_storage, monkeypatch
):
    """No moment in which a row names a file that is gone (what the fault bench once counted as
    a "ready report without a file": it read the row, then the sweep deleted the file)."""
    from django.core.files.base import ContentFile

    report = Report.objects.create(
        assessment=submitted, status=Report.Status.READY, superseded=True
    )
    report.file.save(f"{report.pk}.pdf", ContentFile(b"%PDF-1.7"))
    files = report.file.storage
    still_named = []
    real_delete = files.delete
    monkeypatch.setattr(
        files,
        "delete",
        lambda name: (
            still_named.append(Report.objects.filter(file=name).exists()),
            real_delete(name),
        ),
    )

    assert report_services.reports_sweep()["files_removed"] == 1
    assert still_named == [False]
    report.refresh_from_db()
    assert (
        report.file.name == "" and not (private_storage / "reports" / f"{report.pk}.pdf").exists()
    )
