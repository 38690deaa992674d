"""The action plan as shared work: generated, edited, ticked off, exported; internal notes stay
inside the consultancy."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.actionplan import services as plan_services
from assessments.models import Action, Report
from assessments.reports.render import report_html
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

SECRET = "INTERN-Kunde zahlt schlecht"


@pytest.fixture
def submitted(questionnaire, org_a, alice, consultant):
    org_a.consultant = consultant
    org_a.save()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, {**COMPLETE, "chatgpt_data": "yes"})
    return services.assessment_submit(assessment=assessment, user=alice)


@pytest.fixture
def action(submitted):
    return submitted.actions.get(key="stop_free")


def test_submit_generates_one_action_per_recommendation(submitted):
    keys = [r["key"] for r in submitted.result.scorecard().to_dict()["recommendations"]]
    assert keys and sorted(submitted.actions.values_list("key", flat=True)) == sorted(keys)
    assert (
        plan_services.actions_generate(
            assessment=submitted, card=submitted.result.scorecard().to_dict()
        )
        == 0
    )
    assert submitted.actions.count() == len(keys)


def test_generated_action_follows_the_reader_language(action):
    from django.utils import translation

    with translation.override("de"):
        german = action.display_title
    with translation.override("en"):
        english = action.display_title
    assert german and english and german != english


def test_client_updates_owner_due_date_and_state(action, alice, bob):
    plan_services.action_update(
        action=action,
        actor=alice,
        fields={"owner": bob, "due_date": date(2027, 3, 1), "state": "in_progress"},
    )
    action.refresh_from_db()
    assert (action.owner, action.due_date, action.state) == (bob, date(2027, 3, 1), "in_progress")
    assert action.updated_by == alice


def test_client_cannot_change_wording_or_internal_note(action, alice):
    with pytest.raises(PermissionDenied):
        plan_services.action_update(action=action, actor=alice, fields={"title": "Anders"})
    with pytest.raises(PermissionDenied):
        plan_services.action_update(action=action, actor=alice, fields={"internal_note": "x"})


def test_not_relevant_needs_a_reason(action, alice):
    with pytest.raises(ValidationError):
        plan_services.action_update(action=action, actor=alice, fields={"state": "not_relevant"})
    plan_services.action_update(
        action=action,
        actor=alice,
        fields={"state": "not_relevant", "state_reason": "Wir nutzen kein ChatGPT mehr."},
    )
    action.refresh_from_db()
    assert action.state == "not_relevant" and action.state_reason.startswith("Wir nutzen")
    plan_services.action_update(action=action, actor=alice, fields={"state": "open"})
    action.refresh_from_db()
    assert action.state_reason == ""


def test_owner_must_belong_to_the_client_or_be_its_consultant(action, alice, charlie, consultant):
    from tests.factories import ConsultantFactory

    with pytest.raises(ValidationError):
        plan_services.action_update(action=action, actor=alice, fields={"owner": charlie})
    with pytest.raises(ValidationError):
        plan_services.action_update(
            action=action, actor=alice, fields={"owner": ConsultantFactory()}
        )
    plan_services.action_update(action=action, actor=alice, fields={"owner": consultant})
    action.refresh_from_db()
    assert action.owner == consultant


def test_the_owner_choices_are_the_client_s_people_and_its_consultant(
    client, submitted, alice, bob, charlie, consultant
):
    """Every "verantwortlich" select of the page (each action's and the new action's) offers
    the client's active members and the consultant in charge, each once, and nobody else."""
    from tests.factories import ConsultantFactory, MembershipFactory, UserFactory

    ConsultantFactory(email="otto@beratung.example", first_name="Otto")  # not in charge
    gone = UserFactory(email="gone@alpha.example", first_name="Gerd", is_active=False)
    MembershipFactory(user=gone, organization=submitted.organization)
    MembershipFactory(user=consultant, organization=submitted.organization)  # also a member
    client.force_login(consultant)

    page = client.get(reverse("actionplan", args=[submitted.pk])).content.decode()

    selects = re.findall(r'<select name="owner".*?</select>', page, flags=re.S)
    assert len(selects) == submitted.actions.count() + 1
    for select in selects:
        people = re.findall(r'<option value="(\d+)"', select)
        assert sorted(people) == sorted(str(u.pk) for u in (alice, bob, consultant))
    assert "otto@" not in page and "Otto" not in page
    assert "Charlie" not in page and "Gerd" not in page


