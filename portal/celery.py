import atexit
import logging
import os
import socket

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by the health view's deep mode and by the worker test."""
    return value


@signals.worker_init.connect
def _warm_up_renderer(**kwargs) -> None:
    """Warm the PDF renderer in the worker's main process, before the pool forks (pdf.warm_up)."""
    from assessments.reports.pdf import warm_up

    try:
        seconds = warm_up()
    except Exception:  # noqa: BLE001 - a cold start is slower, not broken; the render will say
        logger.exception("Warming up the PDF renderer failed")
    else:
        logger.info("PDF renderer warmed up in %.1f s", seconds)


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


@signals.worker_shutdown.connect
def _say_why_the_worker_stops(sender=None, **kwargs) -> None:
    """A worker that dies of an error says so in our log too, not only in Celery's traceback.

    Known case: kombu 5.x can fail with ``AttributeError: 'NoneType' object has no attribute
    'hostname'`` while it closes a broker connection that Redis just dropped (a Redis restart
    while a late-acked task runs); Celery calls that unrecoverable and exits with code 1. No
    setting avoids it; the worker's supervisor must start it again (README, "What an operator
    must run"). Its heartbeat row goes with it, so /healthz says at once when no worker is left.
    """
    exitcode = getattr(sender, "exitcode", None)
    if exitcode:  # 0 or None: a shutdown somebody asked for
        logger.error(
            "Celery worker %s is exiting after an unrecoverable error (exit code %s); its "
            "supervisor must start it again. Reports it was rendering are sent again by the "
            "sweep once their lease lapses.",
            getattr(sender, "hostname", None) or socket.gethostname(),
            exitcode,
        )


signals.worker_shutdown.connect(_stop_heartbeats)
