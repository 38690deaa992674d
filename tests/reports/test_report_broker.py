"""The sweep looks into the real (private) Redis: it re-sends only reports whose message is gone,
and re-sent reports go to the front of the queue.

Redis keeps one list per priority step (0, 3, 6, 9; a worker pops 0 first) plus a hash of
delivered, unacknowledged messages. A fresh request is sent at ``PRIORITY_NORMAL`` (6), anything
sent again after a fault at ``PRIORITY_FIRST`` (0).
"""

import os
import signal

import pytest
import redis
from celery.app.task import Context
from django.utils import timezone

from assessments.models import Report
from assessments.reports import services as report_services
from assessments.reports.broker import broker_reports, render_message_report_id
from assessments.tasks import PRIORITY_FIRST, PRIORITY_NORMAL, render_report
from tests.reports.worker_harness import (
    STALE_SECONDS,
    _request_report,
    _status,
    _wait_for,
    _wait_ready,
    make_read_only,
    make_writable,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FIRST_LIST = "celery"  # priority 0 keeps the queue's own name
NORMAL_LIST = "celery\x06\x166"  # kombu: <queue><sep><priority step>


def _queued(assessment, user, *, seconds_ago: float = 10) -> Report:
    report = Report.objects.create(assessment=assessment, requested_by=user)
    then = timezone.now() - timezone.timedelta(seconds=seconds_ago)
    Report.objects.filter(pk=report.pk).update(queued_at=then, cycle_started_at=then)
    return report


def broker_report_ids() -> set[str]:
    found = broker_reports()
    assert found is not None, "the private Redis could not be read"
    return set(found.waiting) | set(found.held)


def _waiting(server, key: str) -> list[str]:
    entries = redis.Redis.from_url(server.url).lrange(key, 0, -1)
    return sorted(render_message_report_id(entry) for entry in entries)


def test_sweep_resends_only_the_report_whose_message_is_gone_and_puts_it_first(
    consultant, submitted, redis_server
):
    waiting = _queued(submitted, consultant)
    assert report_services.report_enqueue(report_id=waiting.pk)  # in the queue, behind others
    lost = _queued(submitted, consultant)  # its message never reached Redis (or was lost)

    assert broker_report_ids() == {str(waiting.pk)}

    outcome = report_services.reports_sweep(housekeeping=False)

    assert outcome["requeued"] == 1
    assert broker_report_ids() == {str(waiting.pk), str(lost.pk)}
    assert _waiting(redis_server, NORMAL_LIST) == [str(waiting.pk)]
    assert _waiting(redis_server, FIRST_LIST) == [str(lost.pk)]
    # Both have a message now: the next sweep sends nothing, however long the queue is.
    assert report_services.reports_sweep(housekeeping=False)["requeued"] == 0


def test_after_redis_restarts_without_persistence_every_queued_report_is_sent_again(
    consultant, submitted, redis_server
):
    reports = [_queued(submitted, consultant) for _ in range(3)]
    for report in reports:
        assert report_services.report_enqueue(report_id=report.pk)
    assert broker_report_ids() == {str(r.pk) for r in reports}

    redis_server.stop()  # no persistence: the three messages are gone
    redis_server.start()
    assert broker_report_ids() == set()

    assert report_services.reports_sweep(housekeeping=False)["requeued"] == 3
    assert _waiting(redis_server, FIRST_LIST) == sorted(str(r.pk) for r in reports)


def test_a_young_report_without_a_message_is_left_alone(consultant, submitted, redis_server):
    # Committed a moment ago: its message is on its way (sent on commit), not lost.
    _queued(submitted, consultant, seconds_ago=0)

    assert report_services.reports_sweep(housekeeping=False)["requeued"] == 0


def test_report_sent_again_is_rendered_before_the_waiting_ones(
    consultant, submitted, storage_dir, start_worker
):
    backlog = [_queued(submitted, consultant) for _ in range(3)]
    for report in backlog:
        assert report_services.report_enqueue(report_id=report.pk)
    resent = _queued(submitted, consultant)
    assert report_services.report_enqueue(report_id=resent.pk, first=True)

    worker = start_worker(pool="solo")  # one render at a time, in arrival order of the pops
    _wait_for(
        lambda: all(_status(r.pk) == Report.Status.READY for r in [*backlog, resent]),
        what="all four reports to be rendered",
        workers=[worker],
    )

    order = list(
        Report.objects.filter(pk__in=[r.pk for r in [*backlog, resent]])
        .order_by("started_at")
        .values_list("pk", flat=True)
    )
    assert order[0] == resent.pk
    assert any("PDF renderer warmed up" in line for line in worker.lines)


def test_a_retry_held_by_a_killed_worker_is_sent_again_after_a_lease(
    consultant, submitted, storage_dir, start_worker, short_stale
):
    # Storage is read-only: the render defers itself and its retry waits, with a countdown, in
    # the worker (delivered, unacknowledged). Then the whole worker is killed.
    make_read_only(storage_dir)
    try:
        worker = start_worker(stale_seconds=STALE_SECONDS)
        worker.wait_ready()
        report = _request_report(submitted, consultant)
        _wait_for(
            lambda: (
                str(report.pk) in broker_reports().held
                and _status(report.pk) == Report.Status.QUEUED
            ),
            what="the deferred render's retry to be held by the worker",
            workers=[worker],
            step=0.05,
        )
        os.killpg(worker.pid, signal.SIGKILL)  # main process and pool, as the OOM killer would
        worker.process.wait()
    finally:
        make_writable(storage_dir)
    assert str(report.pk) in broker_reports().held  # Redis would give it back in minutes only

    replacement = start_worker(stale_seconds=STALE_SECONDS)
    replacement.wait_ready()
    # Once held for longer than a lease without starting, the sweep sends it again.
    _wait_for(
        lambda: report_services.reports_sweep(housekeeping=False)["requeued"] == 1,
        what="the sweep to send the report again",
        workers=[replacement],
        step=1,
    )
    report = _wait_ready(report.pk, [replacement])
    assert report.delay_reason == ""


def test_retries_of_a_render_go_first():
    # Celery copies the priority of the failed delivery into its retry (also into the retry
    # after a lost worker); the render task overrides that.
    request = Context(
        id="t1",
        args=["r1"],
        kwargs={},
        retries=0,
        delivery_info={"priority": PRIORITY_NORMAL, "exchange": "", "routing_key": "celery"},
    )

    signature = render_report.signature_from_request(request, countdown=1)

    assert signature.options["priority"] == PRIORITY_FIRST
    assert render_report.priority == PRIORITY_NORMAL
