"""The portfolio dashboard's cache: a repeated view is served from it, and any committed write to
what the page shows is on the next view, whichever way it was written (ORM save, conditional
``QuerySet.update``, raw SQL), because database triggers count the writes
(``portal.portfolio.generation``). Runs on SQLite and on PostgreSQL (CI)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, QuestionnaireVersion, Report, Result
from assessments.questionnaire.services import answer_save
from assessments.results import services as result_services
from assessments.review.services import review_transition
from news.models import ClientFollowUp, Tag
from portal.clients.services import organization_claim
from portal.models import Membership, Organization, User
from portal.portfolio import generation
from portal.portfolio.summary import client_summaries_refresh
from tests.factories import ConsultantFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.news.conftest import make_article
from tests.portal.test_portfolio import _submit
from tests.wizard.conftest import COMPLETE

pytestmark = pytest.mark.django_db

URL = reverse("consultant_dashboard")


@pytest.fixture(autouse=True)
def _steady_clock(request, monkeypatch):
    """Cached parts are keyed by the time slot too (``PORTFOLIO_CACHE_SECONDS``): a test that
    crossed a slot's end between two views would see a rebuild it did not cause. Only the test
    of the clock lets it move."""
    if "clock" not in request.node.name:
        import portal.portfolio.views as views

        slot = views._time_slot()
        monkeypatch.setattr(views, "_time_slot", lambda: slot)


def _owner(organization):
    owner = UserFactory()
    MembershipFactory(user=owner, organization=organization, role=Membership.Role.OWNER)
    return owner


@pytest.fixture
def portfolio(questionnaire, consultant):
    unassigned = OrganizationFactory(name="Ohne Betreuung Logistik KG", consultant=None)
    mine = OrganizationFactory(name="Meine Steuerberatung", consultant=consultant)
    return {
        "unassigned": unassigned,
        "mine": mine,
        "assessment": _submit(unassigned, COMPLETE),
        "mine_assessment": _submit(mine, COMPLETE),
    }


def _page(client, query=""):
    """The page's main part without the per-request CSRF tokens (layout and the saved-filter
    form carry one)."""
    response = client.get(URL + query)
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def _queries(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        _page(client, query)
    return len(captured)


# --- the triggers ------------------------------------------------------------------------------


def test_every_tracked_table_has_its_triggers():
    assert generation.installed() == generation.expected()
    assert len(generation.expected()) == 3 * 14  # insert, delete, update on fourteen tables


def _bumps(action) -> bool:
    before = generation.current()
    action()
    return generation.current() > before


def test_writes_the_dashboard_shows_raise_the_counter(portfolio, consultant, tags_and_article):
    unassigned, assessment = portfolio["unassigned"], portfolio["assessment"]
    tags, article = tags_and_article
    writes = {
        # conditional UPDATEs: no signal is sent for these
        "claim": lambda: organization_claim(organization=unassigned, user=consultant),
        "review": lambda: review_transition(
            assessment=assessment, to_state="in_review", actor=consultant
        ),
        "report failed": lambda: Report.objects.filter(pk=_report(assessment).pk).update(
            status=Report.Status.FAILED
        ),
        "new client": lambda: OrganizationFactory(name="Neu GmbH"),
        "result rewritten": lambda: Result.objects.filter(assessment=assessment).update(gdpr=99),
        "draft started": lambda: services.assessment_start(
            organization=unassigned, user=_owner(unassigned)
        ),
        "consultant renamed": lambda: User.objects.filter(pk=consultant.pk).update(
            last_name="Umbenannt"
        ),
        "catalogue": lambda: QuestionnaireVersion.objects.filter(is_active=True).update(
            is_active=False
        ),
        "article": lambda: make_article(slug="zweiter-artikel", vendors=[tags["openai"]]),
        "article vendor": lambda: article.vendors.add(tags["openai"]),
        "follow-up": lambda: ClientFollowUp.objects.create(
            article=article, organization=unassigned, informed_by=consultant
        ),
        "raw SQL": lambda: _raw_update_name(unassigned),
    }
    assert {name: _bumps(write) for name, write in writes.items()} == dict.fromkeys(writes, True)


def _topics_raised(action) -> set[str]:
    before = generation.by_topic()
    action()
    after = generation.by_topic()
    return {topic for topic in generation.TOPICS if after[topic] > before[topic]}


def test_each_write_raises_the_counter_of_its_topic_only(portfolio, consultant, tags_and_article):
    """The filter form (people, catalogue) and the news line (news) are cached under their own
    topics: a write to a client must not raise theirs, and theirs must not pass unseen."""
    unassigned = portfolio["unassigned"]
    tags, article = tags_and_article
    report = _report(portfolio["assessment"])
    owner = _owner(unassigned)
    writes = {
        # raw SQL, no refresh: the summary row keeps the old copy until its writer refreshes it
        "client renamed": (lambda: _raw_update_name(unassigned), {"clients"}),
        "summary refreshed": (
            lambda: client_summaries_refresh(organization_ids=[unassigned.pk]),
            {"summaries"},
        ),
        "claim": (
            lambda: organization_claim(organization=unassigned, user=consultant),
            {"clients", "summaries"},
        ),
        "draft started": (
            lambda: services.assessment_start(organization=unassigned, user=owner),
            {"clients"},
        ),
        "report failed": (
            lambda: Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED),
            {"reports"},
        ),
        "consultant renamed": (
            lambda: User.objects.filter(pk=consultant.pk).update(last_name="Umbenannt"),
            {"people"},
        ),
        "catalogue": (
            lambda: QuestionnaireVersion.objects.filter(is_active=True).update(is_active=False),
            {"catalogue"},
        ),
        "article vendor": (lambda: article.vendors.add(tags["openai"]), {"news"}),
        "follow-up": (
            lambda: ClientFollowUp.objects.create(
                article=article, organization=unassigned, informed_by=consultant
            ),
            {"news"},
        ),
    }
    raised = {name: _topics_raised(write) for name, (write, _topics) in writes.items()}
    assert raised == {name: topics for name, (_write, topics) in writes.items()}
    assert generation.current() == sum(generation.by_topic().values())


def test_writes_the_dashboard_does_not_show_leave_the_counter(portfolio, consultant):
    assessment = portfolio["assessment"]
    report = _report(assessment)
    draft = services.assessment_start(
        organization=portfolio["mine"], user=_owner(portfolio["mine"])
    ).assessment
    owner = draft.organization.memberships.first().user
    quiet = {
        "login": lambda: User.objects.filter(pk=consultant.pk).update(last_login=timezone.now()),
        "lease renewed": lambda: Report.objects.filter(pk=report.pk).update(
            lease_until=timezone.now()
        ),
        "report update matching nothing": lambda: Report.objects.filter(
            status=Report.Status.RENDERING, pk=report.pk
        ).update(status=Report.Status.QUEUED),
        "same status written again": lambda: Report.objects.filter(pk=report.pk).update(
            status=report.status
        ),
        "delete matching nothing": lambda: Report.objects.filter(attempts=999).delete(),
        "rescore with nothing stale": lambda: result_services.results_rescore(),
        "answer saved in a draft": lambda: answer_save(
            assessment=draft, user=owner, question_key="staff", value=13
        ),
    }
    assert {name: _bumps(write) for name, write in quiet.items()} == dict.fromkeys(quiet, False)
    assert Answer.objects.get(assessment=draft, question_key="staff").value == 13


@pytest.fixture
def tags_and_article(db):
    tags = {
        "microsoft": Tag.objects.create(slug="microsoft", name="Microsoft", kind=Tag.Kind.VENDOR),
        "openai": Tag.objects.create(slug="openai", name="OpenAI", kind=Tag.Kind.VENDOR),
    }
    return tags, make_article(slug="copilot-preise", vendors=[tags["microsoft"]])


def _report(assessment) -> Report:
    report = Report.objects.filter(assessment=assessment).first()
    return report or Report.objects.create(assessment=assessment, language="de")


def _raw_update_name(organization):
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET name = %s WHERE id = %s",  # noqa: S608 - name from model meta
            [
                "Umbenannt per SQL GmbH",
                organization.pk.hex if connection.vendor == "sqlite" else organization.pk,
            ],
        )


# --- the page ----------------------------------------------------------------------------------


def test_a_repeated_view_is_served_from_the_cache(client, consultant, portfolio):
    client.force_login(consultant)
    first = _page(client, "?sort=-gdpr")
    built = _queries(client, "?sort=name")  # another filter: built
    served = _queries(client, "?sort=name")
    assert _page(client, "?sort=-gdpr") == first
    # the session, the user, the second factor's device, the counter, the consultant's saved
    # filters (outside the cached fragments): nothing of the portfolio
    assert served <= 5 < built


def test_a_claim_is_on_the_next_view(client, consultant, portfolio):
    """The claim is a conditional UPDATE (no signal): the counter still sees it."""
    colleague = ConsultantFactory(email="olga@beratung.example", first_name="Olga", last_name="Ott")
    client.force_login(consultant)
    assert "Olga Ott" not in _row(_page(client), "Ohne Betreuung Logistik KG")
    assert "Ohne Betreuung Logistik KG" in _table(_page(client, "?unassigned=1"))

    organization_claim(organization=portfolio["unassigned"], user=colleague)

    assert "Ohne Betreuung Logistik KG" not in _table(_page(client, "?unassigned=1"))
    assert "Olga Ott" in _row(_page(client), "Ohne Betreuung Logistik KG")


def test_a_failed_report_is_on_the_next_view(client, consultant, portfolio):
    client.force_login(consultant)
    assert "Bericht fehlgeschlagen oder hängt:" not in _page(client)
    Report.objects.filter(pk=_report(portfolio["assessment"]).pk).update(
        status=Report.Status.FAILED
    )
    assert "Bericht fehlgeschlagen oder hängt: 1" in _page(client)


def test_a_review_step_is_on_the_next_view(client, consultant, portfolio):
    client.force_login(consultant)
    assert "Ohne Betreuung Logistik KG" not in _table(_page(client, "?review=in_review"))
    review_transition(assessment=portfolio["assessment"], to_state="in_review", actor=consultant)
    assert "Ohne Betreuung Logistik KG" in _table(_page(client, "?review=in_review"))


def test_each_consultant_gets_their_own_page(client, consultant, portfolio, settings):
    """With CONSULTANT_SCOPE=assigned a cached page of one consultant never reaches another."""
    settings.CONSULTANT_SCOPE = "assigned"
    other = ConsultantFactory(email="otto@beratung.example", first_name="Otto")
    OrganizationFactory(name="Ottos Kunde GmbH", consultant=other)
    client.force_login(consultant)
    assert "Meine Steuerberatung" in _table(_page(client))
    client.force_login(other)
    page = _table(_page(client))
    assert "Ottos Kunde GmbH" in page and "Meine Steuerberatung" not in page


def test_a_change_of_scope_is_on_the_next_view(client, consultant, portfolio, settings):
    """The scope is a setting and a role, not a row the counter sees: it is part of the key."""
    client.force_login(consultant)
    assert "Ohne Betreuung Logistik KG" in _table(_page(client))
    settings.CONSULTANT_SCOPE = "assigned"
    assert "Ohne Betreuung Logistik KG" not in _table(_page(client))


def test_each_language_gets_its_own_page(client, consultant, portfolio):
    client.force_login(consultant)
    assert "Braucht Aufmerksamkeit" in _page(client)
    client.cookies["django_language"] = "en"
    english = _page(client)
    assert "Needs attention" in english and "Braucht Aufmerksamkeit" not in english


def test_the_clock_moves_a_cached_page_on(client, consultant, portfolio, monkeypatch, settings):
    """ "New", "stale" and "stuck" depend on the time: a page is rebuilt after the cache time."""
    import portal.portfolio.views as views

    client.force_login(consultant)
    _page(client)
    served = _queries(client)
    now = views.time.time()
    monkeypatch.setattr(views.time, "time", lambda: now + settings.PORTFOLIO_CACHE_SECONDS)
    assert _queries(client) > served


def test_the_cache_can_be_turned_off(client, consultant, portfolio, settings):
    settings.PORTFOLIO_CACHE_SECONDS = 0
    client.force_login(consultant)
    _page(client)  # the catalogue's facts are kept per version after the first page
    assert _queries(client) == _queries(client) > 4


def test_a_draft_assessment_shows_on_the_next_view(client, consultant, portfolio):
    client.force_login(consultant)
    fresh = OrganizationFactory(name="Frisch Angefangen GmbH", consultant=consultant)
    assert "noch nicht begonnen" in _row(_page(client), "Frisch Angefangen GmbH")
    services.assessment_start(organization=fresh, user=_owner(fresh))
    assert "in Bearbeitung" in _row(_page(client), "Frisch Angefangen GmbH")
    assert Assessment.objects.filter(organization=fresh, status="draft").exists()


def _count_calls(monkeypatch, module, name) -> list:
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_change_to_a_client_rebuilds_only_the_clients_parts(
    client, consultant, portfolio, tags_and_article, monkeypatch
):
    """After a client's change the summary and the table are built again and show it; the
    filter form and the news line come from the cache, as nothing they show changed."""
    import portal.portfolio.views as views

    client.force_login(consultant)
    first = _page(client)
    assert "Copilot" in first  # the news line names the article (make_article's title)
    form_built = _count_calls(monkeypatch, views, "_filters_html")
    news_built = _count_calls(monkeypatch, views, "_news_html")
    data_built = _count_calls(monkeypatch, views, "_data_html")

    _raw_update_name(portfolio["unassigned"])
    # what every writer of a summarised column does (the summary row copies the name)
    client_summaries_refresh(organization_ids=[portfolio["unassigned"].pk])
    page = _page(client)

    assert "Umbenannt per SQL GmbH" in _table(page)
    assert page.split('id="kunden"')[0].count("Umbenannt per SQL GmbH") >= 1  # attention list
    assert (len(form_built), len(news_built), len(data_built)) == (0, 0, 1)
    assert page.replace("Umbenannt per SQL GmbH", "Ohne Betreuung Logistik KG") == first


@pytest.mark.parametrize("query", ["", "?sort=-gdpr", "?q=Logistik"])
def test_a_build_that_shows_the_same_data_renders_nothing_again(
    client, consultant, portfolio, monkeypatch, query
):
    """A change the page does not show (here an update that writes the same name) still builds
    the clients' parts from the database, but the summary and the table are rendered only when
    their figures or rows differ; the page is the same."""
    from django.db.models import F

    import portal.portfolio.views as views

    client.force_login(consultant)
    first = _page(client, query)
    data_built = _count_calls(monkeypatch, views, "_data_html")
    rows_rendered = _count_calls(monkeypatch, views.rows, "rows_html")
    rendered = []
    original = views.render_to_string

    def render(template, *args, **kwargs):
        rendered.append(template)
        return original(template, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", render)
    Organization.objects.filter(pk=portfolio["unassigned"].pk).update(name=F("name"))

    assert _page(client, query) == first
    assert (len(data_built), len(rows_rendered), rendered) == (1, 0, [])

    _raw_update_name(portfolio["unassigned"])  # a row the page shows: the table is rendered
    client_summaries_refresh(organization_ids=[portfolio["unassigned"].pk])
    page = _page(client, "?q=Umbenannt" if query.startswith("?q=") else query)
    assert "Umbenannt per SQL GmbH" in _table(page)
    assert "portal/_portfolio_table.html" in rendered


def test_a_renamed_consultant_is_in_the_filter_form_at_once(client, consultant, portfolio):
    def filter_form(page):
        return page.split("portfolio-filters", 1)[1].split("</form>", 1)[0]

    client.force_login(consultant)
    old_name = consultant.display_name
    assert old_name in filter_form(_page(client))  # the consultant choices
    User.objects.filter(pk=consultant.pk).update(last_name="Umbenannt")
    form = filter_form(_page(client))
    assert "Carla Umbenannt" in form and old_name not in form


def test_news_that_concern_clients_are_on_the_next_view(
    client, consultant, portfolio, tags_and_article
):
    """A follow-up and a new article change the news line at once, though no client changed."""
    tags, article = tags_and_article
    client.force_login(consultant)
    page = _page(client)
    assert "0 von 1 informiert" in page or "0 von 2 informiert" in page
    ClientFollowUp.objects.create(
        article=article, organization=portfolio["unassigned"], informed_by=consultant
    )
    assert "1 von" in _page(client).split('id="kunden"')[0]


def _table(page: str) -> str:
    """The client rows (the heat map above is a table too)."""
    return page.split("portfolio-table", 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _row(page: str, name: str) -> str:
    page = _table(page)
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def test_missing_triggers_stop_the_cache_and_show_in_healthz(
    client, consultant, portfolio, caplog, settings
):
    """A database restored without the triggers must not serve stale pages: the dashboard is
    built on every view, the gap is logged, /healthz names it, and migrate heals it."""
    name = generation.expected()[0]
    table = name.split("_", 3)[-1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
        else:
            cursor.execute(f'DROP TRIGGER "{name}"')
    generation.forget()
    client.force_login(consultant)
    with caplog.at_level("ERROR", logger="portal.portfolio.generation"):
        _page(client)
    assert name in caplog.text
    assert _queries(client) > 4  # built again, not served from the cache

    settings.HEALTHZ_TOKEN = "geheim"
    health = client.get("/healthz", headers={"x-health-token": "geheim"})
    assert health.status_code == 503
    assert health.json()["checks"]["portfolio_cache"]["missing"] == [name]

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert generation.missing() == []
    _page(client)
    assert _queries(client) <= 5  # as above: the saved filters are read on every view


# --- the overview's data, cached under the summaries' counter ----------------------------------


def _overview_reads(monkeypatch) -> list:
    import portal.portfolio.views as views

    return _count_calls(monkeypatch, views, "_overview_data")


@pytest.mark.parametrize("query", ["", "?level=critical", "?q=Logistik"])
def test_a_change_that_leaves_every_summary_counts_nothing_again(
    client, consultant, portfolio, monkeypatch, query
):
    """A new draft is on the next view (the table), but no summary row changed: the figures and
    the attention list come from the cache, for the whole portfolio and for a filter alike."""
    client.force_login(consultant)
    fresh = OrganizationFactory(name="Frisch Logistik GmbH", consultant=consultant)
    first = _page(client, query)
    reads = _overview_reads(monkeypatch)

    services.assessment_start(organization=fresh, user=_owner(fresh))
    page = _page(client, query)

    assert reads == []
    if not query:
        assert "in Bearbeitung" in _row(page, "Frisch Logistik GmbH")
    assert page.split('id="kunden"')[0] == first.split('id="kunden"')[0]


def test_a_changed_summary_counts_again(client, consultant, portfolio, monkeypatch):
    """A submission changes a summary row: the next view counts the overview again and shows
    it (a client more with a result, a new submission to review)."""
    client.force_login(consultant)
    fresh = OrganizationFactory(name="Frisch Eingereicht AG", consultant=consultant)
    before = _page(client)
    reads = _overview_reads(monkeypatch)

    _submit(fresh, COMPLETE)
    page = _page(client)

    assert reads == ["_overview_data"]
    assert "Frisch Eingereicht AG" in page.split('id="kunden"')[0]  # new: on the attention list
    assert "Frisch Eingereicht AG" not in before.split('id="kunden"')[0]


def test_sort_and_page_reuse_the_overview_of_their_filter(
    client, consultant, portfolio, monkeypatch
):
    """The overview counts the filter's clients, whatever their order or page."""
    client.force_login(consultant)
    first = _page(client, "?level=critical")
    reads = _overview_reads(monkeypatch)
    sorted_page = _page(client, "?level=critical&sort=-gdpr")
    assert reads == []
    assert sorted_page.split('id="kunden"')[0].count("Ohne Betreuung") == first.split(
        'id="kunden"'
    )[0].count("Ohne Betreuung")
    _page(client, "?level=high")  # another filter: counted
    assert reads == ["_overview_data"]


