"""A filtered overview (counts, heat map, attention list) is kept across changes to clients it
does not count, and counted again after a change to one it counts, before or after the change
(``portal.portfolio.changes``). PostgreSQL only: the change log needs transaction ids; on
SQLite every change to the summaries counts the overview again (tests/portal/
test_portfolio_cache.py)."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.review.services import review_transition
from portal.models import ClientSummary, ClientSummaryChange, Organization
from portal.portfolio import changes, selectors
from portal.privacy.erasure import erasure_request, organization_erase
from portal.tasks import summary_changes_prune
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.portal.test_portfolio import _submit
from tests.wizard.conftest import COMPLETE

# committed for real, as the portal writes: inside one test transaction every row would carry
# the transaction of the count itself
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the change log needs PostgreSQL"),
]

URL = reverse("consultant_dashboard")
CRAFT = "?industry=craft"


@pytest.fixture(autouse=True)
def _steady_clock(monkeypatch):
    import portal.portfolio.views as views

    slot = views._time_slot()
    monkeypatch.setattr(views, "_time_slot", lambda: slot)


# no dimension critical (the wizard's catalogue: no Microsoft lock-in, well prepared)
CALM = {**COMPLETE, "services": ["chatgpt_free"], "maturity": 5}


@pytest.fixture
def clients(questionnaire, consultant):
    """Two craft businesses (critical) and a calm IT firm, each with a result."""
    made = {}
    for name, industry, answers in (
        ("Schreinerei Holzwurm", "craft", COMPLETE),
        ("Malerbetrieb Farbecht", "craft", COMPLETE),
        ("Softwarehaus Bodensee", "it", CALM),
    ):
        made[name] = OrganizationFactory(name=name, industry=industry, consultant=consultant)
        _submit(made[name], answers)
    return made


def _view(client, query=CRAFT) -> tuple[str, bool]:
    """The page's main part, and whether the overview was counted (its statement ran: a
    filter's sums, or the whole portfolio's stored figures and live counts)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + query)
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    counted = any(
        "SUM(CASE WHEN" in query["sql"] or "live:unassigned" in query["sql"]
        for query in captured.captured_queries
    )
    return main, counted


def _attention(page: str) -> str:
    return page.split('id="h-attention"', 1)[1].split("</section>", 1)[0]


def _rename(organization, name):
    organization.name = name
    organization.save(update_fields=["name"])  # refreshes its summary row


def test_the_trigger_is_there():
    assert changes.installed() == changes.expected() == [changes.TRIGGER]


def test_a_change_to_a_client_outside_the_filter_keeps_the_overview(client, consultant, clients):
    client.force_login(consultant)
    before, counted = _view(client)
    assert counted and "2 Kunden in dieser Auswahl" in before

    _rename(clients["Softwarehaus Bodensee"], "Softwarehaus Überlingen")

    after, counted = _view(client)
    assert not counted  # the summaries changed, but none of a craft business
    assert "2 Kunden in dieser Auswahl" in after
    # the whole portfolio is counted again (from the stored figures) and shows the new name
    assert "Softwarehaus Überlingen" in _view(client, "")[0]


def test_a_change_to_a_client_inside_the_filter_counts_again(client, consultant, clients):
    client.force_login(consultant)
    _view(client)
    _rename(clients["Schreinerei Holzwurm"], "Schreinerei Hobelspan")
    after, counted = _view(client)
    assert counted and "Schreinerei Hobelspan" in after


def test_a_client_leaving_or_joining_the_filter_is_counted(client, consultant, clients):
    client.force_login(consultant)
    _view(client)
    leaving = clients["Malerbetrieb Farbecht"]
    leaving.industry = "it"  # matches the filter before the change only: the logged old row
    leaving.save(update_fields=["industry"])
    after, counted = _view(client)
    assert counted and "1 Kunde in dieser Auswahl" in after

    joining = clients["Softwarehaus Bodensee"]
    joining.industry = "craft"  # matches after the change only: the row as it is now
    joining.save(update_fields=["industry"])
    after, counted = _view(client)
    assert counted and "2 Kunden in dieser Auswahl" in after


