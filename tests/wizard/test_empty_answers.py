"""An empty list (no box ticked, no row) is no answer: not in progress, review, submit, copy or
scoring. Results already stored with such answers are flagged for consultants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, Result
from assessments.questionnaire.selectors import answers_dict, questionnaire_for
from assessments.questionnaire.services import answer_save
from assessments.results import services as result_services
from assessments.scoring import score
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


def _section(client, draft, key="basics") -> str:
    return client.get(reverse("assessment_section", args=[draft.pk, key])).content.decode()


def _legacy_submitted(draft, user) -> Assessment:
    """A submission from before the fix: the required multi-choice stored as []."""
    fill(draft, user, {key: value for key, value in COMPLETE.items() if key != "chatgpt_data"})
    Answer.objects.filter(assessment=draft, question_key="services").update(value=[])
    draft.status = Assessment.Status.SUBMITTED
    draft.submitted_by = user
    draft.submitted_at = timezone.now()
    draft.save()
    result_services.result_store(assessment=draft)
    return draft


def test_save_and_continue_without_ticking_leaves_the_question_unanswered(client, alice, draft):
    client.force_login(alice)
    client.post(
        reverse("assessment_section", args=[draft.pk, "basics"]),
        {"questionnaire_version": draft.questionnaire_id, "services__present": "1", "go": "next"},
    )

    assert "services" not in answers_dict(draft)
    assert "0 von 4 Pflichtfragen beantwortet" in _section(client, draft)


def test_ticking_and_unticking_removes_the_answer(client, alice, draft):
    client.force_login(alice)
    url = reverse("answer_save", args=[draft.pk, "services"])
    client.post(url, {"services": ["m365_copilot"], "services__present": "1"})
    response = client.post(url, {"services__present": "1"})

    assert response.status_code == 200
    assert "Antwort entfernt" in response.content.decode()
    assert not Answer.objects.filter(assessment=draft, question_key="services").exists()


def test_empty_repeat_group_is_not_stored(alice, draft):
    saved = answer_save(
        assessment=draft, user=alice, question_key="use_cases", value=[{"name": "  "}]
    )

    assert saved is None
    assert "use_cases" not in answers_dict(draft)


def test_stored_empty_list_counts_as_unanswered_in_progress_review_and_submit(client, alice, draft):
    fill(draft, alice)
    Answer.objects.filter(assessment=draft, question_key="services").update(value=[])
    client.force_login(alice)

    progress = questionnaire_for(draft).progress(answers_dict(draft))
    assert "services" in [key for p in progress for key in p.missing]
    assert "Noch 1 Pflichtfrage offen" in (
        client.get(reverse("assessment_review", args=[draft.pk])).content.decode()
    )
    with pytest.raises(services.AssessmentIncomplete) as refused:
        services.assessment_submit(assessment=draft, user=alice)
    assert refused.value.missing == ["services"]


def test_reassessment_does_not_copy_an_empty_list(alice, draft):
    _legacy_submitted(draft, alice)

    second = services.assessment_start(organization=draft.organization, user=alice).assessment

    assert "services" not in answers_dict(second)
    assert "staff" in answers_dict(second)


def test_empty_list_scores_like_no_answer(questionnaire):
    document = questionnaire.document
    answers = {key: value for key, value in COMPLETE.items() if key != "services"}

    assert score(document, {**answers, "services": []}) == score(document, answers)


def test_result_with_empty_required_answer_is_flagged(alice, draft):
    _legacy_submitted(draft, alice)

    assert Result.objects.get(assessment=draft).incomplete_answers is True


def test_complete_result_is_not_flagged(alice, draft):
    fill(draft, alice)
    services.assessment_submit(assessment=draft, user=alice)

    assert Result.objects.get(assessment=draft).incomplete_answers is False


def test_consultant_sees_incomplete_flag_on_results_and_portfolio(client, consultant, alice, draft):
    _legacy_submitted(draft, alice)
    client.force_login(consultant)

    results = client.get(reverse("assessment_done", args=[draft.pk])).content.decode()
    portfolio = client.get(reverse("consultant_dashboard")).content.decode()

    assert "unvollständig beantwortet" in results
    assert "Welche KI-Dienste nutzen Sie?" in results.split("unvollständig beantwortet", 1)[1]
    assert "unvollständig beantwortet" in portfolio


def test_the_unanswered_questions_come_with_the_card_and_only_for_consultants(
    client, consultant, alice, draft
):
    """The list of required questions left empty follows from the frozen answers, so it is kept
    with the card's cached parts: a repeated view reads no answers, and the client never sees
    the list (only the consultant clears it up with them)."""
    _legacy_submitted(draft, alice)
    url = reverse("assessment_done", args=[draft.pk])
    client.force_login(consultant)
    client.get(url)  # builds the card's parts

    with CaptureQueriesContext(connection) as repeated:
        page = client.get(url).content.decode()

    assert "Welche KI-Dienste nutzen Sie?" in page.split("unvollständig beantwortet", 1)[1]
    assert not any("assessments_answer" in q["sql"] for q in repeated.captured_queries)
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert "unvollständig beantwortet" not in page


def test_rescore_keeps_the_incomplete_flag(alice, draft):
    _legacy_submitted(draft, alice)
    Result.objects.update(incomplete_answers=False)  # a hand edit: only --all repairs it

    result_services.results_rescore(all_results=True)

    assert Result.objects.get(assessment=draft).incomplete_answers is True


def test_migration_flags_results_submitted_with_empty_required_answers(alice, draft):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0003_result_incomplete_answers")
    _legacy_submitted(draft, alice)
    Result.objects.update(incomplete_answers=False)

    migration.flag_incomplete_results(apps, None)

    assert Result.objects.get(assessment=draft).incomplete_answers is True
