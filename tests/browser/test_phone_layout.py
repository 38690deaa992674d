"""Every page a client owner or a consultant works with fits a 390 px phone: nothing makes the
whole page scroll sideways, and wide tables become labelled cards instead of hiding columns."""

import re

import pytest

from assessments.models import Assessment
from news.models import Article
from portal.models import Organization
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(seeded_demo):
    organization = Organization.objects.get(name="Schreinerei Hegau GmbH")
    assessment = (
        Assessment.objects.filter(organization=organization, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .first()
    )
    article = Article.objects.filter(vendors__isnull=False).distinct().first()
    return organization, assessment, article


def _phone(browser, live_server, email):
    context = browser.new_context(locale="de-DE", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/(organisationen|berater)/"))
    return context, page


def _page_width(page, url):
    """The page's width, or more than a phone's when a table meant to stack into cards is wider
    than its box (inside a scroll box that would not widen the page, but cut text off), or when
    its visible caption is squeezed into a narrow column beside the cards."""
    page.goto(url)
    stacked_too_wide = page.evaluate(
        "[...document.querySelectorAll('table.table-stack')]"
        ".some(t => t.scrollWidth > t.parentElement.clientWidth + 1)"
    )
    caption_squeezed = page.evaluate(
        "[...document.querySelectorAll('table.table-stack > caption:not(.visually-hidden)')]"
        ".some(c => c.getBoundingClientRect().width"
        " < c.parentElement.getBoundingClientRect().width * 0.9)"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    return width + (PHONE["width"] if stacked_too_wide or caption_squeezed else 0)


def test_client_owner_pages_fit_a_phone(browser, live_server, demo):
    organization, assessment, _article = demo
    context, page = _phone(browser, live_server, "inhaber@schreinerei-hegau.example")
    try:
        for path in (
            f"/organisationen/{organization.pk}/",
            f"/organisationen/{organization.pk}/datenschutz/",
            f"/bewertungen/{assessment.pk}/",
            f"/bewertungen/{assessment.pk}/massnahmen/",
            f"/bewertungen/{assessment.pk}/was-waere-wenn/",
            "/konto/sicherheit/",
        ):
            assert _page_width(page, live_server.url + path) <= PHONE["width"], path

        # The client's page: the assessment's "Ergebnis" and a member's "Entfernen" sit inside
        # the screen, not behind a sideways scroll of their tables.
        page.goto(live_server.url + f"/organisationen/{organization.pk}/")
        for control in (
            page.get_by_role("link", name="Ergebnis", exact=True).first,
            page.get_by_role("button", name="Entfernen").first,
        ):
            box = control.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"]

        # The action plan on the results page: the columns right of the title are labelled
        # lines below it, not cut off behind a sideways scroll.
        page.goto(live_server.url + f"/bewertungen/{assessment.pk}/")
        first_action = page.locator("section[aria-labelledby=h-plan] table tbody tr").first
        state = first_action.locator("td[data-label='Stand']")
        box = state.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        label = state.evaluate("el => getComputedStyle(el, '::before').content")
        assert label == '"Stand: "'
    finally:
        context.close()


def test_consultant_pages_fit_a_phone(browser, live_server, demo):
    organization, assessment, article = demo
    # two assessments: "Was sich geändert hat" and the comparison, tables with captions
    seetal = Organization.objects.get(name="Seetal Maschinenbau GmbH")
    context, page = _phone(browser, live_server, "berater@demo.example")
    try:
        for path in (
            f"/organisationen/{seetal.pk}/",
            f"/organisationen/{seetal.pk}/vergleich/",
            "/berater/",
            "/berater/nicht-zugeordnet/",
            "/berater/aufgaben/",  # a long action title wraps instead of running off the card
            "/berater/stresstest/",
            f"/organisationen/{organization.pk}/",
            f"/bewertungen/{assessment.pk}/",
            f"/bewertungen/{assessment.pk}/massnahmen/",
            f"/aktuelles/{article.slug}/betroffene-kunden/",
        ):
            assert _page_width(page, live_server.url + path) <= PHONE["width"], path

        # Which clients a news item affects: the drivers and "informiert" columns used to sit
        # off-screen to the right; now every client is a card with them inside the screen.
        page.goto(live_server.url + f"/aktuelles/{article.slug}/betroffene-kunden/")
        informed = page.locator("td[data-label='Informiert']").first
        box = informed.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()
