"""The consultant's task list across clients: current plans only, overdue first, filters and
sort in the URL, paginated without counting every client, saved filters (also on the portfolio),
CONSULTANT_SCOPE respected."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.actionplan import services as plan_services
from assessments.worklist.models import SavedFilter
from tests.factories import ConsultantFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(organization, user, consultant, titles_due):
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, {**COMPLETE, "chatgpt_data": "yes"})
    assessment = services.assessment_submit(assessment=assessment, user=user)
    for title, days in titles_due:
        action = plan_services.action_create(
            assessment=assessment, actor=consultant, title=title, priority=2
        )
        if days is not None:
            action.due_date = TODAY + dt.timedelta(days=days)
            action.save()
    return assessment


@pytest.fixture
def two_clients(questionnaire, org_a, org_b, alice, charlie, consultant):
    other = ConsultantFactory(email="otto@beratung.example")
    org_a.consultant, org_b.consultant = consultant, other
    org_a.save()
    org_b.save()
    _plan(org_a, alice, consultant, [("A bald", 5), ("A überfällig", -2), ("A ohne Datum", None)])
    _plan(org_b, charlie, other, [("B überfällig", -10), ("B später", 40)])
    return consultant, other


def _titles(response):
    return [a.display_title for a in response.context["tasks"]]


def test_overdue_first_across_clients(client, two_clients):
    consultant, _ = two_clients
    client.force_login(consultant)
    response = client.get(reverse("task_list"))
    titles = _titles(response)
    assert titles[:2] == ["B überfällig", "A überfällig"]
    assert titles.index("A bald") < titles.index("B später") < titles.index("A ohne Datum")
    assert response.context["overdue"] == 2


def test_filters_and_sort_live_in_the_url(client, two_clients):
    consultant, _ = two_clients
    client.force_login(consultant)
    assert _titles(client.get(reverse("task_list"), {"due": "overdue"})) == [
        "B überfällig",
        "A überfällig",
    ]
    assert "B später" not in _titles(client.get(reverse("task_list"), {"mine": "1"}))
    assert _titles(client.get(reverse("task_list"), {"q": "ohne"})) == ["A ohne Datum"]
    bad = client.get(reverse("task_list"), {"due": "gestern", "sort": "x", "page": "zwei"})
    assert bad.status_code == 200


def test_old_plans_and_done_actions_are_not_listed(client, two_clients, org_a, alice):
    consultant, _ = two_clients
    _plan(org_a, alice, consultant, [("A neu", 3)])
    client.force_login(consultant)
    titles = _titles(client.get(reverse("task_list")))
    assert "A neu" in titles and "A bald" not in titles


@override_settings(CONSULTANT_SCOPE="assigned")
def test_assigned_scope_lists_only_own_clients(client, two_clients):
    consultant, other = two_clients
    client.force_login(other)
    titles = _titles(client.get(reverse("task_list")))
    assert titles and all(t.startswith("B") for t in titles if t.startswith(("A ", "B ")))
    assert not any(t.startswith("A ") for t in titles)


def test_clients_get_404(client, two_clients, alice):
    client.force_login(alice)
    assert client.get(reverse("task_list")).status_code == 404
    assert (
        client.post(reverse("saved_filter_create"), {"page": "tasks", "name": "x"}).status_code
        == 404
    )


def test_pages_without_counting_everything(client, two_clients, monkeypatch):
    from assessments.worklist import filters, selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(filters, "PAGE_SIZE", 2)
    consultant, _ = two_clients
    client.force_login(consultant)
    first = client.get(reverse("task_list"))
    assert len(first.context["tasks"]) == 2 and first.context["next_query"] == "page=2"
    second = client.get(reverse("task_list"), {"page": 2})
    assert second.context["prev_query"] == ""  # page 1 has no parameter
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("task_list"), {"page": 2})
    assert len(queries) <= 12
    assert not any("COUNT(*)" in q["sql"] and "LIMIT" not in q["sql"] for q in queries)


def test_saved_filters_on_task_list_and_portfolio(client, two_clients):
    consultant, other = two_clients
    client.force_login(consultant)
    response = client.post(
        reverse("saved_filter_create"),
        {"page": "tasks", "name": "Überfällig bei mir", "query": "due=overdue&mine=1&page=3"},
    )
    saved = SavedFilter.objects.get()
    assert saved.query == "due=overdue&mine=1"
    assert response["Location"] == reverse("task_list") + "?due=overdue&mine=1"
    page = client.get(reverse("task_list")).content.decode()
    assert "Überfällig bei mir" in page
    client.post(
        reverse("saved_filter_create"),
        {"page": "portfolio", "name": "Kritisch", "query": "level=critical"},
    )
    dashboard = client.get(reverse("consultant_dashboard")).content.decode()
    assert "Kritisch" in dashboard and "level=critical" in dashboard
    client.force_login(other)
    assert "Kritisch" not in client.get(reverse("consultant_dashboard")).content.decode()
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    client.force_login(consultant)
    client.post(reverse("saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_task_list_reads_are_audited(client, two_clients):
    from portal.models import AuditLog

    consultant, _ = two_clients
    client.force_login(consultant)
    client.get(reverse("task_list"))
    assert AuditLog.objects.filter(action="consultant.read.tasks", actor=consultant).exists()


@pytest.mark.parametrize("sort", ["priority", "client", "updated"])
def test_every_sort_keeps_the_overdue_ones_first(client, two_clients, sort):
    from assessments.actionplan.models import Action

    consultant, _ = two_clients
    # the overdue ones rank last by priority and were updated first: only "overdue first"
    # puts them at the top
    Action.objects.filter(title__endswith="überfällig").update(
        priority=3, updated_at=timezone.now() - dt.timedelta(days=30)
    )
    Action.objects.exclude(title__endswith="überfällig").update(priority=1)
    client.force_login(consultant)
    titles = [t for t in _titles(client.get(reverse("task_list"), {"sort": sort})) if t[1] == " "]
    assert set(titles[:2]) == {"A überfällig", "B überfällig"}
    assert set(titles[2:]) == {"A bald", "A ohne Datum", "B später"}
    if sort == "client":  # then by the client's name
        assert titles[:2] == ["A überfällig", "B überfällig"]


def test_rows_read_no_query_of_their_own(client, two_clients, org_a, alice):
    """A row shows its client, owner and state from the page's queries: more rows (with owners)
    read no more queries."""
    from assessments.actionplan.models import Action

    consultant, _ = two_clients
    client.force_login(consultant)
    client.get(reverse("task_list"))  # the read audit is written once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("task_list"))
    assessment = Action.objects.filter(title="A bald").get().assessment
    for number in range(6):
        plan_services.action_create(
            assessment=assessment, actor=consultant, title=f"Weitere {number}", priority=2
        )
    Action.objects.filter(assessment=assessment).update(owner=alice)
    with CaptureQueriesContext(connection) as more:
        response = client.get(reverse("task_list"))
    assert len(more) == len(few)
    page = response.content.decode()
    assert alice.display_name in page and org_a.name in page and "Weitere 5" in page
    assert "offen" in page  # the state's label


@pytest.mark.parametrize("size", [1, 2, 3, 4])
@pytest.mark.parametrize("sort", ["priority", "updated", "client"])
def test_pages_run_across_the_overdue_ones_into_the_rest(
    client, two_clients, monkeypatch, sort, size
):
    """Sorted by priority or last change, the overdue ones and the rest are read apart (each
    walks an index): paging through them gives every task once, overdue first, in order."""
    from assessments.worklist import filters, selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", size)
    monkeypatch.setattr(filters, "PAGE_SIZE", size)
    consultant, _ = two_clients
    client.force_login(consultant)
    whole = []
    for page in range(1, 10):
        response = client.get(reverse("task_list"), {"sort": sort, "page": page})
        whole += _titles(response)
        if not response.context["next_query"]:
            break
    mine = [t for t in whole if t[1] == " "]
    assert len(mine) == len(set(mine)) == 5
    assert set(mine[:2]) == {"A überfällig", "B überfällig"}
    monkeypatch.setattr(selectors, "PAGE_SIZE", 50)
    monkeypatch.setattr(filters, "PAGE_SIZE", 50)
    assert _titles(client.get(reverse("task_list"), {"sort": sort})) == whole  # the same order
