"""The action plan as CSV (German Excel), as an Excel workbook with the certification crosswalk,
and as an iCalendar file of its due dates.

Both are built from ``plan_rows``, so the internal notes never reach them.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from portal.spreadsheets import Column, csv_document, xlsx_document

from .models import Action


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


def plan_ics(
    rows: list[dict], *, organization_name: str, now: datetime | None = None, url: str = ""
) -> bytes:
    """The plan's due dates as an iCalendar (RFC 5545), written by the ``icalendar`` package.

    One all-day event per action with a due date. Finished actions stay, marked as done
    ("Erledigt: …"), so a calendar shows what was achieved instead of dropping it; actions marked
    not relevant are cancelled events. The events block no time (``TRANSP:TRANSPARENT``).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    name = _("Maßnahmenplan %(org)s") % {"org": organization_name}
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//KI-Readiness-Portal//Massnahmenplan//DE")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    if url:
        # subscribed calendars: ask apps to fetch again hourly
        calendar.add("url", url)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for row in rows:
        if not row["due_date"]:
            continue
        state = row["state"]
        prefix = {
            Action.State.DONE: _("Erledigt: "),
            Action.State.NOT_RELEVANT: _("Nicht relevant: "),
        }.get(state, "")
        lines = [_("Stand: %(state)s") % {"state": row["state_label"]}]
        if row["owner"]:
            lines.append(_("Verantwortlich: %(who)s") % {"who": row["owner"]})
        description = "\n".join(lines) + "\n\n" + (row["text"] or "")
        event = Event()
        event.add("uid", f"action-{row['id']}@{host}")
        # the last change of the action: a feed fetched twice is the same file (ETag)
        event.add("dtstamp", (row.get("updated_at") or stamp).astimezone(UTC))
        event.add("dtstart", row["due_date"])
        event.add("dtend", row["due_date"] + timedelta(days=1))
        event.add("summary", prefix + _one_line(row["title"]))
        event.add("description", description.strip())
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if state == Action.State.NOT_RELEVANT else "CONFIRMED")
        if row.get("updated_at"):
            event.add("last-modified", row["updated_at"].astimezone(UTC))
        calendar.add_component(event)
    return calendar.to_ical()


def _one_line(text: str) -> str:
    """A title on one line: a stray CR or LF (pasted text) never splits an event's summary."""
    return " ".join((text or "").split())


def plan_xlsx(rows: list[dict], *, document: dict, sheet_title: str) -> bytes:
    """The action plan as an Excel workbook (bold, frozen header, column widths, dd.mm.yyyy dates,
    formulas as text) with the certification crosswalk (ISO/IEC 42001 Annex A, NIST AI RMF) of
    every generated action."""
    from .selectors import crosswalk_label

    widths = [5, 45, 60, 24, 10, 10, 24, 12, 14, 30, 22, 26]
    titles = [*plan_header(), _("ISO/IEC 42001 Anhang A"), _("NIST AI RMF")]
    columns = [Column(title, width) for title, width in zip(titles, widths, strict=True)]
    values = (
        [
            *plan_row,
            crosswalk_label(document=document, key=row["key"], framework="iso42001"),
            crosswalk_label(document=document, key=row["key"], framework="nist_ai_rmf"),
        ]
        for plan_row, row in zip(plan_values(rows), rows, strict=True)
    )
    return xlsx_document([(sheet_title[:31] or "Plan", columns, values)])
