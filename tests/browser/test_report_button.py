"""'Bericht erstellen' reacts at once: the button is disabled and says it is working."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from assessments import services
from tests.wizard.conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_report_request_button_disables_and_shows_progress_at_once(
    page, live_server, questionnaire, org_a, alice, consultant
):
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice)
    services.assessment_submit(assessment=assessment, user=alice)
    _log_in_browser(page, live_server, consultant)
    page.goto(f"{live_server.url}/bewertungen/{assessment.pk}/")

    # Keep the page where it is after the submit event, as during a slow render in the
    # embedded default, so that what the person sees in the meantime can be checked.
    page.evaluate("window.addEventListener('submit', (event) => event.preventDefault())")
    page.get_by_role("button", name="Bericht erstellen").click()

    busy = page.locator("#reports-panel form[data-busy] button[type=submit]")
    expect(busy).to_be_disabled()
    expect(busy).to_contain_text("Bericht wird angefordert")
    expect(busy.locator(".spinner-border")).to_have_count(1)
