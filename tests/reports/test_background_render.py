"""Embedded default: 'Bericht erstellen' answers at once; a thread of the process renders."""

import threading
import time

import pytest
from django.urls import reverse

from assessments.models import Report
from assessments.reports import render

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.background_render]


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_request_answers_before_the_render_and_the_panel_shows_progress(
    client, consultant, submitted, private_storage, monkeypatch
):
    release = threading.Event()
    real_pdf = render.report_pdf
    rendering = threading.Event()

    def slow_pdf(report):
        rendering.set()
        release.wait(timeout=10)
        return real_pdf(report)

    monkeypatch.setattr(render, "report_pdf", slow_pdf)
    client.force_login(consultant)

    response = client.post(reverse("report_request", args=[submitted.pk]))

    assert response.status_code == 302
    assert not release.is_set()  # the request did not wait for the render
    assert rendering.wait(timeout=10)
    report = Report.objects.get()
    assert report.status == Report.Status.RENDERING
    panel = client.get(reverse("reports_panel", args=[submitted.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in panel  # keeps polling while the thread renders
    release.set()
    assert _wait_for(lambda: Report.objects.get().status == Report.Status.READY)
    panel = client.get(reverse("reports_panel", args=[submitted.pk])).content.decode()
    assert 'hx-trigger="every 2s"' not in panel
    assert reverse("report_download", args=[report.pk]) in panel