def test_the_edit_forms_are_rendered_once_and_again_when_their_action_changes(
    client, submitted, action, alice, bob, monkeypatch
):
    """Each action's "Bearbeiten" fields are kept rendered under its values, owner choices and
    language: a second view renders none of them, a changed action renders its own again (with
    the new values), and a form with errors is shown as it is."""
    from assessments.actionplan import views as plan_views

    rendered = []
    render = plan_views.render_to_string
    monkeypatch.setattr(
        plan_views,
        "render_to_string",
        lambda name, context, *args, **kwargs: (
            rendered.append(context["form"].auto_id) or render(name, context, *args, **kwargs)
        ),
    )
    url = reverse("actionplan", args=[submitted.pk])
    client.force_login(alice)
    client.get(url)
    assert len(rendered) == submitted.actions.count()
    rendered.clear()

    assert client.get(url).status_code == 200
    assert rendered == []
    plan_services.action_update(
        action=action, actor=alice, fields={"owner": bob, "due_date": date(2027, 5, 3)}
    )
    page = client.get(url).content.decode()
    assert rendered == [f"action-{action.pk}-%s"]
    form = page.split(f'id="action-{action.pk}"', 1)[1].split("</form>", 1)[0]
    assert 'value="2027-05-03"' in form
    assert f'<option value="{bob.pk}" selected>' in form
    with translation.override("en"):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    english_form = english.split(f'id="action-{action.pk}"', 1)[1].split("</form>", 1)[0]
    assert f'for="action-{action.pk}-due_date">due on</label>' in english_form

    response = client.post(reverse("action_update", args=[action.pk]), {"state": "not_relevant"})
    assert response.status_code == 400
    assert "Bitte begründen Sie" in response.content.decode()


def test_the_plan_s_forms_are_styled_like_the_rest_of_the_portal(client, submitted, consultant):
    """Every field of the edit and new-action forms carries Bootstrap's classes (they were once
    bare browser widgets: labels beside tiny inputs, selects without the portal's look)."""
    client.force_login(consultant)
    page = client.get(reverse("actionplan", args=[submitted.pk])).content.decode()

    fields = re.findall(r"<(input|select|textarea)\b([^>]*)>", page)
    shown = [(tag, attrs) for tag, attrs in fields if 'type="hidden"' not in attrs]
    assert len(shown) >= 8 * submitted.actions.count() + 6
    for tag, attrs in shown:
        if 'id="language-switch"' in attrs:
            continue  # the navigation's own select
        css = "form-select" if tag == "select" else "form-control"
        assert f'class="{css} {css}-sm"' in attrs, (tag, attrs)


def test_consultant_rewrites_generated_action(action, consultant):
    plan_services.action_update(
        action=action,
        actor=consultant,
        fields={"title": "Business-Tarif bis März", "text": "Mit Angebot", "priority": 1},
    )
    action.refresh_from_db()
    assert action.display_title == "Business-Tarif bis März" and action.priority == 1
    assert action.key == "stop_free"  # still the generated one


