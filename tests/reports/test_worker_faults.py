"""Faults injected into real Celery processes: every report ends ready or failed with a message,
without beat and without a human.

Uses the harness of ``worker_harness.py`` (PostgreSQL test database, private Redis, worker and
beat subprocesses). ``bench/report_faults.py`` repeats these faults many times for the figures.
"""

import json
import os
import signal
import threading
import time

import pytest
from django.db import connection, connections
from django.urls import reverse

from assessments.models import Report
from assessments.reports import services as report_services
from tests.factories import UserFactory
from tests.reports.worker_harness import (
    _files_of,
    _request_report,
    _status,
    _wait_for,
    _wait_ready,
    make_read_only,
    make_writable,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def read_only_storage(storage_dir):
    """Switch the private storage read-only and back; always writable again afterwards."""
    state = {"read_only": False}

    def switch(read_only: bool) -> None:
        if read_only and not state["read_only"]:
            make_read_only(storage_dir)
        elif not read_only and state["read_only"]:
            make_writable(storage_dir)
        state["read_only"] = read_only

    yield switch
    switch(False)


def _claimed_render(request, worker, *, workers, tries: int = 3):
    """Request reports until one is caught while rendering; returns it (status rendering)."""
    for _ in range(tries):
        report = request()
        _wait_for(
            lambda report=report: _status(report.pk) != Report.Status.QUEUED,
            what="the worker to claim the report",
            workers=workers,
            step=0.005,
        )
        if _status(report.pk) == Report.Status.RENDERING:
            return report
        _wait_ready(report.pk, workers)
    pytest.fail("every render finished before the fault could be injected")


def test_sweep_running_while_reports_finish_deletes_no_file(
    consultant, submitted, storage_dir, start_worker, settings
):
    worker = start_worker()
    reports_dir = storage_dir / "reports"
    reports_dir.mkdir()
    orphan = reports_dir / "verwaist.pdf"  # an organisation's file left behind long ago
    orphan.write_bytes(b"%PDF-1.7")
    old = time.time() - settings.REPORT_ORPHAN_GRACE_SECONDS - 60
    os.utime(orphan, (old, old))
    stop = threading.Event()
    sweeps = []

    def sweep_in_a_loop():
        try:
            while not stop.is_set():
                sweeps.append(report_services.reports_sweep())
        finally:
            connections.close_all()

    sweeper = threading.Thread(target=sweep_in_a_loop)
    sweeper.start()
    try:
        reports = [_request_report(submitted, consultant) for _ in range(4)]
        for report in reports:
            _wait_ready(report.pk, [worker])
    finally:
        stop.set()
        sweeper.join()

    assert len(sweeps) > 20 and not orphan.exists()
    for report in Report.objects.filter(pk__in=[r.pk for r in reports]):
        assert report.status == Report.Status.READY
        # No row points to a missing file; a superseded report's file may have been cleaned up
        # (file == "") or not yet (superseded after the last sweep ran).
        if report.file.name or not report.superseded:
            assert (storage_dir / report.file.name).is_file(), f"{report.pk} lost its PDF"
    assert Report.objects.filter(pk__in=[r.pk for r in reports], superseded=False).count() == 1
    assert not [p.name for p in reports_dir.iterdir() if p.name.startswith(".")]


def test_pool_process_killed_mid_render_without_beat_is_ready_within_30_seconds(
    consultant, submitted, storage_dir, start_worker
):
    worker = start_worker()  # prefork, one pool process; no beat, no sweep anywhere
    worker.wait_ready()

    report = _claimed_render(
        lambda: _request_report(submitted, consultant), worker, workers=[worker]
    )
    killed_at = time.monotonic()
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)

    report = _wait_ready(report.pk, [worker])
    assert time.monotonic() - killed_at < 30
    assert report.attempts == 2
    assert _files_of(storage_dir, report) == [f"{report.pk}.pdf"]


