"""Reminder digests: one e-mail per person with due and overdue actions of the current plan, as
often as the person chose, opt-out honoured, every digest recorded for the consultant."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.actionplan import services as plan_services
from assessments.actionplan.models import Action
from assessments.reminders import services as reminders
from assessments.reminders.models import Frequency, ReminderDigest, ReminderEntry
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

MONDAY = timezone.make_aware(dt.datetime(2027, 3, 1, 6, 30))  # a Monday
TODAY = MONDAY.date()


@pytest.fixture
def plan(questionnaire, org_a, alice, bob, consultant):
    org_a.name = "Müller & Söhne GmbH"
    org_a.consultant = consultant
    org_a.save()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, {**COMPLETE, "chatgpt_data": "yes"})
    assessment = services.assessment_submit(assessment=assessment, user=alice)
    overdue = assessment.actions.get()
    soon = plan_services.action_create(assessment=assessment, actor=consultant, title="AVV ablegen")
    later = plan_services.action_create(
        assessment=assessment, actor=consultant, title="Richtlinie schulen"
    )
    overdue.owner, overdue.due_date = bob, TODAY - dt.timedelta(days=3)
    soon.owner, soon.due_date = bob, TODAY + dt.timedelta(days=2)
    later.owner, later.due_date = bob, TODAY + dt.timedelta(days=30)
    for action in (overdue, soon, later):
        action.save()
    return assessment, overdue, soon, later


def test_one_digest_per_person_with_overdue_first(plan, bob):
    assessment, overdue, soon, later = plan
    assert reminders.reminders_send(now=MONDAY) == 1
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert "1 Maßnahme ist überfällig" in message.subject
    text = message.body
    assert "Müller & Söhne GmbH" in text and "&amp;" not in text  # no HTML escaping in text
    assert text.index(overdue.display_title) < text.index(soon.display_title)
    assert later.display_title not in text
    assert "seit 3 Tagen überfällig" in text
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    html = message.alternatives[0][0]
    assert "Müller &amp; Söhne GmbH" in html  # escaped where it must be
    digest = ReminderDigest.objects.get()
    assert sorted(digest.entries.values_list("overdue", flat=True)) == [False, True]


def test_weekly_is_sent_once_a_week_daily_every_day(plan, bob):
    assert reminders.reminders_send(now=MONDAY) == 1
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(hours=2)) == 0  # run twice
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(days=1)) == 0  # weekly: not Tuesday
    reminders.reminder_setting_save(user=bob, frequency=Frequency.DAILY)
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(days=1)) == 1
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(days=1, hours=1)) == 0
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(days=2)) == 1


def test_opt_out_by_link_is_honoured(client, plan, bob):
    reminders.reminders_send(now=MONDAY)
    url = reminders.unsubscribe_token(bob)
    response = client.post(reverse("reminder_unsubscribe", args=[url]))  # one-click, no login
    assert response.status_code == 200
    assert reminders.frequency_of(bob) == Frequency.NEVER
    mail.outbox.clear()
    assert reminders.reminders_send(now=MONDAY + dt.timedelta(days=7)) == 0
    assert mail.outbox == []
    assert client.post(reverse("reminder_unsubscribe", args=["kaputt"])).status_code == 400


def test_person_chooses_the_frequency(client, bob):
    client.force_login(bob)
    assert client.get(reverse("reminder_settings")).status_code == 200
    response = client.post(reverse("reminder_settings"), {"frequency": "daily"})
    assert response.status_code == 302 and reminders.frequency_of(bob) == "daily"
    assert client.post(reverse("reminder_settings"), {"frequency": "hourly"}).status_code == 200
    assert reminders.frequency_of(bob) == "daily"


def test_unowned_actions_go_to_the_client_owners(plan, alice, bob):
    _, overdue, soon, _ = plan
    overdue.owner = None
    overdue.save()
    reminders.reminders_send(now=MONDAY)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([alice.email, bob.email])


def test_people_are_reminded_a_batch_at_a_time(plan, alice, bob, monkeypatch):
    """The run reads the actions, people and settings of a batch of people at a time (its
    memory does not grow with the portfolio): with one person per batch, each person still gets
    one whole digest of their own."""
    _, overdue, soon, _ = plan
    overdue.owner = None  # the client's owner is reminded of it: alice (bob is a member)
    overdue.save()
    monkeypatch.setattr(reminders, "PEOPLE_PER_BATCH", 1)

    assert reminders.reminders_send(now=MONDAY) == 2

    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert overdue.display_title in by_person[alice.email]
    assert soon.display_title not in by_person[alice.email]
    assert overdue.display_title not in by_person[bob.email]
    assert soon.display_title in by_person[bob.email]
    assert ReminderEntry.objects.count() == 2


def test_an_action_removed_during_the_run_is_left_out(plan, bob, monkeypatch):
    """The run reads who is due first and the actions afterwards: one removed in between (a
    client erased meanwhile) is left out of the digest instead of stopping the run."""
    _, overdue, soon, _ = plan
    read = reminders.due_by_person

    def due_then_removed(*, today):
        due = read(today=today)
        Action.objects.filter(pk=soon.pk).delete()
        return due

    monkeypatch.setattr(reminders, "due_by_person", due_then_removed)

    assert reminders.reminders_send(now=MONDAY) == 1

    [message] = mail.outbox
    assert overdue.display_title in message.body
    assert "AVV ablegen" not in message.body
    assert ReminderEntry.objects.count() == 1


def test_done_actions_and_old_plans_are_not_reminded(plan, alice, bob):
    assessment, overdue, soon, _ = plan
    overdue.state = "done"
    overdue.save()
    newer = services.assessment_start(organization=assessment.organization, user=alice).assessment
    fill(newer, alice, {**COMPLETE, "chatgpt_data": "yes"})
    services.assessment_submit(assessment=newer, user=alice)
    # the old plan's "soon" action is history now; the new plan has no due dates yet
    assert reminders.reminders_send(now=MONDAY) == 0


def test_consultant_sees_what_was_sent_on_the_client_page(client, plan, consultant, alice):
    reminders.reminders_send(now=MONDAY)
    client.force_login(consultant)
    page = client.get(reverse("organization_detail", args=[plan[0].organization_id]))
    body = page.content.decode()
    assert "Gesendete Erinnerungen" in body and plan[1].display_title in body
    client.force_login(alice)
    page = client.get(reverse("organization_detail", args=[plan[0].organization_id]))
    assert "Gesendete Erinnerungen" not in page.content.decode()
    assert ReminderEntry.objects.count() == 2


def test_a_digest_reads_no_query_per_action(plan, bob, consultant):
    """The daily run reads who is due first, then each batch of people's actions once, with
    what a digest names of them: more actions in a person's digest read no more queries (at
    20,000 clients: 70,000 due actions)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.reminders.models import ReminderSetting

    def again():  # the same period's digest once more
        ReminderSetting.objects.update(last_sent_at=None)
        ReminderDigest.objects.all().delete()
        mail.outbox.clear()

    assessment, overdue, soon, later = plan
    assert reminders.reminders_send(now=MONDAY) == 1  # the first one also stores the setting
    again()
    with CaptureQueriesContext(connection) as few:
        assert reminders.reminders_send(now=MONDAY) == 1
    for number in range(4):
        action = plan_services.action_create(
            assessment=assessment, actor=consultant, title=f"Weitere Pflicht {number}"
        )
        action.owner, action.due_date = bob, TODAY + dt.timedelta(days=1)
        action.save()
    again()
    with CaptureQueriesContext(connection) as more:
        assert reminders.reminders_send(now=MONDAY) == 1
    assert len(more) == len(few)
    [message] = mail.outbox
    assert "Weitere Pflicht 3" in message.body and "Müller & Söhne GmbH" in message.body
    assert ReminderEntry.objects.count() == 6  # the overdue one, "AVV ablegen" and four more


def test_a_client_reads_the_digest_in_its_language(plan, bob, org_a):
    """An English-speaking client's people get the digest in English, the catalogue's action
    titles included (they were once resolved in the worker's German)."""
    assessment, overdue, soon, later = plan
    titles = overdue.catalogue["title"]
    assert titles.get("en") and titles["en"] != titles["de"]
    type(org_a).objects.filter(pk=org_a.pk).update(language="en")
    assert reminders.reminders_send(now=MONDAY) == 1
    [message] = mail.outbox
    assert titles["en"] in message.body and titles["de"] not in message.body
    assert titles["en"] in message.alternatives[0][0]
    entry = ReminderEntry.objects.get(action=overdue)
    assert entry.title == titles["en"]  # what the consultant sees was sent
