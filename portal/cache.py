"""The shared cache (``CACHE_URL``) that never takes a page down with it.

``FaultTolerantRedisCache`` is Django's ``RedisCache`` that treats an unreachable Redis as an
empty cache which forgets everything: reads miss (the caller builds the page from the
database), writes and deletes are dropped, ``add`` succeeds, ``incr`` of a key finds none. What
that means for its users:

- the dashboard and the stress test build their pages from the database on every view (they
  are correct without the cache, only slower);
- counters kept in the cache (rate limits) start again from nothing, i.e. they let requests
  through while Redis is away ("fail open");
- nothing is lost that lives elsewhere: sessions, the change counter, reports are in the
  database.

After a failure the cache stays away from Redis for ``RETRY_SECONDS`` (no connection attempt
and timeout per call on every request), then tries again. The first failure of an outage is
logged as a WARNING, the recovery as INFO; ``/healthz`` shows the state as the ``cache``
component (``cache_status``).
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0


class FaultTolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # a Redis that does not answer must not hold a request for long
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._lock = threading.Lock()
        self._down_since: float | None = None  # monotonic time of the outage's first failure
        self._retry_at = 0.0
        self.last_error = ""

    # --- state ---------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether calls go to Redis now (False for ``RETRY_SECONDS`` after a failure)."""
        return self._down_since is None or time.monotonic() >= self._retry_at

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + RETRY_SECONDS
            self.last_error = error.__class__.__name__
        if first:
            logger.warning(
                "Cache server unreachable (%s: %s): pages are built from the database and "
                "cache-held counters start from nothing until it is back; trying again every "
                "%.0f s.",
                error.__class__.__name__,
                error,
                RETRY_SECONDS,
            )

    def _recovered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.info("Cache server reachable again after %.0f s.", time.monotonic() - since)

    def _call(self, method: str, fallback, *args, **kwargs):
        if not self.available:
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except FAILURES as error:
            self._failed(error)
            return fallback
        self._recovered()
        return result

    # --- the cache API -------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        if not self.available:
            raise ValueError(f"Key '{key}' not found (cache server unreachable).")
        try:
            result = super().incr(key, delta, version)
        except FAILURES as error:
            self._failed(error)
            raise ValueError(f"Key '{key}' not found (cache server unreachable).") from error
        self._recovered()
        return result

    def clear(self):
        return self._call("clear", False)

    def ping(self) -> None:
        """One round trip to Redis (``/healthz``); raises when it is unreachable."""
        try:
            self._cache.get_client(write=False).ping()
        except FAILURES as error:
            self._failed(error)
            raise
        self._recovered()


def cache_status() -> dict:
    """The default cache for ``/healthz``: ``mode`` local (each process its own) or shared;
    a shared cache that does not answer is ``ok: false`` with ``degraded: true`` (pages are
    still served, built from the database)."""
    cache = caches["default"]
    if not isinstance(cache, FaultTolerantRedisCache):
        return {"ok": True, "mode": "local"}
    started = time.monotonic()
    try:
        cache.ping()
    except FAILURES as error:
        return {
            "ok": False,
            "degraded": True,
            "mode": "shared",
            "error": error.__class__.__name__,
        }
    return {"ok": True, "mode": "shared", "ms": round((time.monotonic() - started) * 1000, 1)}
