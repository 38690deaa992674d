"""Hooks for django-axes: how an attempt is attributed to an account and to an address, and
the two limits that apply to them.

Axes compares one number of failures with one limit. An office behind one NAT address would then
share the strict per-account allowance: six colleagues mistyping once each would lock all of them
out. So the account and the address each get a limit of their own (``LOGIN_FAILURE_LIMIT_ACCOUNT``,
``LOGIN_FAILURE_LIMIT_IP``), counted by ``LoginAttemptHandler`` and applied by ``failure_limit``,
the ``AXES_FAILURE_LIMIT`` callable.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac


def attempt_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account an attempt is counted against, case-folded like the login itself.

    Without folding, ``Alice@…`` and ``alice@…`` would be two accounts for the counter while the
    login treats them as one, and an attacker would get a fresh allowance per spelling.
    """
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    return str(username).strip().lower()


def log_client(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names an attempt in the log: the account as a keyed hash, never the
    address itself (a log line cannot be erased with the account); equal hashes are the same
    account, so a lockout can still be followed."""
    account = salted_hmac("portal.security.lockout.log", username or "").hexdigest()[:12]
    if isinstance(path_info, tuple | list):
        path_info = path_info[0]
    return f"{{account: {account}, ip_address: {ip_address!r}, path_info: {path_info!r}}}"


def attempt_ip_address(request: HttpRequest) -> str:
    """The client's address; behind ``TRUSTED_PROXY_COUNT`` proxies, the one they saw.

    Only the right-most entries of ``X-Forwarded-For`` are written by our own proxies; anything
    left of them is whatever the client sent and must not decide whose counter goes up.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins within the cool-off: of the account tried, and from the client address."""

    account: int
    address: int

    @property
    def account_locked(self) -> bool:
        return self.account >= settings.LOGIN_FAILURE_LIMIT_ACCOUNT

    @property
    def address_locked(self) -> bool:
        return self.address >= settings.LOGIN_FAILURE_LIMIT_IP


def failures_count(request: HttpRequest, credentials: dict | None = None) -> Failures:
    """Both counters in one query, over the attempts axes still counts (newer than the cool-off)."""
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or attempt_ip_address(request)
    started = getattr(request, "axes_attempt_time", None) or timezone.now()
    since = started - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    sums = recent.aggregate(
        account=Sum("failures_since_start", filter=Q(username=username)),
        address=Sum("failures_since_start", filter=Q(ip_address=address)),
    )
    return Failures(account=sums["account"] or 0, address=sums["address"] or 0)


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: the limit axes compares ``max(account, address failures)`` with.

    Axes locks when that maximum reaches the returned limit. With the account limit A below the
    address limit I: while the account is under A, returning I locks exactly when the address
    reaches I (the account count, below A, cannot); once the account reaches A, returning A locks.
    """
    failures = failures_count(request, credentials)
    if failures.account_locked:
        return settings.LOGIN_FAILURE_LIMIT_ACCOUNT
    return settings.LOGIN_FAILURE_LIMIT_IP


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler; a successful sign-in forgets only that account's failures.

    Axes deletes every attempt that matches the account *or* the address. Signing in to an account
    of one's own would then also wipe the failures one just caused on other accounts from the same
    address, and so reset both limits at will. The address counter runs out with the cool-off.
    """

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """A German (or English) page saying what happened and for how long, with status 429."""
    from django.shortcuts import render

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    failures = failures_count(request, credentials)
    context = {
        "cooloff_minutes": minutes,
        # the account first: that is what a person mistyping their own password has reached
        "by_address": failures.address_locked and not failures.account_locked,
    }
    return render(request, "portal/auth/locked_out.html", context, status=429)
