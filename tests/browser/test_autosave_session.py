"""Autosave after the sign-in ended or the CSRF cookie went, and with two people on one answer:
the page says what happened, keeps what was typed, and saves it once the person is back."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from assessments.questionnaire.services import answer_save
from portal.models import AuditLog
from tests.browser.test_autosave import _open_section, _stored
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user):
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_ended_session_says_so_keeps_the_value_and_saves_after_signing_in(
    page, live_server, alice, draft
):
    _open_section(page, live_server, alice, draft)
    field = page.locator("#staff-input")
    status = page.locator("#status-staff")
    field.fill("7")
    expect(status).to_contain_text("Gespeichert um")

    Session.objects.all().delete()  # signed out (idle timeout, another tab, a server restart)
    field.fill("42")

    expect(status).to_contain_text("Nicht gespeichert – bitte melden Sie sich erneut an")
    expect(field).to_have_value("42")
    # nothing of the sign-in page or an error page landed inside the question
    expect(page.locator("#q-staff #id_password")).to_have_count(0)
    expect(page.locator("#q-staff")).not_to_contain_text("CSRF")
    assert _stored(draft, "staff") == 7

    status.get_by_role("link", name="Anmelden und weitermachen").click()
    page.wait_for_url(re.compile(r"/konto/anmelden/"))
    _sign_in(page, alice)

    page.wait_for_url(re.compile(rf"/bewertungen/{draft.pk}/abschnitt/basics/"))
    expect(page.locator("#staff-input")).to_have_value("42")
    expect(page.locator("#status-staff")).to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 42


def test_lost_csrf_cookie_says_so_and_saves_after_reloading(page, live_server, alice, draft):
    _open_section(page, live_server, alice, draft)
    page.context.clear_cookies(name="csrftoken")
    page.get_by_label("Microsoft 365 Copilot").check()

    status = page.locator("#status-services")
    expect(status).to_contain_text("Nicht gespeichert – bitte melden Sie sich erneut an")
    expect(page.locator("#q-services")).not_to_contain_text("CSRF")
    expect(page.get_by_label("Microsoft 365 Copilot")).to_be_checked()
    assert _stored(draft, "services") is None

    # still signed in: the link reloads the questions and saves what was pending
    status.get_by_role("link", name="Anmelden und weitermachen").click()
    expect(page.locator("#status-services")).to_contain_text("Gespeichert um")
    expect(page.get_by_label("Microsoft 365 Copilot")).to_be_checked()
    assert _stored(draft, "services") == ["m365_copilot"]


def test_two_people_on_one_answer_see_each_other_and_choose(page, live_server, alice, bob, draft):
    _open_section(page, live_server, alice, draft)
    # Bob saves the same question after Alice's page was shown.
    answer_save(assessment=draft, user=bob, question_key="staff", value=12)

    page.locator("#staff-input").fill("30")
    status = page.locator("#status-staff")
    expect(status).to_contain_text("Bob")
    expect(status).to_contain_text("„12“")
    expect(status).to_contain_text("„30“")
    expect(status).not_to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 12

    status.get_by_role("button", name="Meine Eingabe speichern").click()
    expect(page.locator("#status-staff")).to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 30
    entry = AuditLog.objects.get(action="answer.overwrite")
    assert entry.actor == alice
    assert entry.data["previous_by"] == bob.pk
    assert (entry.data["before"], entry.data["after"]) == (12, 30)
    assert entry.data["conflict_resolved"] is True

    # Now Bob again, and this time Alice keeps Bob's answer.
    answer_save(assessment=draft, user=bob, question_key="staff", value=15)
    page.locator("#staff-input").fill("31")
    status = page.locator("#status-staff")
    expect(status).to_contain_text("„15“")
    status.get_by_role("button", name="Gespeicherte Antwort behalten").click()
    expect(page.locator("#staff-input")).to_have_value("15")
    expect(page.locator("#status-staff")).to_contain_text("Antwort von Bob")
    assert _stored(draft, "staff") == 15
    # and the next change of hers saves without a conflict
    page.locator("#staff-input").fill("16")
    expect(page.locator("#status-staff")).to_contain_text("Gespeichert um")
    assert _stored(draft, "staff") == 16