def test_my_clients_are_counted_for_each_consultant(client, consultant, portfolio):
    """ "nur meine Kunden" names the reader: two consultants who see every client each get the
    counts of their own clients, never the other's cached ones."""
    colleague = ConsultantFactory(email="olga@beratung.example", first_name="Olga", last_name="Ott")
    client.force_login(consultant)
    mine = _page(client, "?mine=1")
    client.force_login(colleague)
    theirs = _page(client, "?mine=1")
    assert "Meine Steuerberatung" in _table(mine)
    assert "Meine Steuerberatung" not in theirs  # neither in the table nor the attention list
    assert "1 Kunde in dieser Auswahl" in mine  # the consultant's one client
    assert "0 Kunden in dieser Auswahl" in theirs  # the colleague has none


def test_a_scoped_consultant_counts_only_their_clients(client, consultant, portfolio, settings):
    """Under CONSULTANT_SCOPE=assigned the overview's data is per consultant: a colleague's
    cached figures (which count every client) never reach them."""
    client.force_login(ConsultantFactory(email="lead@beratung.example", first_name="Lea"))
    everyone = _page(client)
    settings.CONSULTANT_SCOPE = "assigned"
    client.force_login(consultant)
    own = _page(client)
    assert "Ohne Betreuung Logistik KG" in everyone.split('id="kunden"')[0]
    assert "Ohne Betreuung Logistik KG" not in own  # another consultant's (unassigned) client
