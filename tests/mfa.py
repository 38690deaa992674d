"""Two-factor sign-in in tests.

Consultants and admins must pass a second factor (``portal.security.mfa``). So that tests which
log them in with ``client.force_login(...)``, ``client.post(login)`` or a browser form keep
working, the autouse fixture ``mfa_auto_verify`` (tests/conftest.py) answers every login of a
person who needs MFA as if they had typed a valid code: it gives them a confirmed TOTP device and
marks the session verified, exactly as a real code would. A test that checks MFA itself opts out
with ``@pytest.mark.mfa_real`` and uses ``totp_code`` below.
"""

from contextlib import contextmanager

import django_otp
from django.contrib.auth.signals import user_logged_in
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test-App", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the person's app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _verify_on_login(sender, request, user, **kwargs):
    from portal.security.mfa import mfa_enabled, mfa_required

    if mfa_required(user) or mfa_enabled(user):
        device = confirmed_device(user)
        # What django_otp.login does, also for the bare request of Client.force_login (no .user).
        request.session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id


@contextmanager
def auto_verified_logins():
    user_logged_in.connect(_verify_on_login, dispatch_uid="tests-mfa-auto-verify")
    try:
        yield
    finally:
        user_logged_in.disconnect(dispatch_uid="tests-mfa-auto-verify")
