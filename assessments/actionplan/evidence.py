"""Evidence files on actions: checked, stored privately, served only after a permission check.

A file is accepted when its size is within ``EVIDENCE_MAX_BYTES`` and its content is one of the
kinds below, judged by its first bytes (and for Office files by the ZIP it is), never by the
name or the browser's claim; the stored content type is ours. The file is written under a random
name first and the row created after; if the row cannot be written the file is deleted again,
so a failed upload leaves nothing behind (a crash in between leaves a file no row points to,
which ``evidence_orphans_delete`` removes).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.models import User

from .models import Action, Evidence
from .selectors import can_work_on_plan

logger = logging.getLogger(__name__)
DIRECTORY = "evidence"


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    content_type: str
    label: str


PDF = Kind((".pdf",), "application/pdf", "PDF")
PNG = Kind((".png",), "image/png", "PNG")
JPEG = Kind((".jpg", ".jpeg"), "image/jpeg", "JPEG")
DOCX = Kind(
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word",
)
XLSX = Kind(
    (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
)
PPTX = Kind(
    (".pptx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
)
ODT = Kind((".odt",), "application/vnd.oasis.opendocument.text", "OpenDocument")
TXT = Kind((".txt", ".csv"), "text/plain; charset=utf-8", "Text")
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, TXT)
OFFICE_PARTS = {DOCX: "word/", XLSX: "xl/", PPTX: "ppt/"}


def accepted_labels() -> str:
    return ", ".join(dict.fromkeys(k.label for k in KINDS))


def _extension(name: str) -> str:
    return os.path.splitext(name.lower())[1]


def sniff(name: str, head: bytes, data: bytes) -> Kind | None:
    """The kind of a file from its content, if its name's extension agrees; else None."""
    extension = _extension(name)
    candidates = [k for k in KINDS if extension in k.extensions]
    if not candidates:
        return None
    kind = candidates[0]
    if kind is PDF:
        return kind if head.startswith(b"%PDF-") else None
    if kind is PNG:
        return kind if head.startswith(b"\x89PNG\r\n\x1a\n") else None
    if kind is JPEG:
        return kind if head.startswith(b"\xff\xd8\xff") else None
    if kind is TXT:
        if b"\x00" in data:
            return None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return kind
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if kind is ODT:
                return kind if "mimetype" in names else None
            prefix = OFFICE_PARTS[kind]
            ok = "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)
            return kind if ok else None
    except zipfile.BadZipFile:
        return None


def safe_name(name: str) -> str:
    """The uploaded name without directories or control characters, at most 150 characters."""
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?/\\]+", "_", base).strip(" .") or "nachweis"
    stem, extension = os.path.splitext(base)
    return stem[: 150 - len(extension)] + extension


def _storage():
    return Evidence._meta.get_field("file").storage


def evidence_check(upload) -> tuple[bytes, Kind]:
    """Read and check an upload: its bytes and kind, or ``ValidationError`` saying why not."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Die Datei ist %(size)s MB groß; erlaubt sind höchstens %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("Die Datei ist zu groß."), code="too_large")
    kind = sniff(upload.name or "", data[:16], data)
    if kind is None:
        raise ValidationError(
            _(
                "Diese Datei können wir nicht annehmen: erlaubt sind %(kinds)s, und der Inhalt "
                "muss zur Dateiendung passen."
            )
            % {"kinds": accepted_labels()},
            code="type",
        )
    return data, kind


def evidence_add(*, action: Action, actor: User, upload, note: str = "") -> Evidence:
    """Check and store a file for ``action``; nothing is stored when anything fails."""
    if not can_work_on_plan(user=actor, assessment=action.assessment):
        raise PermissionDenied
    data, kind = evidence_check(upload)
    name = safe_name(upload.name or "nachweis")
    storage = _storage()
    stored = storage.save(
        f"{DIRECTORY}/{action.pk}/{uuid.uuid4().hex}{kind.extensions[0]}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                action=action,
                file=stored,
                name=name,
                content_type=kind.content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                note=note.strip()[:300],
                uploaded_by=actor,
            )
            audit_record(
                action="evidence.upload",
                actor=actor,
                organization=action.assessment.organization,
                target=name,
                data={"action": str(action.pk), "size": len(data)},
            )
    except Exception:
        with contextlib.suppress(OSError):
            storage.delete(stored)
        raise
    return evidence


def evidence_delete(*, evidence: Evidence, actor: User) -> None:
    """The uploader or a consultant removes a file (row first, then the file)."""
    action = evidence.action
    if not can_work_on_plan(user=actor, assessment=action.assessment):
        raise PermissionDenied
    if not actor.is_consultant and evidence.uploaded_by_id != actor.pk:
        raise PermissionDenied
    name = evidence.file.name
    with transaction.atomic():
        audit_record(
            action="evidence.delete",
            actor=actor,
            organization=action.assessment.organization,
            target=evidence.name,
        )
        evidence.delete()
    transaction.on_commit(lambda: _storage().delete(name))


def evidence_download_record(*, evidence: Evidence, user: User) -> None:
    audit_record(
        action="evidence.download",
        actor=user,
        organization=evidence.action.assessment.organization,
        target=evidence.name,
        data={"evidence": str(evidence.pk)},
    )


def evidence_files(*, organization) -> list[str]:
    """Stored names of an organisation's evidence (for erasure)."""
    return list(
        Evidence.objects.filter(action__assessment__organization=organization).values_list(
            "file", flat=True
        )
    )


def evidence_files_delete(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


def evidence_export(*, organization) -> list[tuple[str, bytes]]:
    """The organisation's evidence files for its privacy export: (path in the ZIP, content)."""
    files = []
    for evidence in Evidence.objects.filter(
        action__assessment__organization=organization
    ).select_related("action"):
        try:
            with evidence.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            logger.error("Evidence file %s is missing from storage", evidence.file.name)
            continue
        files.append((f"nachweise/{evidence.action_id}/{evidence.pk}-{evidence.name}", content))
    return files


def evidence_orphans_delete(*, grace_seconds: int = 3600) -> int:
    """Delete evidence files no row points to (left by a crash between write and commit)."""
    storage = _storage()
    if not storage.exists(DIRECTORY):
        return 0
    known = set(Evidence.objects.values_list("file", flat=True))
    oldest = time.time() - grace_seconds
    deleted = 0
    for folder in storage.listdir(DIRECTORY)[0]:
        for filename in storage.listdir(f"{DIRECTORY}/{folder}")[1]:
            name = f"{DIRECTORY}/{folder}/{filename}"
            if name in known:
                continue
            try:
                if os.stat(storage.path(name)).st_mtime >= oldest:
                    continue
            except FileNotFoundError:
                continue
            storage.delete(name)
            deleted += 1
    if deleted:
        logger.warning("Deleted %s evidence files without a row", deleted)
    return deleted
