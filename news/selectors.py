"""Reads for news. Articles are reached through ``Article.objects.visible_to`` / ``published``."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.exposure import ClientExposure, clients_exposed_to, vendor_names

from .models import ARTICLE_LANGUAGE, COVER_PREFIX, Article, ClientFollowUp, FollowUpOptOut, Tag

RELATED_COUNT = 3
IMPACT_WINDOW_DAYS = 30


def articles_public(*, tag: str = "") -> QuerySet[Article]:
    articles = (
        Article.objects.published().select_related("author").prefetch_related("topics", "vendors")
    )
    if tag:
        articles = articles.filter(Q(topics__slug=tag) | Q(vendors__slug=tag)).distinct()
    return articles.order_by("-published_at", "-pk")


@dataclass(frozen=True)
class FeedState:
    etag: str
    last_modified: datetime | None


def articles_feed_state() -> FeedState:
    """What a feed reader's conditional request is compared with: one aggregate query.

    The newest change or publication gives Last-Modified; the ETag also counts the articles, so
    an article taken down (which changes no remaining date) still changes it.
    """
    state = Article.objects.published().aggregate(
        count=Count("pk"), updated=Max("updated_at"), published=Max("published_at")
    )
    dates = [d for d in (state["updated"], state["published"]) if d is not None]
    last_modified = max(dates) if dates else None
    stamp = last_modified.isoformat() if last_modified else "-"
    digest = hashlib.sha256(f"{ARTICLE_LANGUAGE}|{state['count']}|{stamp}".encode()).hexdigest()
    return FeedState(etag=digest[:32], last_modified=last_modified)


def articles_latest(*, count: int = 3) -> list[Article]:
    return list(articles_public()[:count])


def tags_in_use() -> QuerySet[Tag]:
    published = Article.objects.published()
    return (
        Tag.objects.annotate(
            used=Count("topic_articles", filter=Q(topic_articles__in=published), distinct=True)
            + Count("vendor_articles", filter=Q(vendor_articles__in=published), distinct=True)
        )
        .filter(used__gt=0)
        .order_by("kind", "name")
    )


def tag_get(*, slug: str) -> Tag | None:
    return Tag.objects.filter(slug=slug).first() if slug else None


def article_get_for_user(*, user, slug: str) -> Article:
    """The article if ``user`` may read it: everybody the published ones, staff all; else 404."""
    return get_object_or_404(
        Article.objects.visible_to(user)
        .select_related("author")
        .prefetch_related("topics", "vendors"),
        slug=slug,
    )


def article_with_cover(*, user, name: str) -> Article:
    if "/" in name or not name:
        raise Http404
    article = Article.objects.visible_to(user).filter(cover=f"{COVER_PREFIX}{name}").first()
    if article is None or not article.cover.storage.exists(article.cover.name):
        raise Http404
    return article


def articles_related(*, article: Article, count: int = RELATED_COUNT) -> list[Article]:
    """Published articles sharing most tags with ``article``, newest first among equals."""
    tag_ids = [t.pk for t in article.topics.all()] + [t.pk for t in article.vendors.all()]
    others = Article.objects.published().exclude(pk=article.pk)
    if not tag_ids:
        return list(others.order_by("-published_at")[:count])
    return list(
        others.annotate(
            shared=Count("topics", filter=Q(topics__in=tag_ids), distinct=True)
            + Count("vendors", filter=Q(vendors__in=tag_ids), distinct=True)
        )
        .filter(shared__gt=0)
        .order_by("-shared", "-published_at")[:count]
    )


def article_vendor_keys(article: Article) -> list[str]:
    return [tag.slug for tag in article.vendors.all()]


@dataclass(frozen=True)
class AffectedClient:
    exposure: ClientExposure
    followup: ClientFollowUp | None
    vendors: list[tuple[str, int]]  # (vendor name, exposure), highest first


def affected_clients(*, user, article: Article) -> list[AffectedClient]:
    """Clients exposed to the article's vendors, ranked, with any follow-up already recorded.

    Consultants only: callers check that; ``user`` limits the organisations anyway.
    """
    if not user.is_consultant:
        raise Http404
    exposures = clients_exposed_to(user=user, vendors=article_vendor_keys(article), detailed=True)
    followups = {
        f.organization_id: f
        for f in article.followups.filter(
            organization_id__in=[e.organization_id for e in exposures]
        ).select_related("informed_by")
    }
    names = vendor_names()
    return [
        AffectedClient(
            exposure=e,
            followup=followups.get(e.organization_id),
            vendors=[
                (names.get(key, key), value)
                for key, value in sorted(e.vendors.items(), key=lambda kv: -kv[1])
            ],
        )
        for e in exposures
    ]


def affected_count(*, user, article: Article) -> int:
    return len(clients_exposed_to(user=user, vendors=article_vendor_keys(article)))


@dataclass(frozen=True)
class ArticleImpact:
    article: Article
    affected: int
    informed: int


def recent_article_impacts(*, user, days: int = IMPACT_WINDOW_DAYS) -> list[ArticleImpact]:
    """For the portfolio: recent articles with vendor tags and how many clients each affects.

    The portfolio's exposure is read once for all articles' vendors together and the
    follow-ups once for all articles, so the dashboard costs the same queries with one recent
    article or ten (each used to re-read every client's latest result)."""
    if not (user.is_authenticated and user.is_consultant):
        return []
    since = timezone.now() - timedelta(days=days)
    articles = list(
        Article.objects.published()
        .filter(published_at__gte=since, vendors__isnull=False)
        .distinct()
        .prefetch_related("vendors")
        .order_by("-published_at")
    )
    if not articles:
        return []
    wanted = {article.pk: article_vendor_keys(article) for article in articles}
    every_vendor = {vendor for vendors in wanted.values() for vendor in vendors}
    # ClientExposure.vendors holds exactly the asked-about vendors with exposure above 0
    exposures = clients_exposed_to(user=user, vendors=sorted(every_vendor))
    informed_pairs = set(
        ClientFollowUp.objects.filter(article__in=articles).values_list(
            "article_id", "organization_id"
        )
    )
    impacts = []
    for article in articles:
        exposed = [
            e.organization_id
            for e in exposures
            if any(vendor in e.vendors for vendor in wanted[article.pk])
        ]
        if not exposed:
            continue
        informed = sum(1 for pk in exposed if (article.pk, pk) in informed_pairs)
        impacts.append(ArticleImpact(article=article, affected=len(exposed), informed=informed))
    return impacts


def followups_for_organization(*, user, organization) -> QuerySet[ClientFollowUp]:
    """What the consultancy told this client about news; consultants only."""
    if not (user.is_authenticated and user.is_consultant):
        return ClientFollowUp.objects.none()
    return ClientFollowUp.objects.filter(organization=organization).select_related(
        "article", "informed_by"
    )


def followups_opted_out(*, user) -> bool:
    return FollowUpOptOut.objects.filter(user=user).exists()
