"""Pages of the drafted documents and of the Art. 4 literacy measures. Thin: access check,
form, one service call, message, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import selectors as portal_selectors
from portal.privacy.audit import client_data
from portal.spreadsheets import csv_document

from .. import selectors as assessment_selectors
from . import selectors, services
from .docx import version_docx
from .forms import DocumentEditForm, LiteracyMeasureForm
from .markup import to_html
from .models import DocumentKind, DocumentVersion
from .render import filename

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _assessment(request: HttpRequest, assessment_id):
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if assessment.is_draft:
        raise Http404
    return assessment


def _version(request: HttpRequest, assessment_id, kind: str, number: int):
    """(assessment, document, version) of a URL naming a version, each checked for the user."""
    assessment = _assessment(request, assessment_id)
    document = selectors.document_get_for_user(user=request.user, assessment=assessment, kind=kind)
    version = selectors.version_get_for_user(user=request.user, document=document, number=number)
    return assessment, document, version


def _consultant(request: HttpRequest) -> None:
    if not request.user.is_consultant:
        raise Http404


@client_data("documents")
@login_required
@require_GET
def documents(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    return render(
        request,
        "assessments/documents/list.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "rows": selectors.documents_overview(user=request.user, assessment=assessment),
            "is_consultant": request.user.is_consultant,
        },
    )


@client_data(None)
@login_required
@require_POST
def document_draft(request: HttpRequest, assessment_id, kind: str) -> HttpResponse:
    _consultant(request)
    assessment = _assessment(request, assessment_id)
    if kind not in DocumentKind.values:
        raise Http404
    try:
        version = services.document_draft(assessment=assessment, kind=kind, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("documents", assessment_id=assessment.pk)
    messages.success(
        request,
        _("„%(title)s“ ist als Fassung %(number)s aus den Antworten entworfen.")
        % {"title": version.title, "number": version.number},
    )
    return redirect("document_detail", assessment_id=assessment.pk, kind=kind)


def _detail(request, assessment, document, *, form=None, status=200) -> HttpResponse:
    consultant = request.user.is_consultant
    versions = selectors.versions_of(document=document) if consultant else []
    shown = versions[0] if versions else document.released_version
    if shown is None:
        raise Http404
    shown.document = document
    if consultant and form is None:
        form = DocumentEditForm(initial={"body": shown.body, "base_number": shown.number})
    return render(
        request,
        "assessments/documents/detail.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "document": document,
            "version": shown,
            "body_html": to_html(shown.body),
            "versions": versions,
            "form": form,
            "is_consultant": consultant,
        },
        status=status,
    )


@client_data("documents")
@login_required
@require_GET
def document_detail(request: HttpRequest, assessment_id, kind: str) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    document = selectors.document_get_for_user(user=request.user, assessment=assessment, kind=kind)
    return _detail(request, assessment, document)


@client_data(None)
@login_required
@require_POST
def document_edit(request: HttpRequest, assessment_id, kind: str) -> HttpResponse:
    _consultant(request)
    assessment = _assessment(request, assessment_id)
    document = selectors.document_get_for_user(user=request.user, assessment=assessment, kind=kind)
    form = DocumentEditForm(request.POST)
    if form.is_valid():
        try:
            version = services.document_edit(
                document=document,
                actor=request.user,
                body=form.cleaned_data["body"],
                base_number=form.cleaned_data["base_number"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Gespeichert als Fassung %(number)s.") % {"number": version.number}
            )
            return redirect("document_detail", assessment_id=assessment.pk, kind=kind)
    messages.error(request, _("Nicht gespeichert; bitte prüfen Sie die Hinweise."))
    return _detail(request, assessment, document, form=form, status=400)


@client_data("documents")
@login_required
@require_GET
def document_version(request: HttpRequest, assessment_id, kind: str, number: int) -> HttpResponse:
    _consultant(request)
    assessment, document, version = _version(request, assessment_id, kind, number)
    older = document.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "assessments/documents/version.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "document": document,
            "version": version,
            "older": older,
            "changes": selectors.version_changes(older, version),
            "body_html": to_html(version.body),
        },
    )


@client_data(None)
@login_required
@require_POST
def document_release(request: HttpRequest, assessment_id, kind: str, number: int) -> HttpResponse:
    _consultant(request)
    assessment, document, version = _version(request, assessment_id, kind, number)
    services.document_release(document=document, version=version, actor=request.user)
    messages.success(
        request,
        _("Fassung %(number)s ist für den Kunden freigegeben; das PDF wird erstellt.")
        % {"number": version.number},
    )
    return redirect("document_detail", assessment_id=assessment.pk, kind=kind)


@client_data(None)
@login_required
@require_POST
def document_pdf(request: HttpRequest, assessment_id, kind: str, number: int) -> HttpResponse:
    """A consultant asks for the PDF of a version that is not released (a preview)."""
    _consultant(request)
    assessment, document, version = _version(request, assessment_id, kind, number)
    if services.document_pdf_request(version=version):
        messages.info(request, _("Das PDF wird erstellt; es erscheint gleich hier."))
    return redirect("document_detail", assessment_id=assessment.pk, kind=kind)


@client_data("documents")
@login_required
@require_GET
def document_download(
    request: HttpRequest, assessment_id, kind: str, number: int, file_format: str
) -> HttpResponse:
    assessment, document, version = _version(request, assessment_id, kind, number)
    organization = assessment.organization
    if file_format == "docx":
        from django.conf import settings

        body = version_docx(
            version,
            organization_name=organization.name,
            consultancy_name=settings.CONSULTANCY["name"],
        )
        response = HttpResponse(body, content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename(version, "docx")}"'
    else:
        if version.pdf_status != DocumentVersion.PdfStatus.READY or not version.pdf_file:
            if request.user.is_consultant:
                services.document_pdf_request(version=version)
            messages.info(
                request,
                _("Das PDF wird gerade erstellt; bitte versuchen Sie es gleich noch einmal."),
            )
            return redirect("document_detail", assessment_id=assessment.pk, kind=kind)
        try:
            handle = version.pdf_file.open("rb")
        except FileNotFoundError:
            DocumentVersion.objects.filter(pk=version.pk).update(pdf_status="", pdf_file="")
            services.document_pdf_request(version=version)
            messages.warning(
                request, _("Die PDF-Datei fehlte; sie wird neu erstellt. Bitte gleich noch einmal.")
            )
            return redirect("document_detail", assessment_id=assessment.pk, kind=kind)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=filename(version, "pdf"),
            content_type="application/pdf",
        )
    services.document_download_record(version=version, user=request.user, file_format=file_format)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Art. 4 literacy measures ------------------------------------------------------------------


def _organization(request: HttpRequest, organization_id):
    organization = portal_selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if not services.can_keep_measures(user=request.user, organization=organization):
        raise PermissionDenied
    return organization


@client_data("literacy", methods=("GET", "HEAD", "POST"))
@login_required
@require_http_methods(["GET", "POST"])
def literacy_measures(request: HttpRequest, organization_id) -> HttpResponse:
    organization = _organization(request, organization_id)
    form = LiteracyMeasureForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.literacy_measure_save(
                organization=organization, actor=request.user, data=form.cleaned_data
            )
            messages.success(request, _("Die Maßnahme ist eingetragen."))
            return redirect("literacy_measures", organization_id=organization.pk)
        messages.error(request, _("Nicht gespeichert; bitte prüfen Sie die markierten Felder."))
    return render(
        request,
        "assessments/documents/literacy.html",
        {
            "organization": organization,
            "measures": selectors.measures_for(user=request.user, organization=organization),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@client_data("literacy", methods=("GET", "HEAD", "POST"))
@login_required
@require_http_methods(["GET", "POST"])
def literacy_measure_edit(request: HttpRequest, organization_id, measure_id) -> HttpResponse:
    organization = _organization(request, organization_id)
    measure = selectors.measure_get_for_user(
        user=request.user, organization=organization, measure_id=measure_id
    )
    if request.method == "POST" and "delete" in request.POST:
        services.literacy_measure_delete(measure=measure, actor=request.user)
        messages.success(request, _("Die Maßnahme ist gelöscht."))
        return redirect("literacy_measures", organization_id=organization.pk)
    form = LiteracyMeasureForm(request.POST or None, instance=measure)
    if request.method == "POST":
        if form.is_valid():
            services.literacy_measure_save(
                organization=organization,
                actor=request.user,
                data=form.cleaned_data,
                measure=measure,
            )
            messages.success(request, _("Die Maßnahme ist gespeichert."))
            return redirect("literacy_measures", organization_id=organization.pk)
        messages.error(request, _("Nicht gespeichert; bitte prüfen Sie die markierten Felder."))
    return render(
        request,
        "assessments/documents/literacy_edit.html",
        {"organization": organization, "measure": measure, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@client_data("literacy")
@login_required
@require_GET
def literacy_csv(request: HttpRequest, organization_id) -> HttpResponse:
    organization = _organization(request, organization_id)
    header = [
        _("Datum"),
        _("Thema"),
        _("Form"),
        _("Inhalte"),
        _("Teilnehmende"),
        _("Anzahl Teilnehmende"),
        _("durchgeführt von"),
        _("Dauer (Minuten)"),
    ]
    rows = (
        [
            m.held_on,
            m.title,
            m.get_format_display(),
            m.topics,
            m.participants,
            m.participant_count,
            m.trainer,
            m.duration_minutes or "",
        ]
        for m in selectors.measures_for(user=request.user, organization=organization)
    )
    body = csv_document(header, rows)
    stem = slugify(organization.name.replace("ß", "ss"))[:60] or "firma"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="KI-Kompetenz_{stem}.csv"'
    return response
