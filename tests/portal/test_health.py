import json

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from assessments.models import Report
from portal.heartbeat import heartbeat_write
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPONENTS = {
    "database",
    "broker",
    "storage",
    "worker",
    "beat",
    "portfolio_cache",
    "portfolio_changes",
    "audit_log",
    "cache",
}


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    field = Report._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))
    return tmp_path / "private"


@pytest.fixture
def staff(client):
    user = UserFactory(email="technik@beratung.example", is_staff=True)
    client.force_login(user)
    return user


def _get(client, **headers):
    response = client.get(reverse("healthz"), headers=headers)
    return response.status_code, json.loads(response.content)


def test_healthz_tells_anonymous_callers_only_the_overall_status(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    status, payload = _get(client)

    assert (status, payload) == (200, {"status": "ok"})


def test_healthz_tells_a_client_member_only_the_overall_status(client, settings, alice):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(alice)

    assert _get(client) == (200, {"status": "ok"})


def test_healthz_shows_every_component_to_staff(client, settings, staff):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    status, payload = _get(client)

    assert status == 200
    assert set(payload["checks"]) == COMPONENTS
    assert payload["checks"]["broker"]["mode"] == "eager"
    assert payload["checks"]["storage"]["ok"] is True


def test_healthz_shows_details_with_the_token_and_not_with_a_wrong_one(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.HEALTHZ_TOKEN = "geheimes-token-fuer-monitoring"

    assert "checks" not in _get(client, X_Health_Token="falsch")[1]
    assert set(_get(client, X_Health_Token="geheimes-token-fuer-monitoring")[1]["checks"]) == (
        COMPONENTS
    )


def test_healthz_is_503_without_worker_and_beat_heartbeats(client, settings, staff, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url

    status, payload = _get(client)

    assert status == 503
    assert payload["status"] == "unavailable"
    checks = payload["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"] and checks["storage"]["ok"]
    assert checks["worker"] == {"ok": False, "alive": 0}
    assert checks["beat"] == {"ok": False, "alive": 0}


def test_healthz_is_ok_with_fresh_heartbeats_and_not_with_two_beats(
    client, settings, staff, redis_url
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    heartbeat_write(name="worker:w1@host", kind="worker")
    heartbeat_write(name="beat:host:1", kind="beat")

    status, payload = _get(client)
    assert status == 200, payload
    assert payload["checks"]["worker"]["alive"] == 1

    heartbeat_write(name="beat:host:2", kind="beat")
    status, payload = _get(client)
    assert status == 503
    assert payload["checks"]["beat"] == {
        "ok": False,
        "alive": 2,
        "last_seen_seconds": payload["checks"]["beat"]["last_seen_seconds"],
        "error": "more than one beat",
    }


def test_healthz_calls_an_old_heartbeat_dead(client, settings, staff, redis_url):
    from django.utils import timezone

    from portal.models import Heartbeat

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    old = timezone.now() - timezone.timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 5)
    Heartbeat.objects.create(name="worker:alt@host", kind="worker", seen_at=old)
    heartbeat_write(name="beat:host:1", kind="beat")

    status, payload = _get(client)

    assert status == 503
    assert payload["checks"]["worker"]["ok"] is False
    assert payload["checks"]["worker"]["last_seen_seconds"] >= settings.HEARTBEAT_STALE_SECONDS


def test_healthz_is_503_when_the_broker_is_down(client, settings, staff):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    status, payload = _get(client)

    assert status == 503
    assert payload["status"] == "unavailable"
    assert payload["checks"]["database"]["ok"] is True
    assert payload["checks"]["broker"]["ok"] is False


def test_healthz_is_503_when_report_storage_is_full(client, settings, staff):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REPORT_MIN_FREE_BYTES = 1 << 62  # more than any disk has free

    status, payload = _get(client)

    assert status == 503
    assert payload["checks"]["storage"] == {"ok": False, "error": "Der Berichtsspeicher ist voll."}


def test_healthz_is_503_when_report_storage_cannot_be_written(
    client, settings, staff, private_storage
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    private_storage.parent.mkdir(parents=True, exist_ok=True)
    private_storage.write_text("a file where the storage directory should be")

    status, payload = _get(client)

    assert status == 503
    assert payload["checks"]["storage"]["ok"] is False
    assert "Berichtsspeicher" in payload["checks"]["storage"]["error"]
    assert _get(client.__class__())[1] == {"status": "unavailable"}


def test_healthz_only_judges_the_components_asked_for(client, settings, staff, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url  # no worker and no beat heartbeat: 503 in full

    assert _get(client)[0] == 503
    status, payload = _get_path(client, "?only=database,broker")

    assert status == 200
    assert set(payload["checks"]) == {"database", "broker"}


def _get_path(client, query):
    response = client.get(reverse("healthz") + query)
    return response.status_code, json.loads(response.content)


def test_an_unhealthy_healthz_is_logged_with_its_components_but_mails_no_admin(
    client, settings, caplog, monkeypatch
):
    """A monitor polls /healthz every few seconds: a 503 there is logged (which components
    fail), but must not send ADMINS one mail per poll."""
    from django.core import mail

    settings.ADMINS = [("Technik", "technik@beratung.example")]
    monkeypatch.setattr("portal.health._check_storage", lambda: {"ok": False, "error": "full"})
    with caplog.at_level("WARNING"):
        status, _ = _get(client)
    assert status == 503
    assert mail.outbox == []
    warnings = [r for r in caplog.records if r.name == "portal.health"]
    assert warnings and "storage" in warnings[0].getMessage()


def test_other_server_errors_still_reach_the_admins(settings):
    import logging

    from django.core import mail
    from django.test import RequestFactory

    settings.ADMINS = [("Technik", "technik@beratung.example")]
    request = RequestFactory().get("/bewertungen/")
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, extra={"status_code": 500, "request": request}
    )
    assert len(mail.outbox) == 1
