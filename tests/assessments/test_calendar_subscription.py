"""A calendar app subscribes to the action plan with a personal secret address."""

import re
from datetime import date

import icalendar
import ics
import pytest
import vobject
from django.test import Client
from django.urls import reverse

from assessments.actionplan import services as plan_services
from assessments.models import CalendarSubscription
from portal.models import AuditLog, Membership
from tests.assessments.test_actionplan import submitted  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _subscribe(client, user, assessment) -> str:
    """Sign in, make the address, return its path as the page shows it (once)."""
    client.force_login(user)
    response = client.post(reverse("calendar_subscribe", args=[assessment.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    url = re.search(r'id="calendar-url" type="text" readonly value="([^"]+)"', page).group(1)
    assert url.startswith("http://127.0.0.1:8000/kalender/") and url.endswith(".ics")
    assert "webcal://127.0.0.1:8000/kalender/" in page
    again = client.get(reverse("actionplan", args=[assessment.pk])).content.decode()
    assert url not in again  # shown once; only its hash is stored
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def plan(submitted, consultant):  # noqa: F811
    plan_services.action_create(
        assessment=submitted,
        actor=consultant,
        title="Verträge prüfen;\rKündigung, Fristen",
        text="Zeile 1\nZeile 2",
        due_date=date(2027, 2, 15),
        internal_note="intern: Kunde zahlt spät",
    )
    done = plan_services.action_create(
        assessment=submitted,
        actor=consultant,
        title="AVV unterschrieben",
        due_date=date(2027, 1, 8),
    )
    plan_services.action_update(action=done, actor=consultant, fields={"state": "done"})
    dropped = plan_services.action_create(
        assessment=submitted, actor=consultant, title="Chatbot prüfen", due_date=date(2027, 3, 1)
    )
    plan_services.action_update(
        action=dropped,
        actor=consultant,
        fields={"state": "not_relevant", "state_reason": "kein Chatbot geplant"},
    )
    return submitted


def test_subscribed_feed_reads_in_three_calendar_libraries(client, plan, alice):
    path = _subscribe(client, alice, plan)
    feed = Client().get(path)  # a calendar app: no session
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    body = feed.content
    assert re.search(rb"\r(?!\n)", body) is None  # no bare CR anywhere
    assert b"intern" not in body

    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Verträge prüfen; Kündigung, Fristen",
        "Erledigt: AVV unterschrieben",
        "Nicht relevant: Chatbot prüfen",
    }
    assert events["Verträge prüfen; Kündigung, Fristen"].decoded("DTSTART") == date(2027, 2, 15)
    assert "Zeile 1\nZeile 2" in str(events["Verträge prüfen; Kündigung, Fristen"]["DESCRIPTION"])
    assert str(events["Erledigt: AVV unterschrieben"]["STATUS"]) == "CONFIRMED"
    assert str(events["Nicht relevant: Chatbot prüfen"]["STATUS"]) == "CANCELLED"
    assert str(calendar["X-WR-CALNAME"]) == f"Maßnahmenplan {plan.organization.name}"

    parsed = vobject.readOne(body.decode())
    assert len(parsed.vevent_list) == 3
    assert {e.summary.value for e in parsed.vevent_list} == set(events)

    other = ics.Calendar(body.decode())
    assert {e.name for e in other.events} == set(events)


def test_unchanged_plan_answers_304_and_a_change_shows(client, plan, alice, consultant):
    path = _subscribe(client, alice, plan)
    app = Client()
    first = app.get(path)
    assert app.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    action = plan.actions.get(title="Chatbot prüfen")
    plan_services.action_update(action=action, actor=consultant, fields={"state": "done"})
    changed = app.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and b"Erledigt: Chatbot pr" in changed.content


def test_revoked_replaced_or_foreign_addresses_answer_404(client, plan, alice):
    path = _subscribe(client, alice, plan)
    newer = _subscribe(client, alice, plan)
    assert Client().get(path).status_code == 404  # replaced
    assert Client().get(newer).status_code == 200
    client.post(reverse("calendar_revoke", args=[plan.pk]))
    assert Client().get(newer).status_code == 404
    assert Client().get("/kalender/ausgedacht.ics").status_code == 404
    actions = list(
        AuditLog.objects.filter(actor=alice, action__startswith="calendar.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["calendar.revoke", "calendar.subscribe", "calendar.subscribe"]


def test_leaving_the_company_ends_the_address(client, plan, bob):
    path = _subscribe(client, bob, plan)
    Membership.objects.filter(user=bob).delete()
    assert Client().get(path).status_code == 404


def test_others_cannot_subscribe_to_a_plan_they_do_not_see(client, plan, charlie):
    client.force_login(charlie)
    response = client.post(reverse("calendar_subscribe", args=[plan.pk]))
    assert response.status_code == 404
    assert not CalendarSubscription.objects.exists()


def test_a_consultants_feed_fetch_is_an_audited_read_without_the_token(
    client, plan, consultant, alice
):
    path = _subscribe(client, consultant, plan)
    Client().get(path)
    feed_reads = AuditLog.objects.filter(
        action="consultant.read.actionplan", data__path__startswith="/kalender/"
    )
    entry = feed_reads.get()
    assert entry.actor == consultant and entry.organization == plan.organization
    token = path.removeprefix("/kalender/").removesuffix(".ics")
    assert not [e for e in AuditLog.objects.all() if token in f"{e.target} {e.data}"]
    alice_path = _subscribe(client, alice, plan)
    Client().get(alice_path)
    assert feed_reads.count() == 1  # a client's own fetch is not audited
    assert CalendarSubscription.objects.get(user=alice).last_used_at is not None


def test_robots_keep_calendar_addresses_out(client):
    assert "Disallow: /kalender/" in client.get("/robots.txt").content.decode()
