"""Rate limits: a fixed-window counter per scope and key in the default cache.

The default cache is the one every web process shares in the full stack (Redis, ``CACHE_URL``),
so a limit of 5 per hour is 5 per hour for the site, not 5 per gunicorn worker; with the
embedded default's local-memory cache it holds per process. Keys are stored only as keyed hashes
(an IP address never reaches the cache in clear).

When the cache fails (Redis down), a limit lets the request through and logs an ERROR: the
contact form and the other forms behind a limit keep working during an outage, and the operator
sees it in the log and in ``/healthz`` (the cache check). Failing closed would turn a Redis outage
into "too many requests" for every visitor. The limits guard against floods, not against a
determined attacker who could also wait for an outage; the honeypot, the login lockout (database)
and the invitation limit (database) do not depend on the cache.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    # Only REMOTE_ADDR: a client can forge X-Forwarded-For, and trusting it would let a bot
    # pick a fresh "IP" per request. Behind a proxy, have the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, key: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; ``True`` once more than ``limit`` attempts fall
    in the current window of ``window`` seconds. ``False`` (and an ERROR) when the cache fails."""
    cache_key = _key(scope, key)
    try:
        if cache.add(cache_key, 1, timeout=window):
            return limit < 1
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window)
            count = 1
    except Exception:  # noqa: BLE001 - any cache fault: let the request through, say so
        logger.exception(
            "Rate limit %r not checked: the cache is unreachable; letting the request through",
            scope,
        )
        return False
    return count > limit
