from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.privacy.audit import client_data
from portal.security.ratelimit import client_ip, rate_limit_exceeded
from portal.views import consultant_required

from . import selectors, services
from .forms import ContactForm, LeadConvertForm, LeadStateForm
from .models import Lead


@client_data(None)
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    # Only submissions that would go through count towards the limit: typos do not lock out.
    if request.method == "POST" and (form.is_bot or form.is_valid()):
        if rate_limit_exceeded(
            scope="contact",
            key=client_ip(request),
            limit=settings.CONTACT_RATE_LIMIT,
            window=settings.CONTACT_RATE_WINDOW,
        ):
            return render(
                request, "portal/contact.html", {"form": form, "rate_limited": True}, status=429
            )
        if form.is_bot:
            # Look like success, store nothing: a bot learns nothing to adapt to.
            return redirect("contact_thanks")
        data = form.cleaned_data
        services.lead_create(
            name=data["name"],
            company=data["company"],
            email=data["email"],
            phone=data["phone"],
            message=data["message"],
            language=request.LANGUAGE_CODE,
        )
        return redirect("contact_thanks")
    return render(
        request, "portal/contact.html", {"form": form}, status=400 if form.is_bound else 200
    )


@client_data(None)
@require_GET
def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact_thanks.html")


@client_data("leads")
@consultant_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    return render(
        request,
        "portal/leads/lead_list.html",
        {
            "leads": selectors.leads_for_user(user=request.user, state=state),
            "state": state,
            "states": Lead.State.choices,
            "counts": selectors.lead_counts(user=request.user),
        },
    )


@client_data("lead")
@consultant_required
@require_GET
def lead_detail(request: HttpRequest, lead_id) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return _detail(request, lead)


def _detail(request, lead, *, state_form=None, convert_form=None, status=200) -> HttpResponse:
    state_form = state_form or LeadStateForm(initial={"state": lead.state, "notes": lead.notes})
    convert_form = convert_form or LeadConvertForm(initial={"name": lead.company})
    return render(
        request,
        "portal/leads/lead_detail.html",
        {"lead": lead, "state_form": state_form, "convert_form": convert_form},
        status=status,
    )


@client_data(None)
@consultant_required
@require_POST
def lead_update(request: HttpRequest, lead_id) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = LeadStateForm(request.POST)
    if form.is_valid():
        try:
            services.lead_update(
                lead=lead,
                actor=request.user,
                state=form.cleaned_data["state"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Anfrage wurde gespeichert."))
            return redirect("lead_detail", lead_id=lead.pk)
    return _detail(request, lead, state_form=form, status=400)


@client_data(None)
@consultant_required
@require_POST
def lead_convert(request: HttpRequest, lead_id) -> HttpResponse:
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    form = LeadConvertForm(request.POST)
    if form.is_valid():
        try:
            organization = services.lead_convert(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(org)s ist angelegt; die Einladung an %(email)s ist verschickt.")
                % {"org": organization.name, "email": lead.email},
            )
            return redirect("organization_detail", organization_id=organization.pk)
    return _detail(request, lead, convert_form=form, status=400)
