import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Result
from assessments.results.exposure import clients_exposed_to
from news.models import ClientFollowUp, Tag
from portal.models import AuditLog
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.news.conftest import make_article, submit

pytestmark = pytest.mark.django_db


def _client_org(name: str, *, language: str = "de"):
    organization = OrganizationFactory(name=name, language=language)
    owner = UserFactory(email=f"chefin@{name.split()[0].lower()}.example", first_name="Chefin")
    MembershipFactory(user=owner, organization=organization, role="owner")
    MembershipFactory(organization=organization, role="member")
    return organization, owner


@pytest.fixture
def portfolio(questionnaire, org_a, alice, org_b, charlie):
    """A known portfolio: four clients with pinned exposure, one without any result."""
    hoch, hoch_owner = _client_org("Hochabhängig GmbH")
    gleich, gleich_owner = _client_org("Gleichstand AG", language="en")
    # Alpha: an old result with high exposure, a newer one with low: only the latest counts.
    submit(org_a, alice, vendor_exposure={"microsoft": 90}, lock_in=80, age_days=30)
    submit(org_a, alice, vendor_exposure={"microsoft": 20, "openai": 10}, lock_in=30)
    submit(hoch, hoch_owner, vendor_exposure={"microsoft": 70, "openai": 40}, lock_in=60)
    # same top exposure as Hochabhängig via OpenAI, smaller sum: ranks after it
    submit(gleich, gleich_owner, vendor_exposure={"openai": 70}, lock_in=90)
    # Beta uses only Google: not affected by a Microsoft/OpenAI article
    submit(org_b, charlie, vendor_exposure={"google": 80, "microsoft": 0}, lock_in=50)
    OrganizationFactory(name="Noch ohne Ergebnis GmbH")
    return {"hoch": hoch, "gleich": gleich, "alpha": org_a, "beta": org_b}


@pytest.fixture
def article(tags):
    return make_article(
        slug="copilot-anthropic", vendors=[tags["microsoft"], tags["openai"]], days_ago=2
    )


def test_counting_does_not_read_the_cards(portfolio, consultant, django_assert_num_queries):
    with django_assert_num_queries(1):
        ranked = clients_exposed_to(user=consultant, vendors=["microsoft"])
    assert len(ranked) == 2 and ranked[0].lock_in_level == ""


def test_ranking_follows_latest_results_exposure(portfolio, consultant):
    ranked = clients_exposed_to(user=consultant, vendors=["microsoft", "openai"])
    assert [e.organization_name for e in ranked] == [
        "Hochabhängig GmbH",
        "Gleichstand AG",
        "Alpha Fensterbau GmbH",
    ]
    alpha = ranked[2]
    assert alpha.exposure == 20 and alpha.vendors == {"microsoft": 20, "openai": 10}
    assert alpha.lock_in == 30


def test_exposure_only_counts_the_vendors_asked_about(portfolio, consultant):
    ranked = clients_exposed_to(user=consultant, vendors=["openai"])
    assert [e.organization_name for e in ranked] == [
        "Gleichstand AG",
        "Hochabhängig GmbH",
        "Alpha Fensterbau GmbH",
    ]
    assert clients_exposed_to(user=consultant, vendors=[]) == []


def test_a_client_user_only_ever_sees_its_own_exposure(portfolio, alice):
    ranked = clients_exposed_to(user=alice, vendors=["microsoft"])
    assert [e.organization_name for e in ranked] == ["Alpha Fensterbau GmbH"]


def test_drivers_name_the_vendor_services_in_use(questionnaire, org_a, alice, consultant):
    submit(org_a, alice)  # COMPLETE uses Microsoft 365 Copilot and ChatGPT Free
    [exposure] = clients_exposed_to(user=consultant, vendors=["microsoft"], detailed=True)
    first = exposure.drivers[0]
    assert first.question == "Welche KI-Dienste nutzen Sie?"
    assert first.answer == "Microsoft 365 Copilot"
    assert exposure.lock_in_level in ("low", "medium", "high", "critical")


