"""``/healthz``: database, broker, report storage, Celery workers and beat, and the database
triggers behind the dashboard's cache and the append-only audit log.

Anonymous callers get only ``{"status": "ok"}`` or ``{"status": "unavailable"}`` (HTTP 200 or
503), enough for a load balancer. Staff users who passed the second factor in this session, and
callers that send ``settings.HEALTHZ_TOKEN``
in the ``X-Health-Token`` header, also get ``checks`` with one entry per component; README.md
("Health check") says what each field means. ``?only=database,broker`` limits the checks (and
the status) to those components.
"""

import hmac
import logging
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import cache_status
from .portfolio import changes, generation
from .privacy import append_only
from .privacy.audit import client_data

logger = logging.getLogger(__name__)


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check() or {}
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1), **result}


def _check_database() -> dict:
    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(query)


def _check_broker() -> dict:
    from portal.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}

    def ping():
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # Redis connects lazily; a PING on the channel's client forces a real round trip.
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()

    return _timed(ping)


def _check_storage() -> dict:
    from assessments.reports.storage import describe_os_error, storage_probe

    try:
        storage_probe()
    except OSError as error:
        return {"ok": False, "error": str(describe_os_error(error))}
    return {"ok": True}


def _check_heartbeats(kind: str, *, exactly_one: bool = False) -> dict:
    from .heartbeat import heartbeat_last, heartbeats_alive

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        alive = heartbeats_alive(kind=kind)
        last = heartbeat_last(kind=kind)
    except Exception as error:  # noqa: BLE001 - no database: unknown, so unhealthy
        return {"ok": False, "error": error.__class__.__name__}
    check = {"ok": bool(alive), "alive": len(alive)}
    if last is not None:
        check["last_seen_seconds"] = round((timezone.now() - last).total_seconds(), 1)
    if exactly_one and len(alive) > 1:
        check["ok"] = False
        check["error"] = "more than one beat"
    return check


def _check_triggers(trigger_set, error: str) -> dict:
    """Database triggers the portal relies on (``portal.dbtriggers``): the dashboard cache's
    change counter, the append-only audit log."""
    try:
        gaps = trigger_set.missing()
    except Exception as failure:  # noqa: BLE001 - no database: reported by its own check too
        return {"ok": False, "error": failure.__class__.__name__}
    if gaps:
        return {"ok": False, "error": error, "missing": gaps}
    return {"ok": True}


def _may_see_details(request: HttpRequest) -> bool:
    """Staff who passed the second factor in this session, or a caller with the token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return True
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


@client_data(None)
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    components = {
        "database": _check_database,
        "broker": _check_broker,
        "storage": _check_storage,
        "worker": lambda: _check_heartbeats("worker"),
        "beat": lambda: _check_heartbeats("beat", exactly_one=True),
        "portfolio_cache": lambda: _check_triggers(generation, "change-counter triggers missing"),
        "portfolio_changes": lambda: _check_triggers(changes, "summary change-log trigger missing"),
        "audit_log": lambda: _check_triggers(append_only, "append-only triggers missing"),
        "cache": cache_status,
    }
    # ?only=database: a load balancer asks whether this web process can serve, not whether beat
    # runs (it would take every web process out of rotation when the worker dies).
    only = [name for name in request.GET.get("only", "").split(",") if name in components]
    checks = {name: check() for name, check in components.items() if not only or name in only}
    # a degraded component (the shared cache away) still serves every page: 200, "degraded"
    healthy = all(check["ok"] or check.get("degraded") for check in checks.values())
    degraded = healthy and not all(check["ok"] for check in checks.values())
    failing = sorted(name for name, check in checks.items() if not check["ok"])
    if failing:
        logger.warning(
            "healthz: %s: %s", "degraded" if healthy else "unavailable", ", ".join(failing)
        )
    payload = {"status": "degraded" if degraded else "ok" if healthy else "unavailable"}
    if _may_see_details(request):
        payload["checks"] = checks
    return JsonResponse(payload, status=200 if healthy else 503)
