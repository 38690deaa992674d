"""The stress job page stops polling and says so when the server cannot be reached (stress.js),
instead of polling for ever — in Chromium."""

import re
import time

import pytest
from django.utils import timezone

from assessments.stress.models import StressJob
from tests.factories import PASSWORD, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unreachable_progress_stops_polling_with_a_message(browser, live_server):
    carla = ConsultantFactory(email="carla@beratung.example", first_name="Carla")
    job = StressJob.objects.create(
        scenario="copilot_price_plus_50",
        created_by=carla,
        status="running",
        done=10,
        total=40,
        started_at=timezone.now(),
        progress_at=timezone.now(),
    )
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(carla.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/berater/"))

    polls = []
    page.route("**/stand/", lambda route: (polls.append(route.request.url), route.abort()))
    page.goto(f"{live_server.url}/berater/stresstest/berechnungen/{job.pk}/")
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "25"

    page.wait_for_selector('#stress-job[data-job-status="unreachable"]', timeout=20_000)
    assert page.get_by_text("Der Stand lässt sich gerade nicht abrufen").is_visible()
    seen = len(polls)
    assert seen == 5
    time.sleep(2.5)  # polling every second would have tried twice more by now
    assert len(polls) == seen
    context.close()
