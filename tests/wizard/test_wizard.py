import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment
from assessments.questionnaire.presentation import question_view
from assessments.questionnaire.services import AssessmentLocked, answer_save
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


def _answers(assessment) -> dict:
    return dict(assessment.answers.values_list("question_key", "value"))


def test_member_starts_assessment_bound_to_active_version(client, bob, org_a, questionnaire):
    client.force_login(bob)
    response = client.post(reverse("assessment_start", args=[org_a.pk]))

    assessment = Assessment.objects.get()
    assert assessment.questionnaire == questionnaire
    assert assessment.started_by == bob
    assert response["Location"] == reverse("assessment_section", args=[assessment.pk, "basics"])


def test_starting_again_continues_the_open_draft(client, alice, bob, org_a, draft):
    client.force_login(bob)
    response = client.post(reverse("assessment_start", args=[org_a.pk]))

    assert Assessment.objects.count() == 1
    assert str(draft.pk) in response["Location"]


def test_start_without_active_questionnaire_explains(client, alice, org_a):
    client.force_login(alice)
    response = client.post(reverse("assessment_start", args=[org_a.pk]), follow=True)

    assert "noch nicht freigeschaltet" in response.content.decode()
    assert not Assessment.objects.exists()


def test_section_page_shows_progress_and_sections(client, alice, draft):
    client.force_login(alice)
    body = client.get(reverse("assessment_section", args=[draft.pk, "basics"])).content.decode()

    assert "Welche KI-Dienste nutzen Sie?" in body
    assert "0 von 4 Pflichtfragen beantwortet" in body
    assert 'aria-current="page"' in body
    # The conditional question is not asked until its condition holds.
    assert "Geben Mitarbeitende Kundendaten in ChatGPT ein?" not in body


