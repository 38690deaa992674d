"""The portfolio's stored figures (issue 20): every client's summary row and the counts over them
follow each write in its own transaction, the whole-portfolio view read from them equals the
view counted over every client, and a colleague's change is on the next view."""

from datetime import UTC, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from assessments.actionplan.models import Action
from assessments.actionplan.services import action_update
from assessments.models import Assessment, Report, Result
from assessments.results import services as result_services
from assessments.review.services import review_transition
from portal.models import ClientSummary, Industry, Organization
from portal.portfolio import selectors
from portal.portfolio.filters import PortfolioFilter
from portal.portfolio.seed import portfolio_seed
from portal.portfolio.summary import client_summaries_refresh, figures, figures_recount
from tests.factories import ConsultantFactory, OrganizationFactory
from tests.portal.test_portfolio import RISKY, _submit
from tests.wizard.conftest import COMPLETE

pytestmark = pytest.mark.django_db

URL = reverse("consultant_dashboard")


def _stored_equals_recount():
    assert {key: value for key, value in figures().items() if value} == figures_recount()


def _summary_is_fresh(organization):
    stored = ClientSummary.objects.get(pk=organization.pk)
    client_summaries_refresh(organization_ids=[organization.pk])  # what the sources say now
    assert ClientSummary.objects.get(pk=organization.pk).__dict__ | {"_state": None} == (
        stored.__dict__ | {"_state": None}
    )


def test_whole_portfolio_from_stored_figures_equals_the_count_over_every_client(
    questionnaire, consultant
):
    portfolio_seed(organizations=40, assessments=90, consultants=3, seed=7)
    failed = Assessment.objects.filter(status="submitted").first()
    Report.objects.create(assessment=failed, status=Report.Status.FAILED)
    clients = selectors.portfolio_counted(user=consultant, filters=PortfolioFilter())

    stored = selectors.portfolio_overview_stored()
    counted = selectors.portfolio_overview(clients)

    assert stored[0] == counted[0]
    assert [(a.pk, a.reasons) for a in stored[1]] == [(a.pk, a.reasons) for a in counted[1]]
    assert stored[0]["attention_counts"]["reports"] >= 1
    _stored_equals_recount()


def test_clients_with_failing_reports_lead_the_stored_attention_list(questionnaire, consultant):
    """The failing clients' part is compiled once per number of clients and filled with their
    ids: another set of the same size must name the other clients, newest submission first."""
    portfolio_seed(organizations=30, assessments=60, consultants=2, seed=11)
    submitted = list(
        Assessment.objects.filter(status="submitted", organization__latest_result__isnull=False)
        .filter(pk=F("organization__latest_result__assessment"))
        .order_by("-submitted_at")
    )
    clients = selectors.portfolio_counted(user=consultant, filters=PortfolioFilter())

    def failing(assessments):
        Report.objects.all().delete()
        for assessment in assessments:
            Report.objects.create(assessment=assessment, status=Report.Status.FAILED)
        stored = selectors.portfolio_overview_stored()
        counted = selectors.portfolio_overview(clients)
        assert [(a.pk, a.reasons) for a in stored[1]] == [(a.pk, a.reasons) for a in counted[1]]
        return [item.pk for item in stored[1] if "reports" in item.reasons]

    first, second = submitted[:3], submitted[3:6]
    assert failing(first) == [a.organization_id for a in first]
    assert failing(second) == [a.organization_id for a in second]


def test_more_failing_clients_than_the_list_names(questionnaire, consultant):
    """The stored path reads only the first ``limit`` clients with a failing report and their
    count: with more of them than the list holds, count and list still equal the counted path."""
    portfolio_seed(organizations=12, assessments=20, consultants=2, seed=13)
    latest = Assessment.objects.filter(status="submitted").filter(
        pk=F("organization__latest_result__assessment")
    )
    for assessment in latest:
        Report.objects.create(assessment=assessment, status=Report.Status.FAILED)
    limit = 4
    assert latest.count() > limit
    # each report carries its assessment's client (Report.save), as the dashboard reads it
    assert not Report.objects.exclude(organization_id=F("assessment__organization_id")).exists()
    clients = selectors.portfolio_counted(user=consultant, filters=PortfolioFilter())

    stored = selectors.portfolio_overview_stored(limit=limit)
    counted = selectors.portfolio_overview(clients, limit=limit)

    assert stored[0]["attention_counts"]["reports"] == latest.count()
    assert stored[0] == counted[0]
    assert [(a.pk, a.reasons) for a in stored[1]] == [(a.pk, a.reasons) for a in counted[1]]
    assert len(stored[1]) == limit and all("reports" in a.reasons for a in stored[1])


