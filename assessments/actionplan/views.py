import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import forms as portal_forms
from portal.portfolio.rows import url_maker
from portal.privacy.audit import audit_subject, client_data
from portal.security.uploads import shows_upload_too_large, upload_too_large
from portal.sources import content_key, sources_digest

from .. import selectors as assessment_selectors
from ..results.presentation import dimension_titles
from . import evidence, selectors, services
from . import forms as forms_module
from .exports import plan_csv, plan_ics, plan_xlsx
from .forms import ActionCreateForm, ActionForm, CommentForm, EvidenceForm


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
    document = assessment.questionnaire.document
    forms = [
        bound[1]
        if bound is not None and bound[0] == action.pk
        else ActionForm.for_action(action, consultant=consultant, candidates=candidates)
        for action in actions
    ]
    detail_url, update_url = url_maker("action_detail"), url_maker("action_update")
    items = [
        {
            "row": row,
            "action": action,
            "internal_note": action.internal_note if consultant else "",
            "fields": fields,
            "open": form.is_bound,
            "crosswalk": selectors.crosswalk_for(document=document, key=action.key),
            "detail_url": detail_url(action.pk),  # reversed once per page, not per action
            "update_url": update_url(action.pk),
        }
        for action, row, form, fields in zip(actions, rows, forms, _fields_html(forms), strict=True)
    ]
    return render(
        request,
        "assessments/actionplan.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "items": items,
            "is_consultant": consultant,
            "create_form": create_form
            or (
                ActionCreateForm(assessment=assessment, candidates=candidates)
                if consultant
                else None
            ),
            "calendar": _calendar_context(request, assessment),
        },
        status=status,
    )


FIELDS_TEMPLATE = "assessments/_action_form_fields.html"
# what turns an action's edit form into markup besides its values (any edit changes every key)
FIELDS_SOURCES = (
    Path(forms_module.__file__),
    Path(forms_module.__file__).with_name("models.py"),  # the states' labels
    Path(portal_forms.__file__),  # the widgets' classes
    settings.BASE_DIR / "templates" / FIELDS_TEMPLATE,
)
FIELDS_CACHE_SECONDS = 60 * 60


def _fields_html(forms: list[ActionForm]) -> list[str]:
    """The fields of each action's "Bearbeiten" form as markup. An unbound form follows from
    its action's values, the owner choices, the language and the code, so it is kept in the
    shared cache under exactly those: a plan of 25 actions is not rendered widget by widget
    (~2 ms a form) on every view, and a changed action is a new key. A form with errors is
    rendered as it is."""
    code, language = sources_digest(FIELDS_SOURCES), translation.get_language()
    keys = {
        index: content_key(
            "action-form",
            code,
            language,
            form.auto_id,
            [(name, form.initial.get(name)) for name in form.fields],
            [(str(value), str(label)) for value, label in form.fields["owner"].choices],
        )
        for index, form in enumerate(forms)
        if not form.is_bound
    }
    found = cache.get_many(list(keys.values()))
    html, rendered = [], {}
    for index, form in enumerate(forms):
        key = keys.get(index)
        part = found.get(key)
        if part is None:
            part = render_to_string(FIELDS_TEMPLATE, {"form": form})
            if key is not None:
                rendered[key] = part
        html.append(mark_safe(part))  # noqa: S308 - rendered by the template above, escaped
    if rendered:
        cache.set_many(rendered, FIELDS_CACHE_SECONDS)
    return html


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


@client_data("actionplan")
@login_required
@require_GET
def actionplan(request: HttpRequest, assessment_id) -> HttpResponse:
    return _page(request, _submitted_assessment(request, assessment_id))


@client_data(None)
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


@client_data(None)
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


