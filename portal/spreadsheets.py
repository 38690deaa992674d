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
import zipfile
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


# --- XLSX streamed -----------------------------------------------------------------------------
#
# ``xlsx_stream`` writes one sheet's XML itself, row by row into a ZIP stream, and hands out the
# compressed bytes while the rows are still being read: no workbook object, no cell objects
# (openpyxl's write-only mode spent most of a 20,000-row export on them). Same look as
# ``xlsx_document``: bold, frozen, filterable header, column widths, dates as dates, text that
# looks like a formula stored as text (every string is an inline string, never a formula).

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
    f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'
)
# cell styles: 0 plain, 1 bold (the header), 2 date, 3 date and time
_STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{XLSX_DATE}"/>'
    f'<numFmt numFmtId="165" formatCode="{XLSX_DATETIME}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EPOCH = date(1899, 12, 30)  # day 0 of a spreadsheet's date numbers (with the 1900 leap bug)
# characters XML 1.0 does not allow (openpyxl refuses them); tab, newline and return stay
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", **_ILLEGAL})
XLSX_COMPRESSION = 1  # zlib level: the sheet's XML is repetitive; level 6 took 3x as long


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_cell(ref: str, value) -> str:
    if value is None or value == "":  # no cell, as openpyxl writes an empty text
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        local = _local(value).replace(tzinfo=None)
        day = (local.date() - _EPOCH).days
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return f'<c r="{ref}" s="3"><v>{day + seconds / 86400!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="2"><v>{(value - _EPOCH).days}</v></c>'
    text = str(value).translate(_ESCAPES)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _Chunks:
    """A write-only file for ``zipfile`` (not seekable: entries get data descriptors) that
    collects what is written until it is taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def xlsx_stream(
    title: str, columns: list[Column], rows: Iterable[Iterable], *, chunk: int = 1 << 16
) -> Iterator[bytes]:
    """A one-sheet workbook as bytes chunks of about ``chunk`` bytes, produced while ``rows``
    is read (for a ``StreamingHttpResponse``)."""
    sink = _Chunks()
    archive = zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION
    )
    name = title[:31].translate(_ESCAPES) or "Sheet1"  # Excel's limit for sheet names
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _ROOT_RELS)
    archive.writestr(
        "xl/workbook.xml",
        _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><bookViews><workbookView/>'
        f'</bookViews><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
    )
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    archive.writestr("xl/styles.xml", _STYLES)
    letters = [_column_letter(number) for number in range(1, len(columns) + 1)]
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{column.width}" customWidth="1"/>'
        for n, column in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">'
        f"{str(column.title).translate(_ESCAPES)}</t></is></c>"
        for letter, column in zip(letters, columns, strict=True)
    )
    with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        sheet.write(
            (
                _XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheetViews>'
                '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
                "</sheetView></sheetViews>"
                + (f"<cols>{widths}</cols>" if widths else "")
                + f'<sheetData><row r="1">{header}</row>'
            ).encode()
        )
        buffer = []
        for number, values in enumerate(rows, start=2):
            cells = "".join(
                _xlsx_cell(f"{letter}{number}", value)
                for letter, value in zip(letters, values, strict=False)
            )
            buffer.append(f'<row r="{number}">{cells}</row>')
            if len(buffer) == 200:
                sheet.write("".join(buffer).encode())
                buffer = []
                if sink.size >= chunk:
                    yield sink.take()
        if buffer:
            sheet.write("".join(buffer).encode())
        filter_ref = f'<autoFilter ref="A1:{letters[-1]}1"/>' if letters else ""
        sheet.write(f"</sheetData>{filter_ref}</worksheet>".encode())
    archive.close()
    yield sink.take()
