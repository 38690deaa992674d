"""Answer-level diff between any two assessments of a client: which answers changed and which
scores moved because of them, on the client page, the comparison page and in the report."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.history.selectors import answer_diff
from assessments.models import Report
from assessments.reports.render import report_html
from tests.factories import ConsultantFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


def _submit(organization, user, answers):
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


@pytest.fixture
def three(questionnaire, org_a, alice, consultant):
    org_a.consultant = consultant
    org_a.save()
    first = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    second = _submit(org_a, alice, {"chatgpt_data": "no"})
    third = _submit(org_a, alice, {"staff": 40})
    return first, second, third


def test_diff_names_changed_answers_and_the_score_moves(three):
    first, second, third = three
    diff = answer_diff(before=first, after=third)
    keys = {row["key"] for row in diff["rows"]}
    assert keys == {"chatgpt_data", "staff"}
    gdpr = next(t for t in diff["totals"] if t["key"] == "gdpr")
    assert gdpr["delta"] == third.result.gdpr - first.result.gdpr
    chatgpt = next(r for r in diff["rows"] if r["key"] == "chatgpt_data")
    assert chatgpt["before"] == "Ja" and chatgpt["now"] == "Nein"
    explained = sum(e["delta"] for r in diff["rows"] for e in r["effects"] if e["key"] == "gdpr")
    assert gdpr["rest"] == gdpr["delta"] - explained


def test_client_page_shows_the_last_change_and_compares_any_two(client, three, alice, charlie):
    first, second, third = three
    client.force_login(alice)
    page = client.get(reverse("organization_detail", args=[first.organization_id]))
    assert "Was sich geändert hat" in page.content.decode()
    compare = client.get(
        reverse("assessment_compare", args=[first.organization_id]),
        {"von": first.pk, "mit": third.pk},
    )
    assert compare.status_code == 200
    assert compare.context["diff"]["before"] == first and compare.context["diff"]["after"] == third
    swapped = client.get(
        reverse("assessment_compare", args=[first.organization_id]),
        {"von": third.pk, "mit": first.pk},
    )
    assert swapped.context["diff"]["before"] == first
    client.force_login(charlie)
    assert (
        client.get(reverse("assessment_compare", args=[first.organization_id])).status_code == 404
    )


def test_the_changed_answers_are_worked_out_once_per_pair_and_language(three):
    """The rows follow from two frozen answer sets: a second diff of the same pair reads no
    answers and scores nothing, and reads the same; another language is worked out anew."""
    first, _second, third = three
    built = answer_diff(before=first, after=third)

    with CaptureQueriesContext(connection) as queries:
        kept = answer_diff(before=first, after=third)

    assert not any("assessments_answer" in q["sql"] for q in queries.captured_queries)
    assert kept["rows"] == built["rows"] and kept["totals"] == built["totals"]
    with translation.override("en"):
        english = answer_diff(before=first, after=third)
    chatgpt = next(r for r in english["rows"] if r["key"] == "chatgpt_data")
    assert (chatgpt["before"], chatgpt["now"]) == ("Yes", "No")


@override_settings(CONSULTANT_SCOPE="assigned")
def test_unassigned_consultant_cannot_compare(client, three):
    client.force_login(ConsultantFactory())
    assert (
        client.get(reverse("assessment_compare", args=[three[0].organization_id])).status_code
        == 404
    )


def test_report_shows_the_changes_since_the_last_assessment(three, consultant):
    first, second, third = three
    report = Report.objects.create(assessment=third, requested_by=consultant)
    html = report_html(report)
    assert "Was sich seit der Bewertung vom" in html
    assert "Geänderte Antworten und ihre Wirkung" in html
    report_first = Report.objects.create(assessment=first, requested_by=consultant)
    assert "Was sich seit der Bewertung vom" not in report_html(report_first)


# --- why the answers one by one do not add up to the move -------------------------------------

# The wizard's catalogue with one knock-out that either of two answers triggers on its own:
# customer data in ChatGPT, or building AI oneself.
EITHER_KNOCKS_OUT = """
knockouts:
  - key: either_answer
    dimension: gdpr
    when:
      any:
        - {q: chatgpt_data, equals: "yes"}
        - {q: role, equals: build}
    title: {de: "Kundendaten in ChatGPT oder eigene KI", en: "Customer data in ChatGPT or own AI"}
    reason: {de: "Jede der beiden Antworten genügt.", en: "Either answer suffices."}
