"""A fixed-window counter per client IP in the cache (the IP itself is stored only as a hash)."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Only REMOTE_ADDR: a client can forge X-Forwarded-For, and trusting it would let a bot
    # pick a fresh "IP" per request. Behind a proxy, have the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ip: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def rate_limit_exceeded(*, scope: str, ip: str, limit: int, window: int) -> bool:
    """Count one attempt; ``True`` once more than ``limit`` attempts fall in the window."""
    key = _key(scope, ip)
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit
