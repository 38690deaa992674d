"""Certification crosswalk: every recommendation of catalogue 2027.01 maps to ISO/IEC 42001
Annex A controls and NIST AI RMF subcategories (catalogue data with source), shown on the action
and in the XLSX export; the schema refuses unknown keys and controls."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.catalogue import CatalogueError, load_document, to_plain, validate_document

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2027.01.yaml"
)
ISO_ID = re.compile(r"^A\.(?:[2-9]|10)\.\d+(?:\.\d+)?$")
NIST_ID = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+$")


@pytest.fixture(scope="module")
def doc():
    return to_plain(load_document(CATALOGUE))


def test_every_recommendation_is_mapped_to_both_frameworks(doc):
    mapping = doc["crosswalk"]["recommendations"]
    assert {r["key"] for r in doc["recommendations"]} == set(mapping)
    for key, frameworks in mapping.items():
        assert frameworks.get("iso42001") and frameworks.get("nist_ai_rmf"), key


def test_control_ids_follow_the_frameworks_numbering_and_have_sources(doc):
    facts = {f["key"]: f for f in doc["facts"]}
    for framework in doc["crosswalk"]["frameworks"]:
        pattern = ISO_ID if framework["key"] == "iso42001" else NIST_ID
        for control in framework["controls"]:
            assert pattern.match(control["id"]), control["id"]
            assert control["title"]["de"] and control["title"]["en"]
        assert framework["facts"] and all(facts[f]["source"] for f in framework["facts"])


def test_schema_refuses_unknown_recommendations_and_controls(doc):
    broken = {
        **doc,
        "crosswalk": {
            **doc["crosswalk"],
            "recommendations": {
                "no_such_rec": {"iso42001": ["A.2.2"]},
                "write_ai_policy": {"iso42001": ["A.99.9"], "cobit": ["X"]},
            },
        },
    }
    with pytest.raises(CatalogueError) as error:
        validate_document(broken)
    text = "\n".join(error.value.messages)
    assert "no_such_rec" in text and "A.99.9" in text and "cobit" in text


@pytest.mark.django_db
def test_action_page_and_xlsx_show_the_controls(client, full_assessment, alice):
    action = full_assessment.actions.exclude(key="").first()
    document = full_assessment.questionnaire.document
    expected = document["crosswalk"]["recommendations"][action.key]
    client.force_login(alice)
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Bezug zu Zertifizierungen" in page
    for control in expected["iso42001"] + expected["nist_ai_rmf"]:
        assert control in page
    response = client.get(reverse("actionplan_xlsx", args=[full_assessment.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["ISO/IEC 42001 Anhang A", "NIST AI RMF"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    row = rows[action.display_title]
    assert row[10].value == ", ".join(expected["iso42001"])
    assert row[11].value == ", ".join(expected["nist_ai_rmf"])


@pytest.mark.django_db
def test_other_client_cannot_export_the_plan(client, full_assessment, charlie):
    client.force_login(charlie)
    assert client.get(reverse("actionplan_xlsx", args=[full_assessment.pk])).status_code == 404
