"""The main pages under the real Content-Security-Policy: nothing blocked, htmx and charts work."""

import re

import pytest

from assessments.models import Assessment
from portal.demo import DEMO_ADMIN, DEMO_COMPANIES, DEMO_CONSULTANT, DEMO_PASSWORD, demo_seed
from tests.browser.conftest import CSP_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    demo_seed()


def _context(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _login(page, live_server, email):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def _visit(page, url):
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_main_pages_cause_no_csp_violation(browser, live_server, demo, no_csp_violations):
    visited = []
    context, page = _context(browser)
    public = ["/", "/konto/anmelden/", "/konto/registrieren/", "/datenschutz/", "/impressum/"]
    for path in [*public, "/aktuelles/", "/kontakt/"]:
        _visit(page, live_server.url + path)
        visited.append(path)
    # The language switch submits itself through portal.js, not an inline handler.
    with page.expect_navigation():
        page.locator("#language-switch").select_option("en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.locator("#language-switch").select_option("de")
    page.wait_for_load_state("networkidle")
    context.close()

    # A client: company page, results with SVG charts, what-if (htmx), a wizard section (htmx).
    owner = DEMO_COMPANIES[0]["members"][0].email
    context, page = _context(browser)
    _login(page, live_server, owner)
    assessment = Assessment.objects.filter(
        organization__name=DEMO_COMPANIES[0]["name"], status="submitted"
    ).first()
    _visit(page, live_server.url + f"/bewertungen/{assessment.pk}/")
    assert page.locator("svg[role=img]").count() >= 3
    _visit(page, live_server.url + f"/bewertungen/{assessment.pk}/was-waere-wenn/")
    before = page.locator("#whatif-scores").inner_html()
    radio = page.locator("#whatif-scores ~ * input[type=radio], form input[type=radio]")
    if radio.count():
        radio.nth(1).check()
        page.wait_for_function(
            "before => document.querySelector('#whatif-scores').innerHTML !== before", arg=before
        )
    page.get_by_role("link", name=re.compile("Mein Unternehmen")).click()
    page.wait_for_load_state()
    start = page.get_by_role("button", name=re.compile("Selbstcheck starten|Neue Bewertung"))
    if start.count():
        start.first.click()
        page.wait_for_url(re.compile(r"/abschnitt/"))
        page.locator("fieldset.question input[type=radio]").first.check()
        page.locator("[id^=status-]").filter(has_text="Gespeichert").first.wait_for()
    _visit(page, live_server.url + "/konto/zwei-faktor/einrichten/")
    assert page.locator(".mfa-qr svg").count() == 1
    visited.append("client pages")
    context.close()

    # A consultant: dashboard with its filter panel.
    context, page = _context(browser)
    _login(page, live_server, DEMO_CONSULTANT.email)
    _visit(page, live_server.url + "/berater/")
    page.locator("details.portfolio-filters > summary").click()
    page.locator("#f-level").select_option("high")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtern").click()
    page.wait_for_load_state("networkidle")
    assert "level=high" in page.url
    _visit(page, live_server.url + "/berater/anfragen/")
    visited.append("/berater/")
    context.close()

    # An admin: index, a change list, the catalogue upload.
    context, page = _context(browser)
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(DEMO_ADMIN.email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    for path in [
        "/admin/",
        "/admin/portal/organization/",
        "/admin/assessments/questionnaireversion/upload/",
    ]:
        _visit(page, live_server.url + path)
    context.close()

    assert CSP_VIOLATIONS == []