def test_other_client_cannot_touch_the_plan(client, action, charlie, submitted):
    with pytest.raises(PermissionDenied):
        plan_services.action_update(action=action, actor=charlie, fields={"state": "done"})
    client.force_login(charlie)
    for url in (
        reverse("actionplan", args=[submitted.pk]),
        reverse("actionplan_csv", args=[submitted.pk]),
        reverse("actionplan_ics", args=[submitted.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("action_update", args=[action.pk]), {"state": "done"}).status_code
        == 404
    )
    action.refresh_from_db()
    assert action.state == "open"


def test_client_gets_404_on_action_create(client, alice, submitted):
    client.force_login(alice)
    response = client.post(reverse("action_create", args=[submitted.pk]), {"title": "Eigenes"})
    assert response.status_code == 404
    assert not submitted.actions.filter(title="Eigenes").exists()


def test_plan_of_a_draft_is_404(client, questionnaire, org_b, charlie):
    draft = services.assessment_start(organization=org_b, user=charlie).assessment
    client.force_login(charlie)
    assert client.get(reverse("actionplan", args=[draft.pk])).status_code == 404


def test_client_marks_action_done_on_the_web(client, action, alice, submitted):
    client.force_login(alice)
    page = client.get(reverse("actionplan", args=[submitted.pk])).content.decode()
    assert action.display_title in page
    assert 'name="title"' not in page  # no wording fields for clients

    response = client.post(
        reverse("action_update", args=[action.pk]),
        {"state": "done", "owner": alice.pk, "due_date": "2027-01-31", "state_reason": ""},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.state, action.owner, action.due_date) == ("done", alice, date(2027, 1, 31))


def test_bad_input_on_update_is_400_and_changes_nothing(client, action, alice):
    client.force_login(alice)
    response = client.post(
        reverse("action_update", args=[action.pk]),
        {"state": "not_relevant", "due_date": "31.31.2027"},
    )
    assert response.status_code == 400
    assert "nicht relevant ist" in response.content.decode()
    action.refresh_from_db()
    assert action.state == "open" and action.due_date is None


def test_consultant_adds_own_action_which_client_page_and_pdf_show(
    client, submitted, consultant, alice
):
    client.force_login(consultant)
    response = client.post(
        reverse("action_create", args=[submitted.pk]),
        {
            "title": "Exit-Plan für Copilot schreiben",
            "text": "Mit Alternativen",
            "priority": "1",
            "owner": alice.pk,
            "due_date": "2027-02-15",
            "internal_note": SECRET,
        },
    )
    assert response.status_code == 302
    own = submitted.actions.get(title="Exit-Plan für Copilot schreiben")
    assert own.is_own and own.owner == alice and own.internal_note == SECRET

    client.force_login(alice)
    results = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert "Exit-Plan für Copilot schreiben" in results
    html = report_html(Report.objects.create(assessment=submitted, language="de"))
    assert "Exit-Plan für Copilot schreiben" in html


def test_the_results_page_s_plan_is_the_plan_the_pdf_and_the_exports_show(
    submitted, consultant, alice
):
    """The results page reads its rows as plain values; the plan page, the PDF and the exports
    from the actions. The same plan gives the same rows in both languages: a generated action
    with a legal deadline, use cases and an owner, one the consultant rewrote, one with a
    broken legal date, and the consultant's own with a due date."""
    from assessments.actionplan.selectors import plan_for_assessment, plan_rows
    from assessments.results.presentation import dimension_titles

    catalogue = {
        "title": {"de": "Hochrisiko-Pflichten erfüllen", "en": "Meet the high-risk duties"},
        "text": {"de": "Art. 26 KI-VO", "en": "Art. 26 AI Act"},
        "effort": "high",
        "dimension": "ai_act",
        "urgent": True,
        "urgency": "deadline",
        "due": "2027-08-02",
        "use_cases": ["Bewerberprüfung"],
    }
    deadline = Action.objects.create(
        assessment=submitted,
        key="high_risk_duties",
        catalogue=catalogue,
        owner=alice,
        state=Action.State.DONE,
        priority=1,
    )
    rewritten = Action.objects.create(
        assessment=submitted,
        key="rewritten",
        catalogue={**catalogue, "due": "kein Datum"},
        title="Eigener Titel",
        text="Eigener Text",
    )
    Action.objects.create(
        assessment=submitted, title="Exit-Plan", owner=consultant, due_date=date(2027, 3, 1)
    )
    titles = dimension_titles(submitted.questionnaire.document)
    for language in ("de", "en"):
        with translation.override(language):
            read = plan_for_assessment(
                user=consultant, assessment=submitted, dimension_titles=titles
            )
            shown = plan_rows(
                actions=list(Action.objects.filter(assessment=submitted).select_related("owner")),
                dimension_titles=titles,
            )
        assert read == shown
    rows = {row["id"]: row for row in read}  # English, the last language
    assert rows[deadline.pk]["title"] == "Meet the high-risk duties"
    assert rows[deadline.pk]["owner"] == alice.display_name
    assert rows[deadline.pk]["use_cases"] == ["Bewerberprüfung"]
    assert rows[deadline.pk]["legal_due"] and rows[deadline.pk]["urgent"]
    assert (rows[rewritten.pk]["title"], rows[rewritten.pk]["legal_due"]) == ("Eigener Titel", "")
    assert [row["owner"] for row in read if row["own"]] == [consultant.display_name]


def test_own_recommendation_note_becomes_an_action(submitted, consultant):
    services.consultant_note_create(
        assessment=submitted,
        author=consultant,
        data={
            "kind": "recommendation",
            "title": "Schulung buchen",
            "text": "Art. 4",
            "priority": 1,
        },
    )
    assert Action.objects.filter(assessment=submitted, title="Schulung buchen", key="").exists()


def test_internal_notes_never_reach_client_pages_pdf_or_exports(
    client, submitted, action, consultant, alice
):
    plan_services.action_update(
        action=action,
        actor=consultant,
        fields={"internal_note": SECRET, "due_date": date(2027, 5, 1)},
    )
    services.consultant_note_create(
        assessment=submitted,
        author=consultant,
        data={"kind": "internal", "title": "Interner Titel", "text": SECRET, "priority": 2},
    )
    client.force_login(consultant)
    assert SECRET in client.get(reverse("actionplan", args=[submitted.pk])).content.decode()

    client.force_login(alice)
    for url in (
        reverse("assessment_done", args=[submitted.pk]),
        reverse("actionplan", args=[submitted.pk]),
        reverse("actionplan_csv", args=[submitted.pk]),
        reverse("actionplan_ics", args=[submitted.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), url
    # Consultants' exports leave it out as well: an export is made to be handed on.
    client.force_login(consultant)
    for url in (
        reverse("actionplan_csv", args=[submitted.pk]),
        reverse("actionplan_ics", args=[submitted.pk]),
    ):
        assert SECRET not in client.get(url).content.decode()
    html = report_html(Report.objects.create(assessment=submitted, language="de"))
    assert SECRET not in html and "Interner Titel" not in html


def test_csv_export_lists_the_plan_for_german_excel(client, submitted, action, alice):
    plan_services.action_update(
        action=action,
        actor=alice,
        fields={"owner": alice, "due_date": date(2027, 3, 1), "state": "in_progress"},
    )
    client.force_login(alice)
    response = client.get(reverse("actionplan_csv", args=[submitted.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".csv" in response["Content-Disposition"]
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["#", "Maßnahme", "Beschreibung"]
    assert len(rows) == 1 + submitted.actions.count()
    row = next(r for r in rows[1:] if r[1] == action.display_title)
    assert row[6:9] == ["Alice " + alice.last_name, "2027-03-01", "in Arbeit"]


def test_csv_export_defuses_formulas(client, submitted, consultant):
    plan_services.action_create(assessment=submitted, actor=consultant, title="=HYPERLINK(1)")
    client.force_login(consultant)
    text = client.get(reverse("actionplan_csv", args=[submitted.pk])).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_ics_export_has_one_all_day_event_per_due_date(client, submitted, consultant, alice):
    first, second, *_ = list(submitted.actions.all()) + [None, None]
    plan_services.action_create(
        assessment=submitted,
        actor=consultant,
        title="Verträge prüfen; Kündigung, Fristen",
        text="Zeile 1\nZeile 2 " + "x" * 120,
        due_date=date(2027, 2, 15),
    )
    done = plan_services.action_create(
        assessment=submitted, actor=consultant, title="Schon erledigt", due_date=date(2027, 1, 1)
    )
    plan_services.action_update(action=done, actor=consultant, fields={"state": "done"})
    client.force_login(alice)
    response = client.get(reverse("actionplan_ics", args=[submitted.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith(
        "END:VCALENDAR\r\n"
    )
    assert body.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20270215\r\n" in body and "DTEND;VALUE=DATE:20270216\r\n" in body
    assert "SUMMARY:Verträge prüfen\\; Kündigung\\, Fristen\r\n" in body
    assert "SUMMARY:Erledigt: Schon erledigt\r\n" in body  # finished actions stay, as done
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "Zeile 1\\nZeile 2 " + "x" * 120 in unfolded


def test_assigned_scope_limits_owner_choice_and_plan_access(
    settings, client, submitted, action, alice
):
    from tests.factories import ConsultantFactory

    settings.CONSULTANT_SCOPE = "assigned"
    stranger = ConsultantFactory()
    with pytest.raises(ValidationError):
        plan_services.action_update(action=action, actor=alice, fields={"owner": stranger})
    client.force_login(stranger)
    assert client.get(reverse("actionplan", args=[submitted.pk])).status_code == 404
    assert (
        client.post(reverse("action_update", args=[action.pk]), {"state": "done"}).status_code
        == 404
    )


def test_plan_page_query_count_does_not_grow_with_actions(
    client, submitted, consultant, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(consultant)
    url = reverse("actionplan", args=[submitted.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(15):
        plan_services.action_create(assessment=submitted, actor=consultant, title=f"Schritt {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
