"""``/healthz``: is the database reachable, is the broker reachable."""

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_broker() -> dict:
    from portal.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    started = time.monotonic()
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # Redis connects lazily; a PING on the channel's client forces a real round trip.
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
