"""Everything the portal holds about one organisation, as a ZIP of JSON and CSV files."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from portal.models import Organization


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with umlauts only with a BOM
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    key: _csv_safe(value if isinstance(value, str) else _json_inline(value))
                    for key, value in row.items()
                }
            )
    return out.getvalue()


def _json_inline(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _csv_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def organization_export(*, organization: Organization) -> bytes:
    """Organisation, members, invitations, assessments with answers and results, the notes the
    consultancy shared with the client, and the released reports."""
    from assessments.models import ConsultantNote, Report

    members = [
        {
            "email": m.user.email,
            "first_name": m.user.first_name,
            "last_name": m.user.last_name,
            "role": m.role,
            "member_since": m.created_at,
        }
        for m in organization.memberships.select_related("user")
    ]
    invitations = list(
        organization.invitations.values("email", "role", "created_at", "expires_at", "accepted_at")
    )
    org = {
        "id": organization.pk,
        "name": organization.name,
        "industry": organization.industry,
        "size_band": organization.size_band,
        "language": organization.language,
        "created_at": organization.created_at,
        "exported_at": timezone.now(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organisation.json", _json(org))
        archive.writestr("mitglieder.json", _json(members))
        archive.writestr("mitglieder.csv", _csv(members))
        archive.writestr("einladungen.json", _json(invitations))
        archive.writestr("einladungen.csv", _csv(invitations))
        for assessment in organization.assessments.order_by("created_at"):
            folder = f"bewertungen/{assessment.created_at:%Y-%m-%d}-{assessment.pk}"
            meta = {
                "id": assessment.pk,
                "status": assessment.status,
                "questionnaire": str(assessment.questionnaire),
                "created_at": assessment.created_at,
                "submitted_at": assessment.submitted_at,
            }
            answers = [
                {"question": a.question_key, "value": a.value, "updated_at": a.updated_at}
                for a in assessment.answers.order_by("question_key")
            ]
            from assessments.models import Result

            results = list(
                Result.objects.filter(assessment=assessment).values(
                    "computed_at",
                    "readiness",
                    "lock_in",
                    "gdpr",
                    "ai_act",
                    "continuity",
                    "governance",
                    "worst_level",
                    "vendor_exposure",
                    "card",
                    "catalogue_version",
                    "scoring_version",
                )
            )
            notes = list(
                assessment.notes.exclude(kind=ConsultantNote.Kind.INTERNAL).values(
                    "kind", "title", "text", "priority", "created_at"
                )
            )
            archive.writestr(f"{folder}/bewertung.json", _json(meta))
            archive.writestr(f"{folder}/antworten.json", _json(answers))
            archive.writestr(f"{folder}/antworten.csv", _csv(answers))
            archive.writestr(f"{folder}/ergebnisse.json", _json(results))
            archive.writestr(f"{folder}/notizen.json", _json(notes))
            archive.writestr(f"{folder}/notizen.csv", _csv(notes))
            for report in assessment.reports.filter(
                released=True, status=Report.Status.READY
            ).exclude(file=""):
                with report.file.open("rb") as handle:
                    archive.writestr(f"{folder}/bericht-{report.pk}.pdf", handle.read())
        # Evidence and comments on actions, literacy measures, released documents.
        from assessments.privacy import organization_records

        for path, content in organization_records(organization=organization):
            archive.writestr(path, content)
    return buffer.getvalue()
