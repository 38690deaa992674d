from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.privacy.audit import client_data

from . import selectors, services
from .forms import ReminderSettingForm


@client_data(None)
@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    form = ReminderSettingForm(
        request.POST or None, initial={"frequency": services.frequency_of(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        services.reminder_setting_save(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Ihre Einstellung ist gespeichert."))
        return redirect("reminder_settings")
    return render(
        request,
        "assessments/reminders/settings.html",
        {"form": form, "digests": selectors.digests_for_user(user=request.user)},
    )


@client_data(None)
@csrf_exempt  # mail programs send the one-click unsubscribe (RFC 8058) without a CSRF token
@require_http_methods(["GET", "POST"])
def reminder_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        user = services.unsubscribe(token=token)
        status = 200 if user is not None else 400
        return render(
            request,
            "assessments/reminders/unsubscribed.html",
            {"ok": user is not None},
            status=status,
        )
    return render(request, "assessments/reminders/unsubscribe.html", {"token": token})
