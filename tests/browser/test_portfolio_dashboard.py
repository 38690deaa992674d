"""A consultant filters the portfolio in Chromium, on a desktop and on a 390 px phone."""

import os
import re
from pathlib import Path

import pytest

from portal.models import Organization
from portal.portfolio.seed import portfolio_seed
from tests.factories import PASSWORD, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).parents[2] / "test-artifacts"))


@pytest.fixture
def consultant_with_portfolio(db):
    portfolio_seed(organizations=70, assessments=180, with_answers=False, seed=5)
    return ConsultantFactory(email="julia@beratung.example", first_name="Julia")


def _login(page, live_server, user):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/berater/"))


def test_consultant_filters_unassigned_high_lock_in_and_keeps_it_in_the_url(
    page, live_server, consultant_with_portfolio
):
    _login(page, live_server, consultant_with_portfolio)
    assert page.locator(".portfolio-table tbody tr").count() == 50  # first page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portfolio-desktop.png"))

    page.locator("summary", has_text="Filter").click()
    page.locator("#f-unassigned").check()
    page.locator("#f-lvl_lock_in").select_option("high")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(re.compile(r"unassigned=1"))

    assert "lvl_lock_in=high" in page.url
    expected = set(
        Organization.objects.filter(
            consultant__isnull=True, latest_result__lock_in__gte=50, latest_result__lock_in__lt=75
        ).values_list("name", flat=True)
    )
    shown = set(page.locator(".portfolio-table td.cell-name a").all_inner_texts())
    assert shown == expected
    page.reload()  # a bookmark shows the same selection
    assert set(page.locator(".portfolio-table td.cell-name a").all_inner_texts()) == expected
    assert page.request_log.foreign(page.live_server_netloc) == []


def test_portfolio_is_readable_at_390_px_without_sideways_scrolling(
    browser, live_server, consultant_with_portfolio
):
    context = browser.new_context(
        locale="de-DE", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    page = context.new_page()
    try:
        _login(page, live_server, consultant_with_portfolio)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "portfolio-390.png"), full_page=False)
        page.locator(".portfolio-table").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "portfolio-390-cards.png"), full_page=False)

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        heat = page.locator("table.heatmap").bounding_box()
        card = page.locator("table.heatmap").locator("xpath=ancestor::div[@class='card h-100']")
        assert heat["x"] + heat["width"] <= card.bounding_box()["x"] + card.bounding_box()["width"]
        first = page.locator(".portfolio-table tbody tr").first
        name_box = first.locator("td.cell-name a").bounding_box()
        score_box = first.locator("td.cell-score").last.bounding_box()
        assert name_box["x"] >= 0 and name_box["x"] + name_box["width"] <= 390
        assert score_box["x"] + score_box["width"] <= 390
    finally:
        context.close()
