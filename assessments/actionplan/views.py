import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors as assessment_selectors
from ..presentation import dimension_titles
from . import selectors, services
from .exports import plan_csv, plan_ics
from .forms import ActionCreateForm, ActionForm


def _submitted_assessment(request: HttpRequest, assessment_id):
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if assessment.is_draft:
        raise Http404
    return assessment


def _page(request, assessment, *, bound=None, create_form=None, status=200) -> HttpResponse:
    consultant = request.user.is_consultant
    actions = selectors.actions_for_assessment(user=request.user, assessment=assessment)
    rows = selectors.plan_rows(
        actions=actions, dimension_titles=dimension_titles(assessment.questionnaire.document)
    )
    candidates = list(selectors.owner_candidates(assessment=assessment))
    items = []
    for action, row in zip(actions, rows, strict=True):
        form = bound if bound is not None and bound[0] == action.pk else None
        items.append(
            {
                "row": row,
                "action": action,
                "internal_note": action.internal_note if consultant else "",
                "form": form[1]
                if form
                else ActionForm.for_action(action, consultant=consultant, candidates=candidates),
                "open": form is not None,
            }
        )
    return render(
        request,
        "assessments/actionplan.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "items": items,
            "is_consultant": consultant,
            "create_form": create_form
            or (ActionCreateForm(assessment=assessment) if consultant else None),
            "calendar": _calendar_context(request, assessment),
        },
        status=status,
    )


CALENDAR_SESSION_KEY = "calendar_new_token"


def _calendar_context(request, assessment) -> dict:
    """The person's subscription state; a new address is shown once, right after making it."""
    token = request.session.pop(CALENDAR_SESSION_KEY, None)
    url = ""
    if token:
        url = settings.SITE_URL + reverse("calendar_feed", args=[token])
    return {
        "subscription": selectors.calendar_subscription_active(
            user=request.user, organization=assessment.organization
        ),
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
    }


@login_required
@require_GET
def actionplan(request: HttpRequest, assessment_id) -> HttpResponse:
    return _page(request, _submitted_assessment(request, assessment_id))


@login_required
@require_POST
def action_update(request: HttpRequest, action_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    assessment = action.assessment
    form = ActionForm.for_action(action, consultant=request.user.is_consultant, data=request.POST)
    if form.is_valid():
        try:
            services.action_update(action=action, actor=request.user, fields=form.changes(action))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("„%(title)s“ ist gespeichert.") % {"title": action.display_title}
            )
            return redirect("actionplan", assessment_id=assessment.pk)
    messages.error(request, _("Nicht gespeichert; bitte prüfen Sie die markierten Felder."))
    return _page(request, assessment, bound=(action.pk, form), status=400)


@login_required
@require_POST
def action_create(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    if not request.user.is_consultant:
        raise Http404
    form = ActionCreateForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            services.action_create(assessment=assessment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Maßnahme ist angelegt."))
            return redirect("actionplan", assessment_id=assessment.pk)
    return _page(request, assessment, create_form=form, status=400)


def _rows(request, assessment) -> list[dict]:
    actions = selectors.actions_for_assessment(user=request.user, assessment=assessment)
    return selectors.plan_rows(
        actions=actions, dimension_titles=dimension_titles(assessment.questionnaire.document)
    )


def _filename(assessment, extension: str) -> str:
    stem = slugify(assessment.organization.name.replace("ß", "ss"))[:60] or "firma"
    return f"Massnahmenplan_{stem}.{extension}"


@login_required
@require_GET
def actionplan_csv(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    response = HttpResponse(
        plan_csv(_rows(request, assessment)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "csv")}"'
    return response


@login_required
@require_GET
def actionplan_ics(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    body = plan_ics(_rows(request, assessment), organization_name=assessment.organization.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "ics")}"'
    return response


@login_required
@require_POST
def calendar_subscribe(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    token = services.calendar_subscribe(user=request.user, organization=assessment.organization)
    request.session[CALENDAR_SESSION_KEY] = token
    return redirect(reverse("actionplan", args=[assessment.pk]) + "#calendar")


@login_required
@require_POST
def calendar_revoke(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    services.calendar_revoke(user=request.user, organization=assessment.organization)
    messages.success(
        request, _("Die Kalenderadresse ist widerrufen; Kalender-Apps erhalten nichts mehr.")
    )
    return redirect(reverse("actionplan", args=[assessment.pk]) + "#calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribed calendar: no session, the secret in the address is the key.

    Unknown, revoked or no longer permitted addresses all answer 404 alike. Calendar apps poll:
    an unchanged plan answers 304 to their ETag.
    """
    subscription = selectors.calendar_subscription_for_token(token=token)
    if subscription is None:
        raise Http404
    organization = subscription.organization
    with translation.override(organization.language):
        body = plan_ics(
            selectors.calendar_rows(subscription=subscription),
            organization_name=organization.name,
            url=settings.SITE_URL + request.path,
        )
    services.calendar_fetched(subscription=subscription)
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