def test_an_erased_client_leaves_the_count_and_the_log(client, consultant, clients):
    """Erased, a client leaves the count at once, and the log keeps neither its name nor its
    earlier values: only the empty mark of the deletion."""
    client.force_login(consultant)
    erased = clients["Schreinerei Holzwurm"]
    erased_id = erased.pk
    _rename(erased, "Schreinerei Holzwurm & Söhne")  # logs the row as it was
    _view(client)
    owner = UserFactory()
    MembershipFactory(user=owner, organization=erased, role="owner")
    request = erasure_request(organization=erased, user=owner)
    organization_erase(request=request)

    after, counted = _view(client)
    assert counted and "1 Kunde in dieser Auswahl" in after
    left = ClientSummaryChange.objects.filter(organization_id=erased_id)
    assert list(left.values_list("deleted", "name", "industry", "worst_level")) == [
        (True, "", "", "")
    ]


def test_any_deletion_counts_a_name_search_again(client, consultant, clients):
    """The deletion's mark has no values to match a filter: it counts every kept overview
    again."""
    client.force_login(consultant)
    _view(client, "?q=Schreinerei")
    ClientSummary.objects.filter(name="Schreinerei Holzwurm").delete()
    after, counted = _view(client, "?q=Schreinerei")
    assert counted and "0 Kunden in dieser Auswahl" in after


def test_writing_the_same_values_again_is_no_change(clients):
    summary = ClientSummary.objects.get(name="Schreinerei Holzwurm")
    logged = ClientSummaryChange.objects.count()
    ClientSummary.objects.filter(pk=summary.pk).update(industry="craft")
    assert ClientSummaryChange.objects.count() == logged
    ClientSummary.objects.filter(pk=summary.pk).update(industry="retail")
    assert ClientSummaryChange.objects.count() == logged + 1
    assert ClientSummary.objects.get(pk=summary.pk).changed_xid is not None


