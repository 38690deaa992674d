"""Writes for the portfolio stress test: the background job for large portfolios.

The view starts a job (``stress_job_start``), the Celery task ``stress_job_run`` calls
``stress_job_execute``, which claims the row with a conditional UPDATE (safe to run twice, and a
redelivered task takes over a job whose worker died), scores the portfolio in chunks and writes
the progress after each, and stores the result on the row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.dispatch import task_named

from .models import StressJob
from .selectors import scenarios_all, stress_run

logger = logging.getLogger(__name__)

# the Celery task that runs a job (tasks.stress_job_run), sent by name: see portal.dispatch
RUN_TASK = "assessments.stress.run_job"


class UnknownScenario(ValueError):
    pass


def stress_job_start(*, user, scenario_key: str) -> StressJob:
    """A new background job for ``user`` (or the one already running for the same scenario).

    The task is sent after the commit; if the broker cannot take it, the job fails at once with
    a message, so the page never waits for a job no worker will see.
    """
    if scenario_key not in scenarios_all():
        raise UnknownScenario(scenario_key)
    now = timezone.now()
    StressJob.objects.filter(
        status__in=(StressJob.Status.DONE, StressJob.Status.FAILED),
        created_at__lt=now - timedelta(days=settings.STRESS_JOB_KEEP_DAYS),
    ).delete()
    pending = list(
        StressJob.objects.filter(
            created_by=user,
            status__in=(StressJob.Status.QUEUED, StressJob.Status.RUNNING),
        )
    )
    for job in pending:
        if job.is_stuck(now):
            stress_job_fail(job_id=job.pk, failure=StressJob.Failure.STUCK, error="stale")
        elif job.scenario == scenario_key:
            return job  # a second click while it runs: show the running one
    job = StressJob.objects.create(scenario=scenario_key, created_by=user)
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _send(job_id) -> None:
    try:
        task_named(RUN_TASK).delay(str(job_id))
    except Exception as error:  # noqa: BLE001 - any failure to queue: the job must say so
        logger.exception("Stress job %s could not be queued", job_id)
        stress_job_fail(job_id=job_id, failure=StressJob.Failure.BROKER, error=repr(error))


def stress_job_fail(*, job_id, failure: str, error: str = "") -> bool:
    """Mark a job that has not finished as failed; False if it had finished already."""
    return bool(
        StressJob.objects.filter(
            pk=job_id, status__in=(StressJob.Status.QUEUED, StressJob.Status.RUNNING)
        ).update(
            status=StressJob.Status.FAILED,
            failure=failure,
            error=error[:2000],
            finished_at=timezone.now(),
        )
    )


def _claim(job_id, task_id: str) -> bool:
    """Take the job: queued, or running but without progress for the stale time (its worker
    died and the broker redelivered the task)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.STRESS_JOB_STALE_SECONDS)
    return bool(
        StressJob.objects.filter(pk=job_id)
        .filter(
            Q(status=StressJob.Status.QUEUED)
            | Q(status=StressJob.Status.RUNNING, progress_at__lt=stale)
        )
        .update(
            status=StressJob.Status.RUNNING,
            task_id=task_id,
            started_at=now,
            progress_at=now,
            done=0,
        )
    )


def stress_job_execute(*, job_id, task_id: str = "") -> str:
    """Run the job: the same ``stress_run`` as the page, for the user who started it."""
    if not _claim(job_id, task_id):
        return "skipped"
    job = StressJob.objects.select_related("created_by").get(pk=job_id)
    scenario = scenarios_all().get(job.scenario)
    if scenario is None:
        stress_job_fail(job_id=job_id, failure=StressJob.Failure.SCENARIO, error=job.scenario)
        return "failed"
    running = StressJob.objects.filter(pk=job_id, status=StressJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        running.update(done=done, total=total, progress_at=timezone.now())

    try:
        result = stress_run(
            user=job.created_by,
            scenario=scenario,
            progress=progress,
            chunk=settings.STRESS_TEST_CHUNK,
        )
    except SoftTimeLimitExceeded:
        raise  # the task reports the time limit
    except Exception as error:  # noqa: BLE001 - a bug or bad data: the job must say so
        logger.exception("Stress job %s (%s) failed", job_id, job.scenario)
        stress_job_fail(job_id=job_id, failure=StressJob.Failure.ERROR, error=repr(error))
        return "failed"
    finished = running.update(
        status=StressJob.Status.DONE,
        result=result.to_data(),
        done=result.clients,
        total=result.clients,
        progress_at=timezone.now(),
        finished_at=timezone.now(),
    )
    return "done" if finished else "superseded"
