"""The stress test's background job: a thin wrapper around ``services.stress_job_execute``."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .models import StressJob

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=services.RUN_TASK,
    ignore_result=True,
    # A worker killed mid-job: the page calls the job stuck after STRESS_JOB_STALE_SECONDS and
    # offers a restart; if the broker hands the unacknowledged task out again (Redis: after its
    # visibility timeout), the claim lets it take over the stale job and finish it.
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def stress_job_run(self, job_id: str) -> str:
    try:
        return services.stress_job_execute(job_id=job_id, task_id=self.request.id or "")
    except SoftTimeLimitExceeded:
        logger.error("Stress job %s exceeded the time limit", job_id)
        services.stress_job_fail(
            job_id=job_id, failure=StressJob.Failure.TIMEOUT, error="soft time limit"
        )
        return "timeout"
