"""The action plan as CSV (German Excel) and as an iCalendar file of its due dates.

Both are built from ``plan_rows``, so the internal notes never reach them.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from portal.spreadsheets import csv_document

from .models import Action


def plan_header() -> list[str]:
    return [
        "#",
        _("Maßnahme"),
        _("Beschreibung"),
        _("Bereich"),
        _("Priorität"),
        _("Aufwand"),
        _("verantwortlich"),
        _("fällig am"),
        _("Stand"),
        _("Begründung"),
    ]


def plan_values(rows: list[dict]):
    for number, row in enumerate(rows, start=1):
        yield [
            number,
            row["title"],
            row["text"],
            row["dimension"],
            row["priority"],
            row["effort"],
            row["owner"],
            row["due_date"],
            row["state_label"],
            row["state_reason"],
        ]


def plan_csv(rows: list[dict]) -> str:
    return csv_document(plan_header(), plan_values(rows))


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: lines longer than 75 octets continue on the next line after a space."""
    parts, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def plan_ics(rows: list[dict], *, organization_name: str, now: datetime | None = None) -> str:
    """One all-day event per open or running action with a due date."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KI-Readiness-Portal//Massnahmenplan//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape(_("Maßnahmenplan %(org)s") % {"org": organization_name}),
    ]
    for row in rows:
        if not row["due_date"] or row["state"] not in (Action.State.OPEN, Action.State.IN_PROGRESS):
            continue
        description = row["text"]
        if row["owner"]:
            description = (
                _("Verantwortlich: %(who)s") % {"who": row["owner"]} + "\n\n" + description
            )
        lines += [
            "BEGIN:VEVENT",
            f"UID:action-{row['id']}@{host}",
            "DTSTAMP:" + stamp.strftime("%Y%m%dT%H%M%SZ"),
            "DTSTART;VALUE=DATE:" + row["due_date"].strftime("%Y%m%d"),
            "DTEND;VALUE=DATE:" + (row["due_date"] + timedelta(days=1)).strftime("%Y%m%d"),
            "SUMMARY:" + _escape(row["title"]),
            "DESCRIPTION:" + _escape(description),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))
