"""Results page and report on catalogue 2026.12: every point explained, one scale note, the
legal state, and the critical fixes first (issue 9)."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.demo import questionnaire_ensure_active
from assessments.models import Report
from assessments.questionnaire.services import answer_save
from assessments.reports.render import report_html
from tests.scoring.test_personas import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(org_a, alice):
    """P01 of docs/personas.md: patient data in ChatGPT Plus, submitted on 2026.12."""
    questionnaire_ensure_active()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    for key, value in PERSONAS["P01_praxis"].items():
        answer_save(assessment=assessment, user=alice, question_key=key, value=value)
    return services.assessment_submit(assessment=assessment, user=alice)


def test_results_page_says_out_of_how_many_points_and_why(client, practice, alice):
    client.force_login(alice)
    body = client.get(reverse("assessment_done", args=[practice.pk])).content.decode()

    assert "5 von 5 Punkten" in body  # consumer accounts in the GDPR table
    assert "Verbraucherkonten trainieren standardmäßig" in body  # its reason
    assert body.count("So lesen Sie die Zahlen") == 1
    assert "Rechtsstand: " in body
    assert "Besonders geschützte Daten (Art. 9 DSGVO)" in body  # the knock-out driver
    assert "dringender Nachholbedarf" in body


def test_results_page_lists_the_critical_fixes_first(client, practice, alice):
    client.force_login(alice)
    body = client.get(reverse("assessment_done", args=[practice.pk])).content.decode()

    plan = body[body.index('id="h-plan"') :]
    rows = plan[plan.index("<tbody>") :]
    first_row = rows[: rows.index("</tr>")]
    assert "zuerst" in first_row


def test_results_page_in_english(client, practice, alice):
    client.force_login(alice)
    body = client.get(
        reverse("assessment_done", args=[practice.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    if "Your result" not in body:
        pytest.skip("English catalogue not compiled in this environment")
    assert "5 of 5 points" in body
    assert "Legal state: " in body


def test_report_prints_the_legal_state_scale_note_and_points(practice, consultant):
    report = Report.objects.create(assessment=practice, requested_by=consultant, language="de")
    html = report_html(report)

    assert "Rechtsstand: " in html
    assert "So lesen Sie die Zahlen" in html
    assert "von 5 Punkten" in html
    assert "zuerst" in html


def test_results_of_another_client_stay_hidden(client, practice, charlie):
    client.force_login(charlie)
    assert client.get(reverse("assessment_done", args=[practice.pk])).status_code == 404


def test_results_page_says_how_points_become_the_0_to_100_value(client, practice, alice):
    client.force_login(alice)
    body = client.get(reverse("assessment_done", args=[practice.pk])).content.decode()

    assert "So entstehen die Werte" in body and "100 minus dem gewichteten Mittel" in body
    card = practice.result.scorecard()
    for dim in card.dimensions:
        share = int(100 * dim.points / dim.max_points + 0.5)
        sentence = (
            f"{dim.points:g} von {dim.max_points:g} möglichen Punkten ergeben {share} von 100."
        )
        assert sentence in body
        if dim.score != share and not dim.knockout:
            assert f"KI-Diensten abhängen: {dim.score}." in body
    gdpr = card.dimension("gdpr")
    assert gdpr.knockout  # P01: patient data in a consumer account
    assert f"Ein K.-o.-Kriterium macht den Bereich kritisch: {gdpr.score}." in body
