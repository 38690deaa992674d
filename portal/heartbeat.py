"""Heartbeats of the background processes: each Celery worker and beat writes one row.

A daemon thread in the worker's (or beat's) main process upserts ``Heartbeat`` every
``HEARTBEAT_SECONDS``; ``/healthz`` calls a kind dead when no row is younger than
``HEARTBEAT_STALE_SECONDS``. A clean shutdown deletes the row at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def heartbeat_write(*, name: str, kind: str) -> None:
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(
        name=name, defaults={"kind": kind, "seen_at": timezone.now()}
    )


def heartbeat_remove(*, name: str) -> None:
    from .models import Heartbeat

    Heartbeat.objects.filter(name=name).delete()


def heartbeats_alive(*, kind: str, now=None) -> list[str]:
    """Names of the processes of ``kind`` that wrote a heartbeat within the stale time."""
    from .models import Heartbeat

    now = now or timezone.now()
    since = now - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS)
    return list(
        Heartbeat.objects.filter(kind=kind, seen_at__gte=since)
        .order_by("name")
        .values_list("name", flat=True)
    )


def heartbeat_last(*, kind: str):
    from .models import Heartbeat

    return (
        Heartbeat.objects.filter(kind=kind).order_by("-seen_at").values_list("seen_at", flat=True)
    ).first()


class HeartbeatThread(threading.Thread):
    """Writes the heartbeat until stopped; a database outage is logged once, not fatal."""

    def __init__(self, *, name: str, kind: str):
        super().__init__(name=f"heartbeat-{kind}", daemon=True)
        self.beat_name = name
        self.kind = kind
        self.stopped = threading.Event()
        self.failing = False

    def run(self) -> None:
        try:
            while True:
                self.beat()
                if self.stopped.wait(settings.HEARTBEAT_SECONDS):
                    break
            with contextlib.suppress(DatabaseError):
                heartbeat_remove(name=self.beat_name)
        finally:
            connection.close()

    def beat(self) -> None:
        try:
            close_old_connections()
            heartbeat_write(name=self.beat_name, kind=self.kind)
        except DatabaseError as error:
            if not self.failing:
                logger.error("%s heartbeat not written (database): %s", self.beat_name, error)
            self.failing = True
            connection.close()
        else:
            if self.failing:
                logger.warning("%s heartbeat written again", self.beat_name)
            self.failing = False

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
