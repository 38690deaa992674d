"""The review step before the irreversible submit: every answer by section, what is missing,
a print view."""

import pytest
from django.urls import reverse

from tests.wizard.conftest import fill

pytestmark = pytest.mark.django_db


def _review(client, draft) -> str:
    return client.get(reverse("assessment_review", args=[draft.pk])).content.decode()


def test_review_shows_every_answer_grouped_by_section_with_edit_links(client, alice, draft):
    fill(draft, alice, {"services": ["m365_copilot", "chatgpt_free"], "staff": 12, "maturity": 5})
    client.force_login(alice)

    body = _review(client, draft)

    basics = body.index('id="review-basics"')
    details = body.index('id="review-details"')
    assert basics < body.index("Microsoft 365 Copilot, ChatGPT Free") < details
    assert basics < body.index("Wie viele Beschäftigte nutzen KI?") < details
    assert body.index("5 (sehr gut)") > details
    edit = reverse("assessment_section", args=[draft.pk, "details"]) + "#q-maturity"
    assert f'href="{edit}"' in body


def test_review_marks_unanswered_required_questions_in_place(client, alice, draft):
    fill(draft, alice, {"services": ["chatgpt_free"]})
    client.force_login(alice)

    body = _review(client, draft)

    # the conditional question now shown is missing, and says so at its place
    section = body[body.index('id="review-basics"') : body.index('id="review-details"')]
    assert "Geben Mitarbeitende Kundendaten in ChatGPT ein?" in section
    assert "noch offen" in section


def test_review_names_the_section_of_a_missing_question_without_double_brackets(
    client, alice, draft
):
    from assessments.models import QuestionnaireVersion

    version = QuestionnaireVersion.objects.get(pk=draft.questionnaire_id)
    version.document["sections"][1]["title"]["de"] = "Datenschutz (DSGVO)"
    QuestionnaireVersion.objects.filter(pk=version.pk).update(
        document=version.document, sha256="changed-for-this-test"
    )
    client.force_login(alice)

    body = _review(client, draft)

    assert "Datenschutz (DSGVO)" in body
    assert "(Datenschutz (DSGVO))" not in body


def test_review_offers_a_print_view(client, alice, draft):
    client.force_login(alice)

    body = _review(client, draft)

    assert 'href="/static/css/print.css" media="print"' in body
    assert "data-print" in body
    assert "<script>" not in body and "onclick" not in body


def test_review_of_other_organisation_is_404(client, charlie, draft):
    client.force_login(charlie)

    assert client.get(reverse("assessment_review", args=[draft.pk])).status_code == 404