@client_data("actionplan")
@login_required
@require_GET
def actionplan_csv(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    response = HttpResponse(
        plan_csv(_rows(request, assessment)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "csv")}"'
    return response


@client_data("actions")
@login_required
@require_GET
def actionplan_xlsx(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    body = plan_xlsx(
        _rows(request, assessment),
        document=assessment.questionnaire.document,
        sheet_title=_("Maßnahmenplan"),
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "xlsx")}"'
    return response


@client_data("actionplan")
@login_required
@require_GET
def actionplan_ics(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    body = plan_ics(_rows(request, assessment), organization_name=assessment.organization.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "ics")}"'
    return response


@client_data(None)
@login_required
@require_POST
def calendar_subscribe(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    token = services.calendar_subscribe(user=request.user, organization=assessment.organization)
    request.session[CALENDAR_SESSION_KEY] = token
    return redirect(reverse("actionplan", args=[assessment.pk]) + "#calendar")


@client_data(None)
@login_required
@require_POST
def calendar_revoke(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _submitted_assessment(request, assessment_id)
    services.calendar_revoke(user=request.user, organization=assessment.organization)
    messages.success(
        request, _("Die Kalenderadresse ist widerrufen; Kalender-Apps erhalten nichts mehr.")
    )
    return redirect(reverse("actionplan", args=[assessment.pk]) + "#calendar")


@client_data("actionplan")
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
    # No session here: the read is the subscriber's (audited when a consultant subscribed).
    audit_subject(
        request, actor=subscription.user, organization=organization, target=str(subscription.pk)
    )
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


# --- one action: crosswalk, evidence, comments -------------------------------------------------


def _detail_page(
    request, action, *, evidence_form=None, comment_form=None, evidence_error="", status=200
):
    from ..results.presentation import dimension_titles as titles_of

    assessment = action.assessment
    document = assessment.questionnaire.document
    [row] = selectors.plan_rows(actions=[action], dimension_titles=titles_of(document))
    return render(
        request,
        "assessments/action_detail.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "action": action,
            "row": row,
            "internal_note": action.internal_note if request.user.is_consultant else "",
            "crosswalk": selectors.crosswalk_for(document=document, key=action.key),
            "evidence_form": evidence_form or EvidenceForm(),
            "evidence_error": evidence_error,
            "comment_form": comment_form or CommentForm(),
            "accepted": evidence.accepted_labels(),
            "max_mb": round(settings.EVIDENCE_MAX_BYTES / 1048576),
            **selectors.action_details(action=action),
        },
        status=status,
    )


@client_data("actions")
@login_required
@require_GET
def action_detail(request: HttpRequest, action_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    return _detail_page(request, action)


@shows_upload_too_large  # an error on the action's page, where the upload came from
@client_data(None)
@login_required
@require_POST
def evidence_upload(request: HttpRequest, action_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    files = request.FILES  # parses the body; the size limit stops it early (upload handler)
    if upload_too_large(request):
        message = _(
            "Die Datei ist zu groß; erlaubt sind höchstens %(limit)s MB. Nichts wurde gespeichert."
        ) % {"limit": round(settings.EVIDENCE_MAX_BYTES / 1048576)}
        messages.error(request, message)
        return _detail_page(request, action, evidence_error=message, status=400)
    form = EvidenceForm(request.POST, files)
    if form.is_valid():
        try:
            evidence.evidence_add(
                action=action,
                actor=request.user,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Der Nachweis ist gespeichert."))
            return redirect("action_detail", action_id=action.pk)
    messages.error(request, _("Nicht gespeichert; bitte prüfen Sie den Hinweis am Formular."))
    return _detail_page(request, action, evidence_form=form, status=400)


@client_data("evidence")
@login_required
@require_GET
def evidence_download(request: HttpRequest, action_id, evidence_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    item = get_object_or_404(action.evidence.all(), pk=evidence_id)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    evidence.evidence_download_record(evidence=item, user=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=item.name, content_type=item.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@client_data(None)
@login_required
@require_POST
def evidence_remove(request: HttpRequest, action_id, evidence_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    item = get_object_or_404(action.evidence.all(), pk=evidence_id)
    evidence.evidence_delete(evidence=item, actor=request.user)
    messages.success(request, _("„%(name)s“ ist gelöscht.") % {"name": item.name})
    return redirect("action_detail", action_id=action.pk)


@client_data(None)
@login_required
@require_POST
def comment_create(request: HttpRequest, action_id) -> HttpResponse:
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(action=action, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, _("Ihr Kommentar ist gespeichert."))
            return redirect(reverse("action_detail", args=[action.pk]) + "#kommentare")
    messages.error(request, _("Nicht gespeichert; bitte prüfen Sie den Hinweis am Formular."))
    return _detail_page(request, action, comment_form=form, status=400)
