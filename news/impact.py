"""Which clients each article concerns, stored (``AffectedClient``, ``ArticleReach``) and kept
up to date in the transaction of the change:

- an article's vendor tags change (or a vendor tag's key): its rows are rebuilt from every
  client's latest exposure (one read of the latest results, once per edit);
- a client's latest vendor exposure changes (``portal.portfolio.summary.exposure_changed``,
  sent by the summary refresh of a submission, a rescore, a deleted result): its rows for every
  article with vendor tags are compared and written;
- a client or an article is deleted: its rows go with it (cascade), the counts are recounted.

The count per article is recounted (an index-only count) only for the articles whose set of
clients changed; a new exposure value alone changes no count.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from assessments.results.exposure import latest_vendor_exposures
from portal.models import Organization
from portal.portfolio.summary import exposure_changed

from .models import AffectedClient, Article, ArticleReach, Tag


def _vendor_articles(article_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """``{article id: [vendor keys]}`` of the articles with vendor tags (or of these)."""
    rows = Article.vendors.through.objects.all()
    if article_ids is not None:
        rows = rows.filter(article_id__in=list(article_ids))
    out: dict[int, list[str]] = {}
    for article_id, slug in rows.values_list("article_id", "tag__slug"):
        out.setdefault(article_id, []).append(slug)
    return out


def _affected(articles: dict[int, list[str]], exposures) -> dict[tuple, tuple[int, int]]:
    """``{(article id, organisation id): (highest exposure, sum)}`` over the articles' vendors."""
    out = {}
    for organization_id, exposure in exposures:
        for article_id, vendors in articles.items():
            values = [v for v in (int(exposure.get(key) or 0) for key in vendors) if v > 0]
            if values:
                out[(article_id, organization_id)] = (max(values), sum(values))
    return out


def _rows(pairs: dict) -> list[AffectedClient]:
    return [
        AffectedClient(
            article_id=article_id,
            organization_id=organization_id,
            exposure=high,
            exposure_sum=total,
        )
        for (article_id, organization_id), (high, total) in pairs.items()
    ]


def reach_recount(*, article_ids: Iterable[int]) -> None:
    article_ids = sorted(set(article_ids))
    if not article_ids:
        return
    counts = dict(
        AffectedClient.objects.filter(article_id__in=article_ids)
        .values("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
    )
    existing = set(Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True))
    ArticleReach.objects.bulk_create(
        [ArticleReach(article_id=pk, clients=counts.get(pk, 0)) for pk in sorted(existing)],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["clients"],
    )


def article_affected_refresh(*, article_ids: Iterable[int]) -> None:
    """Rebuild the clients these articles concern (after their vendor tags changed)."""
    article_ids = list(article_ids)
    with transaction.atomic():
        articles = _vendor_articles(article_ids)
        AffectedClient.objects.filter(article_id__in=article_ids).delete()
        if articles:
            rows = _rows(_affected(articles, latest_vendor_exposures()))
            AffectedClient.objects.bulk_create(rows, batch_size=2000)
        reach_recount(article_ids=article_ids)


def clients_affected_refresh(*, organization_ids: Iterable) -> None:
    """Bring the stored rows of these clients in line with their latest exposure."""
    organization_ids = list(organization_ids)
    articles = _vendor_articles()
    if not articles or not organization_ids:
        return
    with transaction.atomic():
        new = _affected(articles, latest_vendor_exposures(organization_ids=organization_ids))
        stored = AffectedClient.objects.filter(organization_id__in=organization_ids)
        old = {
            (article_id, organization_id): (pk, (high, total))
            for pk, article_id, organization_id, high, total in stored.values_list(
                "pk", "article_id", "organization_id", "exposure", "exposure_sum"
            )
        }
        gone = [old[key][0] for key in old.keys() - new.keys()]
        if gone:
            AffectedClient.objects.filter(pk__in=gone).delete()
        AffectedClient.objects.bulk_create(_rows({k: new[k] for k in new.keys() - old.keys()}))
        changed = [
            AffectedClient(pk=old[key][0], exposure=new[key][0], exposure_sum=new[key][1])
            for key in new.keys() & old.keys()
            if old[key][1] != new[key]
        ]
        AffectedClient.objects.bulk_update(changed, ["exposure", "exposure_sum"], batch_size=500)
        reach_recount(article_ids={key[0] for key in new.keys() ^ old.keys()})


def reach_missing_refresh() -> None:
    """Articles with vendor tags but no stored count (data from before the stored sets)."""
    missing = Article.objects.filter(vendors__isnull=False, reach__isnull=True).distinct()
    article_affected_refresh(article_ids=missing.values_list("pk", flat=True))


# --- receivers ---------------------------------------------------------------------------------


@receiver(exposure_changed, dispatch_uid="news.exposure_changed")
def _exposure_changed(sender, organization_ids, **kwargs) -> None:
    if organization_ids is None:  # every client: rebuild the articles' sets in one read
        article_affected_refresh(article_ids=_vendor_articles())
    else:
        clients_affected_refresh(organization_ids=organization_ids)


@receiver(m2m_changed, sender=Article.vendors.through, dispatch_uid="news.vendors_changed")
def _vendors_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:  # article.vendors.add(tag)
        article_affected_refresh(article_ids=[instance.pk])
    elif pk_set:  # tag.vendor_articles.add(article, …)
        article_affected_refresh(article_ids=pk_set)
    else:  # tag.vendor_articles.clear(): which articles it left is gone; recount them all
        article_affected_refresh(article_ids=Article.objects.values_list("pk", flat=True))


@receiver(post_save, sender=Tag, dispatch_uid="news.tag_saved")
def _tag_saved(sender, instance: Tag, created: bool, **kwargs) -> None:
    if not created and not kwargs.get("raw"):  # the key may have changed
        article_affected_refresh(article_ids=instance.vendor_articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Organization, dispatch_uid="news.organization_deleted")
def _organization_deleted(sender, instance, **kwargs) -> None:
    reach_recount(article_ids=_vendor_articles())
