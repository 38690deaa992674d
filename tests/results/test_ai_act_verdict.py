"""Results page, action plan and report on catalogue 2027.01 (issue 19): each use case shows its
class, the company's role, its duties with article and date, the legal path and the open question;
the plan follows legal urgency; a company without AI submits; N/A answers show their reason."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.demo import questionnaire_ensure_active
from assessments.models import Action, Report
from assessments.questionnaire.services import answer_save
from assessments.reports.render import report_html
from assessments.results.presentation import citation
from tests.scoring.test_personas import PERSONAS

pytestmark = pytest.mark.django_db


def _submit(org, user, persona):
    questionnaire_ensure_active()
    assessment = services.assessment_start(organization=org, user=user).assessment
    for key, value in PERSONAS[persona].items():
        answer_save(assessment=assessment, user=user, question_key=key, value=value)
    return services.assessment_submit(assessment=assessment, user=user)


def _page(client, user, assessment, **headers) -> str:
    client.force_login(user)
    return client.get(reverse("assessment_done", args=[assessment.pk]), **headers).content.decode()


def test_a_prohibited_row_says_since_when_and_its_plan_stops_it_first(client, org_a, alice):
    education = _submit(org_a, alice, "P18_bildungszentrum")
    body = _page(client, alice, education)

    section = body[body.index('id="h-aiact"') : body.index('id="h-drivers"')]
    assert "verboten seit 2. Februar 2025" in section  # the row's class title
    assert "Art. 5 Abs. 1 Buchst. f" in section
    assert "Rechtlicher Weg" in section and "Anhang III Nr. 3 Buchst. b" in section
    assert "Ihre Rolle" in section and "Betreiber" in section

    plan = body[body.index('id="h-plan"') :]
    first_row = plan[plan.index("<tbody>") :][: plan[plan.index("<tbody>") :].index("</tr>")]
    assert "Verbotene KI-Praktik beenden" in first_row
    assert "zuerst" in first_row and "Rechtswidriges beenden" in first_row
    assert "Aufmerksamkeit im Online-Kurs" in first_row  # the row it is about


def test_the_excepted_stress_detection_shows_its_duties_with_dates_and_no_stop(
    client, org_a, alice
):
    logistics = _submit(org_a, alice, "P19_spedition")
    body = _page(client, alice, logistics)

    section = body[body.index('id="h-aiact"') : body.index('id="h-drivers"')]
    assert "Ausnahme nach Art. 5 Abs. 1 Buchst. f" in section
    assert "Art. 26 Abs. 2, ab 2. Dezember 2027" in section
    assert "Art. 50 Abs. 3, seit 2. August 2026" in section
    assert "Verbotene KI-Praktik beenden" not in body
    assert "sofort beenden" not in body


def test_the_use_case_section_reads_in_english(client, org_a, alice):
    logistics = _submit(org_a, alice, "P19_spedition")
    body = _page(client, alice, logistics, HTTP_ACCEPT_LANGUAGE="en")
    if "Your result" not in body:
        pytest.skip("English catalogue not compiled in this environment")

    section = body[body.index('id="h-aiact"') : body.index('id="h-drivers"')]
    assert "Your duties" in section and "Legal path" in section and "Your role" in section
    assert "Exception under Art. 5(1)(f)" in section
    assert "Art. 26(2), from 2 December 2027" in section
    plan = body[body.index('id="h-plan"') : body.index('id="h-aiact"')]
    assert "Urgency" in plan and "Ordered by legal urgency" in plan
    for german in ("Ihre Pflichten", "Rechtlicher Weg", "Dringlichkeit", "Abs.", "ab 2. Dez"):
        assert german not in body


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Art. 26 Abs. 1, 4 und 5", "Art. 26(1), (4) and (5)"),
        ("Art. 5 Abs. 1 Buchst. a und b", "Art. 5(1)(a) and (b)"),
        (
            "Art. 6 Abs. 2 i. V. m. Anhang III Nr. 1 Buchst. c",
            "Art. 6(2) in conjunction with Annex III point 1(c)",
        ),
        (
            "Art. 6 Abs. 1 i. V. m. Anhang I Abschnitt B Nr. 21",
            "Art. 6(1) in conjunction with Annex I Section B point 21",
        ),
        ("VO (EU) 2023/1230", "Regulation (EU) 2023/1230"),
        ("Art. 24; Art. 23", "Art. 24; Art. 23"),
        (
            "Art. 4 i. d. F. der VO (EU) 2026/1744",
            "Art. 4 as amended by Regulation (EU) 2026/1744",
        ),
        ("Art. 27 Abs. 1, 3 und 4, ErwG 96", "Art. 27(1), (3) and (4), recital 96"),
        ("Art. 26 Abs. 11, Art. 86", "Art. 26(11), Art. 86"),
    ],
)
def test_legal_citations_read_in_the_official_english_style(german, english):
    with translation.override("en"):
        assert citation(german) == english
    with translation.override("de"):
        assert citation(german) == german


def test_an_open_question_is_shown_to_ask(client, org_a, alice, consultant):
    questionnaire_ensure_active()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    answers = {
        **PERSONAS["P17_sportpark"],
        "use_cases": [
            {"name": "Stimmung im Team", "area": "emotion_recognition", "role": "unknown"}
        ],
        "inform_exposed": "informed",
    }
    for key, value in answers.items():
        answer_save(assessment=assessment, user=alice, question_key=key, value=value)
    submitted = services.assessment_submit(assessment=assessment, user=alice)

    body = _page(client, consultant, submitted)
    section = body[body.index('id="h-aiact"') : body.index('id="h-drivers"')]
    assert "möglicherweise verboten" in section
    assert "Prüfen:" in section and "Wessen Gefühle erkennt das System" in section
    plan = body[body.index('id="h-plan"') :]
    assert "Sofort klären, ob ein Einsatz verboten ist" in plan


def test_a_company_without_ai_submits_and_gets_a_coherent_verdict(client, org_a, alice):
    wholesaler = _submit(org_a, alice, "P16_getraenkehandel")
    assert not wholesaler.result.incomplete_answers
    card = wholesaler.result.scorecard()
    assert card.dimension("ai_act").level == "low"
    assert card.use_cases == ()

    body = _page(client, alice, wholesaler)
    assert "Wer (noch) keine KI einsetzt" in body
    assert "Schatten-KI eindämmen" in body


def test_not_applicable_answers_appear_with_their_reason(client, org_a, alice):
    practice = _submit(org_a, alice, "P01_praxis")  # no works council, copyright not applicable
    body = _page(client, alice, practice)
    section = body[body.index('id="h-na"') :]
    assert "Kein Betriebsrat: Die Mitbestimmung nach § 87 BetrVG entfällt." in section
    assert "zählt weder für noch gegen Sie" in section  # the general reason


def test_generated_actions_follow_the_legal_order_and_carry_the_deadline(org_a, alice):
    provider = _submit(org_a, alice, "P15_softwareschmiede")
    actions = list(provider.actions.all())  # Action.Meta.ordering: priority, then card order
    first = actions[0]
    assert first.key == "provider_high_risk_duties"
    assert first.catalogue["urgency"] == "deadline"
    assert first.due_date == dt.date(2027, 12, 2)
    assert first.priority == 2  # deadline band
    assert all(a.catalogue["urgency"] == "risk" and a.priority == 3 for a in actions[1:])
    assert not any(a.catalogue.get("first") for a in actions)  # nothing unlawful or overdue


def test_in_force_duties_come_before_deadlines_in_the_stored_plan(org_a, alice):
    dealer = _submit(org_a, alice, "P14_autohaus")
    keys = [a.key for a in Action.objects.filter(assessment=dealer)]
    assert keys.index("do_dpia") < keys.index("do_fria") < keys.index("fix_oversharing")
    marked = [a.key for a in Action.objects.filter(assessment=dealer) if a.catalogue["first"]]
    assert marked == ["do_dpia", "update_records"]


def test_report_shows_each_rows_legal_path_duties_and_the_plan_order(org_a, alice, consultant):
    education = _submit(org_a, alice, "P18_bildungszentrum")
    report = Report.objects.create(assessment=education, requested_by=consultant, language="de")
    html = report_html(report)
    section = html[html.index("EU AI Act: Ihre KI-Anwendungsfälle") :]
    assert "Rechtlicher Weg" in section
    assert "Art. 5 Abs. 1 Buchst. f" in section and "seit 2. Februar 2025" in section
    assert "Rechtswidriges beenden" in section

    english_report = Report.objects.create(
        assessment=education, requested_by=consultant, language="en"
    )
    english = report_html(english_report)
    assert "Legal path" in english or "Rechtlicher Weg" in english  # .mo may be missing
    assert "prohibited since 2 February 2025" in english
