"""The clients each article concerns are stored and follow every change (issue 20): tags, a
client's new exposure, a deleted client; the page pages, sorts and filters them."""

import re

import pytest
from django.urls import reverse

from news.models import AffectedClient, ArticleReach, ClientFollowUp
from portal.models import ClientSummary
from tests.factories import ConsultantFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.news.conftest import make_article, submit

pytestmark = pytest.mark.django_db


def _client(name, exposure, *, consultant=None, lock_in=50):
    organization = OrganizationFactory(name=name, consultant=consultant)
    owner = UserFactory()
    MembershipFactory(user=owner, organization=organization, role="owner")
    submit(organization, owner, vendor_exposure=exposure, lock_in=lock_in)
    return organization, owner


def _stored(article):
    return dict(
        AffectedClient.objects.filter(article=article).values_list("organization__name", "exposure")
    )


def _reach(article):
    return ArticleReach.objects.get(article=article).clients


def test_the_stored_set_follows_tags_exposure_and_deletion(questionnaire, tags):
    ms, ms_owner = _client("Nur Microsoft GmbH", {"microsoft": 60})
    _client("Nur OpenAI AG", {"openai": 30})
    _client("Ohne Abhängigkeit KG", {"microsoft": 0})
    article = make_article(slug="copilot", vendors=[tags["microsoft"]])
    assert _stored(article) == {"Nur Microsoft GmbH": 60} and _reach(article) == 1

    article.vendors.add(tags["openai"])
    assert _stored(article) == {"Nur Microsoft GmbH": 60, "Nur OpenAI AG": 30}
    assert _reach(article) == 2

    submit(ms, ms_owner, vendor_exposure={"microsoft": 80, "openai": 90})  # new latest result
    assert _stored(article)["Nur Microsoft GmbH"] == 90
    submit(ms, ms_owner, vendor_exposure={"google": 40})
    assert "Nur Microsoft GmbH" not in _stored(article) and _reach(article) == 1

    article.vendors.remove(tags["microsoft"], tags["openai"])
    assert _stored(article) == {} and _reach(article) == 0


def test_a_deleted_client_leaves_the_count(questionnaire, tags):
    # seeded without the services: no audit entries, which would protect the client
    from assessments.models import Result
    from assessments.results import services
    from portal.models import Organization
    from portal.portfolio.seed import portfolio_seed

    portfolio_seed(organizations=1, assessments=1, with_answers=False, with_work=False, seed=9)
    gone = Organization.objects.get()
    Organization.objects.filter(pk=gone.pk).update(name="Bald Weg GmbH")
    Result.objects.filter(organization=gone).update(vendor_exposure={"microsoft": 50})
    services.latest_results_refresh(organization_ids=[gone.pk])
    _client("Bleibt AG", {"microsoft": 40})
    article = make_article(slug="azure", vendors=[tags["microsoft"]])
    assert _reach(article) == 2

    gone.delete()

    assert _reach(article) == 1 and list(_stored(article)) == ["Bleibt AG"]


@pytest.fixture
def many(questionnaire, tags, consultant):
    colleague = ConsultantFactory(email="olga@beratung.example")
    for number in range(53):
        _client(
            f"Kunde {number:02d} GmbH",
            {"microsoft": 10 + number},
            consultant=consultant if number % 2 else colleague,
            lock_in=number,
        )
    return make_article(slug="viele", vendors=[tags["microsoft"]])


def _names(body: str) -> list[str]:
    return re.findall(r">(Kunde \d\d GmbH)</a>", body)


def test_the_page_pages_sorts_and_filters(client, consultant, many):
    client.force_login(consultant)
    url = reverse("news:affected", args=[many.slug])

    first = client.get(url).content.decode()
    assert _names(first)[:2] == ["Kunde 52 GmbH", "Kunde 51 GmbH"] and len(_names(first)) == 50
    assert "53 betroffene Kunden" in first and "Seite 1 von 2" in first
    assert _names(client.get(url + "?page=2").content.decode()) == [
        "Kunde 02 GmbH",
        "Kunde 01 GmbH",
        "Kunde 00 GmbH",
    ]
    assert _names(client.get(url + "?sort=name").content.decode())[:2] == [
        "Kunde 00 GmbH",
        "Kunde 01 GmbH",
    ]
    mine = _names(client.get(url + "?mine=1").content.decode())
    assert len(mine) == 26 and "Kunde 01 GmbH" in mine and "Kunde 00 GmbH" not in mine
    assert _names(client.get(url + "?q=Kunde+07").content.decode()) == ["Kunde 07 GmbH"]
    assert client.get(url + "?sort=bogus&page=x&level=nope").status_code == 200


