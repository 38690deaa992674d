"""Passing the second factor gives the session a new key; /healthz details need that factor."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from portal.models import UserSession
from tests.factories import PASSWORD, UserFactory
from tests.mfa import confirmed_device, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.mfa_real]


def _signed_in_with_password(client, user) -> str:
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_second_factor_gives_a_new_session_key_and_the_old_one_opens_nothing(
    client, consultant, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = confirmed_device(consultant)
    before = _signed_in_with_password(client, consultant)

    client.post(reverse("mfa_verify"), {"token": totp_code(device), "next": "/berater/"})
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    stolen = Client()
    stolen.cookies[django_settings.SESSION_COOKIE_NAME] = before

    assert after != before
    assert client.get(reverse("consultant_dashboard")).status_code == 200
    assert stolen.get(reverse("consultant_dashboard")).status_code == 302  # to the login
    # the sign-in's record ("active sessions", "sign out elsewhere") follows the new key
    assert list(
        UserSession.objects.filter(user=consultant).values_list("session_key", flat=True)
    ) == [after]


def test_setting_up_the_app_also_gives_a_new_session_key(client, consultant, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    before = _signed_in_with_password(client, consultant)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=consultant, confirmed=False)

    client.post(reverse("mfa_setup"), {"token": totp_code(device)})

    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != before
    assert client.get(reverse("consultant_dashboard")).status_code == 200


def test_healthz_details_only_after_the_second_factor(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = UserFactory(email="technik@beratung.example", is_staff=True)
    device = confirmed_device(admin)
    _signed_in_with_password(client, admin)

    password_only = client.get(reverse("healthz")).json()
    client.post(reverse("mfa_verify"), {"token": totp_code(device)})
    verified = client.get(reverse("healthz")).json()

    assert "checks" not in password_only
    assert "database" in verified["checks"]