def test_affected_clients_page_lists_ranked_clients_with_links(
    client, portfolio, consultant, article
):
    client.force_login(consultant)
    response = client.get(reverse("news:affected", args=[article.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    positions = [
        body.index(name) for name in ("Hochabhängig GmbH", "Gleichstand AG", "Alpha Fensterbau")
    ]
    assert positions == sorted(positions)
    assert "Beta Steuerberatung" not in body
    assert reverse("organization_detail", args=[portfolio["hoch"].pk]) in body
    assert "Welche KI-Dienste nutzen Sie?" in body  # a driver


@pytest.mark.parametrize("who", ["anonymous", "alice", "staff_non_consultant"])
def test_clients_and_public_never_see_affected_clients(client, portfolio, article, alice, who):
    if who == "alice":
        client.force_login(alice)
    elif who == "staff_non_consultant":
        client.force_login(UserFactory(is_staff=True))
    url = reverse("news:affected", args=[article.slug])
    get = client.get(url)
    post = client.post(url, {"organizations": [str(portfolio["alpha"].pk)], "action": "send"})
    if who == "anonymous":
        assert get.status_code == post.status_code == 302  # to the login page
    else:
        assert get.status_code == post.status_code == 404
    assert not ClientFollowUp.objects.exists()
    assert not mail.outbox
    detail = client.get(article.get_absolute_url()).content.decode()
    assert "Welche Kunden betrifft das?" not in detail


def test_consultant_sees_the_count_on_the_article(client, portfolio, consultant, article):
    client.force_login(consultant)
    body = client.get(article.get_absolute_url()).content.decode()
    assert "Diese Nachricht betrifft 3 Kunden." in body


def test_portfolio_says_how_many_clients_recent_news_affects(
    client, portfolio, consultant, article, tags
):
    make_article(slug="alt", vendors=[tags["microsoft"]], days_ago=90)
    client.force_login(consultant)
    body = client.get(reverse("consultant_dashboard")).content.decode()
    assert article.title in body
    assert "betrifft 3 Kunden" in body
    assert "0 von 3 informiert" in body
    assert "/aktuelles/alt/" not in body


def test_send_emails_selected_clients_and_records_who_and_when(
    client, portfolio, consultant, article, django_capture_on_commit_callbacks
):
    client.force_login(consultant)
    chosen = [portfolio["hoch"], portfolio["gleich"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("news:affected", args=[article.slug]),
            {"organizations": [str(o.pk) for o in chosen], "action": "send"},
        )
    assert response.status_code == 302
    assert {tuple(m.to) for m in mail.outbox} == {
        ("chefin@hochabhängig.example",),
        ("chefin@gleichstand.example",),
    }
    german = next(m for m in mail.outbox if "Hochabhängig" in m.subject)
    assert german.subject == f"{article.title} – was das für Hochabhängig GmbH bedeutet"
    text = german.body
    assert "http://testserver" not in text
    assert article.get_absolute_url() in text
    assert "Microsoft: 70" in text and "OpenAI: 40" in text
    assert "kurzen Gespräch" in text
    assert consultant.email in text
    assert german.reply_to == [consultant.email]
    assert "Was Sie vor allem bindet:" in text
    assert "Welche KI-Dienste nutzen Sie? Microsoft 365 Copilot" in text
    assert re.search(
        r"Ihre Anbieterabhängigkeit insgesamt: (gering|mittel|hoch|kritisch) \(60 von 100\)", text
    )
    html = german.alternatives[0][0]
    assert "Microsoft: <strong>70</strong>" in html
    english = next(m for m in mail.outbox if "Gleichstand" in m.subject)
    assert "what this means for Gleichstand AG" in english.subject or english.subject

    followups = ClientFollowUp.objects.filter(article=article)
    assert {f.organization for f in followups} == set(chosen)
    hoch = followups.get(organization=portfolio["hoch"])
    assert hoch.informed_by == consultant and hoch.emailed_to == ["chefin@hochabhängig.example"]
    assert hoch.exposure == 70
    assert AuditLog.objects.filter(action="news.client_informed").count() == 2
    # the page shows who told each client and how, from the follow-up joined into its row
    body = client.get(reverse("news:affected", args=[article.slug])).content.decode()
    assert body.count(f"{consultant.display_name} · per E-Mail") == 2
    assert body.count('<span class="text-body-secondary">noch nicht</span>') == 1  # Alpha


def test_a_client_is_not_emailed_twice_about_one_article(
    client, portfolio, consultant, article, django_capture_on_commit_callbacks
):
    client.force_login(consultant)
    url = reverse("news:affected", args=[article.slug])
    data = {"organizations": [str(portfolio["hoch"].pk)], "action": "send"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
        client.post(url, data)
    assert len(mail.outbox) == 1
    assert ClientFollowUp.objects.count() == 1


def test_mark_only_records_without_email(
    client, portfolio, consultant, article, django_capture_on_commit_callbacks
):
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("news:affected", args=[article.slug]),
            {"organizations": [str(portfolio["alpha"].pk)], "action": "mark"},
        )
    assert not mail.outbox
    followup = ClientFollowUp.objects.get()
    assert followup.organization == portfolio["alpha"] and followup.emailed_to == []


def test_unaffected_or_unknown_organisations_cannot_be_informed(
    client, portfolio, consultant, article
):
    client.force_login(consultant)
    response = client.post(
        reverse("news:affected", args=[article.slug]),
        {"organizations": [str(portfolio["beta"].pk)], "action": "send"},
    )
    assert response.status_code == 400
    assert not ClientFollowUp.objects.exists()
    empty = client.post(reverse("news:affected", args=[article.slug]), {"action": "send"})
    assert empty.status_code == 400
    assert "mindestens einen Kunden" in empty.content.decode()


def test_followups_show_on_the_client_page_for_consultants_only(
    client, portfolio, consultant, article, alice
):
    ClientFollowUp.objects.create(
        article=article, organization=portfolio["alpha"], informed_by=consultant, exposure=20
    )
    client.force_login(consultant)
    url = reverse("organization_detail", args=[portfolio["alpha"].pk])
    body = client.get(url).content.decode()
    assert "Zu Nachrichten informiert" in body and article.title in body
    client.force_login(alice)
    assert "Zu Nachrichten informiert" not in client.get(url).content.decode()


def test_portfolio_news_counts_per_article_for_the_same_queries_with_more_articles(
    client, portfolio, consultant, article, tags, settings
):
    settings.PORTFOLIO_CACHE_SECONDS = 0  # the page as it is built, not served from the cache
    client.force_login(consultant)
    url = reverse("consultant_dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as one_article:
        client.get(url)

    google = Tag.objects.create(slug="google", name="Google", kind=Tag.Kind.VENDOR)
    microsoft_only = make_article(slug="nur-microsoft", vendors=[tags["microsoft"]], days_ago=3)
    make_article(slug="nur-openai", vendors=[tags["openai"]], days_ago=4)
    make_article(slug="nur-google", vendors=[google], days_ago=5)
    ClientFollowUp.objects.create(article=microsoft_only, organization=portfolio["hoch"])
    with CaptureQueriesContext(connection) as four_articles:
        body = client.get(url).content.decode()

    assert len(four_articles) == len(one_article)
    # latest exposures: Alpha {microsoft 20, openai 10}, Hochabhängig {microsoft 70, openai 40},
    # Gleichstand {openai 70}, Beta {google 80, microsoft 0}
    impacts = re.findall(r'href="/aktuelles/([\w-]+)/betroffene[^"]*">betrifft (\d+) Kunden', body)
    assert dict(impacts) == {
        "copilot-anthropic": "3",  # Alpha, Hochabhängig, Gleichstand
        "nur-microsoft": "2",  # Alpha, Hochabhängig (Beta's 0 does not count)
        "nur-openai": "3",  # Alpha, Hochabhängig, Gleichstand
        "nur-google": "1",  # Beta
    }
    assert "1 von 2 informiert" in body  # Hochabhängig was told about the Microsoft article


def _impact_queries(client, url: str) -> int:
    """The queries of a page built afresh (the drivers of a page's rows are cached)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_impact_page_takes_the_same_queries_for_10_and_500_clients(
    client, consultant, questionnaire, settings
):
    from news.models import ArticleReach
    from portal.portfolio.seed import demo_articles_present, portfolio_seed

    settings.AUDIT_READ_REPEAT_SECONDS = 0  # every read is one audit entry (one INSERT)
    portfolio_seed(organizations=10, assessments=20, with_answers=False, seed=1)
    demo_articles_present()
    reach = ArticleReach.objects.select_related("article").order_by("-clients").first()
    url = reverse("news:affected", args=[reach.article.slug])
    client.force_login(consultant)
    queries = [
        "",
        "?sort=lock_in",
        "?informed=no&sort=submitted",
        "?page=2",
        "?sort=name",
        "?informed=no&sort=lock_in",
    ]
    client.get(url)  # the catalogue is parsed once per version and process
    small = [_impact_queries(client, url + q) for q in queries]

    portfolio_seed(organizations=490, assessments=980, with_answers=False, seed=2)
    reach.refresh_from_db()
    assert reach.clients > 50  # more than one page of rows, each with its drivers
    large = [_impact_queries(client, url + q) for q in queries]

    assert small == large
    # session, user, second factor, the article with its reach and vendor tags, the rows with
    # their results (and a filtered page's count), their tagged answers, the read audit
    assert large == [7] * len(queries)
    assert max(large) <= 10  # the bound


def test_a_repeated_page_reads_no_answers_and_shows_the_same_drivers(
    client, portfolio, consultant, article, monkeypatch
):
    """The drivers of a page's rows are kept under what they are made of: the same page again
    reads no answers; another language is a page of its own; a rescore that stores other
    driver keys is a new key."""
    import news.selectors as news_selectors

    url = reverse("news:affected", args=[article.slug])
    client.force_login(consultant)
    first = client.get(url).content.decode()
    made = []
    original = news_selectors.results_exposure

    def counted(**kwargs):
        made.append(1)
        return original(**kwargs)

    monkeypatch.setattr(news_selectors, "results_exposure", counted)
    again = client.get(url).content.decode()
    assert made == []
    assert "Welche KI-Dienste nutzen Sie" in again
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')
    assert strip.sub("", again) == strip.sub("", first)

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert made == [1] and "Which AI services" in english

    Result.objects.filter(assessment__organization=portfolio["hoch"]).update(lock_in_drivers=[])
    client.cookies["django_language"] = "de"
    client.get(url)
    assert made == [1, 1]


def test_impact_rows_escape_client_names_and_show_their_drivers(
    client, portfolio, consultant, article
):
    # the rows are built in Python (news.rows), not by the template engine: still escaped
    portfolio["hoch"].name = 'Hoch <b>"&"</b> GmbH'
    portfolio["hoch"].save(update_fields=["name"])
    client.force_login(consultant)
    body = client.get(reverse("news:affected", args=[article.slug])).content.decode()
    assert "Hoch &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt; GmbH" in body and "<b>" not in body
    assert 'data-label="Was den Kunden bindet"' in body
    assert "Welche KI-Dienste nutzen Sie" in body and "Microsoft 365 Copilot" in body
    assert re.search(r"Stand \d\d\.\d\d\.\d{4}", body)
