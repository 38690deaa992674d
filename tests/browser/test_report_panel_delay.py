"""The report panel in Chromium when a report is late: it says why and stops polling.

A pending report polls the panel every 2 s. Once it is late (``REPORT_DELAYED_SECONDS``) or its
enqueue failed because the broker is down, the panel says so with the reason and stops polling;
"Stand prüfen" asks for the state once. Polling is counted by the requests the page makes.
"""

import socket
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import Report
from portal.celery import app as celery_app
from tests.reports.worker_harness import _drop_client_connections
from tests.wizard.conftest import COMPLETE, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The panel polls every 2 s while a report is on time: a quiet page over this long is not polling.
QUIET_SECONDS = 5


def _log_in_browser(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def submitted(questionnaire, org_a, alice, consultant):
    org_a.consultant = consultant
    org_a.save()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, COMPLETE)
    return services.assessment_submit(assessment=assessment, user=alice)


@pytest.fixture
def unreachable_broker(settings, monkeypatch):
    """Celery points at a Redis port nobody listens on: every enqueue fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once the socket is closed: connection refused
    url = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    keys = ("broker_url", "task_always_eager")
    previous = {key: celery_app.conf.get(key) for key in keys}
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    _drop_client_connections()
    yield
    celery_app.conf.update(previous)
    _drop_client_connections()


def _panel_requests(page, assessment) -> int:
    path = reverse("reports_panel", args=[assessment.pk])
    return sum(1 for url in page.request_log.urls if url.endswith(path))


def test_late_report_says_delayed_with_its_reason_and_stops_polling(
    page, live_server, submitted, consultant, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with real workers: reports stay pending
    now = timezone.now()
    report = Report.objects.create(
        assessment=submitted,
        requested_by=consultant,
        status=Report.Status.RENDERING,
        attempts=1,
        started_at=now,
        lease_until=now + timezone.timedelta(seconds=settings.REPORT_LEASE_SECONDS),
    )
    _log_in_browser(page, live_server, consultant)
    page.goto(f"{live_server.url}/bewertungen/{submitted.pk}/")
    panel = page.locator("#reports-panel")
    expect(panel.locator(".report-status")).to_have_text("wird erstellt")

    # On time: the panel asks every 2 s.
    path = reverse("reports_panel", args=[submitted.pk])
    with page.expect_request(lambda request: request.url.endswith(path), timeout=6_000):
        pass

    # Its worker died and nobody took it over for longer than the delay threshold.
    late = timezone.now() - timezone.timedelta(seconds=settings.REPORT_DELAYED_SECONDS + 60)
    Report.objects.filter(pk=report.pk).update(
        started_at=late,
        lease_until=late,
        cycle_started_at=late,
        queued_at=late,
        delay_reason=Report.DelayReason.CRASH,
    )
    expect(panel.locator(".report-status")).to_have_text("wird erstellt · verzögert", timeout=6_000)
    expect(panel.locator(".report-delay")).to_contain_text(
        "verzögert: Erstellung abgebrochen, wird wiederholt."
    )
    expect(panel.locator(".report-delay")).to_contain_text(
        "Der Bericht wird automatisch erstellt, sobald es geht."
    )
    expect(panel).to_contain_text("Die Anzeige aktualisiert sich nicht mehr von selbst.")
    assert panel.get_attribute("hx-trigger") is None
    polled = _panel_requests(page, submitted)
    time.sleep(QUIET_SECONDS)
    assert _panel_requests(page, submitted) == polled, "the panel still polls"

    # Meanwhile the sweep sent it again and a worker finished it; the button shows that.
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.READY, delay_reason="", lease_until=None, pages=8
    )
    panel.get_by_role("button", name="Stand prüfen").click()
    expect(page.locator("#reports-panel .report-status")).to_have_text("fertig")
    assert _panel_requests(page, submitted) == polled + 1
    expect(page.locator("#reports-panel")).not_to_contain_text("verzögert")


def test_report_requested_while_the_broker_is_down_says_queued_and_stops_polling(
    page, live_server, submitted, consultant, unreachable_broker
):
    _log_in_browser(page, live_server, consultant)
    page.goto(f"{live_server.url}/bewertungen/{submitted.pk}/")

    page.get_by_role("button", name="Bericht erstellen").click()

    panel = page.locator("#reports-panel")
    expect(panel.locator(".report-delay")).to_have_text(
        "in der Warteschlange, wird erstellt, sobald der Dienst wieder erreichbar ist"
    )
    expect(panel.locator(".report-status")).to_have_attribute("data-status", "queued")
    report = Report.objects.get(assessment=submitted)
    assert (report.status, report.delay_reason) == ("queued", Report.DelayReason.BROKER)
    assert panel.get_attribute("hx-trigger") is None
    time.sleep(QUIET_SECONDS)
    assert _panel_requests(page, submitted) == 0, "the panel still polls"
    expect(panel).to_contain_text("Die Anzeige aktualisiert sich nicht mehr von selbst.")
