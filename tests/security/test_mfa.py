"""Two-factor sign-in: mandatory for consultants and admins, optional for clients."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.mfa import confirmed_device, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.mfa_real]


def _login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_consultant_without_device_is_sent_to_setup_before_anything_else(client, consultant):
    _login(client, consultant)

    response = client.get(reverse("consultant_dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_consultant_sets_up_totp_gets_recovery_codes_and_reaches_the_dashboard(
    client, consultant, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would delay the right one
    _login(client, consultant)
    page = client.get(reverse("mfa_setup") + "?next=/berater/")
    device = TOTPDevice.objects.get(user=consultant, confirmed=False)

    wrong = client.post(reverse("mfa_setup"), {"token": "000000", "next": "/berater/"})
    right = client.post(reverse("mfa_setup"), {"token": totp_code(device), "next": "/berater/"})

    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert wrong.status_code == 400
    assert right.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", right.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("consultant_dashboard")).status_code == 200


def test_consultant_with_device_must_enter_a_code(client, consultant, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = confirmed_device(consultant)
    _login(client, consultant)

    blocked = client.get(reverse("consultant_dashboard"))
    wrong = client.post(reverse("mfa_verify"), {"token": "123456", "next": "/berater/"})
    right = client.post(reverse("mfa_verify"), {"token": totp_code(device), "next": "/berater/"})

    assert blocked["Location"].startswith(reverse("mfa_verify"))
    assert wrong.status_code == 400
    assert "Der Code stimmt nicht" in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == "/berater/"
    assert client.get(reverse("consultant_dashboard")).status_code == 200


def test_the_right_code_right_after_a_typo_is_accepted(client, consultant):
    device = confirmed_device(consultant)
    _login(client, consultant)

    typo = client.post(reverse("mfa_verify"), {"token": "123456", "next": "/berater/"})
    right = client.post(reverse("mfa_verify"), {"token": totp_code(device), "next": "/berater/"})

    assert typo.status_code == 400
    assert right.status_code == 302 and right["Location"] == "/berater/"


def test_too_many_wrong_codes_stop_the_second_factor_for_a_while(
    client, consultant, settings, monkeypatch
):
    settings.MFA_FAILURE_LIMIT = 3
    device = confirmed_device(consultant)
    _login(client, consultant)
    for _ in range(3):
        client.post(reverse("mfa_verify"), {"token": "123456"})

    locked = client.post(reverse("mfa_verify"), {"token": totp_code(device)})

    assert locked.status_code == 400
    from portal.models import AuditLog

    assert "Zu viele falsche Codes" in locked.content.decode()
    # refused without being checked, so not counted either
    assert AuditLog.objects.filter(action="mfa.failed", actor=consultant).count() == 3
    # the window passes (the audit log, which counts the failures, cannot be backdated)
    later = timezone.now() + settings.AXES_COOLOFF_TIME
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert client.post(reverse("mfa_verify"), {"token": totp_code(device)}).status_code == 302


def test_recovery_code_works_once(client, consultant):
    from portal.security.mfa import recovery_codes_regenerate

    confirmed_device(consultant)
    code = recovery_codes_regenerate(user=consultant)[0]
    _login(client, consultant)

    first = client.post(reverse("mfa_verify"), {"token": code})
    client.post(reverse("logout"))
    _login(client, consultant)
    second = client.post(reverse("mfa_verify"), {"token": code})

    assert first.status_code == 302
    assert second.status_code == 400
    assert not StaticToken.objects.filter(token=code).exists()


def test_verify_ignores_an_offsite_next(client, consultant):
    device = confirmed_device(consultant)
    _login(client, consultant)

    response = client.post(
        reverse("mfa_verify"), {"token": totp_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("home")


def test_admin_is_sent_to_setup_on_the_admin_site(client):
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_htmx_request_gets_an_hx_redirect(client, consultant):
    _login(client, consultant)

    response = client.get(reverse("consultant_dashboard"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("mfa_setup"))


def test_client_without_mfa_goes_straight_in(client, alice, org_a):
    _login(client, alice)

    assert client.get(reverse("organization_detail", args=[org_a.pk])).status_code == 200


def test_client_who_enabled_mfa_is_asked_for_it_and_can_switch_it_off(client, alice, org_a):
    device = confirmed_device(alice)
    _login(client, alice)
    blocked = client.get(reverse("organization_detail", args=[org_a.pk]))
    client.post(reverse("mfa_verify"), {"token": totp_code(device)})

    off = client.post(reverse("account_security"), {"action": "disable"})

    assert blocked["Location"].startswith(reverse("mfa_verify"))
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_consultant_cannot_switch_mfa_off(client, consultant):
    device = confirmed_device(consultant)
    _login(client, consultant)
    client.post(reverse("mfa_verify"), {"token": totp_code(device)})

    response = client.post(reverse("account_security"), {"action": "disable"})

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=consultant).exists()


def test_security_page_offers_new_recovery_codes(client, alice):
    device = confirmed_device(alice)
    _login(client, alice)
    client.post(reverse("mfa_verify"), {"token": totp_code(device)})

    response = client.post(reverse("account_security"), {"action": "recovery_codes"})

    assert len(re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())) == 10


def test_security_page_needs_login(client):
    response = client.get(reverse("account_security"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
