"""Views for account security: password reset, MFA, active sessions."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..mail import email_send
from ..privacy.audit import client_data
from . import mfa, sessions


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through ``email_send`` like every other portal e-mail."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        email_send(template="portal/email/password_reset", to=[to_email], context=context)


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the e-mail point at ``SITE_URL``, never at the Host header of the request.

    A forged Host would otherwise make the portal mail a reset link to an attacker's domain.
    """

    template_name = "portal/auth/password_reset.html"
    form_class = PasswordResetForm


# --- two-factor sign-in ---------------------------------------------------------------------


def _next_url(request, fallback: str = "home") -> str:
    from django.shortcuts import resolve_url
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Sechsstelliger Code oder Wiederherstellungscode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _mfa_error(user, *, setup: bool = False) -> str:
    if mfa.mfa_locked(user):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return _(
            "Zu viele falsche Codes. Aus Sicherheitsgründen prüfen wir für %(minutes)s Minuten "
            "keinen Code mehr; bitte versuchen Sie es danach wieder."
        ) % {"minutes": minutes}
    if setup:
        return _("Der Code stimmt nicht. Bitte den aktuellen Code eingeben.")
    return _("Der Code stimmt nicht oder ist abgelaufen. Bitte den aktuellen Code eingeben.")


@client_data(None)
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if mfa.mfa_enabled(request.user) and request.user.is_verified():
        return redirect("account_security")
    if mfa.mfa_enabled(request.user):
        return redirect("mfa_verify")
    device = mfa.totp_device_for_setup(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_confirm(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            return render(
                request,
                "portal/auth/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("token", _mfa_error(request.user, setup=True))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": mark_safe(qr.svg_inline(scale=5, title=_("QR-Code für die App"))),  # noqa: S308 - our own SVG
        "secret": b32encode(device.bin_key).decode(),
        "required": mfa.mfa_required(request.user),
        "next": request.GET.get("next", ""),
    }
    return render(
        request, "portal/auth/mfa_setup.html", context, status=400 if form.errors else 200
    )


@client_data(None)
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.mfa_enabled(request.user):
        return redirect("mfa_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _mfa_error(request.user))
    return render(
        request,
        "portal/auth/mfa_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@client_data(None)
@login_required
@require_http_methods(["GET", "POST"])
def account_security(request: HttpRequest) -> HttpResponse:
    """Two-factor status; new recovery codes; switching it off (clients only)."""
    codes = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "recovery_codes" and mfa.mfa_enabled(request.user):
            codes = mfa.recovery_codes_regenerate(user=request.user)
        elif action == "end_others":
            ended = sessions.sessions_end_others(
                user=request.user, keep_session_key=request.session.session_key
            )
            messages.success(
                request,
                _("%(n)s andere Sitzung(en) abgemeldet.") % {"n": ended},
            )
            return redirect("account_security")
        elif action == "disable" and not mfa.mfa_required(request.user):
            mfa.mfa_disable(user=request.user)
            messages.success(request, _("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."))
            return redirect("account_security")
        else:
            return HttpResponse(status=400)
    context = {
        "mfa_enabled": mfa.mfa_enabled(request.user),
        "mfa_required": mfa.mfa_required(request.user),
        "codes": codes,
        "sessions": sessions.sessions_active(user=request.user),
        "current_session_key": request.session.session_key,
        "idle_minutes": (sessions.idle_timeout_seconds(request.user) or 0) // 60,
    }
    return render(request, "portal/auth/account_security.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session and ends the others (the password hash changed); we e-mail."""

    template_name = "portal/auth/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.password_changed_notice(user=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/auth/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.password_changed_notice(user=form.user)
        return response
