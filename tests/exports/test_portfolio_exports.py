"""Portfolio CSV and XLSX read back as a client's spreadsheet would read them."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.models import Organization
from tests.portal.test_portfolio import URL, clients  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _csv(client) -> list[list[str]]:
    raw = client.get(URL + "?sort=name&format=csv").getvalue().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(raw), delimiter=";"))


def _xlsx(client):
    return load_workbook(io.BytesIO(client.get(URL + "?sort=name&format=xlsx").getvalue())).active


def test_a_client_without_consultant_has_an_empty_consultant_cell(client, consultant, clients):  # noqa: F811
    client.force_login(consultant)
    rows = {row[0]: row for row in _csv(client)[1:]}
    assert rows["Riskant Logistik KG"][3] == ""
    assert rows["Vorsicht Steuerberatung"][3] == consultant.get_full_name()
    sheet = _xlsx(client)
    cells = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["Riskant Logistik KG"][3] is None  # an empty cell, never "None None"


def test_xlsx_has_a_bold_frozen_filterable_header_sized_columns_and_german_dates(
    client,
    consultant,
    clients,  # noqa: F811
):
    client.force_login(consultant)
    sheet = _xlsx(client)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L1"
    assert sheet.column_dimensions["A"].width >= 30
    assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHIJKL")
    submitted = sheet.cell(row=2, column=5)
    assert submitted.is_date and submitted.number_format == "dd.mm.yyyy"
    assert isinstance(submitted.value.date(), date)
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == sorted(Organization.objects.values_list("name", flat=True))