def test_autosave_stores_one_answer_and_records_who(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("answer_save", args=[draft.pk, "services"]),
        {"services": ["chatgpt_free"], "services__present": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Gespeichert um" in response.content.decode()
    answer = Answer.objects.get(assessment=draft, question_key="services")
    assert answer.value == ["chatgpt_free"]
    assert answer.updated_by == alice
    # The dependent question is now rendered, out of band.
    assert 'id="q-chatgpt_data"' in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_resume_shows_saved_answers(client, alice, draft):
    fill(draft, alice, {"services": ["chatgpt_free"], "chatgpt_data": "yes", "staff": 7})
    client.force_login(alice)

    body = client.get(reverse("assessment_section", args=[draft.pk, "basics"])).content.decode()

    assert 'value="chatgpt_free" checked' in body
    assert 'id="chatgpt_data-yes" value="yes" checked' in body
    assert 'value="7"' in body


def test_two_members_editing_different_questions_keep_both(client, alice, bob, draft):
    from django.test import Client

    other = Client()
    client.force_login(alice)
    other.force_login(bob)
    url = lambda key: reverse("answer_save", args=[draft.pk, key])  # noqa: E731

    client.post(url("services"), {"services": ["m365_copilot"], "services__present": "1"})
    other.post(url("maturity"), {"maturity": "4", "maturity__present": "1"})
    client.post(url("staff"), {"staff": "25", "staff__present": "1"})
    other.post(url("role"), {"role": "build", "role__present": "1"})

    rows = {a.question_key: a for a in draft.answers.all()}
    assert {k: a.value for k, a in rows.items()} == {
        "services": ["m365_copilot"],
        "maturity": 4,
        "staff": 25,
        "role": "build",
    }
    assert rows["services"].updated_by == alice
    assert rows["maturity"].updated_by == bob


def test_later_edit_of_same_question_wins(client, alice, bob, draft):
    fill(draft, alice, {"staff": 5})
    fill(draft, bob, {"staff": 9})

    answer = Answer.objects.get(assessment=draft, question_key="staff")
    assert (answer.value, answer.updated_by) == (9, bob)


def test_plain_form_saves_section_and_moves_on(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("assessment_section", args=[draft.pk, "basics"]),
        {
            "questionnaire_version": draft.questionnaire_id,
            "services__present": "1",
            "services": ["m365_copilot"],
            "staff__present": "1",
            "staff": "3",
            "go": "next",
        },
    )

    assert response["Location"] == reverse("assessment_section", args=[draft.pk, "details"])
    assert _answers(draft) == {"services": ["m365_copilot"], "staff": 3}


def test_plain_form_keeps_valid_answers_when_one_is_bad(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("assessment_section", args=[draft.pk, "basics"]),
        {
            "services__present": "1",
            "services": ["m365_copilot"],
            "staff__present": "1",
            "staff": "-4",
            "go": "next",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Bitte geben Sie einen Wert zwischen 0 und 10000 ein." in body
    assert 'role="alert"' in body
    assert _answers(draft) == {"services": ["m365_copilot"]}


def test_multi_choice_unknown_and_none(client, alice, draft):
    client.force_login(alice)
    url = reverse("answer_save", args=[draft.pk, "services"])

    client.post(url, {"services": ["unknown"], "services__present": "1"})
    assert _answers(draft)["services"] == "unknown"
    client.post(url, {"services": ["m365_copilot"], "services__present": "1"})
    assert _answers(draft)["services"] == ["m365_copilot"]


def test_hidden_question_stale_answer_does_not_count(alice, draft):
    fill(draft, alice, {**COMPLETE, "services": ["chatgpt_free"], "chatgpt_data": "yes"})
    fill(draft, alice, {"services": ["m365_copilot"]})

    from assessments.questionnaire.selectors import answers_dict, questionnaire_for

    questionnaire = questionnaire_for(draft)
    answers = answers_dict(draft)
    assert "chatgpt_data" in answers  # kept, in case the client switches back
    assert "chatgpt_data" not in questionnaire.visible(answers)
    assert all(p.complete for p in questionnaire.progress(answers))


def test_review_lists_missing_required_questions_with_links(client, alice, draft):
    fill(draft, alice, {"services": ["m365_copilot"]})
    client.force_login(alice)

    body = client.get(reverse("assessment_review", args=[draft.pk])).content.decode()

    assert "Noch 3 Pflichtfragen offen" in body
    link = reverse("assessment_section", args=[draft.pk, "details"]) + "#q-maturity"
    assert link in body


def test_submit_incomplete_is_refused_and_nothing_locks(client, alice, draft):
    client.force_login(alice)
    response = client.post(reverse("assessment_submit", args=[draft.pk]))

    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.is_draft


def test_submit_locks_and_records_who_and_when(client, alice, draft):
    fill(draft, alice)
    client.force_login(alice)

    response = client.post(reverse("assessment_submit", args=[draft.pk]))

    assert response["Location"] == reverse("assessment_done", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert draft.submitted_by == alice and draft.submitted_at is not None

    locked = client.post(
        reverse("answer_save", args=[draft.pk, "staff"]), {"staff": "99", "staff__present": "1"}
    )
    assert locked.status_code == 409
    assert "Diese Bewertung ist abgeschlossen" in locked.content.decode()
    assert _answers(draft)["staff"] == 12
    with pytest.raises(AssessmentLocked):
        answer_save(assessment=draft, user=alice, question_key="staff", value=1)


def test_reassessment_copies_previous_answers_and_tracks_confirmation(client, alice, draft):
    fill(draft, alice)
    services.assessment_submit(assessment=draft, user=alice)
    client.force_login(alice)

    client.post(reverse("assessment_start", args=[draft.organization_id]), {"copy_previous": "1"})

    second = Assessment.objects.get(status="draft")
    assert second.previous == draft
    assert _answers(second) == _answers(draft)
    assert set(second.answers.values_list("carry", flat=True)) == {"copied"}

    fill(second, alice, {"staff": 12, "maturity": 5})
    carries = dict(second.answers.values_list("question_key", "carry"))
    assert carries["staff"] == "confirmed"
    assert carries["maturity"] == "changed"
    assert carries["role"] == "copied"


def test_reassessment_without_copy_starts_empty(client, alice, draft):
    fill(draft, alice)
    services.assessment_submit(assessment=draft, user=alice)
    client.force_login(alice)

    client.post(reverse("assessment_start", args=[draft.organization_id]), {"copy_previous": "0"})

    assert not Assessment.objects.get(status="draft").answers.exists()


def test_repeat_group_add_row_and_save(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("repeat_row_add", args=[draft.pk, "use_cases"]),
        {
            "use_cases-rows": "1",
            "use_cases-0-name": "Bewerbungen sichten",
            "use_cases-0-area": "hr",
        },
    )

    assert response.status_code == 200
    assert _answers(draft)["use_cases"] == [{"name": "Bewerbungen sichten", "area": "hr"}]
    assert 'name="use_cases-1-name"' in response.content.decode()


def test_repeat_group_with_too_many_rows_is_refused(client, alice, draft):
    client.force_login(alice)
    data = {"use_cases-rows": "4", "use_cases__present": "1"}
    for i in range(4):
        data[f"use_cases-{i}-name"] = f"Fall {i}"
    response = client.post(reverse("answer_save", args=[draft.pk, "use_cases"]), data)

    assert response.status_code == 400
    assert "Höchstens 3 Einträge sind möglich." in response.content.decode()
    assert "use_cases" not in _answers(draft)


def test_locked_message_follows_the_language_of_the_request(client, alice, draft):
    fill(draft, alice)
    services.assessment_submit(assessment=draft, user=alice)
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.post(
        reverse("answer_save", args=[draft.pk, "staff"]), {"staff": "3", "staff__present": "1"}
    )

    assert response.status_code == 409
    assert "This assessment is complete" in response.content.decode()


def test_a_row_select_groups_its_options_as_the_catalogue_does():
    question = {
        "key": "use_cases",
        "type": "repeat_group",
        "text": {"de": "Einsatzzwecke"},
        "fields": [
            {
                "key": "purpose",
                "type": "single_choice",
                "text": {"de": "Wofür?"},
                "options": [
                    {"key": "letters", "label": {"de": "Briefe"}, "group": {"de": "Texte"}},
                    {"key": "code", "label": {"de": "Code"}, "group": {"de": "Texte"}},
                    {"key": "hr", "label": {"de": "Bewerbungen"}, "group": {"de": "Personal"}},
                    {"key": "other", "label": {"de": "Sonstiges"}},
                ],
            }
        ],
    }
    view = question_view(question, value=[{"purpose": "hr"}])

    html = render_to_string("assessments/_question.html", {"q": view, "sandbox": True})

    select = html[
        html.index('<select class="form-select form-select-sm" id="use_cases-0-purpose"') :
    ]
    select = select[: select.index("</select>")]
    assert select.count("<optgroup") == 2
    texts = select[select.index('<optgroup label="Texte">') : select.index("</optgroup>")]
    assert 'value="letters"' in texts and 'value="code"' in texts and 'value="hr"' not in texts
    personal = select[select.index('<optgroup label="Personal">') :]
    assert '<option value="hr" selected>' in personal
    assert select.rindex('value="other"') > select.rindex("</optgroup>")