def test_database_connections_killed_mid_render_are_survived_by_the_task_s_own_retry(
    consultant, submitted, storage_dir, start_worker
):
    worker = start_worker()
    worker.wait_ready()

    report = _claimed_render(
        lambda: _request_report(submitted, consultant), worker, workers=[worker]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1

    report = _wait_ready(report.pk, [worker])
    if not any("database fault, will retry" in line for line in worker.lines):
        pytest.skip("the render had finished its database work before the kill")
    assert report.attempts == 1  # the infrastructure retry did not use up an attempt
    assert _files_of(storage_dir, report) == [f"{report.pk}.pdf"]


def test_read_only_storage_then_writable_gets_ready_without_a_click(
    consultant, submitted, storage_dir, start_worker, read_only_storage
):
    worker = start_worker(REPORT_RETRY_MAX_DELAY=2)
    read_only_storage(True)

    report = _request_report(submitted, consultant)
    _wait_for(
        lambda: Report.objects.filter(pk=report.pk, delay_reason="storage").exists(),
        what="the storage fault to be noted on the report",
        workers=[worker],
    )
    report.refresh_from_db()
    assert report.status in (Report.Status.QUEUED, Report.Status.RENDERING)
    assert report.last_error in (
        "Der Berichtsspeicher ist schreibgeschützt.",  # root: a read-only bind mount
        "Der Dienst hat keine Schreibrechte im Berichtsspeicher.",  # otherwise: chmod 555
    )
    assert any("WARNING" in line and "storage fault" in line for line in worker.lines)

    read_only_storage(False)
    report = _wait_ready(report.pk, [worker])
    assert report.attempts == 1
    assert (report.last_error, report.delay_reason) == ("", "")


def test_poison_data_fails_at_the_first_attempt_with_a_readable_message(
    consultant, submitted, storage_dir, start_worker
):
    # Poison: the catalogue version the assessment was scored against lost an entry the
    # report needs (a hand edit of the database; the portal never changes a published one).
    version = submitted.questionnaire
    version.document = {k: v for k, v in version.document.items() if k != "dimensions"}
    version.save(update_fields=["document"])
    worker = start_worker()

    report = _request_report(submitted, consultant)
    _wait_for(
        lambda: _status(report.pk) == Report.Status.FAILED,
        what="the poisoned report to fail",
        workers=[worker],
    )

    report.refresh_from_db()
    assert (report.attempts, report.failure_kind) == (1, "data")
    assert "fehlt der Eintrag „dimensions“" in report.last_error
    assert "KeyError" not in report.last_error
    assert sum("render_report" in line and "received" in line for line in worker.lines) == 1


def test_healthz_names_a_missing_worker_a_missing_beat_and_unwritable_storage(
    client, settings, redis_server, start_worker, read_only_storage
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    settings.HEARTBEAT_STALE_SECONDS = 3
    client.force_login(UserFactory(email="technik@beratung.example", is_staff=True))

    def states(worker: bool, beat: bool, storage: bool = True) -> dict:
        return {
            "database": True,
            "broker": True,
            "storage": storage,
            "worker": worker,
            "beat": beat,
            "portfolio_cache": True,
            "portfolio_changes": True,
            "audit_log": True,
            "cache": True,  # the embedded default's cache in process memory
        }

    def health():
        response = client.get(reverse("healthz"))
        payload = json.loads(response.content)
        return response.status_code, {k: v["ok"] for k, v in payload["checks"].items()}

    assert health() == (503, states(worker=False, beat=False))
    worker = start_worker(HEARTBEAT_SECONDS=1)
    beat = start_worker(beat=True, HEARTBEAT_SECONDS=1)
    everything = (200, states(worker=True, beat=True))
    _wait_for(lambda: health() == everything, what="a healthy stack", workers=[worker, beat])

    beat.stop()
    _wait_for(lambda: health()[1]["beat"] is False, what="beat reported dead", workers=[beat])
    assert health() == (503, states(worker=True, beat=False))

    worker.stop()
    _wait_for(lambda: health()[1]["worker"] is False, what="worker reported dead", timeout=10)

    read_only_storage(True)
    assert health()[1]["storage"] is False
    client.logout()
    anonymous = client.get(reverse("healthz"))
    assert (anonymous.status_code, json.loads(anonymous.content)) == (
        503,
        {"status": "unavailable"},
    )
