import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["status"] == "ok"
    assert payload["checks"]["database"]["ok"] is True
    assert payload["checks"]["broker"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    payload = json.loads(response.content)
    assert payload["status"] == "unavailable"
    assert payload["checks"]["database"]["ok"] is True
    assert payload["checks"]["broker"]["ok"] is False


def test_healthz_in_embedded_mode_is_healthy(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["broker"]["mode"] == "eager"
