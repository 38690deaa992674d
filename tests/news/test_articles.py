from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests.factories import UserFactory
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(tags):
    return {
        "published": make_article(slug="veroeffentlicht", vendors=[tags["microsoft"]]),
        "draft": make_article(slug="entwurf", state=Article.State.DRAFT, published_at=None),
        "scheduled": make_article(
            slug="geplant",
            state=Article.State.SCHEDULED,
            published_at=timezone.now() + timedelta(days=3),
        ),
        "due": make_article(slug="faellig", state=Article.State.SCHEDULED, days_ago=0),
    }


def test_published_queryset_holds_published_and_due_scheduled_only(articles):
    slugs = set(Article.objects.published().values_list("slug", flat=True))
    assert slugs == {"veroeffentlicht", "faellig"}


@pytest.mark.parametrize("slug", ["entwurf", "geplant"])
def test_drafts_and_scheduled_articles_are_404_for_the_public(client, articles, slug):
    assert client.get(reverse("news:detail", args=[slug])).status_code == 404


@pytest.mark.parametrize("slug", ["entwurf", "geplant"])
def test_drafts_and_scheduled_articles_are_404_for_clients(client, articles, alice, slug):
    client.force_login(alice)
    assert client.get(reverse("news:detail", args=[slug])).status_code == 404


@pytest.mark.parametrize("slug", ["entwurf", "geplant"])
def test_staff_see_drafts_and_scheduled_with_a_banner(client, articles, slug):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("news:detail", args=[slug]))
    assert response.status_code == 200
    assert "Vorschau:" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_published_article_has_no_banner_and_open_graph_and_canonical(client, articles, settings):
    settings.SITE_URL = "https://portal.example.de"
    body = client.get(reverse("news:detail", args=["veroeffentlicht"])).content.decode()
    assert "Vorschau:" not in body
    assert (
        '<link rel="canonical" href="https://portal.example.de/aktuelles/veroeffentlicht/">' in body
    )
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:title" content="Veroeffentlicht">' in body


def test_drafts_never_appear_in_list_feeds_or_sitemap(client, articles):
    for url in (
        reverse("news:list"),
        reverse("news:feed_rss"),
        reverse("news:feed_atom"),
        "/sitemap.xml",
    ):
        body = client.get(url).content.decode()
        assert "/aktuelles/veroeffentlicht/" in body, url
        assert "/aktuelles/entwurf/" not in body, url
        assert "/aktuelles/geplant/" not in body, url


def test_list_filters_by_tag_and_404s_an_unknown_tag(client, articles, tags):
    make_article(slug="ai-act-termine", topics=[tags["eu-ai-act"]])
    body = client.get(reverse("news:list"), {"tag": "eu-ai-act"}).content.decode()
    assert "/aktuelles/ai-act-termine/" in body
    assert "/aktuelles/veroeffentlicht/" not in body
    assert client.get(reverse("news:list"), {"tag": "gibt-es-nicht"}).status_code == 404


def test_list_paginates_and_tolerates_bad_page_numbers(client, db):
    for n in range(12):
        make_article(slug=f"beitrag-{n}", days_ago=n + 1)
    first = client.get(reverse("news:list")).content.decode()
    second = client.get(reverse("news:list"), {"page": "2"}).content.decode()
    assert first.count('class="card h-100 news-card"') == 9
    assert second.count('class="card h-100 news-card"') == 3
    assert "Seite 2 von 2" in second
    assert client.get(reverse("news:list"), {"page": "x"}).status_code == 200


def test_dates_are_german(client, db):
    make_article(slug="maerz", published_at=datetime(2026, 3, 5, 10, tzinfo=UTC))
    body = client.get(reverse("news:detail", args=["maerz"])).content.decode()
    assert "5. März 2026" in body


def test_related_articles_share_tags(client, tags):
    article = make_article(slug="haupt", vendors=[tags["microsoft"]])
    make_article(slug="verwandt", vendors=[tags["microsoft"]])
    make_article(slug="fremd", topics=[tags["eu-ai-act"]])
    body = client.get(reverse("news:detail", args=[article.slug])).content.decode()
    related = body.split("Weitere Beiträge zum Thema")[1]
    assert "/aktuelles/verwandt/" in related
    assert "/aktuelles/fremd/" not in related


def test_reading_time_counts_words():
    article = Article(body=" ".join(["Wort"] * 401))
    assert article.reading_minutes == 3
    assert Article(body="kurz").reading_minutes == 1


def test_scheduled_article_needs_a_future_date_and_published_a_date(db):
    with pytest.raises(ValidationError):
        Article(
            title="t",
            slug="t",
            teaser="t",
            body="t",
            state=Article.State.SCHEDULED,
            published_at=timezone.now() - timedelta(hours=1),
        ).full_clean()
    with pytest.raises(ValidationError):
        Article(
            title="t", slug="t", teaser="t", body="t", state=Article.State.PUBLISHED
        ).full_clean()


def test_vendor_tag_must_be_a_catalogue_vendor_key(questionnaire):
    from news.models import Tag

    with pytest.raises(ValidationError):
        Tag(slug="ibm", name="IBM", kind=Tag.Kind.VENDOR).full_clean()
    Tag(slug="openai", name="OpenAI", kind=Tag.Kind.VENDOR).full_clean()


def test_landing_page_shows_the_latest_three(client, db):
    for n in range(4):
        make_article(slug=f"neu-{n}", days_ago=n + 1)
    body = client.get(reverse("landing")).content.decode()
    assert "Aktuelles aus dem KI-Markt" in body
    assert all(f"/aktuelles/neu-{n}/" in body for n in range(3))
    assert "/aktuelles/neu-3/" not in body


def test_admin_preview_renders_the_sanitised_body(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    article = make_article(
        slug="vorschau",
        state=Article.State.DRAFT,
        published_at=None,
        body="## Zwischentitel\n\n<script>alert(1)</script>",
    )
    client.force_login(admin)
    body = client.get(reverse("admin:news_article_change", args=[article.pk])).content.decode()
    assert "<h2>Zwischentitel</h2>" in body
    assert "<script>alert(1)</script>" not in body
    assert article.get_absolute_url() in body