def test_summary_rows_copy_name_and_consultant_on_every_path(questionnaire, consultant):
    """The filtered counts read name and consultant from the summary row: rename (save), claim
    (a conditional UPDATE), assignment (save of two fields) and a deleted consultant (SET_NULL)
    each leave the copy equal to the client, and the filtered view finds the client by them."""
    from portal.clients.services import organization_assign, organization_claim

    def copy(organization):
        return ClientSummary.objects.values_list("name", "consultant_id").get(pk=organization.pk)

    organization = OrganizationFactory(name="Altname Metallbau GmbH", consultant=None)
    assert copy(organization) == ("Altname Metallbau GmbH", None)
    organization.name = "Neuname Metallbau GmbH"
    organization.save()
    assert copy(organization) == ("Neuname Metallbau GmbH", None)

    organization_claim(organization=organization, user=consultant)
    assert copy(organization) == ("Neuname Metallbau GmbH", consultant.pk)

    colleague = ConsultantFactory()
    lead = ConsultantFactory(is_staff=True, is_superuser=True)
    organization_assign(organization=organization, consultant=colleague, actor=lead)
    assert copy(organization) == ("Neuname Metallbau GmbH", colleague.pk)
    mine = selectors.portfolio_counted(
        user=colleague, filters=PortfolioFilter(q="Neuname", mine=True)
    )
    assert list(mine.values_list("organization_id", flat=True)) == [organization.pk]

    colleague.delete()
    assert copy(organization) == ("Neuname Metallbau GmbH", None)
    _summary_is_fresh(organization)


def test_every_write_keeps_the_summary_and_the_figures(questionnaire, consultant):
    organization = OrganizationFactory(name="Wandel Werkstatt GmbH")
    _stored_equals_recount()  # a new client counts at once, without a result
    assessment = _submit(organization, COMPLETE)
    _summary_is_fresh(organization)
    row = ClientSummary.objects.get(pk=organization.pk)
    assert row.readiness is not None and row.review_state == "submitted"
    _stored_equals_recount()

    review_transition(assessment=assessment, to_state="in_review", actor=consultant)
    assert ClientSummary.objects.get(pk=organization.pk).review_state == "in_review"

    action = Action.objects.filter(assessment=assessment).first()
    action_update(
        action=action, actor=consultant, fields={"due_date": timezone.localdate() - timedelta(1)}
    )
    row = ClientSummary.objects.get(pk=organization.pk)
    assert row.next_due == timezone.localdate() - timedelta(1) and row.open_actions > 0

    organization.industry = Industry.IT
    organization.save()
    assert ClientSummary.objects.get(pk=organization.pk).industry == Industry.IT

    _submit(organization, RISKY)  # a re-assessment replaces the latest result
    _summary_is_fresh(organization)
    _stored_equals_recount()

    # a deleted client leaves the figures (one without audit entries, which protect a client)
    portfolio_seed(organizations=1, assessments=1, with_answers=False, with_work=False, seed=5)
    seeded = Organization.objects.exclude(pk=organization.pk).latest("created_at")
    assert ClientSummary.objects.get(pk=seeded.pk).readiness is not None
    seeded.delete()
    assert not ClientSummary.objects.filter(pk=seeded.pk).exists()
    _stored_equals_recount()


