from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..models import Industry, Organization, SizeBand, User
from ..pagination import page_urls
from ..privacy.audit import client_data
from ..text import choice_labels
from ..views import consultant_required
from . import selectors, services

PAGE_SIZE = 50


@client_data("clients")
@consultant_required
@require_http_methods(["GET", "POST"])
def clients_unassigned(request: HttpRequest) -> HttpResponse:
    """Clients nobody looks after yet, to claim or assign; and the consultant's opt-in."""
    if request.method == "POST":
        notify = request.POST.get("notify_new_clients") == "1"
        User.objects.filter(pk=request.user.pk).update(notify_new_clients=notify)
        messages.success(
            request,
            _("Sie erhalten jetzt E-Mails über neue Kunden.")
            if notify
            else _("Sie erhalten keine E-Mails mehr über neue Kunden."),
        )
        return redirect("clients_unassigned")
    # a chamber has thousands of them: a page at a time, newest first, as every list here
    page = Paginator(selectors.organizations_unassigned(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    industries, sizes = choice_labels(Industry.choices), choice_labels(SizeBand.choices)
    for organization in page.object_list:
        organization.industry_label = industries.get(organization.industry, organization.industry)
        organization.size_label = sizes.get(organization.size_band, organization.size_band)
    return render(
        request,
        "portal/clients_unassigned.html",
        {
            "organizations": page.object_list,
            "page": page,
            "page_urls": page_urls(page, lambda number: f"?page={number}" if number > 1 else "?"),
            # evaluated once for every row's select
            "consultants": list(selectors.consultants_assignable())
            if request.user.can_assign_clients
            else [],
        },
    )


def _after(request: HttpRequest, organization: Organization) -> HttpResponse:
    if Organization.objects.visible_to(request.user).filter(pk=organization.pk).exists():
        return redirect("organization_detail", organization_id=organization.pk)
    return redirect("clients_unassigned")


@client_data(None)
@consultant_required
@require_POST
def organization_claim(request: HttpRequest, organization_id) -> HttpResponse:
    organization = selectors.organization_get_claimable(
        user=request.user, organization_id=organization_id
    )
    try:
        services.organization_claim(organization=organization, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("clients_unassigned")
    messages.success(request, _("Sie betreuen jetzt %(name)s.") % {"name": organization.name})
    return _after(request, organization)


@client_data(None)
@consultant_required
@require_POST
def organization_assign(request: HttpRequest, organization_id) -> HttpResponse:
    if not request.user.can_assign_clients:
        raise Http404
    organization = selectors.organization_get_claimable(
        user=request.user, organization_id=organization_id
    )
    consultant_id = request.POST.get("consultant", "")
    consultant = None
    if consultant_id:
        consultant = selectors.consultants_assignable().filter(pk=consultant_id).first()
        if consultant is None:
            messages.error(request, _("Diese Berater/in gibt es nicht."))
            return _after(request, organization)
    services.organization_assign(
        organization=organization, consultant=consultant, actor=request.user
    )
    messages.success(
        request,
        _("%(name)s wird jetzt von %(who)s betreut.")
        % {"name": organization.name, "who": consultant.display_name}
        if consultant
        else _("%(name)s ist jetzt niemandem zugeordnet.") % {"name": organization.name},
    )
    return _after(request, organization)
