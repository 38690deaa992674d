"""What the privacy export and the erasure need from the action plan's evidence and comments,
the literacy measures and the drafted documents (one entry point for ``portal.privacy``)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def organization_records(*, organization) -> list[tuple[str, str | bytes]]:
    """Files for the organisation's privacy export: (path in the ZIP, content)."""
    from .actionplan.evidence import evidence_export
    from .actionplan.models import ActionComment, Evidence
    from .documents.models import MEASURE_FIELDS, Document, LiteracyMeasure

    files: list[tuple[str, str | bytes]] = []
    evidence = [
        {
            "action": e.action.display_title,
            "file": f"nachweise/{e.action_id}/{e.pk}-{e.name}",
            "note": e.note,
            "size": e.size,
            "uploaded_by": e.uploaded_by.email if e.uploaded_by else "",
            "uploaded_at": e.uploaded_at,
        }
        for e in Evidence.objects.filter(action__assessment__organization=organization)
        .select_related("action", "uploaded_by")
        .order_by("uploaded_at")
    ]
    comments = [
        {
            "action": c.action.display_title,
            "author": c.author.email if c.author else "",
            "text": c.text,
            "created_at": c.created_at,
        }
        for c in ActionComment.objects.filter(action__assessment__organization=organization)
        .select_related("action", "author")
        .order_by("created_at")
    ]
    measures = list(
        LiteracyMeasure.objects.filter(organization=organization).values(
            *MEASURE_FIELDS, "created_at"
        )
    )
    files.append(("massnahmen/nachweise.json", _json(evidence)))
    files.append(("massnahmen/kommentare.json", _json(comments)))
    files.append(("ki-kompetenz.json", _json(measures)))
    files += evidence_export(organization=organization)
    for document in Document.objects.filter(
        assessment__organization=organization, released_version__isnull=False
    ).select_related("released_version"):
        version = document.released_version
        files.append(
            (
                f"dokumente/{document.assessment_id}/{document.kind}-fassung-{version.number}.md",
                version.body,
            )
        )
    return files


def organization_files(*, organization) -> list[str]:
    """Names in private storage that belong to the organisation (deleted by the erasure)."""
    from .actionplan.evidence import evidence_files
    from .documents.services import document_files

    return evidence_files(organization=organization) + document_files(organization=organization)
