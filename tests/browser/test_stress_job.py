"""A consultant starts the stress test of a large portfolio as a background job and watches it
finish — in Chromium, with a real Celery worker (PostgreSQL and Redis; skips on SQLite).

The job is started before any worker runs, so the page first shows it waiting and polls; then a
worker starts, and the same page (no reload) shows the result."""

import re

import pytest

from tests.factories import PASSWORD
from tests.reports.worker_harness import (  # noqa: F401 - fixtures
    database_url,
    redis_server,
    start_worker,
    storage_dir,
)
from tests.stress.test_jobs import job_portfolio

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390])
def test_consultant_starts_the_job_and_sees_it_finish(
    browser,
    live_server,
    settings,
    start_worker,  # noqa: F811 - the fixture imported above
    width,
):
    carla = job_portfolio(settings)

    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(carla.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/berater/"))

    page.goto(live_server.url + "/berater/stresstest/")
    page.get_by_label("Szenario").select_option(label="Microsoft 365 Copilot wird 50 % teurer")
    page.get_by_role("button", name="Szenario ansehen").click()
    page.get_by_role("button", name="Berechnung starten").click()
    page.wait_for_url(re.compile(r"/berater/stresstest/berechnungen/[0-9a-f-]+/$"))

    panel = page.locator("#stress-job")
    assert panel.get_attribute("data-job-status") == "queued"
    assert page.get_by_role("progressbar").is_visible()
    assert "sobald ein Hintergrundprozess frei ist" in panel.inner_text()

    worker = start_worker()
    try:
        page.wait_for_selector('#stress-job[data-job-status="done"]', timeout=90_000)
    except Exception:
        pytest.fail(f"the job did not finish on the page:\n{worker.tail()}")
    row = page.locator('[data-stress-row="Copilot GmbH"]')
    assert "Kontinuität und Kosten +2" in row.inner_text()
    assert page.locator('[data-stress-row="Mistral KG"]').count() == 0
    assert page.get_by_role("link", name="Alle Kunden als CSV").is_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
