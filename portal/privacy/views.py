from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import selectors
from portal.auditlog import audit_record

from . import erasure, export
from .audit import client_data


def _owned_organization(request: HttpRequest, organization_id):
    organization = selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if not erasure.is_owner(user=request.user, organization=organization):
        raise PermissionDenied
    return organization


@client_data("organisation")
@login_required
@require_http_methods(["GET", "POST"])
def organization_privacy(request: HttpRequest, organization_id) -> HttpResponse:
    organization = _owned_organization(request, organization_id)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            erasure.erasure_cancel(organization=organization, user=request.user)
            messages.success(request, _("Die Löschung ist abgebrochen."))
            return redirect("organization_privacy", organization_id=organization.pk)
        if request.POST.get("confirm_name", "").strip() == organization.name:
            pending = erasure.erasure_request(organization=organization, user=request.user)
            messages.warning(
                request,
                _("Die Organisation wird am %(date)s endgültig gelöscht.")
                % {"date": timezone.localtime(pending.scheduled_for).strftime("%d.%m.%Y")},
            )
            return redirect("organization_privacy", organization_id=organization.pk)
        error = _(
            "Bitte geben Sie zur Bestätigung den Firmennamen genau so ein, wie er hier steht."
        )
    context = {
        "settings_grace_days": settings.ERASURE_GRACE_DAYS,
        "organization": organization,
        "pending": erasure.pending_request(organization=organization),
        "error": error,
    }
    return render(
        request, "portal/privacy/organization.html", context, status=400 if error else 200
    )


@client_data("export")
@login_required
@require_GET
def organization_export(request: HttpRequest, organization_id) -> HttpResponse:
    organization = _owned_organization(request, organization_id)
    data = export.organization_export(organization=organization)
    audit_record(action="organization.export", actor=request.user, organization=organization)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"ki-readiness-export-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
