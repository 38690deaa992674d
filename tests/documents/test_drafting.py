"""Documents drafted from the answers: every kind in both languages, client text kept as text,
facts cited with their source and the legal state taken from them."""

import datetime as dt

import pytest

from assessments.documents.drafting import draft
from assessments.documents.markup import md, to_html
from assessments.documents.models import DocumentKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_document_drafts_in_both_languages(full_assessment, kind, language):
    result = draft(assessment=full_assessment, kind=kind, language=language)
    assert result.body.strip()
    assert "{%" not in result.body and "{{" not in result.body
    assert result.facts, "every document cites the catalogue facts it relies on"
    assert result.legal_state == min(dt.date.fromisoformat(f["as_of"]) for f in result.facts)
    for fact in result.facts:
        assert fact["source"] and fact["text"]


def test_client_text_cannot_change_the_markdown_structure(full_assessment):
    body = draft(assessment=full_assessment, kind="register", language="de").body
    # the use-case name carries * and |: escaped, it stays one cell and literal text
    assert "Bewerbungen \\*vorsortieren\\* \\| Test" in body
    html = to_html(body)
    assert "Bewerbungen *vorsortieren* | Test" in html
    assert "<em>vorsortieren</em>" not in html


def test_md_escapes_line_starts():
    assert md("# Titel") == "\\# Titel"
    assert md("1. Punkt") == "1\\. Punkt"
    assert md("- Liste") == "\\- Liste"
    assert md("a\nb") == "a b"


def test_adapter_reads_the_ai_act_procedure_fields_with_fallbacks():
    """Cards with the per-use-case legal path, open question and dated duties (issue 19) and
    cards of older catalogues both give the templates the same shape."""
    from types import SimpleNamespace

    from assessments.documents.context import _duties

    new = SimpleNamespace(
        duties=({"de": "Aufsicht benennen", "en": "Name oversight"},),
        duty_dates=["2027-12-02"],
        duty_articles=["Art. 26 Abs. 2"],
        applies_from="2025-02-02",
    )
    [duty] = _duties(new)
    assert duty["date"] == dt.date(2027, 12, 2) and duty["article"] == "Art. 26 Abs. 2"
    old = SimpleNamespace(duties=({"de": "Schulen", "en": "Train"},), applies_from="2025-02-02")
    [duty] = _duties(old)
    assert duty["date"] == dt.date(2025, 2, 2) and duty["article"] == ""
