"""Active sessions, sign out elsewhere, idle timeout for staff, notices by e-mail."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import UserSession
from portal.security.sessions import LAST_ACTIVITY_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/141.0 Safari/537.36"


def _login(user, agent):
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_security_page_lists_sessions_and_signs_out_elsewhere(alice, org_a):
    office = _login(alice, FIREFOX)
    laptop = _login(alice, CHROME)

    page = office.get(reverse("account_security")).content.decode()
    office.post(reverse("account_security"), {"action": "end_others"})

    assert "Firefox" in page and "Chrome" in page
    assert laptop.get(reverse("organization_detail", args=[org_a.pk])).status_code == 302
    assert office.get(reverse("organization_detail", args=[org_a.pk])).status_code == 200
    assert UserSession.objects.filter(user=alice, ended_at__isnull=True).count() == 1


FIREFOX_UPDATED = FIREFOX.replace("140.0", "141.0")


def _sign_in(client, user, agent):
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, HTTP_USER_AGENT=agent
    )
    assert response.status_code == 302
    return response


def test_login_from_a_new_device_sends_an_email(alice, mailoutbox):
    _login(alice, FIREFOX)
    assert mailoutbox == []  # the very first sign-in: nothing to compare with

    _login(alice, CHROME)  # another computer: no device cookie

    (message,) = mailoutbox
    assert message.to == [alice.email]
    assert "Chrome/141.0" in message.body


def test_a_known_device_is_recognised_across_a_browser_update(alice, mailoutbox):
    laptop = Client()
    _sign_in(laptop, alice, FIREFOX)
    laptop.post(reverse("logout"))

    _sign_in(laptop, alice, FIREFOX_UPDATED)  # same browser, new version: same cookie

    assert mailoutbox == []


def test_a_new_device_with_the_same_browser_version_still_gets_the_email(alice, mailoutbox):
    _sign_in(Client(), alice, FIREFOX)

    _sign_in(Client(), alice, FIREFOX)  # same user agent, but a device without the cookie

    (message,) = mailoutbox
    assert "Firefox/140.0" in message.body


def test_a_forged_or_foreign_device_cookie_does_not_make_a_device_known(
    alice, bob, mailoutbox, settings
):
    _sign_in(Client(), alice, FIREFOX)
    _sign_in(Client(), bob, FIREFOX)
    bobs_laptop = Client()
    _sign_in(bobs_laptop, bob, FIREFOX)
    mailoutbox.clear()
    stolen = bobs_laptop.cookies[settings.DEVICE_COOKIE_NAME].value

    forged = Client()
    forged.cookies[settings.DEVICE_COOKIE_NAME] = stolen.replace(stolen[:4], "AAAA", 1)
    _sign_in(forged, alice, FIREFOX)
    foreign = Client()
    foreign.cookies[settings.DEVICE_COOKIE_NAME] = stolen  # knows bob, not alice
    _sign_in(foreign, alice, FIREFOX)

    assert [m.to for m in mailoutbox] == [[alice.email], [alice.email]]


def test_one_device_remembers_several_accounts(alice, bob, mailoutbox):
    _sign_in(Client(), alice, FIREFOX)
    _sign_in(Client(), bob, FIREFOX)
    office = Client()
    _sign_in(office, alice, FIREFOX)
    _sign_in(office, bob, FIREFOX)
    mailoutbox.clear()

    _sign_in(office, alice, FIREFOX_UPDATED)
    _sign_in(office, bob, FIREFOX_UPDATED)

    assert mailoutbox == []


def test_device_cookie_is_long_lived_signed_httponly_and_secure_in_production(alice, settings):
    settings.DEVICE_COOKIE_SECURE = True
    settings.DEVICE_COOKIE_NAME = "__Host-portal_device"
    client = Client()

    response = _sign_in(client, alice, FIREFOX)

    cookie = response.cookies["__Host-portal_device"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == settings.DEVICE_COOKIE_DAYS * 24 * 3600 == 365 * 24 * 3600
    assert str(alice.pk) not in cookie.value.split(":")[0]  # keyed tags, no account ids
    assert ":" in cookie.value  # Django's signature follows the value


def test_device_cookie_is_secure_exactly_when_the_session_cookie_is(alice, settings):
    # Development serves plain http, where a Secure cookie would never come back; production
    # (tests/portal/test_settings.py) has both Secure.
    response = _sign_in(Client(), alice, FIREFOX)

    cookie = response.cookies[settings.DEVICE_COOKIE_NAME]
    assert settings.DEVICE_COOKIE_SECURE is settings.SESSION_COOKIE_SECURE
    assert bool(cookie["secure"]) is settings.SESSION_COOKIE_SECURE
    assert cookie["httponly"] is True


def test_password_change_sends_an_email_and_ends_other_sessions(alice, org_a, mailoutbox):
    office = _login(alice, FIREFOX)
    laptop = _login(alice, FIREFOX)

    response = office.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Neues-Passwort-Bodensee-27",
            "new_password2": "Neues-Passwort-Bodensee-27",
        },
    )

    assert response.status_code == 302
    assert any("Passwort" in m.subject for m in mailoutbox)
    assert laptop.get(reverse("organization_detail", args=[org_a.pk])).status_code == 302
    assert office.get(reverse("organization_detail", args=[org_a.pk])).status_code == 200


def test_consultant_is_signed_out_after_the_idle_timeout(client, consultant, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(consultant)
    assert client.get(reverse("consultant_dashboard")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 31 * 60
    session.save()

    response = client.get(reverse("consultant_dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_client_is_not_signed_out_for_idleness(client, alice, org_a):
    client.force_login(alice)
    client.get(reverse("organization_detail", args=[org_a.pk]))
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 24 * 3600
    session.save()

    assert client.get(reverse("organization_detail", args=[org_a.pk])).status_code == 200


def test_activity_keeps_a_consultant_signed_in(client, consultant):
    client.force_login(consultant)
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 29 * 60
    session.save()

    assert client.get(reverse("consultant_dashboard")).status_code == 200
    assert client.get(reverse("consultant_dashboard")).status_code == 200