def test_a_change_committed_while_the_overview_was_counted_is_seen(client, consultant, clients):
    """Another connection renames a craft business and commits only after this one counted the
    overview without it: the next view must count again, although the change's transaction
    began before the count (its id is below every later one)."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    try:
        table = ClientSummary._meta.db_table
        organization = clients["Schreinerei Holzwurm"]
        with other.cursor() as cursor:  # a transaction begins, uncommitted
            cursor.execute(
                f'UPDATE "{table}" SET name = %s WHERE organization_id = %s',  # noqa: S608
                ["Schreinerei Hobelspan", organization.pk],
            )
        client.force_login(consultant)
        before, counted = _view(client)
        assert counted and "Schreinerei Hobelspan" not in before
        other.commit()
        after, counted = _view(client)
        assert counted and "Schreinerei Hobelspan" in after
    finally:
        other.close()


def test_the_log_is_pruned_after_an_hour(clients):
    ClientSummaryChange.objects.update(at=Now() - changes.KEEP * 2)  # what was logged so far
    aged = ClientSummaryChange.objects.count()
    assert aged
    _rename(clients["Schreinerei Holzwurm"], "Schreinerei Hobelspan")
    assert summary_changes_prune() == aged
    assert list(ClientSummaryChange.objects.values_list("name", flat=True)) == [
        "Schreinerei Holzwurm"
    ]


def test_a_missing_trigger_counts_every_time_and_shows_in_healthz(
    client, consultant, clients, caplog, settings
):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{changes.TRIGGER}" ON "{ClientSummary._meta.db_table}"')
    changes.forget()
    client.force_login(consultant)
    with caplog.at_level("ERROR", logger="portal.portfolio.changes"):
        _view(client)
    assert changes.TRIGGER in caplog.text
    _rename(clients["Softwarehaus Bodensee"], "Softwarehaus Überlingen")
    _after, counted = _view(client)
    assert counted  # without the log, any change to the summaries counts again

    settings.HEALTHZ_TOKEN = "geheim"
    health = client.get("/healthz", headers={"x-health-token": "geheim"})
    assert health.json()["checks"]["portfolio_changes"]["missing"] == [changes.TRIGGER]

    call_command("migrate", verbosity=0)
    changes.forget()
    assert changes.missing() == []


def test_a_snapshot_names_the_transactions_it_did_not_see():
    unseen = changes.Unseen.of("100:105:100,103:104")
    assert (unseen.xmax, unseen.running) == (105, (100, 103, 104))
    written = ClientSummary.objects.filter(unseen.written("changed_xid"))
    assert " OR " in str(written.query)
    assert changes.Unseen.of("7:7::") == changes.Unseen(7, ())


def test_a_change_in_the_counting_transaction_itself_is_unseen(consultant, clients, client):
    """A transaction that counted the overview and then writes a summary row (a script, a
    test) has seen its own earlier writes but not the later one: its own id is unseen."""
    from django.db import transaction

    client.force_login(consultant)
    with transaction.atomic():
        ClientSummary.objects.filter(name="Malerbetrieb Farbecht").update(industry="craft2")
        _view(client)
        ClientSummary.objects.filter(name="Malerbetrieb Farbecht").update(industry="craft")
        after, counted = _view(client)
    assert counted and "2 Kunden in dieser Auswahl" in after


# --- the whole portfolio ---------------------------------------------------------------------


def test_the_whole_portfolio_is_kept_across_a_change_to_a_client_without_a_reason(
    client, consultant, clients
):
    """The whole portfolio shows stored figures (a counter of their own) and the clients with a
    reason for attention: a client that is in review, assigned, not critical and recent has
    none, so its rename changes neither."""
    quiet = clients["Softwarehaus Bodensee"]
    review_transition(assessment=quiet.assessments.get(), to_state="in_review", actor=consultant)
    client.force_login(consultant)
    before, counted = _view(client, "")
    assert counted and "Softwarehaus Bodensee" not in _attention(before)

    _rename(quiet, "Softwarehaus Überlingen")

    after, counted = _view(client, "")
    assert not counted
    assert "Softwarehaus Überlingen" in after  # the table's rows are read on every build
    assert _attention(after) == _attention(before)


def test_the_whole_portfolio_counts_again_after_a_change_to_a_client_with_a_reason(
    client, consultant, clients
):
    """The craft businesses are critical (and new): on the attention list."""
    client.force_login(consultant)
    before, _counted = _view(client, "")
    assert "Schreinerei Holzwurm" in _attention(before)
    _rename(clients["Schreinerei Holzwurm"], "Schreinerei Hobelspan")
    after, counted = _view(client, "")
    assert counted and "Schreinerei Hobelspan" in _attention(after)


def test_a_claim_by_a_colleague_moves_the_live_count(client, consultant, clients):
    """A client without consultant is counted live ("ohne Betreuer"): a change of its
    consultant is a change to a row with that reason, before or after."""
    quiet = clients["Softwarehaus Bodensee"]
    review_transition(assessment=quiet.assessments.get(), to_state="in_review", actor=consultant)
    client.force_login(consultant)
    _view(client, "")
    quiet.consultant = None
    quiet.save(update_fields=["consultant"])
    after, counted = _view(client, "")
    assert counted and "Softwarehaus Bodensee" in _attention(after)


def test_what_the_whole_portfolio_shows_besides_its_figures(clients, consultant):
    """With room for one client on the attention list, a change to another client is seen only
    when it touches a reason, the order or the list's own client."""
    from assessments.review.services import review_transition as review

    def overview():
        summary, items, unseen = selectors.portfolio_overview_stored(limit=1)
        return items, unseen

    def changed(items, unseen):
        return selectors.portfolio_whole_changed(unseen=unseen, items=items, limit=1)

    items, unseen = overview()
    (listed,) = items
    other = next(
        o for o in clients.values() if o.pk != listed.pk and o.name != "Softwarehaus Bodensee"
    )
    ClientSummary.objects.filter(pk=other.pk).update(next_due=timezone.localdate())
    assert not changed(items, unseen)  # a due date: not shown above the table
    _rename(other, "Umbenannt GmbH")
    assert not changed(items, unseen)  # not listed, and it does not tie with the listed one

    items, unseen = overview()
    _rename(Organization.objects.get(pk=items[0].pk), "Gelistet GmbH")
    assert changed(items, unseen)  # the list names it

    items, unseen = overview()
    review(assessment=other.assessments.get(), to_state="in_review", actor=consultant)
    assert changed(items, unseen)  # no longer new: a reason moved

    items, unseen = overview()
    OrganizationFactory(name="Neu am See GmbH")
    assert changed(items, unseen)  # a new client
