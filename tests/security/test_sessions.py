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


def test_login_from_a_new_browser_sends_an_email(alice, mailoutbox):
    _login(alice, FIREFOX)
    _login(alice, FIREFOX)
    assert mailoutbox == []  # the first browser and a known one: no notice

    _login(alice, CHROME)

    (message,) = mailoutbox
    assert message.to == [alice.email]
    assert "Chrome/141.0" in message.body


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
