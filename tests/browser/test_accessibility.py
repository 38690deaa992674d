"""Every page at 1366 and 390 px, for a visitor, a client owner and a consultant, has no serious
or critical axe-core violation. The pages are found by following links (so pages added later are
checked too), starting from each role's home, plus the wizard of an open draft."""

import os
import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assessment
from assessments.questionnaire.selectors import questionnaire_for
from portal.models import Organization, User
from tests.browser.accessibility import AXE_SOURCE, Crawl, axe_check, axe_context, crawl
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER = "inhaber@schreinerei-hegau.example"
CONSULTANT = "berater@demo.example"


@pytest.fixture(autouse=True)
def _axe_installed():
    if not AXE_SOURCE.exists():
        message = f"{AXE_SOURCE} is missing: `make test` (or `npm ci`) installs axe-core"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def demo(seeded_demo):
    organization = Organization.objects.get(name="Schreinerei Hegau GmbH")
    owner = User.objects.get(email=OWNER)
    # an open re-assessment, so the wizard (with carried-over answers) is part of the crawl
    draft = services.assessment_start(organization=organization, user=owner).assessment
    submitted = (
        Assessment.objects.filter(organization=organization, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .first()
    )
    return organization, draft, submitted


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/(organisationen|berater)/"))


def _report(results: dict[str, Crawl]) -> str:
    lines = []
    for role, result in results.items():
        lines.append(f"{role}: {len(result.pages)} pages, nodes failing {result.counts()}")
        lines.append(f"  rules: {result.rules()}")
        serious = result.serious()
        lines += [f"  {finding}" for finding in serious]
        lines += [f"  ({finding})" for finding in result.findings if finding not in serious]
    return "\n".join(lines)


def test_every_page_has_no_serious_axe_violation_for_each_role_at_both_widths(
    browser, live_server, demo
):
    organization, draft, submitted = demo
    results = {}
    for role, email, seeds in (
        ("anonymous", None, ["/", "/konto/anmelden/", "/konto/registrieren/", "/kontakt/"]),
        (
            "owner",
            OWNER,
            [
                f"/organisationen/{organization.pk}/",
                f"/bewertungen/{draft.pk}/abschnitt/{_first_section(draft)}/",
                f"/bewertungen/{draft.pk}/pruefen/",
                f"/bewertungen/{submitted.pk}/was-waere-wenn/",
            ],
        ),
        ("consultant", CONSULTANT, ["/berater/", f"/organisationen/{organization.pk}/"]),
    ):
        context = axe_context(browser)
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            if email:
                _sign_in(page, live_server, email)
            results[role] = crawl(page, live_server.url, seeds)
        finally:
            context.close()

    print("\n" + _report(results))
    assert len(results["owner"].pages) >= 8 and len(results["consultant"].pages) >= 8
    assert all(not result.serious() for result in results.values()), _report(results)


def _first_section(assessment) -> str:
    return questionnaire_for(assessment).sections[0]["key"]


def test_failed_sign_up_moves_focus_to_the_error_summary(browser, live_server, db):
    context = axe_context(browser)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/konto/registrieren/")
        page.get_by_role("button", name="Zugang anlegen").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Bitte")
        result = Crawl()
        axe_check(page, "/konto/registrieren/ (failed)", result)
        assert not result.serious(), "\n".join(map(str, result.serious()))
    finally:
        context.close()
