"""Two people (or two tabs) on one answer: every answer has a version, a save over a newer
answer by someone else is a conflict that writes nothing, and the page shows both values with
the choice to keep either. Overwriting another person's answer is audited."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Answer
from assessments.questionnaire.selectors import answers_dict, questionnaire_for
from assessments.questionnaire.services import (
    AnswerConflict,
    answer_save,
    answer_save_with_progress,
)
from portal.models import AuditLog
from tests.wizard.conftest import fill

pytestmark = pytest.mark.django_db


def _save(user, draft, key, value, version=None, **extra):
    return answer_save(
        assessment=draft,
        user=user,
        question_key=key,
        value=value,
        expected_version=version,
        **extra,
    )


def _post(client, draft, key, data, version):
    return client.post(
        reverse("answer_save", args=[draft.pk, key]),
        {**data, f"{key}__present": "1", f"{key}__version": str(version)},
        HTTP_HX_REQUEST="true",
    )


def test_each_write_gives_the_answer_a_higher_version(alice, draft):
    first = _save(alice, draft, "staff", 3, version=0)
    second = _save(alice, draft, "staff", 4, version=first.version)
    other = _save(alice, draft, "maturity", 2, version=0)

    assert 0 < first.version < second.version < other.version
    assert Answer.objects.get(assessment=draft, question_key="staff").version == second.version


def test_save_over_someone_elses_newer_answer_is_a_conflict_and_writes_nothing(alice, bob, draft):
    shown = _save(alice, draft, "staff", 3, version=0).version
    _save(bob, draft, "staff", 12, version=shown)

    with pytest.raises(AnswerConflict) as raised:
        _save(alice, draft, "staff", 30, version=shown)

    assert raised.value.current.value == 12
    assert raised.value.current.updated_by_id == bob.pk
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 12
    # with the version the conflict named, her value is stored
    _save(alice, draft, "staff", 30, version=raised.value.version)
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 30


def test_the_other_one_saving_the_same_value_is_no_conflict(alice, bob, draft):
    shown = _save(alice, draft, "staff", 3, version=0).version
    _save(bob, draft, "staff", 12, version=shown)

    assert _save(alice, draft, "staff", 12, version=shown).value == 12


def test_an_answer_created_meanwhile_is_a_conflict(alice, bob, draft):
    _save(bob, draft, "staff", 12, version=0)

    with pytest.raises(AnswerConflict):
        _save(alice, draft, "staff", 5, version=0)


def test_a_cleared_and_recreated_answer_never_gets_a_version_shown_before(alice, bob, draft):
    # Alice's page shows Bob's answer; Bob clears it and sets it again; the version differs.
    _save(bob, draft, "maturity", 2, version=0)
    shown = _save(bob, draft, "staff", 12, version=0).version
    _save(bob, draft, "staff", None, version=shown)
    recreated = _save(bob, draft, "staff", 20, version=0)

    assert recreated.version > shown
    with pytest.raises(AnswerConflict):
        _save(alice, draft, "staff", 5, version=shown)


def test_without_a_version_the_later_write_wins(alice, bob, draft):
    _save(bob, draft, "staff", 12, version=0)

    assert _save(alice, draft, "staff", 5).value == 5


def test_autosave_conflict_answers_409_with_both_values_and_both_choices(client, alice, bob, draft):
    shown = _save(alice, draft, "staff", 3, version=0).version
    _save(bob, draft, "staff", 12, version=shown)
    client.force_login(alice)

    response = _post(client, draft, "staff", {"staff": "30"}, shown)

    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="status-staff"' in body and 'role="alert"' in body
    assert "Bob" in body and "„12“" in body and "„30“" in body
    assert "Meine Eingabe speichern" in body and "Gespeicherte Antwort behalten" in body
    assert "<template>" in body  # the question with Bob's value, for "keep his"
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 12


def test_autosave_tells_the_page_the_new_version(client, alice, draft):
    client.force_login(alice)
    response = _post(client, draft, "staff", {"staff": "7"}, 0)

    answer = Answer.objects.get(assessment=draft, question_key="staff")
    body = response.content.decode()
    assert f'name="staff__version" value="{answer.version}" hx-swap-oob="true"' in body


def test_section_page_carries_each_answers_version(client, alice, draft):
    answer = _save(alice, draft, "staff", 7, version=0)
    client.force_login(alice)

    body = client.get(reverse("assessment_section", args=[draft.pk, "basics"])).content.decode()

    assert f'name="staff__version" value="{answer.version}"' in body
    assert 'name="services__version" value="0"' in body


def test_plain_form_conflict_keeps_my_value_shows_theirs_and_saves_mine_on_request(
    client, alice, bob, draft
):
    shown = _save(alice, draft, "staff", 3, version=0).version
    _save(bob, draft, "staff", 12, version=shown)
    client.force_login(alice)
    url = reverse("assessment_section", args=[draft.pk, "basics"])
    form = {"staff__present": "1", "staff": "30", "staff__version": str(shown), "go": "next"}

    response = client.post(url, form)

    assert response.status_code == 409
    body = response.content.decode()
    assert 'value="30"' in body and "„12“" in body
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 12

    conflict = response.context["questions"][2].conflict
    # the form now carries the stored version: sending it again keeps her value
    assert f'name="staff__version" value="{conflict.version}"' in body
    keep_mine = {**form, "staff__version": str(conflict.version), "staff__keep": "mine"}
    del keep_mine["go"]
    response = client.post(url, keep_mine)
    assert response.status_code == 302 and response["Location"] == url
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 30


def test_plain_form_keep_theirs_leaves_the_stored_answer(client, alice, bob, draft):
    shown = _save(alice, draft, "staff", 3, version=0).version
    _save(bob, draft, "staff", 12, version=shown)
    client.force_login(alice)
    url = reverse("assessment_section", args=[draft.pk, "basics"])

    response = client.post(
        url,
        {
            "staff__present": "1",
            "staff": "30",
            "staff__version": str(shown),
            "staff__keep": "theirs",
        },
    )

    assert response.status_code == 302
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 12


def test_adding_a_row_over_someone_elses_newer_list_is_a_conflict(client, alice, bob, draft):
    _save(bob, draft, "use_cases", [{"name": "Angebote schreiben", "area": "code"}], version=0)
    client.force_login(alice)

    response = client.post(
        reverse("repeat_row_add", args=[draft.pk, "use_cases"]),
        {
            "use_cases-rows": "1",
            "use_cases-0-name": "Bewerbungen sichten",
            "use_cases__version": "0",
        },
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert 'value="Bewerbungen sichten"' in body  # what she typed stays
    assert "Angebote schreiben" in body and "Gespeicherte Antwort behalten" in body
    stored = Answer.objects.get(assessment=draft, question_key="use_cases").value
    assert stored == [{"name": "Angebote schreiben", "area": "code"}]


# --- audit (issue 22, item 7) -------------------------------------------------------------------


def test_overwriting_another_members_answer_is_audited_with_who_and_what(alice, bob, draft):
    first = _save(bob, draft, "staff", 12, version=0)
    second = _save(alice, draft, "staff", 30, version=first.version, conflict_resolved=True)

    entry = AuditLog.objects.get(action="answer.overwrite")
    assert entry.actor == alice
    assert entry.organization == draft.organization
    assert entry.target == "staff"
    assert entry.data == {
        "assessment": str(draft.pk),
        "question": "staff",
        "previous_by": bob.pk,
        "previous_version": first.version,
        "version": second.version,
        "before": 12,
        "after": 30,
        "conflict_resolved": True,
    }


def test_correcting_ones_own_answer_or_saving_the_same_value_is_not_audited(alice, bob, draft):
    answer = _save(alice, draft, "staff", 12, version=0)
    answer = _save(alice, draft, "staff", 13, version=answer.version)
    _save(bob, draft, "staff", 13, version=answer.version)

    assert not AuditLog.objects.filter(action="answer.overwrite").exists()


def test_removing_someone_elses_answer_is_audited_and_free_text_only_by_length(alice, bob, draft):
    _save(bob, draft, "notes", "Kundendaten landen in ChatGPT", version=0)
    _save(alice, draft, "notes", None)

    entry = AuditLog.objects.get(action="answer.overwrite")
    assert entry.data["before"] == {"length": 29}
    assert entry.data["after"] is None
    assert "Kundendaten" not in str(entry.data)


# --- the cost of a save -----------------------------------------------------------------------


def test_autosave_reads_and_writes_in_a_fixed_number_of_queries(client, alice, draft):
    """Session, user, second factor, the assessment with the right to edit it, the locked read
    of the stored answer, the write, the progress: never one per stored answer."""
    fill(draft, alice)
    client.force_login(alice)
    version = Answer.objects.get(assessment=draft, question_key="staff").version

    with CaptureQueriesContext(connection) as queries:
        response = _post(client, draft, "staff", {"staff": "5"}, version)

    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(work) == 7, "\n".join(work)
    # the catalogue's document is never read for a save (it is cached per version)
    assert not any('"document"' in sql for sql in statements)


def test_progress_from_the_save_matches_progress_from_every_value(alice, draft):
    fill(draft, alice, {"services": ["chatgpt_free"], "staff": 7})
    # a row from before empty answers were refused
    Answer.objects.create(assessment=draft, question_key="chatgpt_data", value="")
    questionnaire = questionnaire_for(draft)

    light = answer_save_with_progress(
        assessment=draft, user=alice, question_key="maturity", value=3
    ).progress_answers

    assert light["services"] == ["chatgpt_free"]  # a condition reads it
    assert light["staff"] is True and light["maturity"] is True
    assert light["chatgpt_data"] is None
    assert questionnaire.progress(light) == questionnaire.progress(answers_dict(draft))


# --- nothing lost under concurrent saves ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_draft_lose_nothing(questionnaire, org_a, alice, bob):
    draft = services.assessment_start(organization=org_a, user=alice).assessment
    keys = [("staff", 7), ("maturity", 3), ("role", "use"), ("notes", "gleichzeitig")]
    errors = []

    def save(user, key, value):
        try:
            for attempt in range(3):
                _save(user, draft, key, value + attempt if isinstance(value, int) else value)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=save, args=(alice if i % 2 else bob, key, value))
        for i, (key, value) in enumerate(keys)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    stored = dict(Answer.objects.filter(assessment=draft).values_list("question_key", "value"))
    assert stored == {"staff": 9, "maturity": 5, "role": "use", "notes": "gleichzeitig"}
    versions = list(Answer.objects.filter(assessment=draft).values_list("version", flat=True))
    assert len(set(versions)) == len(versions)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_one_shown_version_let_exactly_one_through(
    questionnaire, org_a, alice, bob
):
    draft = services.assessment_start(organization=org_a, user=alice).assessment
    shown = _save(alice, draft, "staff", 1, version=0).version
    outcomes = []

    def save(user, value):
        try:
            _save(user, draft, "staff", value, version=shown)
            outcomes.append(("saved", value))
        except AnswerConflict:
            outcomes.append(("conflict", value))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, v)) for u, v in ((alice, 2), (bob, 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(value for kind, value in outcomes if kind == "saved")
    assert Answer.objects.get(assessment=draft, question_key="staff").value == winner