"""


@pytest.fixture
def either_knocks_out(db):
    from tests.conftest import WIZARD_CATALOGUE

    source = WIZARD_CATALOGUE.read_text(encoding="utf-8").replace(
        'key: wizard-test\nversion: "1"', 'key: wizard-test\nversion: "2"'
    )
    version = services.questionnaire_load(source=source + EITHER_KNOCKS_OUT)
    services.questionnaire_publish(version=version)
    services.questionnaire_activate(version=version)
    return version


def test_answers_that_each_trigger_the_same_rule_are_explained_as_overlapping(
    either_knocks_out, org_a, alice
):
    """A consultant's reading, written down first: before, both answers knocked data
    protection out; now neither does. Put back on its own, either answer knocks it out again, so
    each alone seems to explain the whole drop and together they explain about twice what
    happened. The page must say that the two answers trigger the same rule, not leave "+N" of
    unexplained change beside a fall."""
    first = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes", "role": "build"})
    second = _submit(org_a, alice, {"chatgpt_data": "no", "role": "use"})
    diff = answer_diff(before=first, after=second)
    gdpr = next(t for t in diff["totals"] if t["key"] == "gdpr")
    assert gdpr["delta"] < 0 < gdpr["rest"]
    assert "überschneiden sich" in gdpr["rest_note"]
    assert gdpr["rest_note"] in diff["rest_notes"]
    with translation.override("en"):
        english = answer_diff(before=first, after=second)
    assert "overlap" in next(t for t in english["totals"] if t["key"] == "gdpr")["rest_note"]


def test_the_client_page_and_the_report_explain_the_interplay(
    either_knocks_out, org_a, alice, consultant, client
):
    org_a.consultant = consultant
    org_a.save()
    _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes", "role": "build"})
    second = _submit(org_a, alice, {"chatgpt_data": "no", "role": "use"})
    client.force_login(alice)
    page = client.get(reverse("organization_detail", args=[org_a.pk])).content.decode()
    assert "Zusammenwirken" in page and "davon nicht durch einzelne Antworten" not in page
    assert "Datenschutz: Einzeln gerechnet ergeben die geänderten Antworten" in page
    html = report_html(Report.objects.create(assessment=second, requested_by=consultant))
    assert "Datenschutz: Einzeln gerechnet ergeben die geänderten Antworten" in html


@pytest.mark.parametrize(
    ("delta", "explained", "answers_changed", "catalogue_changed", "expected"),
    [
        # the case a consultant read as an error: −70, of which "+71" not by single answers
        (-70, -141, True, False, "überschneiden sich"),
        (40, 90, True, False, "überschneiden sich"),
        # a rule that needs both answers: neither alone moves much
        (-30, -5, True, False, "erst, wenn mehrere Antworten zusammenkommen"),
        (25, 0, True, False, "erst, wenn mehrere Antworten zusammenkommen"),
        (12, 12, True, False, ""),
        # a few points are the rounding of each single effect
        (-33, -31, True, False, ""),
        (4, 0, False, True, ""),
        (12, 5, True, True, "neuere Fassung"),
        (8, 0, False, True, "Keine Antwort hat sich geändert"),
    ],
)
def test_rest_note_names_why(delta, explained, answers_changed, catalogue_changed, expected):
    from assessments.history.selectors import rest_note

    note = rest_note(
        dimension="Datenschutz",
        delta=delta,
        explained=explained,
        answers_changed=answers_changed,
        catalogue_changed=catalogue_changed,
    )
    if not expected:
        assert note == ""
    else:
        assert expected in note and note.startswith("Datenschutz: ")
