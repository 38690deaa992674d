"""A worker that exits on an error says so in the log and is gone from /healthz at once.

Celery sends ``worker_shutdown`` with the worker controller as sender, whose ``exitcode`` is 1
after an "Unrecoverable error" (e.g. kombu failing while it closes a connection Redis dropped)
and 0 after a requested warm shutdown. The real handlers of ``portal.celery`` run here: the
heartbeat thread writes and removes its row in the database, the exit is logged.
"""

import json
import logging
import time

import pytest
from celery import signals
from django.urls import reverse

from portal import celery as portal_celery
from portal.heartbeat import heartbeat_write, heartbeats_alive
from tests.factories import UserFactory
from tests.reports.worker_harness import _unavailable

pytestmark = pytest.mark.django_db(transaction=True)


class FakeWorkController:
    """The two attributes Celery's WorkController gives the shutdown handlers."""

    def __init__(self, hostname: str, exitcode: int | None = None):
        self.hostname = hostname
        self.exitcode = exitcode


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="technik@beratung.example", is_staff=True))
    return client


def _worker_check(client) -> tuple[int, dict]:
    response = client.get(reverse("healthz") + "?only=worker")
    return response.status_code, json.loads(response.content)["checks"]["worker"]


def test_worker_exiting_after_an_unrecoverable_error_is_logged_and_leaves_health_at_once(
    staff_client, settings, caplog
):
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        _unavailable("the heartbeat thread needs a database other connections can write to")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = FakeWorkController("w1@render-host")
    portal_celery._worker_heartbeat(sender=worker)  # what worker_ready does
    try:
        heartbeat_write(name="beat:render-host:1", kind="beat")
        deadline = time.monotonic() + 10
        while not heartbeats_alive(kind="worker") and time.monotonic() < deadline:
            time.sleep(0.05)  # the thread writes its first beat as soon as it runs
        assert heartbeats_alive(kind="worker") == ["worker:w1@render-host"]
        status, check = _worker_check(staff_client)
        assert (status, check["ok"], check["alive"]) == (200, True, 1)

        worker.exitcode = 1  # set by WorkController.stop(exitcode=EX_FAILURE)
        with caplog.at_level(logging.ERROR, logger="portal.celery"):
            signals.worker_shutdown.send(sender=worker)
    finally:
        portal_celery._stop_heartbeats()  # no thread outlives the test, whatever failed

    [record] = [r for r in caplog.records if r.name == "portal.celery"]
    assert record.levelno == logging.ERROR
    assert "w1@render-host is exiting after an unrecoverable error (exit code 1)" in (
        record.getMessage()
    )
    assert "supervisor must start it again" in record.getMessage()
    status, check = _worker_check(staff_client)
    assert status == 503
    assert check["ok"] is False and check["alive"] == 0


def test_a_requested_shutdown_is_not_reported_as_an_error(caplog):
    worker = FakeWorkController("w1@render-host", exitcode=0)

    with caplog.at_level(logging.INFO, logger="portal.celery"):
        portal_celery._say_why_the_worker_stops(sender=worker)

    assert [r for r in caplog.records if r.name == "portal.celery"] == []
