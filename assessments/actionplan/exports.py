"""The action plan as CSV (German Excel) and as an iCalendar file of its due dates.

Both are built from ``plan_rows``, so the internal notes never reach them.
"""

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Action

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Defuse spreadsheet formulas in typed text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def plan_header() -> list[str]:
    """The columns of the plan's CSV (the XLSX adds the crosswalk)."""
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


def plan_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 umlauts correctly only with a BOM
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(plan_header())
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [
                number,
                _cell(row["title"]),
                _cell(row["text"]),
                _cell(row["dimension"]),
                row["priority"],
                row["effort"],
                _cell(row["owner"]),
                row["due_date"].isoformat() if row["due_date"] else "",
                row["state_label"],
                _cell(row["state_reason"]),
            ]
        )
    return buffer.getvalue()


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


def plan_xlsx(rows: list[dict], *, document: dict, sheet_title: str) -> bytes:
    """The action plan as an Excel workbook: bold, frozen header, column widths, dates as
    dates (dd.mm.yyyy), and the certification crosswalk (ISO/IEC 42001 Annex A, NIST AI RMF)
    of every generated action."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .selectors import crosswalk_label

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31] or "Plan"
    header = [*plan_header(), _("ISO/IEC 42001 Anhang A"), _("NIST AI RMF")]
    widths = [5, 45, 60, 24, 10, 10, 24, 12, 14, 30, 22, 26]
    sheet.append(header)
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [
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
                crosswalk_label(document=document, key=row["key"], framework="iso42001"),
                crosswalk_label(document=document, key=row["key"], framework="nist_ai_rmf"),
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # client-typed "=…" stays text, never a formula
                cell.data_type = "s"
        row[7].number_format = "DD.MM.YYYY"
        for cell in (row[1], row[2]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
