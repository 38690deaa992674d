"""PDF reports rendered by a real Celery worker process against real Redis and PostgreSQL.

Each test starts a private ``redis-server`` on a free port (never the shared Redis on 6379) and
one or more ``celery worker`` subprocesses that talk to the pytest-django *test* database. The
rows are committed (``transaction=True``) so the worker sees them. They need PostgreSQL, which the
worker reaches by URL and whose behaviour (row locks, killed connections) they test, so they skip
on SQLite; with
``REQUIRE_SERVICES=1`` (CI) a missing service fails instead of skipping.
"""

import hashlib
import io
import signal
import time

import pypdf
import pytest
from django.urls import reverse

from assessments.models import Assessment, Report
from assessments.reports import services as report_services
from assessments.reports.storage import TEMP_PREFIX
from tests.reports.worker_harness import (
    STALE_SECONDS,
    _files_of,
    _request_report,
    _status,
    _wait_for,
    _wait_ready,
    _wait_until_stale,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# --- scenarios -------------------------------------------------------------------------------


def test_submitted_assessment_gets_a_ready_report_from_the_worker(
    consultant, submitted, storage_dir, start_worker
):
    worker = start_worker()

    report = _request_report(submitted, consultant)
    report = _wait_ready(report.pk, [worker])

    assert report.file.name == f"reports/{report.pk}.pdf"
    assert report.attempts == 1
    data = (storage_dir / report.file.name).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert report.size == len(data) and report.pages >= 1
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    result = submitted.result
    assert "Alpha Fensterbau GmbH" in text
    for score in (result.lock_in, result.gdpr, result.ai_act, result.continuity, result.governance):
        assert str(score) in text
    assert result.scorecard().recommendations[0].title["de"] in text


def test_worker_killed_while_rendering_report_completes_once_after_restart(
    consultant, submitted, storage_dir, start_worker, short_stale
):
    # --pool=solo: the main process renders, so SIGKILL hits the render itself.
    workers = []
    killed = None
    for _ in range(3):  # a render is ~0.5 s; retry in the unlikely case it beats the kill
        worker = start_worker(pool="solo", stale_seconds=STALE_SECONDS)
        workers.append(worker)
        report = _request_report(submitted, consultant)
        _wait_for(
            lambda report=report: _status(report.pk) != Report.Status.QUEUED,
            what="the worker to claim the report",
            workers=workers,
            step=0.01,
        )
        if _status(report.pk) == Report.Status.RENDERING:
            worker.kill()
            if _status(report.pk) == Report.Status.RENDERING:
                killed = report
                break
        worker.stop()
    assert killed is not None, "every render finished before the worker could be killed"
    assert worker.process.returncode == -signal.SIGKILL
    killed.refresh_from_db()
    assert (killed.status, killed.attempts) == (Report.Status.RENDERING, 1)

    restarted = start_worker(stale_seconds=STALE_SECONDS)
    workers.append(restarted)
    restarted.wait_ready()
    _wait_until_stale(killed.started_at)
    outcome = report_services.reports_sweep()
    assert outcome["requeued"] >= 1

    report = _wait_ready(killed.pk, workers)
    assert report.attempts == 2
    assert _files_of(storage_dir, report) == [f"{report.pk}.pdf"]
    data = (storage_dir / report.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == report.sha256
    # The broker redelivers the lost message only after its visibility timeout; send that
    # duplicate now: the claim guard must skip it instead of rendering a second time.
    assert report_services.report_enqueue(report_id=report.pk)
    _wait_for(
        lambda: any("'skipped'" in line for line in restarted.lines),
        what="the duplicate delivery to be skipped",
        workers=workers,
    )
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.READY, 2)
    assert _files_of(storage_dir, report) == [f"{report.pk}.pdf"]
    known = set(Report.objects.exclude(file="").values_list("file", flat=True))
    # a storage probe of the sweep or /healthz lives for a moment; a half-written PDF must not
    probe = f"{TEMP_PREFIX}probe-"
    found = {p.name for p in (storage_dir / "reports").iterdir() if not p.name.startswith(probe)}
    assert {f"reports/{name}" for name in found} <= known


def test_report_requested_while_redis_is_down_is_rendered_by_the_sweep(
    client, consultant, submitted, storage_dir, redis_server, start_worker, short_stale
):
    redis_server.stop()
    client.force_login(consultant)

    started = time.monotonic()
    response = client.post(reverse("report_request", args=[submitted.pk]))
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 5, f"the failed enqueue blocked the request for {elapsed:.1f}s"
    report = Report.objects.get(assessment=submitted)
    assert (report.status, report.attempts) == (Report.Status.QUEUED, 0)
    stored = Assessment.objects.get(pk=submitted.pk)
    assert not stored.is_draft and stored.result.scorecard().dimensions
    page = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert 'data-status="queued"' in page
    assert "in der Warteschlange" in page

    redis_server.start()  # same port
    worker = start_worker(stale_seconds=STALE_SECONDS)
    worker.wait_ready()
    assert _status(report.pk) == Report.Status.QUEUED  # no message was ever sent
    _wait_until_stale(report.queued_at)
    assert report_services.reports_sweep()["requeued"] == 1

    report = _wait_ready(report.pk, [worker])
    assert report.attempts == 1
    assert _files_of(storage_dir, report) == [f"{report.pk}.pdf"]
    page = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert 'data-status="ready"' in page
