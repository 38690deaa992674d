"""Writes for drafted documents and the Art. 4 literacy measures.

Every text a consultant saves is a new ``DocumentVersion`` (number, author, time, what changed);
nothing is overwritten. A save based on an older version than the newest is refused with the
other person's name, so two consultants never overwrite each other. The client sees only the
version a consultant released; releasing asks a worker for its PDF.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.dispatch import task_named
from portal.mail import email_send
from portal.models import Membership, User

from .drafting import draft
from .models import MEASURE_FIELDS, Document, DocumentKind, DocumentVersion, LiteracyMeasure

logger = logging.getLogger(__name__)

# the Celery tasks of tasks.py, sent by name (see portal.dispatch) and scheduled by beat
RENDER_PDF_TASK = "assessments.documents.render_pdf"
SWEEP_TASK = "assessments.documents.sweep"
PDF_DIRECTORY = "documents"


def _consultant_for(user: User, assessment) -> None:
    from ..models import Assessment

    if not user.is_consultant or not (
        Assessment.objects.visible_to(user).filter(pk=assessment.pk).exists()
    ):
        raise PermissionDenied


def _next_number(document: Document) -> int:
    return (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def document_draft(*, assessment, kind: str, actor: User, language: str | None = None):
    """Draft ``kind`` from the answers: the first version, or a new one drafted again (e.g.
    after new literacy measures). Returns the new ``DocumentVersion``."""
    _consultant_for(actor, assessment)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Dieses Dokument gibt es nicht."))
    if assessment.is_draft:
        raise ValidationError(_("Dokumente gibt es erst nach dem Absenden der Antworten."))
    document, created = Document.objects.select_for_update().get_or_create(
        assessment=assessment,
        kind=kind,
        defaults={"language": language or assessment.organization.language},
    )
    if language and language != document.language and not created:
        document.language = language
        document.save(update_fields=["language"])
    result = draft(assessment=assessment, kind=kind, language=document.language)
    with translation.override(document.language):
        title = str(document.get_kind_display())
    version = DocumentVersion.objects.create(
        document=document,
        number=_next_number(document),
        title=title,
        body=result.body,
        facts=result.facts,
        legal_state=result.legal_state,
        catalogue_version=assessment.questionnaire.version,
        origin=DocumentVersion.Origin.DRAFT if created else DocumentVersion.Origin.REDRAFT,
        author=actor,
    )
    audit_record(
        action="document.draft",
        actor=actor,
        organization=assessment.organization,
        target=f"{kind} #{version.number}",
    )
    return version


@transaction.atomic
def document_edit(
    *, document: Document, actor: User, body: str, base_number: int, summary: str = ""
) -> DocumentVersion:
    """Save the consultant's text as a new version. ``base_number`` is the version the editor
    started from: if somebody saved a newer one meanwhile, nothing is saved and the error names
    them (the typed text stays in the form)."""
    _consultant_for(actor, document.assessment)
    document = Document.objects.select_for_update().get(pk=document.pk)
    latest = document.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError(_("Bitte entwerfen Sie das Dokument zuerst."))
    if latest.number != base_number:
        raise ValidationError(
            _(
                "Inzwischen hat %(who)s Fassung %(number)s gespeichert. Ihr Text ist nicht "
                "gespeichert; bitte übernehmen Sie Ihre Änderungen in die neue Fassung."
            )
            % {
                "who": latest.author.display_name if latest.author else _("jemand"),
                "number": latest.number,
            },
            code="conflict",
        )
    body = body.replace("\r\n", "\n").strip() + "\n"
    if not body.strip():
        raise ValidationError(_("Der Text darf nicht leer sein."), code="empty")
    if body == latest.body:
        raise ValidationError(_("Der Text ist unverändert; es gibt keine neue Fassung."))
    version = DocumentVersion.objects.create(
        document=document,
        number=latest.number + 1,
        title=latest.title,
        body=body,
        facts=latest.facts,
        legal_state=latest.legal_state,
        catalogue_version=latest.catalogue_version,
        origin=DocumentVersion.Origin.EDIT,
        summary=summary.strip()[:300],
        author=actor,
    )
    audit_record(
        action="document.edit",
        actor=actor,
        organization=document.assessment.organization,
        target=f"{document.kind} #{version.number}",
    )
    return version


@transaction.atomic
def document_release(*, document: Document, version: DocumentVersion, actor: User) -> None:
    """Show ``version`` to the client (replacing an earlier release) and ask for its PDF."""
    _consultant_for(actor, document.assessment)
    if version.document_id != document.pk:
        raise PermissionDenied
    first = document.released_version_id is None
    document.released_version = version
    document.released_at = timezone.now()
    document.released_by = actor
    document.save(update_fields=["released_version", "released_at", "released_by"])
    document_pdf_request(version=version)
    organization = document.assessment.organization
    audit_record(
        action="document.release",
        actor=actor,
        organization=organization,
        target=f"{document.kind} #{version.number}",
    )
    recipients = list(
        Membership.objects.filter(organization=organization, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    if recipients:
        transaction.on_commit(
            lambda: email_send(
                template="assessments/email/document_released",
                to=recipients,
                context={
                    "organization_name": organization.name,
                    "document_title": version.title,
                    "version_number": version.number,
                    "updated": not first,
                    "url": settings.SITE_URL + _documents_url(document.assessment_id),
                },
                language=document.language,
            )
        )


def _documents_url(assessment_id) -> str:
    from django.urls import reverse

    return reverse("documents", args=[assessment_id])


def document_download_record(*, version: DocumentVersion, user: User, file_format: str) -> None:
    audit_record(
        action="document.download",
        actor=user,
        organization=version.document.assessment.organization,
        target=f"{version.document.kind} #{version.number} {file_format}",
    )


# --- PDF, rendered by a worker -----------------------------------------------------------------


def document_pdf_request(*, version: DocumentVersion) -> bool:
    """Queue the PDF of ``version`` unless it is ready or on its way (safe to call twice)."""
    pending = (
        DocumentVersion.objects.filter(pk=version.pk)
        .exclude(
            pdf_status__in=[DocumentVersion.PdfStatus.QUEUED, DocumentVersion.PdfStatus.RENDERING]
        )
        .exclude(Q(pdf_status=DocumentVersion.PdfStatus.READY) & ~Q(pdf_file=""))
    )
    if not pending.update(
        pdf_status=DocumentVersion.PdfStatus.QUEUED, pdf_requested_at=timezone.now(), pdf_error=""
    ):
        return False
    transaction.on_commit(lambda: document_pdf_enqueue(version_id=version.pk))
    return True


def document_pdf_enqueue(*, version_id) -> None:
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    try:
        task_named(RENDER_PDF_TASK).delay(str(version_id))
    except (OperationalError, RedisError) as error:
        # The row stays queued; the sweep sends it again once the broker answers.
        logger.warning(
            "Broker unreachable, document PDF %s waits for the sweep: %s", version_id, error
        )


def _claim(version_id) -> bool:
    """Take the render (queued, or rendering whose claim lapsed: a worker died mid-way)."""
    now = timezone.now()
    hold = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    return (
        DocumentVersion.objects.filter(pk=version_id)
        .filter(
            Q(pdf_status=DocumentVersion.PdfStatus.QUEUED)
            | Q(pdf_status=DocumentVersion.PdfStatus.RENDERING, pdf_claimed_until__lt=now)
        )
        .update(pdf_status=DocumentVersion.PdfStatus.RENDERING, pdf_claimed_until=now + hold)
        == 1
    )


def _storage():
    return DocumentVersion._meta.get_field("pdf_file").storage


def document_pdf_render(*, version_id) -> bool:
    """Render and store the PDF (worker only). Returns False when there was nothing to do.
    The file appears under its final name by an atomic rename and the row points to it only
    after that, so no one downloads half a PDF."""
    from .render import version_pdf

    if not _claim(version_id):
        return False
    version = DocumentVersion.objects.select_related("document__assessment__organization").get(
        pk=version_id
    )
    try:
        result = version_pdf(version)
        storage = _storage()
        name = f"{PDF_DIRECTORY}/{version.pk}.pdf"
        os.makedirs(storage.path(PDF_DIRECTORY), exist_ok=True)
        temporary = storage.path(f"{PDF_DIRECTORY}/.{version.pk}.{uuid.uuid4().hex}.part")
        with open(temporary, "wb") as handle:
            handle.write(result.pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, storage.path(name))
    except Exception as error:
        logger.exception("Rendering the PDF of document version %s failed", version_id)
        DocumentVersion.objects.filter(pk=version_id).update(
            pdf_status=DocumentVersion.PdfStatus.FAILED,
            pdf_error=f"{error.__class__.__name__}: {error}"[:500],
            pdf_claimed_until=None,
        )
        return False
    DocumentVersion.objects.filter(pk=version_id).update(
        pdf_status=DocumentVersion.PdfStatus.READY,
        pdf_file=name,
        pdf_error="",
        pdf_claimed_until=None,
    )
    logger.info(
        "Document PDF %s ready (%s pages, sha256 %s)",
        version_id,
        result.pages,
        hashlib.sha256(result.pdf).hexdigest()[:12],
    )
    return True


def documents_pdf_sweep(*, now=None) -> int:
    """Send again what a lost message or a dead worker left: queued longer than
    ``REPORT_STALE_SECONDS`` or rendering past its claim. Run by beat."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    ids = list(
        DocumentVersion.objects.filter(
            Q(pdf_status=DocumentVersion.PdfStatus.QUEUED, pdf_requested_at__lt=stale)
            | Q(pdf_status=DocumentVersion.PdfStatus.RENDERING, pdf_claimed_until__lt=now)
        ).values_list("pk", flat=True)[:200]
    )
    for version_id in ids:
        logger.warning("Document PDF %s was not rendered in time; sending it again", version_id)
        document_pdf_enqueue(version_id=version_id)
    return len(ids)


