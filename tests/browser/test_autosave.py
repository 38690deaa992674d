"""Autosave in Chromium: a failed save never looks saved, progress follows every save."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_section(page, live_server, user, draft, section="basics"):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/organisationen/"))
    page.goto(f"{live_server.url}/bewertungen/{draft.pk}/abschnitt/{section}/")


def _stored(draft, key):
    return (
        Answer.objects.filter(assessment=draft, question_key=key)
        .values_list("value", flat=True)
        .first()
    )


def test_server_error_shows_not_saved_keeps_value_and_retry_saves(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    field = page.locator("#staff-input")
    status = page.locator("#status-staff")
    field.fill("7")
    expect(status).to_contain_text("Gespeichert um")

    save_url = re.compile(r"/antworten/staff/$")
    page.route(save_url, lambda route: route.fulfill(status=500, body="Server Error"))
    field.fill("42")

    expect(status).to_contain_text("Nicht gespeichert")
    expect(status).not_to_contain_text("Gespeichert um")
    expect(field).to_have_value("42")
    assert _stored(draft, "staff") == 7

    page.unroute(save_url)
    status.get_by_role("button", name="Erneut versuchen").click()

    expect(status).to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 42


def test_bad_gateway_then_connection_back_saves_without_a_click(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    status = page.locator("#status-staff")
    save_url = re.compile(r"/antworten/staff/$")
    page.route(save_url, lambda route: route.fulfill(status=502, body="Bad Gateway"))
    page.locator("#staff-input").fill("5")
    expect(status).to_contain_text("Nicht gespeichert")

    page.unroute(save_url)
    page.context.set_offline(True)
    page.context.set_offline(False)  # the browser's "online" event: retry at once

    expect(status).to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 5


def test_network_failure_shows_not_saved(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    status = page.locator("#status-staff")
    page.route(re.compile(r"/antworten/staff/$"), lambda route: route.abort("connectionreset"))
    page.locator("#staff-input").fill("9")

    expect(status).to_contain_text("Nicht gespeichert")
    expect(status.get_by_role("button", name="Erneut versuchen")).to_be_visible()
    assert _stored(draft, "staff") is None


def test_bad_input_shows_the_server_message_at_the_question(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    page.locator("#staff-input").fill("-4")

    status = page.locator("#status-staff")
    expect(status).to_contain_text("Bitte geben Sie einen Wert zwischen 0 und 10000 ein.")
    expect(page.locator("#staff-input")).to_have_value("-4")


def test_progress_and_section_list_follow_each_save(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    sidebar = page.locator("#wizard-progress")
    expect(sidebar).to_contain_text("0 von 4 Pflichtfragen beantwortet")

    page.get_by_label("Microsoft 365 Copilot").check()
    expect(page.locator("#status-services")).to_contain_text("Gespeichert um")
    expect(sidebar).to_contain_text("1 von 4 Pflichtfragen beantwortet")
    expect(sidebar.locator("[data-section=basics]")).not_to_contain_text("✓")

    page.locator("#staff-input").fill("3")
    expect(sidebar).to_contain_text("2 von 4 Pflichtfragen beantwortet")
    expect(sidebar.locator("[data-section=basics]")).to_contain_text("✓")
    expect(sidebar.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")

    # A new required question appears (ChatGPT Free): the count grows, the tick goes.
    page.get_by_label("ChatGPT Free").check()
    expect(sidebar).to_contain_text("2 von 5 Pflichtfragen beantwortet")
    expect(sidebar.locator("[data-section=basics]")).not_to_contain_text("✓")
