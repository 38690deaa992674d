"""The stress test job run by a real Celery worker process against Redis and PostgreSQL
(harness: tests/reports/worker_harness.py; skips on SQLite, fails with REQUIRE_SERVICES=1)."""

import pytest
from django.urls import reverse

from assessments.stress import services
from assessments.stress.models import StressJob
from assessments.stress.selectors import scenarios_all, stress_run
from tests.reports.worker_harness import _wait_for
from tests.stress.test_jobs import SCENARIO, portfolio  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_job_in_chunks_and_the_page_shows_the_result(
    portfolio,  # noqa: F811
    start_worker,
    client,
):
    worker = start_worker(STRESS_TEST_CHUNK=1)
    worker.wait_ready()

    job = services.stress_job_start(user=portfolio, scenario_key=SCENARIO)
    _wait_for(
        lambda: StressJob.objects.filter(pk=job.pk, status__in=("done", "failed")).exists(),
        what=f"stress job {job.pk} to finish",
        workers=[worker],
    )

    job.refresh_from_db()
    assert job.status == "done", (job.failure, job.error, worker.tail())
    assert job.task_id and job.started_at <= job.finished_at
    assert (job.done, job.total) == (2, 2)
    expected = stress_run(user=portfolio, scenario=scenarios_all()[SCENARIO])
    assert job.result == expected.to_data()
    assert "assessments.stress.run_job" in worker.tail(200)

    client.force_login(portfolio)
    panel = client.get(reverse("stress_job_panel", args=[job.pk])).content.decode()
    assert 'data-job-status="done"' in panel and 'data-stress-row="Copilot GmbH"' in panel