def document_files(*, organization) -> list[str]:
    """Names of the stored PDFs of an organisation's documents (for erasure)."""
    return list(
        DocumentVersion.objects.filter(document__assessment__organization=organization)
        .exclude(pdf_file="")
        .values_list("pdf_file", flat=True)
    )


def document_files_delete(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


# --- Art. 4 literacy measures ------------------------------------------------------------------


def can_keep_measures(*, user: User, organization) -> bool:
    """Members of the client and the consultants who see it."""
    from portal.models import Organization

    return Organization.objects.visible_to(user).filter(pk=organization.pk).exists()


def literacy_measure_save(
    *, organization, actor: User, data: dict, measure: LiteracyMeasure | None = None
) -> LiteracyMeasure:
    if not can_keep_measures(user=actor, organization=organization):
        raise PermissionDenied
    if measure is not None and measure.organization_id != organization.pk:
        raise PermissionDenied
    values = {name: data[name] for name in MEASURE_FIELDS if name in data}
    if measure is None:
        measure = LiteracyMeasure.objects.create(
            organization=organization, created_by=actor, **values
        )
        action = "literacy.create"
    else:
        for name, value in values.items():
            setattr(measure, name, value)
        measure.updated_at = timezone.now()
        measure.save()
        action = "literacy.update"
    audit_record(action=action, actor=actor, organization=organization, target=measure.title)
    return measure


def literacy_measure_delete(*, measure: LiteracyMeasure, actor: User) -> None:
    if not can_keep_measures(user=actor, organization=measure.organization):
        raise PermissionDenied
    audit_record(
        action="literacy.delete",
        actor=actor,
        organization=measure.organization,
        target=measure.title,
    )
    measure.delete()
