import atexit
import os
import socket

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by the health view's deep mode and by the worker test."""
    return value


# --- heartbeats: /healthz knows whether a worker and exactly one beat are alive ----------------

_heartbeats: list = []


def _start_heartbeat(*, name: str, kind: str) -> None:
    from .heartbeat import HeartbeatThread

    thread = HeartbeatThread(name=name, kind=kind)
    thread.start()
    _heartbeats.append(thread)


def _stop_heartbeats(**kwargs) -> None:
    while _heartbeats:
        _heartbeats.pop().stop()


@signals.worker_ready.connect
def _worker_heartbeat(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None) or socket.gethostname()
    _start_heartbeat(name=f"worker:{hostname}", kind="worker")


@signals.beat_init.connect
def _beat_heartbeat(sender=None, **kwargs) -> None:
    _start_heartbeat(name=f"beat:{socket.gethostname()}:{os.getpid()}", kind="beat")
    atexit.register(_stop_heartbeats)  # beat has no shutdown signal


signals.worker_shutdown.connect(_stop_heartbeats)
