"""How every export a person opens in a spreadsheet looks: CSV and XLSX rows in one place.

CSV (German Excel): UTF-8 with BOM, semicolons, dates ``2026-12-05``, times ``2026-12-05 14:30``
in local time, nothing quoted that needs no quotes, empty for "no value". XLSX: a bold, frozen
header with an autofilter, column widths, real dates shown as ``dd.mm.yyyy``. Both defuse text
that a spreadsheet would run as a formula (CSV injection): CSV prefixes an apostrophe, XLSX
stores it as text.

The portfolio export (streamed for 20,000 clients), the action plan, the privacy export and the
stress test build their files with these functions only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATE = "dd.mm.yyyy"
XLSX_DATETIME = "dd.mm.yyyy hh:mm"
BOM = "\ufeff"  # Excel reads UTF-8 umlauts correctly only with it


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 14  # in characters, as spreadsheets measure columns


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_value(value) -> str | int | float:
    """One cell of a CSV row."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nein")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV file line by line (BOM first), for streaming responses."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([csv_value(value) for value in row])
        yield out.getvalue()


def csv_document(header: list[str], rows: Iterable[Iterable]) -> str:
    """A whole CSV file; the header is written even without rows, so no file is ever empty."""
    return "".join(csv_lines(header, rows))


def xlsx_sheet(workbook, *, title: str, columns: list[Column]):
    """A write-only sheet with the header written: bold, frozen, filterable, columns sized."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])  # Excel's limit for sheet names
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def xlsx_row(sheet, values: Iterable) -> list:
    """One row for ``sheet.append``: dates as dates (``dd.mm.yyyy``), formulas as text."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, _local(value).replace(tzinfo=None))
            cell.number_format = XLSX_DATETIME
            row.append(cell)
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = XLSX_DATE
            row.append(cell)
        elif isinstance(value, str) and value[:1] in FORMULA_STARTS:
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
            row.append(cell)
        else:
            row.append(value)
    return row


def xlsx_document(sheets: list[tuple[str, list[Column], Iterable[Iterable]]]) -> bytes:
    """A workbook of (title, columns, rows) sheets, built row by row (write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = xlsx_sheet(workbook, title=title, columns=columns)
        for values in rows:
            sheet.append(xlsx_row(sheet, values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
