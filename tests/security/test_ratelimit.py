"""Rate limits count in the shared cache: two web processes together allow the limit once.

The contact form allows ``CONTACT_RATE_LIMIT`` enquiries per address and hour. Counted per
process, three gunicorn workers let three times as many through; counted in Redis (``CACHE_URL``)
the site lets exactly the limit through. When the cache is down the limit lets requests through
and logs an ERROR (``portal.security.ratelimit``).
"""

from __future__ import annotations

import os
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import override_settings

from portal.leads.models import Lead
from portal.security.ratelimit import rate_limit_exceeded
from tests.servers import Server, database_url

ENQUIRY = {
    "name": "Petra Hummel",
    "company": "Bäckerei Hummel",
    "email": "petra@baeckerei.example",
    "phone": "",
    "message": "Bitte rufen Sie uns an.",
    "consent": "on",
    "website": "",
}


def _start_two(tmp_path, cache_url: str):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VAR_DIR": str(tmp_path / "var"),
        "CONTACT_RATE_LIMIT": "5",
        "LOG_LEVEL": "WARNING",
    }
    servers = [Server(env, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def two_servers(redis_url, tmp_path):
    yield from _start_two(tmp_path, redis_url)


@pytest.fixture
def two_servers_without_shared_cache(tmp_path):
    yield from _start_two(tmp_path, "")  # each process its own local-memory cache


def _csrf(server: Server) -> tuple[str, str]:
    _status, headers, body = server.request("GET", "/kontakt/")
    cookie = next(v for k, v in headers if k.lower() == "set-cookie" and "csrftoken=" in v)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return cookie.split(";", 1)[0], token


def _enquiries(servers, count: int) -> list[int]:
    """``count`` enquiries from one address, alternately to each server; the HTTP statuses."""
    cookie, token = _csrf(servers[0])
    statuses = []
    for attempt in range(count):
        server = servers[attempt % 2]
        status, _headers, _body = server.request(
            "POST",
            "/kontakt/",
            body=urlencode({**ENQUIRY, "csrfmiddlewaretoken": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        statuses.append(status)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_server_processes_together_let_the_limit_through(two_servers):
    statuses = _enquiries(two_servers, 8)

    accepted, refused = statuses.count(302), statuses.count(429)
    print(
        f"\ncontact form, limit 5, two gunicorn processes sharing Redis: {accepted} accepted, "
        f"{refused} refused ({statuses})"
    )
    assert (accepted, refused) == (5, 3)
    assert statuses[:5] == [302] * 5
    assert Lead.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_without_a_shared_cache_each_process_counts_alone(two_servers_without_shared_cache):
    """The embedded default (no CACHE_URL): why the full stack must set CACHE_URL."""
    statuses = _enquiries(two_servers_without_shared_cache, 8)

    print(f"\nthe same without CACHE_URL: {statuses.count(302)} accepted")
    assert statuses == [302] * 8


@override_settings(
    CACHES={
        "chrome": settings.CACHES["chrome"],
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # nothing listens on port 1: the cache is down
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }
)
def test_cache_down_lets_requests_through_and_logs_an_error(caplog):
    with caplog.at_level("ERROR", logger="portal.security.ratelimit"):
        results = [
            rate_limit_exceeded(scope="contact", key="203.0.113.7", limit=1, window=60)
            for _ in range(3)
        ]

    assert results == [False, False, False]
    assert "Rate limit 'contact' not checked: the cache is unreachable" in caplog.text
    assert len(caplog.records) == 3


def test_the_limit_counts_per_key_in_the_default_cache():
    results = [
        rate_limit_exceeded(scope="contact", key="203.0.113.7", limit=2, window=60)
        for _ in range(3)
    ]
    other = rate_limit_exceeded(scope="contact", key="198.51.100.4", limit=2, window=60)

    assert (results, other) == ([False, False, True], False)
