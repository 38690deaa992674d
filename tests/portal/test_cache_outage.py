"""The shared cache (CACHE_URL, Redis) going away never takes a page down: the dashboard is built
from the database, the outage is logged once and shown in /healthz as a degraded component, and
the cache is used again once Redis is back. Against a real redis-server this test starts and
stops on a port of its own (the shared server on 6379 is never touched)."""

import json
import logging
import shutil
import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from portal import cache as portal_cache
from tests.portal.test_portfolio import _submit
from tests.reports.worker_harness import RedisServer
from tests.wizard.conftest import COMPLETE

from ..factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("consultant_dashboard")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(shutil.which("redis-server"), tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shared_cache(settings, redis_server, monkeypatch):
    monkeypatch.setattr(portal_cache, "RETRY_SECONDS", 0.0)  # try Redis again on every call
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis_server.port}/0",
            "KEY_PREFIX": "test",
        },
    }
    settings.PORTFOLIO_CACHE_SECONDS = 60
    yield caches["default"]
    caches["default"].close()


@pytest.fixture
def dashboard(client, questionnaire, consultant):
    _submit(OrganizationFactory(name="Seetal Cache GmbH"), COMPLETE)
    client.force_login(consultant)
    return client


def _health(client, settings) -> tuple[int, dict]:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # judge the cache, not the worker this test lacks
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("healthz"))
    return response.status_code, json.loads(response.content)


def test_pages_are_built_while_the_cache_server_is_stopped(
    dashboard, shared_cache, redis_server, caplog, django_assert_max_num_queries, settings
):
    first = dashboard.get(URL)
    assert first.status_code == 200 and "Seetal Cache GmbH" in first.content.decode()
    assert shared_cache._cache.get_client().keys("*portfolio*")  # the page lives in Redis
    with django_assert_max_num_queries(5):  # served from Redis (and the saved filters)
        assert dashboard.get(URL).status_code == 200

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        down = dashboard.get(URL)
        again = dashboard.get(URL)

    assert down.status_code == again.status_code == 200
    assert "Seetal Cache GmbH" in down.content.decode()
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1 and "Cache server unreachable" in warnings[0].getMessage()

    status, payload = _health(dashboard, settings)
    assert status == 200 and payload["status"] == "degraded"
    assert payload["checks"]["cache"] == {
        "ok": False,
        "degraded": True,
        "mode": "shared",
        "error": "ConnectionError",
    }

    redis_server.start()
    status, payload = _health(dashboard, settings)
    assert status == 200 and payload["status"] == "ok" and payload["checks"]["cache"]["ok"]


def test_an_unreachable_cache_url_serves_pages_and_counters_fail_open(
    dashboard, settings, monkeypatch
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nothing listens there
        },
    }
    cache = caches["default"]
    try:
        assert dashboard.get(URL).status_code == 200
        assert cache.get("x", "missed") == "missed"
        assert cache.add("limit", 1, 60) is True  # a rate limit starts from nothing
        with pytest.raises(ValueError):
            cache.incr("limit")
        assert not cache.available  # no new attempt for RETRY_SECONDS
    finally:
        cache.close()


def test_the_embedded_default_reports_a_local_cache(client, settings):
    status, payload = _health(client, settings)
    assert payload["checks"]["cache"] == {"ok": True, "mode": "local"}
