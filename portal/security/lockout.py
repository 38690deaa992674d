"""Hooks for django-axes: how an attempt is attributed to an account and to an address."""

from django.conf import settings
from django.http import HttpRequest


def attempt_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account an attempt is counted against, case-folded like the login itself.

    Without folding, ``Alice@…`` and ``alice@…`` would be two accounts for the counter while the
    login treats them as one, and an attacker would get a fresh allowance per spelling.
    """
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    return str(username).strip().lower()


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


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """A German (or English) page saying what happened and for how long, with status 429."""
    from django.shortcuts import render

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "portal/auth/locked_out.html", {"cooloff_minutes": minutes}, status=429)
