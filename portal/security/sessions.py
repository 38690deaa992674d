"""Sign-in sessions: active sessions, idle timeout for staff, notices by e-mail."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.models import User, UserSession

LAST_ACTIVITY_KEY = "portal_last_activity"
TOUCH_EVERY_SECONDS = 60


def _client_ip(request) -> str | None:
    from .lockout import attempt_ip_address

    return attempt_ip_address(request) or None


# --- known devices ------------------------------------------------------------------------------
# A browser is "known" to an account when it carries the device cookie with that account's tag.
# The user agent alone is no sign of a device: it changes with every browser update (and a stranger
# may well send the same one). The cookie is signed, so it cannot be made up; its tags are keyed
# hashes of account ids, so it names nobody. A browser forgets it with its cookies, and then the
# next sign-in sends the e-mail once more.

DEVICE_COOKIE_SALT = "portal.security.device"
DEVICE_ACCOUNTS_MAX = 20  # a shared office computer knows a few accounts; the oldest drop out
_DEVICE_COOKIE_ATTR = "_portal_device_accounts"


def _device_tag(user: User) -> str:
    return salted_hmac(DEVICE_COOKIE_SALT + ".account", str(user.pk)).hexdigest()[:20]


def device_accounts(request) -> list[str]:
    """The account tags of the device cookie; empty if it is missing, forged or expired."""
    value = request.get_signed_cookie(
        settings.DEVICE_COOKIE_NAME,
        default="",
        salt=DEVICE_COOKIE_SALT,
        max_age=settings.DEVICE_COOKIE_DAYS * 24 * 3600,
    )
    return [tag for tag in value.split(".") if tag]


def device_is_known(request, user: User) -> bool:
    return _device_tag(user) in device_accounts(request)


def _device_remember(request, user: User) -> None:
    tag = _device_tag(user)
    others = [t for t in device_accounts(request) if t != tag]
    setattr(request, _DEVICE_COOKIE_ATTR, [tag, *others][:DEVICE_ACCOUNTS_MAX])


def device_cookie_set(request, response) -> None:
    """Put the device cookie on the response of a sign-in (renewing its lifetime)."""
    tags = getattr(request, _DEVICE_COOKIE_ATTR, None)
    if tags is None:
        return
    response.set_signed_cookie(
        settings.DEVICE_COOKIE_NAME,
        ".".join(tags),
        salt=DEVICE_COOKIE_SALT,
        max_age=settings.DEVICE_COOKIE_DAYS * 24 * 3600,
        path="/",
        secure=settings.DEVICE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def session_record_login(*, request, user: User) -> UserSession:
    """Record a sign-in; tell the person by e-mail when it comes from a device not seen before."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    known_device = device_is_known(request, user)
    first_ever = not UserSession.objects.filter(user=user).exists()
    record = UserSession.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        user_agent=user_agent,
        ip_address=_client_ip(request),
    )
    request.session[LAST_ACTIVITY_KEY] = int(time.time())
    _device_remember(request, user)
    if not known_device and not first_ever:
        from portal.mail import email_send

        email_send(
            template="portal/email/new_login",
            to=[user.email],
            context={"user_agent": user_agent or "?", "when": record.created_at},
        )
    return record


def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if not request.session.session_key:
            request.session.save()
        session_record_login(request=request, user=user)


def session_key_rotate(request) -> None:
    """A new session key for the same sign-in, when it gains rights (the second factor passed):
    a session id someone learnt before (fixation, a shared computer) does not become a verified
    one. The sign-in's record follows the new key."""
    old = request.session.session_key
    request.session.cycle_key()
    if old and request.user.is_authenticated:
        UserSession.objects.filter(user=request.user, session_key=old).update(
            session_key=request.session.session_key
        )


def _on_logout(sender, request, user, **kwargs):
    if request is not None and user is not None and request.session.session_key:
        UserSession.objects.filter(
            user=user, session_key=request.session.session_key, ended_at__isnull=True
        ).update(ended_at=timezone.now())


def connect_signals() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="portal-session-login")
    user_logged_out.connect(_on_logout, dispatch_uid="portal-session-logout")


def sessions_active(*, user: User):
    return UserSession.objects.filter(user=user, ended_at__isnull=True)


def sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    """Sign the person out everywhere except in ``keep_session_key``."""
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    ended = 0
    for record in sessions_active(user=user).exclude(session_key=keep_session_key or ""):
        store(session_key=record.session_key).delete()
        record.ended_at = timezone.now()
        record.save(update_fields=["ended_at"])
        ended += 1
    if ended:
        from portal.auditlog import audit_record

        audit_record(action="sessions.end_others", actor=user, data={"ended": ended})
    return ended


def idle_timeout_seconds(user: User) -> int | None:
    if user.is_consultant or user.is_staff or user.is_superuser:
        return settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
    return None


class SessionActivityMiddleware:
    """Signs consultants and admins out after ``STAFF_IDLE_TIMEOUT_MINUTES`` without a request, and
    hands the device cookie of a sign-in to its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._respond(request)
        device_cookie_set(request, response)
        return response

    def _respond(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = idle_timeout_seconds(user)
            if timeout and last is not None and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("Sie wurden nach %(minutes)s Minuten ohne Aktivität abgemeldet.")
                    % {"minutes": timeout // 60},
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
                UserSession.objects.filter(
                    user=user, session_key=request.session.session_key, ended_at__isnull=True
                ).update(last_seen_at=timezone.now())
        return self.get_response(request)


def password_changed_notice(*, user: User) -> None:
    from portal.auditlog import audit_record
    from portal.mail import email_send

    audit_record(action="user.password_changed", actor=user, target=user.email)
    email_send(template="portal/email/password_changed", to=[user.email], context={})
