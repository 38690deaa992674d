"""Reads for drafted documents. Client data is reached through ``visible_to`` only."""

from __future__ import annotations

import difflib

from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.models import User

from .models import Document, DocumentKind, DocumentVersion, LiteracyMeasure


def documents_overview(*, user: User, assessment) -> list[dict]:
    """One row per kind: its document (if drafted), newest and released version. Clients get
    only the released documents."""
    documents = {
        d.kind: d
        for d in Document.objects.visible_to(user)
        .filter(assessment=assessment)
        .select_related("released_version", "released_by")
    }
    latest = {}
    if user.is_consultant and documents:
        for version in (
            DocumentVersion.objects.filter(document__in=documents.values())
            .select_related("author")
            .defer("body", "facts")
            .order_by("document_id", "-number")
        ):
            latest.setdefault(version.document_id, version)
    rows = []
    for kind, label in DocumentKind.choices:
        document = documents.get(kind)
        if document is None and not user.is_consultant:
            continue
        rows.append(
            {
                "kind": kind,
                "label": label,
                "document": document,
                "latest": latest.get(document.pk) if document else None,
                "released": document.released_version if document else None,
            }
        )
    return rows


def document_get_for_user(*, user: User, assessment, kind: str) -> Document:
    if kind not in DocumentKind.values:
        raise Http404
    return get_object_or_404(
        Document.objects.visible_to(user).select_related(
            "assessment__organization", "released_version"
        ),
        assessment=assessment,
        kind=kind,
    )


def version_get_for_user(*, user: User, document: Document, number: int) -> DocumentVersion:
    """Consultants reach every version; clients only the released one."""
    version = get_object_or_404(
        DocumentVersion.objects.select_related("author"), document=document, number=number
    )
    if not user.is_consultant and document.released_version_id != version.pk:
        raise Http404
    version.document = document
    return version


def versions_of(*, document: Document) -> list[DocumentVersion]:
    return list(document.versions.select_related("author").order_by("-number"))


def version_changes(older: DocumentVersion | None, newer: DocumentVersion) -> list[dict]:
    """Line changes from ``older`` to ``newer`` for the history: kind "add"/"remove"/"hunk"."""
    if older is None:
        return []
    lines = []
    for line in difflib.unified_diff(
        older.body.splitlines(), newer.body.splitlines(), lineterm="", n=1
    ):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append({"kind": "hunk", "text": "…"})
        elif line.startswith("+"):
            lines.append({"kind": "add", "text": line[1:]})
        elif line.startswith("-"):
            lines.append({"kind": "remove", "text": line[1:]})
        else:
            lines.append({"kind": "same", "text": line[1:]})
    return lines


def measures_for(*, user: User, organization) -> list[LiteracyMeasure]:
    return list(
        LiteracyMeasure.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("created_by")
    )


def measure_get_for_user(*, user: User, organization, measure_id) -> LiteracyMeasure:
    return get_object_or_404(
        LiteracyMeasure.objects.visible_to(user), organization=organization, pk=measure_id
    )