def test_informed_filter_and_posting_from_page_two_keeps_the_filter(client, consultant, many):
    client.force_login(consultant)
    url = reverse("news:affected", args=[many.slug])
    told = ClientSummary.objects.filter(organization__name="Kunde 03 GmbH").get().organization_id

    response = client.post(url + "?page=2", {"organizations": [str(told)], "action": "mark"})

    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert ClientFollowUp.objects.filter(article=many, organization_id=told).exists()
    assert _names(client.get(url + "?informed=yes").content.decode()) == ["Kunde 03 GmbH"]
    assert "Kunde 03 GmbH" not in _names(client.get(url + "?informed=no&page=2").content.decode())
    # an id the article does not concern (or garbage) is refused, nothing stored
    other = OrganizationFactory(name="Fremd GmbH")
    bad = client.post(url, {"organizations": [str(other.pk), "kein-uuid"], "action": "mark"})
    assert bad.status_code == 400
    assert not ClientFollowUp.objects.filter(organization=other).exists()


def test_assigned_scope_sees_and_counts_only_own_clients(client, consultant, many, settings):
    settings.CONSULTANT_SCOPE = "assigned"
    client.force_login(consultant)
    body = client.get(reverse("news:affected", args=[many.slug])).content.decode()
    assert "26 betroffene Kunden" in body
    dashboard = client.get(reverse("consultant_dashboard")).content.decode()
    assert re.search(r"betrifft 26 Kunden", dashboard)


