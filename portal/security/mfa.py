"""Two-factor sign-in (TOTP with recovery codes, django-otp): who needs it, setup, verification.

Consultants and admins (staff) must use it: one consultant account opens every client. Clients
may switch it on. Until a person who needs it has passed the second factor in this session, the
middleware sends every page to setup (no device yet) or to the code prompt.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditLog, User

from .sessions import session_key_rotate

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator-App"
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"

# Pages a signed-in person may open before the second factor.
EXEMPT_VIEWS = {
    "mfa_setup",
    "mfa_verify",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
    "javascript-catalog",
}


def mfa_required(user: User) -> bool:
    return bool(user.is_consultant or user.is_staff or user.is_superuser)


def mfa_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_pending(request) -> bool:
    """True while the signed-in person still owes a second factor in this session."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return mfa_required(user) or mfa_enabled(user)


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The person's unconfirmed device (a new secret on first call), shown as QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def mfa_locked(user: User) -> bool:
    """Too many wrong codes lately: no code is checked until the window has passed.

    Wrong codes are counted from the audit log (every web process sees the same count), those
    before the last correct one excepted. A typo followed by the right code is never refused.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    last_success = (
        AuditLog.objects.filter(actor=user, action="mfa.verified", created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    failures = AuditLog.objects.filter(
        actor=user, action="mfa.failed", created_at__gte=last_success or since
    )
    return failures.count() >= settings.MFA_FAILURE_LIMIT


def _record(user: User, *, ok: bool) -> None:
    from portal.auditlog import audit_record

    audit_record(action="mfa.verified" if ok else "mfa.failed", actor=user, target=user.email)


@transaction.atomic
def totp_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a first code; returns the new recovery codes, or None if wrong."""
    if mfa_locked(device.user):
        return None
    if not device.verify_token(token.strip().replace(" ", "")):
        _record(device.user, ok=False)
        return None
    _record(device.user, ok=True)
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=device.user)
    _verified(request, device)
    from portal.auditlog import audit_record

    audit_record(action="mfa.enable", actor=device.user, target=device.user.email)
    return codes


def _verified(request, device) -> None:
    """The second factor is passed: the session says so, under a new session key."""
    django_otp.login(request, device)
    session_key_rotate(request)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def mfa_verify(*, request, token: str) -> bool:
    """Check a code from the app or a recovery code; on success the session is verified."""
    token = token.strip().replace(" ", "").lower()
    if not token:
        return False
    user = request.user
    if mfa_locked(user):
        return False
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        if device.verify_token(token):
            _verified(request, device)
            _record(user, ok=True)
            return True
    _record(user, ok=False)
    return False


@transaction.atomic
def mfa_disable(*, user: User) -> None:
    if mfa_required(user):
        raise PermissionError("MFA is mandatory for consultants and admins")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    from portal.auditlog import audit_record

    audit_record(action="mfa.disable", actor=user, target=user.email)


class MFARequiredMiddleware:
    """Send a signed-in person who owes a second factor to setup or to the code prompt.

    Install after ``django_otp.middleware.OTPMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in EXEMPT_VIEWS:
            return None
        if request.path.startswith(settings.STATIC_URL) or not mfa_pending(request):
            return None
        target = "mfa_verify" if mfa_enabled(request.user) else "mfa_setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            from django.http import HttpResponse

            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
