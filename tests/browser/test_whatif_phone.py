"""What-if on a phone: the changed scores are in view next to the answer being changed, not
thousands of pixels below it."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment
from portal.models import Organization
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def submitted(seeded_demo):
    organization = Organization.objects.get(name="Schreinerei Hegau GmbH")
    return (
        Assessment.objects.filter(organization=organization, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .first()
    )


def test_changed_scores_stay_in_view_while_answering_on_a_phone(browser, live_server, submitted):
    context = browser.new_context(locale="de-DE", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/konto/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill("inhaber@schreinerei-hegau.example")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(re.compile(r"/organisationen/"))
        page.goto(f"{live_server.url}/bewertungen/{submitted.pk}/was-waere-wenn/")

        # a question in the middle of the long page: flip its answer
        questions = page.locator("#whatif-form fieldset.question:not([hidden])")
        question = questions.nth(questions.count() // 2)
        question.scroll_into_view_if_needed()
        option = question.locator("input[type=radio]:not(:checked)").first
        option.check()

        summary = page.locator("#whatif-summary")
        expect(summary).to_contain_text("1 Antwort geändert")
        box = summary.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        # the changed question is not hidden behind the summary
        changed = option.bounding_box()
        assert changed["y"] + changed["height"] <= box["y"], (changed, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