def test_drivers_come_from_stored_keys_and_old_results_from_their_scored_card(
    client, consultant, questionnaire, tags
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Result

    _client("Neu Gespeichert GmbH", {"microsoft": 70})
    old, _owner = _client("Alt Gespeichert AG", {"microsoft": 60})
    article = make_article(slug="treiber", vendors=[tags["microsoft"]])
    client.force_login(consultant)
    url = reverse("news:affected", args=[article.slug])

    with CaptureQueriesContext(connection) as stored:
        fresh = client.get(url).content.decode()

    def answer_reads(captured):
        return sum('FROM "assessments_answer"' in q["sql"] for q in captured.captured_queries)

    assert answer_reads(stored) == 1  # only the vendor-tagged answers: nothing scored

    Result.objects.filter(organization=old).update(lock_in_drivers=[])  # stored before them
    with CaptureQueriesContext(connection) as fallback:
        older = client.get(url).content.decode()
    assert answer_reads(fallback) == 2  # and every answer of the old result, scored again
    cells = re.findall(r'drivers-cell"[^>]*>(.*?)</td>', fresh, re.S)
    assert cells and cells == re.findall(r'drivers-cell"[^>]*>(.*?)</td>', older, re.S)


# --- what the page sorts and filters by, stored on the rows (issue 20) -------------------------


def _copied(article) -> dict:
    return {
        row.organization_id: (row.lock_in, row.lock_in_level, row.submitted_at, row.informed)
        for row in AffectedClient.objects.filter(article=article)
    }


def _from_summaries(article) -> dict:
    """What the rows must hold: each client's summary row, and whether it was told."""
    told = set(
        ClientFollowUp.objects.filter(article=article).values_list("organization_id", flat=True)
    )
    ids = AffectedClient.objects.filter(article=article).values_list("organization_id")
    return {
        s.organization_id: (s.lock_in, s.level_lock_in, s.submitted_at, s.organization_id in told)
        for s in ClientSummary.objects.filter(organization_id__in=ids)
    }


def test_stored_sort_values_follow_submit_rescore_tags_and_follow_ups(questionnaire, tags):
    from assessments.models import Result
    from assessments.results import services

    ms, ms_owner = _client("Nur Microsoft GmbH", {"microsoft": 60}, lock_in=20)
    ai, _ai_owner = _client("Nur OpenAI AG", {"openai": 30}, lock_in=70)
    article = make_article(slug="copilot", vendors=[tags["microsoft"]])
    assert _copied(article) == _from_summaries(article)
    assert _copied(article)[ms.pk][:2] == (20, "low")  # the wizard catalogue: medium from 25

    submit(ms, ms_owner, vendor_exposure={"microsoft": 60}, lock_in=80)  # a new submission
    assert _copied(article) == _from_summaries(article)
    assert _copied(article)[ms.pk][:2] == (80, "critical")

    # a hand edit of the stored result, repaired by a rescore of every result
    Result.objects.filter(organization=ms).update(lock_in=5)
    services.results_rescore(all_results=True, refresh_latest=False)
    ms.refresh_from_db()
    rescored = Result.objects.get(pk=ms.latest_result_id).lock_in
    assert rescored != 5 and _copied(article)[ms.pk][0] == rescored
    assert _copied(article) == _from_summaries(article)

    ClientFollowUp.objects.create(article=article, organization=ms)
    assert _copied(article)[ms.pk][3] is True
    article.vendors.add(tags["openai"])  # rows rebuilt: the follow-up is kept, OpenAI joins
    assert set(_copied(article)) == {ms.pk, ai.pk}
    assert _copied(article) == _from_summaries(article) and _copied(article)[ms.pk][3] is True
    ClientFollowUp.objects.filter(article=article, organization=ms).delete()
    assert _copied(article) == _from_summaries(article) and _copied(article)[ms.pk][3] is False


def test_the_page_sorts_by_lock_in_and_submission_and_filters_by_level_and_informed(
    client, consultant, many
):
    # many: "Kunde NN GmbH" with lock-in NN and exposure 10 + NN, submitted in the order of NN;
    # the wizard catalogue's levels: medium from 25, high from 50, critical from 75
    client.force_login(consultant)
    url = reverse("news:affected", args=[many.slug])

    def names(query):
        return _names(client.get(url + query).content.decode())

    assert names("?sort=lock_in")[:3] == ["Kunde 52 GmbH", "Kunde 51 GmbH", "Kunde 50 GmbH"]
    assert names("?sort=lock_in&page=2") == ["Kunde 02 GmbH", "Kunde 01 GmbH", "Kunde 00 GmbH"]
    assert names("?sort=submitted")[:2] == ["Kunde 52 GmbH", "Kunde 51 GmbH"]
    assert names("?level=high") == ["Kunde 52 GmbH", "Kunde 51 GmbH", "Kunde 50 GmbH"]
    medium = names("?level=medium&sort=name")
    assert medium == [f"Kunde {n:02d} GmbH" for n in range(25, 50)]
    assert names("?level=critical") == []
    empty = client.get(url + "?level=critical").content.decode()
    assert "0 betroffene Kunden" in empty and "Kein betroffener Kunde passt" in empty
    # past the last page: the last page (25 medium ones fit on one)
    assert names("?level=medium&page=2") == names("?level=medium&page=1") == medium[::-1]
    assert names("?level=high&page=5") == ["Kunde 52 GmbH", "Kunde 51 GmbH", "Kunde 50 GmbH"]

    told = AffectedClient.objects.get(article=many, organization__name="Kunde 51 GmbH")
    ClientFollowUp.objects.create(article=many, organization_id=told.organization_id)
    assert names("?informed=no&level=high") == ["Kunde 52 GmbH", "Kunde 50 GmbH"]
    assert names("?informed=yes") == ["Kunde 51 GmbH"]
    body = client.get(url + "?informed=no&level=high").content.decode()
    assert "2 betroffene Kunden" in body


def test_a_client_whose_lock_in_changes_moves_in_the_sorted_page_at_once(
    client, consultant, questionnaire, tags
):
    low, low_owner = _client("Anfangs Niedrig GmbH", {"microsoft": 40}, lock_in=10)
    _client("Mittel AG", {"microsoft": 40}, lock_in=30)
    _client("Hoch KG", {"microsoft": 40}, lock_in=60)
    article = make_article(slug="wechsel", vendors=[tags["microsoft"]])
    client.force_login(consultant)
    url = reverse("news:affected", args=[article.slug])

    def names(query):
        return re.findall(
            r'<a href="/[^"]*">([^<]+)</a><div class="small',
            client.get(url + query).content.decode(),
        )

    assert names("?sort=lock_in") == ["Hoch KG", "Mittel AG", "Anfangs Niedrig GmbH"]
    assert names("?level=low") == ["Anfangs Niedrig GmbH"]

    submit(low, low_owner, vendor_exposure={"microsoft": 40}, lock_in=90)

    assert names("?sort=lock_in") == ["Anfangs Niedrig GmbH", "Hoch KG", "Mittel AG"]
    assert names("?level=critical") == ["Anfangs Niedrig GmbH"]
    assert names("?level=low") == []


def test_assigned_scope_sorts_and_filters_only_own_clients(client, consultant, many, settings):
    settings.CONSULTANT_SCOPE = "assigned"
    client.force_login(consultant)
    url = reverse("news:affected", args=[many.slug])
    # the consultant's clients are the odd numbers
    assert _names(client.get(url + "?sort=lock_in").content.decode())[:2] == [
        "Kunde 51 GmbH",
        "Kunde 49 GmbH",
    ]
    assert _names(client.get(url + "?level=high").content.decode()) == ["Kunde 51 GmbH"]


def test_the_vendor_tags_are_stored_with_the_count_and_follow_renames_and_deletion(
    client, consultant, questionnaire, tags
):
    _client("Nur Microsoft GmbH", {"microsoft": 60})
    _client("Nur OpenAI AG", {"openai": 30})
    article = make_article(slug="copilot", vendors=[tags["openai"], tags["microsoft"]])
    reach = ArticleReach.objects.get(article=article)
    assert reach.vendors == [["microsoft", "Microsoft"], ["openai", "OpenAI"]]  # by name

    tags["openai"].name = "Open AI"
    tags["openai"].save()
    client.force_login(consultant)
    body = client.get(reverse("news:affected", args=[article.slug])).content.decode()
    assert '<span class="badge text-bg-light border">Open AI</span>' in body
    assert "Open AI 30" in body  # the row's vendor, by the tag's name

    tags["openai"].delete()
    reach.refresh_from_db()
    assert reach.vendors == [["microsoft", "Microsoft"]] and reach.clients == 1
    assert list(_stored(article)) == ["Nur Microsoft GmbH"]
