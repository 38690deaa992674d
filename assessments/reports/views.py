from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.heartbeat import heartbeats_alive
from portal.privacy.audit import client_data

from .. import selectors as assessment_selectors
from .. import services as assessment_services
from ..forms import ConsultantNoteForm
from . import selectors, services
from .render import report_filename


def _back(report_or_assessment) -> HttpResponse:
    assessment_id = getattr(report_or_assessment, "assessment_id", report_or_assessment.pk)
    return redirect("assessment_done", assessment_id=assessment_id)


def _panel(request: HttpRequest, assessment, status: int = 200) -> HttpResponse:
    return render(
        request,
        "assessments/_reports_panel.html",
        {"assessment": assessment, **panel_context(request.user, assessment)},
        status=status,
    )


def panel_context(user, assessment) -> dict:
    reports = selectors.reports_for_assessment(user=user, assessment=assessment)
    worker_alive = None
    if any(r.is_pending for r in reports) and not settings.CELERY_TASK_ALWAYS_EAGER:
        worker_alive = bool(heartbeats_alive(kind="worker"))
    for report in reports:
        report.delay = selectors.report_delay(report, worker_alive=worker_alive)
    return {
        "reports": reports,
        "reports_pending": any(r.is_pending for r in reports),
        # Poll every 2 s while things go normally. Once a report is late the panel says why and
        # stops polling (a button asks again): the sweep and the alert e-mail take over.
        "reports_delayed": any(r.delay for r in reports),
        "is_consultant": user.is_consultant,
        # Members read the notes meant for them at the top of the results page.
        "notes": (
            assessment_selectors.notes_for_panel(assessment=assessment)
            if user.is_consultant
            else []
        ),
    }


@client_data(None)
@login_required
@require_POST
def report_request(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if not request.user.is_consultant:
        raise PermissionDenied
    try:
        services.report_request(assessment=assessment, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("Der Bericht ist in Auftrag gegeben; er erscheint gleich hier.")
        )
    return _back(assessment)


@client_data("reports")
@login_required
@require_GET
def reports_panel(request: HttpRequest, assessment_id) -> HttpResponse:
    """The report list as a fragment; htmx polls it while a report is on its way."""
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    return _panel(request, assessment)


@client_data(None)
@login_required
@require_POST
def report_retry(request: HttpRequest, report_id) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    if not request.user.is_consultant:
        raise PermissionDenied  # clients see released reports, they do not run the workers
    services.report_retry(report=report, user=request.user)
    messages.info(request, _("Der Bericht wird noch einmal erstellt."))
    return _back(report)


@client_data(None)
@login_required
@require_POST
def report_release(request: HttpRequest, report_id) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    try:
        services.report_release(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Der Bericht ist für den Kunden freigegeben."))
    return _back(report)


@client_data("report")
@login_required
@require_GET
def report_download(request: HttpRequest, report_id) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    if not report.is_ready or not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        services.report_file_missing(report_id=report.pk)
        messages.warning(
            request,
            _(
                "Die PDF-Datei dieses Berichts fehlte. Er wird gerade neu erstellt und steht "
                "in Kürze wieder zum Herunterladen bereit."
            ),
        )
        return _back(report)
    services.report_download_record(report=report, user=request.user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report_filename(report),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@client_data(None)
@login_required
@require_POST
def note_create(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if not request.user.is_consultant:
        raise PermissionDenied
    form = ConsultantNoteForm(request.POST)
    if form.is_valid():
        assessment_services.consultant_note_create(
            assessment=assessment, author=request.user, data=form.cleaned_data
        )
        kind = form.cleaned_data.get("kind")
        if kind == "internal":
            message = _("Gespeichert. Die interne Notiz sieht nur die Beratung.")
        elif kind == "recommendation":
            message = _("Gespeichert. Die Empfehlung steht jetzt im Maßnahmenplan des Kunden.")
        else:
            message = _(
                "Gespeichert. Der Kunde liest die Notiz ab sofort im Portal; der nächste "
                "Bericht enthält sie auch."
            )
        messages.success(request, message)
    else:
        messages.error(
            request,
            _("Nicht gespeichert: %(errors)s")
            % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
        )
    return _back(assessment)
