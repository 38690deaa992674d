"""The PDF report as PDF/UA-1: structure tree, language, title, metadata, reading order, and
hyphenation that splits only running text, and there correctly."""

import logging
import re

import pyphen
import pytest
from django.utils import translation

from assessments.models import Report
from assessments.reports import hyphenation
from assessments.reports.pdf import html_to_pdf
from assessments.reports.render import report_pdf
from tests.reports.pdf_structure import (
    hyphenated_words,
    page_texts,
    split_points,
    structure,
    xmp,
    xmp_title,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(submitted, consultant, caplog):
    report = Report.objects.create(assessment=submitted, language="de", requested_by=consultant)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = report_pdf(report).pdf
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text
    return pdf


def test_report_is_tagged_pdf_ua_1_with_language_title_and_metadata(rendered, org_a):
    catalog, elements = structure(rendered)
    assert catalog["/MarkInfo"]["/Marked"] is True or catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert catalog["/Lang"] == "de"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    metadata = xmp(catalog)
    assert re.search(r'pdfuaid:part(="1"|>1<)', metadata)
    assert xmp_title(catalog) == f"KI-Risikobericht {org_a.name}"
    tags = [e.tag for e in elements]
    assert tags[0] == "Document"
    assert tags.count("H1") >= 6 and "H2" in tags
    assert {"Table", "THead", "TH", "TD", "Figure", "L", "LI", "P"} <= set(tags)


def test_headings_never_skip_a_level(rendered):
    _, elements = structure(rendered)
    levels = [int(e.tag[1]) for e in elements if e.tag in ("H1", "H2", "H3", "H4")]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def test_every_figure_has_alternative_text_and_every_data_cell_its_headers(rendered):
    _, elements = structure(rendered)
    figures = [e for e in elements if e.tag == "Figure"]
    assert len(figures) >= 4  # logo, gauge, radar, bars
    assert all(e.alt.strip() for e in figures), [e.alt for e in figures]
    assert any(e.alt.startswith("KI-Readiness") for e in figures)
    cells = [e for e in elements if e.tag == "TD"]
    assert cells and all(e.attributes.get("/Headers") for e in cells)


def test_page_two_reads_the_gauge_before_the_three_risks(rendered):
    _, elements = structure(rendered)
    page_two = [e for e in elements if e.page == 1]
    gauge = next(n for n, e in enumerate(page_two) if e.tag == "Figure")
    risks = next(n for n, e in enumerate(page_two) if e.tag == "H2")
    assert gauge < risks
    text = page_texts(rendered)[1]  # content order, for readers without tags
    assert text.index("KI-Readiness\n") < text.index("Die drei größten Risiken")


def test_english_report_declares_english(submitted, consultant):
    report = Report.objects.create(assessment=submitted, language="en", requested_by=consultant)
    catalog, _ = structure(report_pdf(report).pdf)
    assert catalog["/Lang"] == "en"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Rechtsstand", "Rechts-stand"),
        ("Übergangszeit", "Über-gangs-zeit"),
        ("Datenschutzbeauftragte", "Da-ten-schutz-be-auf-trag-te"),
        ("Auftragsverarbeitungsvertrag", "Auf-trags-ver-ar-bei-tungs-ver-trag"),
        ("OpenAI", "OpenAI"),
        ("Microsoft", "Microsoft"),
        ("Copilot", "Copilot"),
    ],
)
def test_report_dictionary_splits_german_compounds_right_and_names_never(word, expected):
    hyphenation.install()
    assert pyphen.Pyphen(lang="de_DE").inserted(word) == expected


def test_english_dictionary_never_splits_names_either():
    hyphenation.install()
    assert pyphen.Pyphen(lang="en_US").inserted("Microsoft") == "Microsoft"
    assert "-" in pyphen.Pyphen(lang="en_US").inserted("assessment")


NARROW = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Test</title>
<link rel="stylesheet" href="css/report.css"><style>html {{ --brand: #0b5c7a; }}
.col {{ width: 26mm; }}</style></head><body>
<p class="col">{words}</p>
<table class="data col"><thead><tr><th scope="col">{words}</th></tr></thead>
<tbody><tr><td>{words}</td></tr></tbody></table>
<p class="col">Im Namen von <span class="name">Rechtsstandsgesellschaft Übergangszeitmbh</span>.</p>
</body></html>"""
WORDS = (
    "Rechtsstand Übergangszeit OpenAI Microsoft Priorität Aufwand erledigt Beraterin "
    "Datenschutzbeauftragte Auftragsverarbeitungsvertrag"
)


def test_only_running_text_is_hyphenated_and_only_at_right_points():
    with translation.override("de"):
        pdf = html_to_pdf(NARROW.format(words=WORDS)).pdf
    split = hyphenated_words(pdf)
    assert split  # the narrow paragraph does hyphenate
    right = {  # where a German typesetter may split (Duden), never names
        "Rechtsstand": "Rechts-stand",
        "Übergangszeit": "Über-gangs-zeit",
        "Priorität": "Prio-ri-tät",
        "Beraterin": "Be-ra-te-rin",
        "erledigt": "er-le-digt",
        "Datenschutzbeauftragte": "Da-ten-schutz-be-auf-trag-te",
        "Auftragsverarbeitungsvertrag": "Auf-trags-ver-ar-bei-tungs-ver-trag",
    }
    for word in split:
        whole = word.replace("-", "")
        assert whole in right, word
        assert split_points(word) <= split_points(right[whole]), word
    # the table's header and data cell and the name keep every word whole: three copies of the
    # words in the file, only the paragraph's may be split
    text = "".join(page_texts(pdf))
    for word in ("Priorität", "Aufwand", "erledigt", "Beraterin", "OpenAI", "Microsoft"):
        assert text.count(word) >= 2, word
    assert "Rechtsstandsgesellschaft" in text and "Übergangszeitmbh" in text
