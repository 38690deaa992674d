"""The admins are e-mailed about reports that fail or make no progress, not about reports that
merely wait their turn in a long, healthy queue."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Report
from assessments.reports import services as report_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerting(settings):
    settings.ADMINS = [("Betrieb", "betrieb@beratung.example")]
    settings.REPORT_ALERT_SECONDS = 900
    return timezone.now()


def _report(assessment, *, waited: int, now, **fields) -> Report:
    """A report whose current round began ``waited`` seconds before ``now``."""
    started = now - timedelta(seconds=waited)
    return Report.objects.create(
        assessment=assessment, cycle_started_at=started, queued_at=started, **fields
    )


def _rendered_recently(assessment, now, seconds_ago: int = 30) -> Report:
    return _report(
        assessment,
        waited=seconds_ago + 1,
        now=now,
        status=Report.Status.READY,
        finished_at=now - timedelta(seconds=seconds_ago),
    )


def test_a_burst_of_100_healthy_reports_alerts_nobody(submitted, alerting):
    now = alerting
    _rendered_recently(submitted, now)  # the queue moves: one rendered half a minute ago
    for position in range(100):  # waiting their turn, some far longer than the threshold
        _report(submitted, waited=300 + position * 20, now=now)

    sent = report_services.reports_alert_admins(now=now)

    print(
        f"\nalerts in a burst of 100 healthy queued reports: {sent} reports, "
        f"{len(mail.outbox)} mails"
    )
    assert (sent, len(mail.outbox)) == (0, 0)


def test_nothing_rendered_within_the_threshold_alerts_every_long_waiting_report_once(
    submitted, alerting
):
    now = alerting
    _report(
        submitted,
        waited=5000,
        now=now,
        status=Report.Status.READY,
        finished_at=now - timedelta(seconds=4000),
    )
    stuck = [_report(submitted, waited=1000 + n, now=now) for n in range(3)]
    fresh = _report(submitted, waited=60, now=now)

    first = report_services.reports_alert_admins(now=now)
    again = report_services.reports_alert_admins(now=now + timedelta(minutes=1))
    later = report_services.reports_alert_admins(now=now + timedelta(minutes=15))

    assert (first, again, later) == (3, 0, 1)  # later: the fresh one has waited too long now
    body = mail.outbox[0].body
    assert all(str(r.pk) in body for r in stuck) and str(fresh.pk) not in body


def test_a_report_retried_on_a_fault_alerts_even_while_others_are_rendered(submitted, alerting):
    now = alerting
    _rendered_recently(submitted, now)
    storage = _report(
        submitted,
        waited=1000,
        now=now,
        delay_reason=Report.DelayReason.STORAGE,
        last_error="Der Berichtsspeicher ist voll.",
    )
    waiting = _report(submitted, waited=1000, now=now)

    assert report_services.reports_alert_admins(now=now) == 1
    body = mail.outbox[0].body
    assert str(storage.pk) in body and "voll" in body and str(waiting.pk) not in body


def test_a_render_that_runs_longer_than_the_threshold_alerts(submitted, alerting):
    now = alerting
    _rendered_recently(submitted, now)
    hung = _report(
        submitted,
        waited=1000,
        now=now,
        status=Report.Status.RENDERING,
        started_at=now - timedelta(seconds=950),
        lease_until=now + timedelta(seconds=10),  # its worker still renews the lease
    )

    assert report_services.reports_alert_admins(now=now) == 1
    assert str(hung.pk) in mail.outbox[0].body


def test_a_failed_report_alerts_at_once_and_its_client_is_named_in_the_mail_not_the_log(
    submitted, alerting, caplog
):
    now = alerting
    failed = _report(
        submitted, waited=5, now=now, status=Report.Status.FAILED, last_error="Daten kaputt"
    )

    with caplog.at_level("ERROR"):
        assert report_services.reports_alert_admins(now=now) == 1

    assert submitted.organization.name in mail.outbox[0].body
    assert str(failed.pk) in caplog.text and submitted.organization.name not in caplog.text