def test_a_rescore_that_changes_scores_updates_the_summary(questionnaire):
    organization = OrganizationFactory()
    assessment = _submit(organization, COMPLETE)
    # a result from another scoring state: stale, and its stored score differs
    Result.objects.filter(pk=assessment.pk).update(gdpr=1, computed_with="")
    client_summaries_refresh(organization_ids=[organization.pk])
    assert ClientSummary.objects.get(pk=organization.pk).gdpr == 1

    result_services.results_rescore()

    assert ClientSummary.objects.get(pk=organization.pk).gdpr != 1


def test_a_colleagues_change_is_on_my_next_view(client, questionnaire, consultant, settings):
    settings.PORTFOLIO_CACHE_SECONDS = 60  # the page cache is on: the change must pass it
    colleague = ConsultantFactory(email="olga@beratung.example")
    organization = OrganizationFactory(name="Kollegin Kunde GmbH", consultant=colleague)
    assessment = _submit(organization, COMPLETE)
    client.force_login(consultant)
    assert "Kollegin Kunde GmbH" not in client.get(URL + "?overdue=1").content.decode()
    assert "Kollegin Kunde GmbH" in client.get(URL + "?review=submitted").content.decode()

    review_transition(assessment=assessment, to_state="in_review", actor=colleague)
    assert "Kollegin Kunde GmbH" not in client.get(URL + "?overdue=1").content.decode()
    action = Action.objects.filter(assessment=assessment).first()
    action_update(
        action=action, actor=colleague, fields={"due_date": timezone.localdate() - timedelta(3)}
    )

    assert "Kollegin Kunde GmbH" not in client.get(URL + "?review=submitted").content.decode()
    assert "Kollegin Kunde GmbH" in client.get(URL + "?review=in_review").content.decode()
    page = client.get(URL + "?overdue=1").content.decode()
    assert "Kollegin Kunde GmbH" in page and "Maßnahme überfällig" in page


def test_summary_rows_are_filled_for_clients_stored_without_them(questionnaire):
    organization = OrganizationFactory()
    _submit(organization, COMPLETE)
    ClientSummary.objects.all().delete()

    client_summaries_refresh()

    assert ClientSummary.objects.filter(pk=organization.pk, readiness__isnull=False).exists()
    assert Organization.objects.count() == ClientSummary.objects.count()
    _stored_equals_recount()


def test_filtered_counts_have_their_indexes():
    """The summary rows' indexes the filtered counts use (decision 0054): one per dimension's
    level, and on PostgreSQL the trigram index of the copied name for the search."""
    from django.db import connection

    with connection.cursor() as cursor:
        names = {
            index
            for index, info in connection.introspection.get_constraints(
                cursor, ClientSummary._meta.db_table
            ).items()
            if info["index"]
        }
    expected = {f"summary_level_{dim}" for dim in selectors.DIMENSIONS} | {"summary_industry"}
    if connection.vendor == "postgresql":
        expected.add("summary_name_trgm")
    assert expected <= names


def test_stale_count_adds_whole_months_and_the_cutoff_month_by_the_clock(
    questionnaire, consultant, monkeypatch
):
    """Older than 12 months on the whole portfolio: the stored clients per month of submission
    before the cutoff's month, plus those of the cutoff's month before the cutoff. A consultant
    counts 2 of these 4 as stale (one a year and a half ago, one a day before the cutoff), as a
    count over the rows does."""
    from datetime import datetime

    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    cutoff = now - selectors.STALE_AFTER  # 2025-12-06 10:00 UTC
    when = {
        "Alt Seit Langem GmbH": datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
        "Knapp Davor KG": cutoff - timedelta(days=1),
        "Knapp Danach OHG": cutoff + timedelta(hours=1),
        "Ganz Frisch AG": now - timedelta(days=3),
    }
    for name, moment in when.items():
        _submit(OrganizationFactory(name=name), COMPLETE, when=moment)
    _stored_equals_recount()
    monkeypatch.setattr(selectors.timezone, "now", lambda: now)

    stored = selectors.portfolio_overview_stored()[0]["attention_counts"]["stale"]

    assert stored == 2 == ClientSummary.objects.filter(submitted_at__lt=cutoff).count()
