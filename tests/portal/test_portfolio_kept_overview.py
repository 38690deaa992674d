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

from portal.models import ClientSummary, ClientSummaryChange
from portal.portfolio import changes
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


@pytest.fixture
def clients(questionnaire, consultant):
    """Two craft businesses and an IT firm, each with a result."""
    made = {
        name: OrganizationFactory(name=name, industry=industry, consultant=consultant)
        for name, industry in (
            ("Schreinerei Holzwurm", "craft"),
            ("Malerbetrieb Farbecht", "craft"),
            ("Softwarehaus Bodensee", "it"),
        )
    }
    for organization in made.values():
        _submit(organization, COMPLETE)
    return made


def _view(client, query=CRAFT) -> tuple[str, bool]:
    """The page's main part, and whether the overview was counted (its statement ran)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + query)
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    counted = any("SUM(CASE WHEN" in query["sql"] for query in captured.captured_queries)
    return main, counted


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
    unseen = changes.Unseen.of("100:105:100,103")
    assert (unseen.xmax, unseen.running) == (105, (100, 103))
    written = ClientSummary.objects.filter(unseen.written("changed_xid"))
    assert " OR " in str(written.query)
    assert changes.Unseen.of("7:7:") == changes.Unseen(7, ())
