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
