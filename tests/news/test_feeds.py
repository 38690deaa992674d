from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 - our own server's output


@pytest.fixture
def two_articles(tags):
    make_article(
        slug="copilot-anthropic",
        title="Copilot & Anthropic: „Was heißt das?“",
        vendors=[tags["microsoft"], tags["anthropic"]],
        days_ago=1,
    )
    make_article(slug="ai-act-termine", topics=[tags["eu-ai-act"]], days_ago=5)


def test_rss_feed_is_valid_rss_2(client, two_articles):
    response = client.get(reverse("news:feed_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    root = _xml(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    items = channel.findall("item")
    assert [i.findtext("link").rsplit("/", 2)[-2] for i in items] == [
        "copilot-anthropic",
        "ai-act-termine",
    ]
    first = items[0]
    assert first.findtext("title") == "Copilot & Anthropic: „Was heißt das?“"
    assert first.findtext("guid")
    assert parsedate_to_datetime(first.findtext("pubDate")).tzinfo is not None
    assert {c.text for c in first.findall("category")} == {"Microsoft", "Anthropic"}


def test_atom_feed_is_valid_atom_1(client, two_articles):
    response = client.get(reverse("news:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = _xml(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}"), required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        assert entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}title")
        assert parse_datetime(entry.findtext(f"{ATOM}updated")) is not None
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert entry.find(f"{ATOM}author/{ATOM}name").text


def test_sitemap_lists_public_pages_and_articles(client, two_articles):
    root = _xml(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith("/aktuelles/copilot-anthropic/") for loc in locations)
    assert any(loc.endswith("/kontakt/") for loc in locations)


def test_pages_link_their_feeds(client, two_articles):
    body = client.get(reverse("news:list")).content.decode()
    assert 'type="application/rss+xml"' in body and 'type="application/atom+xml"' in body


@pytest.mark.parametrize("name", ["news:feed_rss", "news:feed_atom"])
def test_feeds_answer_conditional_requests_with_304_until_something_changes(
    client, two_articles, name
):
    url = reverse(name)
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    # an article taken down changes no remaining date but still changes the feed
    from news.models import Article

    Article.objects.filter(slug="ai-act-termine").update(state=Article.State.DRAFT)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_feed_declares_german_and_is_german_for_an_english_reader(client, two_articles):
    client.cookies["django_language"] = "en"
    rss = _xml(client.get(reverse("news:feed_rss"), HTTP_ACCEPT_LANGUAGE="en").content)
    channel = rss.find("channel")
    assert channel.findtext("language") == "de"
    assert channel.findtext("title") == "KI-Marktkommentare für KMU"
    atom = _xml(client.get(reverse("news:feed_atom"), HTTP_ACCEPT_LANGUAGE="en").content)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert atom.findtext(f"{ATOM}title") == "KI-Marktkommentare für KMU"


def test_english_readers_are_told_articles_are_german_only(client, two_articles):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("news:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Our articles are published in German only." in page
    detail = client.get(
        reverse("news:detail", args=["copilot-anthropic"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Our articles are published in German only." in detail
    assert 'class="prose article-body" lang="de"' in detail
    german = client.get(reverse("news:list"), HTTP_ACCEPT_LANGUAGE="de")
    assert "nur auf Deutsch" not in german.content.decode()
