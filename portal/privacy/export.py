"""Everything the portal holds about one organisation, as a ZIP its owner can read (Art. 15/20).

Each table comes twice: as CSV for a spreadsheet (headings and values in words, question texts
and answer labels beside the technical keys, times as ``2026-12-05 14:30``) and as JSON for a
machine. ``LIESMICH.txt`` says what each file holds and how many entries it has, so that no file
is ever empty without a word. Everything is written in the organisation's language.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.template import engines
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import Membership, Organization
from portal.spreadsheets import csv_document


@dataclass
class Table:
    """One export table: CSV headings, the JSON key of each column, and the rows."""

    name: str  # file name without extension, e.g. "mitglieder"
    description: str
    columns: list[tuple[str, str]]  # (JSON key, CSV heading)
    rows: list[dict] = field(default_factory=list)

    def csv(self) -> str:
        keys = [key for key, _heading in self.columns]
        return csv_document(
            [heading for _key, heading in self.columns],
            ([row.get(key) for key in keys] for row in self.rows),
        )

    def json(self) -> str:
        return _json(self.rows)


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def organization_export(*, organization: Organization) -> bytes:
    """Organisation, members, invitations, and per assessment: answers (with their questions),
    results, action plan, review history, the notes shared with the client and the released
    reports. Internal consultant notes never leave the portal."""
    with translation.override(organization.language):
        return _export(organization)


def _export(organization: Organization) -> bytes:
    exported_at = timezone.now()
    roles = dict(Membership.Role.choices)
    members = Table(
        "mitglieder",
        _("Personen mit Zugang zu Ihrem Unternehmen"),
        [
            ("email", _("E-Mail-Adresse")),
            ("first_name", _("Vorname")),
            ("last_name", _("Nachname")),
            ("role", _("Rolle")),
            ("member_since", _("Mitglied seit")),
        ],
        [
            {
                "email": m.user.email,
                "first_name": m.user.first_name,
                "last_name": m.user.last_name,
                "role": str(roles.get(m.role, m.role)),
                "member_since": m.created_at,
            }
            for m in organization.memberships.select_related("user").order_by("created_at")
        ],
    )
    invitations = Table(
        "einladungen",
        _("Einladungen, die für Ihr Unternehmen verschickt wurden"),
        [
            ("email", _("E-Mail-Adresse")),
            ("role", _("Rolle")),
            ("created_at", _("verschickt am")),
            ("expires_at", _("gültig bis")),
            ("accepted_at", _("angenommen am")),
        ],
        [
            {**row, "role": str(roles.get(row["role"], row["role"]))}
            for row in organization.invitations.order_by("created_at").values(
                "email", "role", "created_at", "expires_at", "accepted_at"
            )
        ],
    )
    org = {
        "id": organization.pk,
        "name": organization.name,
        "industry": organization.industry,
        "industry_label": organization.get_industry_display(),
        "size_band": organization.size_band,
        "size_band_label": organization.get_size_band_display(),
        "language": organization.language,
        "created_at": organization.created_at,
        "exported_at": exported_at,
    }
    files: list[tuple[str, str, int | None]] = [
        ("organisation.json", _("Stammdaten Ihres Unternehmens"), None)
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organisation.json", _json(org))
        for table in (members, invitations):
            _write(archive, "", table, files)
        for assessment in organization.assessments.select_related("questionnaire").order_by(
            "created_at"
        ):
            folder = f"bewertungen/{assessment.created_at:%Y-%m-%d}-{assessment.pk}/"
            _assessment(archive, folder, assessment, files)
        # Evidence and comments on actions, literacy measures, released documents.
        from assessments.privacy import organization_records

        for path, content in organization_records(organization=organization):
            archive.writestr(path, content)
            files.append((path, _record_description(path), None))
        archive.writestr(
            "LIESMICH.txt", _readme(organization=organization, at=exported_at, files=files)
        )
    return buffer.getvalue()


def _write(archive, folder: str, table: Table, files: list) -> None:
    archive.writestr(f"{folder}{table.name}.csv", table.csv())
    archive.writestr(f"{folder}{table.name}.json", table.json())
    files.append((f"{folder}{table.name}.csv/.json", table.description, len(table.rows)))


def _assessment(archive, folder: str, assessment, files: list) -> None:
    from assessments.actionplan.selectors import plan_rows
    from assessments.catalogue.text import tr
    from assessments.models import ConsultantNote, Report, Result
    from assessments.questionnaire.answers import answer_label
    from assessments.questionnaire.progress import Questionnaire
    from assessments.results.presentation import dimension_titles

    document = assessment.questionnaire.document
    questionnaire = Questionnaire(document)
    questions = questionnaire.questions
    section_titles = {s["key"]: tr(s["title"]) for s in questionnaire.sections}
    order = {key: number for number, key in enumerate(questions)}
    meta = {
        "id": assessment.pk,
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "review_state": assessment.review_state,
        "review_state_label": assessment.get_review_state_display()
        if assessment.review_state
        else "",
        "questionnaire": str(assessment.questionnaire),
        "created_at": assessment.created_at,
        "submitted_at": assessment.submitted_at,
    }
    archive.writestr(f"{folder}bewertung.json", _json(meta))
    files.append((f"{folder}bewertung.json", _("Stand und Daten der Bewertung"), None))

    stored = sorted(
        assessment.answers.all(), key=lambda a: (order.get(a.question_key, 10**6), a.question_key)
    )
    answers = Table(
        "antworten",
        _("Ihre Antworten, mit Frage und Antwort im Wortlaut"),
        [
            ("section", _("Abschnitt")),
            ("question_text", _("Frage")),
            ("answer_label", _("Antwort")),
            ("question", _("Schlüssel der Frage")),
            ("value", _("gespeicherter Wert")),
            ("updated_at", _("geändert am")),
        ],
        [
            {
                "section": section_titles.get(questionnaire.section_of.get(a.question_key), ""),
                "question_text": tr(questions[a.question_key]["text"])
                if a.question_key in questions
                else "",
                "answer_label": answer_label(questions[a.question_key], a.value)
                if a.question_key in questions
                else "",
                "question": a.question_key,
                "value": a.value
                if isinstance(a.value, str | int | float) or a.value is None
                else json.dumps(a.value, ensure_ascii=False),
                "updated_at": a.updated_at,
            }
            for a in stored
        ],
    )
    _write(archive, folder, answers, files)

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
            "catalogue_version",
            "scoring_version",
        )
    )
    for row in results:  # the card with its texts, scored from the answers (Result.scorecard)
        row["card"] = Result(assessment=assessment).scorecard().to_dict()
    archive.writestr(f"{folder}ergebnisse.json", _json(results))
    files.append(
        (f"{folder}ergebnisse.json", _("Berechnete Werte je Bereich, mit Begründung"), len(results))
    )

    titles = dimension_titles(document)
    plan = Table(
        "massnahmen",
        _("Ihr Maßnahmenplan (ohne interne Notizen der Beratung)"),
        [
            ("title", _("Maßnahme")),
            ("text", _("Beschreibung")),
            ("dimension", _("Bereich")),
            ("priority", _("Priorität")),
            ("effort", _("Aufwand")),
            ("owner", _("verantwortlich")),
            ("due_date", _("fällig am")),
            ("state_label", _("Stand")),
            ("state_reason", _("Begründung")),
        ],
        [
            {
                key: (str(value) if key == "dimension" else value)
                for key, value in row.items()
                if key not in ("id", "own", "urgent", "state", "updated_at")
            }
            for row in plan_rows(
                actions=list(assessment.actions.select_related("owner").order_by("created_at")),
                dimension_titles=titles,
            )
        ],
    )
    _write(archive, folder, plan, files)

    history = Table(
        "pruefverlauf",
        _("Wie die Beratung Ihre Bewertung geprüft und besprochen hat"),
        [
            ("created_at", _("Zeitpunkt")),
            ("from_state", _("von")),
            ("to_state", _("nach")),
            ("actor", _("Person")),
            ("reason", _("Begründung")),
        ],
        [
            {
                "created_at": step.created_at,
                "from_state": step.get_from_state_display() if step.from_state else "",
                "to_state": step.get_to_state_display(),
                "actor": step.actor.display_name if step.actor else "",
                "reason": step.reason,
            }
            for step in assessment.review_steps.select_related("actor")
        ],
    )
    _write(archive, folder, history, files)

    kinds = dict(ConsultantNote.Kind.choices)
    notes = Table(
        "notizen",
        _("Anmerkungen und Empfehlungen, die die Beratung mit Ihnen geteilt hat"),
        [
            ("kind", _("Art")),
            ("title", _("Titel")),
            ("text", _("Text")),
            ("priority", _("Priorität")),
            ("created_at", _("Zeitpunkt")),
        ],
        [
            {**row, "kind": str(kinds.get(row["kind"], row["kind"]))}
            for row in assessment.notes.exclude(kind=ConsultantNote.Kind.INTERNAL)
            .order_by("created_at")
            .values("kind", "title", "text", "priority", "created_at")
        ],
    )
    _write(archive, folder, notes, files)

    reports = assessment.reports.filter(released=True, status=Report.Status.READY).exclude(file="")
    for report in reports:
        name = f"{folder}bericht-{report.pk}.pdf"
        with report.file.open("rb") as handle:
            archive.writestr(name, handle.read())
        files.append((name, _("freigegebener PDF-Bericht"), None))


def _readme(*, organization: Organization, at, files: list) -> str:
    return (
        engines["text"]
        .get_template("portal/privacy/export_readme.txt")
        .render(
            {
                "organization": organization,
                "exported_at": timezone.localtime(at),
                "files": [
                    {"name": name, "description": description, "count": count}
                    for name, description, count in files
                ],
            }
        )
    )


def _record_description(path: str) -> str:
    if "nachweise" in path:
        return _("Nachweise, die Sie zu Maßnahmen hochgeladen haben")
    if path == "massnahmen/kommentare.json":
        return _("Kommentare zu Maßnahmen zwischen Ihnen und der Beratung")
    if path == "ki-kompetenz.json":
        return _("Ihre Maßnahmen zur KI-Kompetenz (Art. 4 KI-VO)")
    return _("freigegebenes Dokument")
