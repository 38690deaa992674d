"""Reads for news. Articles are reached through ``Article.objects.visible_to`` / ``published``."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from assessments.results import exposure as exposure_module
from assessments.results.exposure import ClientExposure, result_fields, results_exposure
from portal.models import Organization
from portal.sources import content_key, sources_digest

from .filters import AffectedFilter
from .models import (
    ARTICLE_LANGUAGE,
    COVER_PREFIX,
    Article,
    ArticleReach,
    ClientFollowUp,
    FollowUpOptOut,
    Tag,
)
from .models import AffectedClient as AffectedRow

RELATED_COUNT = 3
_EXPOSURE_FIELDS = tuple(result_fields("").keys())  # the row's fields results_exposure reads
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


def article_get_for_impact(*, user, slug: str) -> Article:
    """The article for "Welche Kunden betrifft das?" if ``user`` may read it (else 404): with its
    stored reach and vendor tags (``ArticleReach``), the only parts that page reads (one query)."""
    return get_object_or_404(Article.objects.visible_to(user).select_related("reach"), slug=slug)


def article_impact_vendors(article: Article) -> list[tuple[str, str]]:
    """``(key, name)`` of the vendor tags ``article``'s stored clients were found by, in the
    tags' order (``news.impact`` stores them with the count): no query when read with the
    article (``article_get_for_impact``)."""
    try:
        return [(slug, name) for slug, name in article.reach.vendors]
    except ArticleReach.DoesNotExist:
        return []


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


AFFECTED_PAGE_SIZE = 50
# each the order of an index of the stored rows (``AffectedClient.Meta``) up to the name
AFFECTED_SORTS = {
    "exposure": ("-exposure", "-exposure_sum", "-lock_in", "organization__name", "pk"),
    "name": ("organization__name", "pk"),
    "lock_in": ("-lock_in", "-exposure", "organization__name", "pk"),
    "submitted": (F("submitted_at").desc(nulls_last=True), "organization__name", "pk"),
}


# what a row of the page shows of its stored row (with its client's name and latest result)
SHOWN = ("organization_id", "exposure", "lock_in", "lock_in_level", "submitted_at", "informed")


def _affected_rows(*, user, article: Article) -> QuerySet[AffectedRow]:
    """The stored clients of ``article`` that ``user`` may see."""
    rows = AffectedRow.objects.filter(article=article)
    if not user.sees_all_clients:  # else every client: no subquery over all of them
        rows = rows.filter(organization__in=Organization.objects.visible_to(user))
    return rows


def affected_page(*, user, article: Article, filters: AffectedFilter):
    """One page of the clients ``article`` concerns (``Paginator`` page of ``AffectedClient``),
    filtered and sorted as asked; the rows of the page get their drivers (what ties each client
    to the vendors), the only part read from the stored cards and answers.

    Consultants only: callers check that; ``user`` limits the organisations anyway."""
    if not user.is_consultant:
        raise Http404
    rows = _affected_rows(user=user, article=article)
    if filters.q:
        rows = rows.filter(organization__name__icontains=filters.q)
    if filters.level:
        rows = rows.filter(lock_in_level=filters.level)
    if filters.informed:
        rows = rows.filter(informed=filters.informed == "yes")
    if filters.mine:
        rows = rows.filter(organization__consultant=user)
    fields = result_fields("organization__latest_result__")
    shown = rows.annotate(
        name=F("organization__name"), result_id=F("organization__latest_result"), **fields
    ).values(*SHOWN, "name", "result_id", *fields)
    paginator = Paginator(shown.order_by(*AFFECTED_SORTS[filters.sort]), AFFECTED_PAGE_SIZE)
    if user.sees_all_clients and not filters.is_filtered:
        paginator.count = affected_total(article=article)  # stored with the rows
        page = paginator.get_page(filters.page)
    else:
        page = _page_counted(paginator, rows, filters.page)
    # who told the rows' clients and how: a query only when the page has such a row
    told = [row["organization_id"] for row in page.object_list if row["informed"]]
    followups = (
        {
            f.organization_id: f
            for f in ClientFollowUp.objects.filter(
                article=article, organization_id__in=told
            ).select_related("informed_by")
        }
        if told
        else {}
    )
    # the vendors by the names of the article's tags, as the page's header shows them: no query
    names = dict(article_impact_vendors(article))
    # the vendors' values and the drivers of each row's result: for this page only
    details = _page_exposure({row["result_id"]: row for row in page.object_list}, list(names))
    page.object_list = [
        AffectedClient(
            exposure=ClientExposure(
                organization_id=row["organization_id"],
                organization_name=row["name"],
                exposure=row["exposure"],
                vendors=details[row["result_id"]].vendors,
                lock_in=row["lock_in"],
                lock_in_level=row["lock_in_level"],
                assessed_at=row["submitted_at"],
                drivers=details[row["result_id"]].drivers,
            ),
            followup=followups.get(row["organization_id"]),
            vendors=[
                (names.get(key, key), value)
                for key, value in sorted(
                    details[row["result_id"]].vendors.items(), key=lambda kv: -kv[1]
                )
            ],
        )
        for row in page.object_list
        if row["result_id"] in details
    ]
    return page


# What turns a result's stored values into its drivers besides those values.
_EXPOSURE_SOURCES = (
    Path(exposure_module.__file__),
    Path(exposure_module.__file__).parents[1] / "questionnaire" / "answers.py",
    Path(exposure_module.__file__).parents[1] / "catalogue" / "text.py",
)


def _page_exposure(results: dict, vendors: list[str]) -> dict:
    """``results_exposure`` of a page's rows, kept in the cache under exactly what it is made
    of: each result's id and the values read with it (its vendor values, stored driver keys,
    catalogue version and checksum), the vendors, the language and the code. A submitted
    assessment's answers never change (``answer_save`` writes only drafts), so the same key
    always means the same drivers; a rescore changes the stored keys, a new submission the id."""
    key = content_key(
        "news-exposure:1",
        sources_digest(_EXPOSURE_SOURCES),
        get_language(),
        vendors,
        sorted(
            (str(pk), tuple(row[field] for field in _EXPOSURE_FIELDS))
            for pk, row in results.items()
            if pk is not None
        ),
    )
    found = cache.get(key)
    if found is None:
        found = results_exposure(results=results, vendors=vendors)
        cache.set(key, found, settings.PORTFOLIO_CACHE_SECONDS)
    return found


def _page_counted(paginator: Paginator, rows: QuerySet, number: int) -> Page:
    """Page ``number`` of ``paginator`` with the count of ``rows`` read in the same query (a
    subquery the database runs once, over the index of the filter): one round trip. Past the
    last page, the last page (as ``get_page``), after a count of its own."""
    counted = rows.order_by().values("article").annotate(n=Count("pk")).values("n")
    start = (number - 1) * paginator.per_page
    found = list(
        paginator.object_list.annotate(total=Subquery(counted))[start : start + paginator.per_page]
    )
    if found or number == 1:
        paginator.count = found[0]["total"] if found else 0
        return Page(found, number, paginator)
    paginator.count = rows.count()
    return paginator.get_page(number)


def affected_total(*, article: Article) -> int:
    """The stored reach: no query when read with the article (``article_get_for_impact``), one
    otherwise; 0 before it is first computed."""
    try:
        return article.reach.clients
    except ArticleReach.DoesNotExist:
        return 0


def affected_count(*, user, article: Article) -> int:
    if user.sees_all_clients:
        return affected_total(article=article)
    return _affected_rows(user=user, article=article).count()


def affected_ids(*, user, article: Article, organization_ids) -> list:
    """Of ``organization_ids``, those ``article`` concerns and ``user`` may see."""
    return list(
        _affected_rows(user=user, article=article)
        .filter(organization_id__in=list(organization_ids))
        .values_list("organization_id", flat=True)
    )


@dataclass(frozen=True)
class ArticleImpact:
    article: Article
    affected: int
    informed: int


def recent_article_impacts(*, user, days: int = IMPACT_WINDOW_DAYS) -> list[ArticleImpact]:
    """For the portfolio: recent articles that concern clients, how many each concerns and how
    many of those were told: one query over the stored per-article rows and counts."""
    if not (user.is_authenticated and user.is_consultant):
        return []
    since = timezone.now() - timedelta(days=days)

    def affected_of(article):
        rows = AffectedRow.objects.filter(article=article)
        if not user.sees_all_clients:
            rows = rows.filter(organization__in=Organization.objects.visible_to(user))
        return rows

    affected = affected_of(OuterRef("pk"))
    informed = ClientFollowUp.objects.filter(
        article=OuterRef("pk"),
        organization__in=affected_of(OuterRef(OuterRef("pk"))).values("organization"),
    )

    def count(queryset):
        counted = queryset.order_by().values("article").annotate(n=Count("pk")).values("n")[:1]
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    articles = (
        Article.objects.published()
        .filter(published_at__gte=since, reach__clients__gt=0)
        .annotate(
            n_affected=F("reach__clients") if user.sees_all_clients else count(affected),
            n_informed=count(informed),
        )
        .filter(n_affected__gt=0)
        .only("title", "slug", "published_at")
        .order_by("-published_at")
    )
    return [
        ArticleImpact(article=article, affected=article.n_affected, informed=article.n_informed)
        for article in articles
    ]


def followups_for_organization(*, user, organization) -> QuerySet[ClientFollowUp]:
    """What the consultancy told this client about news; consultants only."""
    if not (user.is_authenticated and user.is_consultant):
        return ClientFollowUp.objects.none()
    return ClientFollowUp.objects.filter(organization=organization).select_related(
        "article", "informed_by"
    )


def followups_opted_out(*, user) -> bool:
    return FollowUpOptOut.objects.filter(user=user).exists()
