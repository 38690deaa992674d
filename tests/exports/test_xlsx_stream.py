"""The streamed XLSX (``portal.spreadsheets.xlsx_stream``) reads back like the workbook
``xlsx_document`` builds with openpyxl: the same values and types, the same header, and it is
handed out in pieces while the rows are read."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from portal.spreadsheets import Column, xlsx_document, xlsx_stream

COLUMNS = [Column("Unternehmen", 36), Column("Wert", 12), Column("Datum", 16), Column("Zeit", 16)]
ROWS = [
    ["=1+1 Steuerberatung", 17, date(2026, 12, 5), datetime(2026, 12, 5, 13, 30, tzinfo=UTC)],
    ['Müller & Söhne <GmbH> "Nord"', 2.5, None, None],
    ["-5 % Rabatt", Decimal("3.25"), date(2024, 2, 29), None],
    ["Zeile\tmit Tab", True, None, None],
    ["", False, date(1900, 3, 1), None],
    ["@Kunde", 0, None, None],
]


def _read(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_the_streamed_workbook_reads_back_like_openpyxl_s(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    streamed = _read(b"".join(xlsx_stream("Portfolio", COLUMNS, ROWS)))
    built = _read(xlsx_document([("Portfolio", COLUMNS, ROWS)]))

    assert streamed.title == built.title == "Portfolio"
    assert list(streamed.iter_rows(values_only=True)) == list(built.iter_rows(values_only=True))
    for s_row, b_row in zip(streamed.iter_rows(), built.iter_rows(), strict=True):
        for s_cell, b_cell in zip(s_row, b_row, strict=True):
            if b_cell.value is None:
                continue
            assert (s_cell.data_type, s_cell.number_format) == (
                b_cell.data_type,
                b_cell.number_format,
            ), b_cell.coordinate
    assert streamed["A2"].value == "=1+1 Steuerberatung" and streamed["A2"].data_type == "s"
    assert streamed["D2"].value == datetime(2026, 12, 5, 14, 30)  # local time, as openpyxl's
    assert streamed["A1"].font.b and not streamed["A2"].font.b
    assert streamed.freeze_panes == built.freeze_panes == "A2"
    assert streamed.auto_filter.ref == built.auto_filter.ref == "A1:D1"
    assert streamed.column_dimensions["A"].width == 36


def test_characters_xml_does_not_allow_are_left_out():
    sheet = _read(b"".join(xlsx_stream("Liste", [Column("Text")], [["a\x00b\x1fc\nd"]])))
    assert sheet["A2"].value == "abc\nd"


def test_no_rows_still_make_a_workbook_with_its_header():
    sheet = _read(b"".join(xlsx_stream("Leer", COLUMNS, [])))
    assert list(sheet.iter_rows(values_only=True)) == [("Unternehmen", "Wert", "Datum", "Zeit")]


def test_bytes_are_handed_out_while_the_rows_are_read():
    read = []

    def rows():
        for number in range(5000):
            read.append(number)
            yield [f"Kunde {number}", number, date(2026, 1, 1), None]

    stream = xlsx_stream("Portfolio", COLUMNS, rows(), chunk=4096)
    first = next(stream)
    assert first and len(read) < 5000  # a piece before every row was read
    data = first + b"".join(stream)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    sheet = _read(data)
    assert sheet.max_row == 5001 and sheet["A5001"].value == "Kunde 4999"
