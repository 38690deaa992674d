"""Which clients each article concerns, stored (``AffectedClient``, ``ArticleReach``) and kept
up to date in the transaction of the change:

- an article's vendor tags change (or a vendor tag's key or name, or a tag is deleted): its rows
  are rebuilt from every client's summary row (one read of them, once per edit), and the tags
  are stored with its count (``ArticleReach.vendors``);
- a client's summary row changes what a row holds (``portal.portfolio.summary.exposure_changed``,
  sent by the summary refresh of a submission, a rescore, a deleted result, new level
  thresholds): its rows for every article with vendor tags are compared and written;
- a client is told about an article, or that follow-up is deleted: the row's ``informed``;
- a client or an article is deleted: its rows go with it (cascade), the counts are recounted.

A row copies from the client's summary row (``ClientSummary``, written just before in the same
transaction) the exposure to the article's vendors, the lock-in score and level and the
submission date, which the page sorts and filters by. The count per article is recounted (an
index-only count) only for the articles whose set of clients changed; new values alone change
no count.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from portal.models import ClientSummary, Organization
from portal.portfolio.summary import exposure_changed

from .models import AffectedClient, Article, ArticleReach, ClientFollowUp, Tag

# what a row copies from the client's summary row besides the exposure (row field, summary field)
COPIED = (
    ("lock_in", "lock_in"),
    ("lock_in_level", "level_lock_in"),
    ("submitted_at", "submitted_at"),
)
STORED = ("exposure", "exposure_sum", *(name for name, _source in COPIED))


def _vendor_articles(article_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """``{article id: [vendor keys]}`` of the articles with vendor tags (or of these)."""
    rows = Article.vendors.through.objects.all()
    if article_ids is not None:
        rows = rows.filter(article_id__in=list(article_ids))
    out: dict[int, list[str]] = {}
    for article_id, slug in rows.values_list("article_id", "tag__slug"):
        out.setdefault(article_id, []).append(slug)
    return out


def _clients(organization_ids: list | None = None) -> list[tuple]:
    """``(organisation id, {vendor key: exposure}, copied values)`` from the summary rows of
    every client (or of these)."""
    rows = ClientSummary.objects.all()
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=organization_ids)
    return [
        (pk, exposure or {}, (lock_in or 0, level, submitted))
        for pk, exposure, lock_in, level, submitted in rows.values_list(
            "organization_id", "vendor_exposure", *(source for _name, source in COPIED)
        )
    ]


def _affected(articles: dict[int, list[str]], clients) -> dict[tuple, tuple]:
    """``{(article id, organisation id): (highest exposure, sum, *copied)}`` over the articles'
    vendors."""
    out = {}
    for organization_id, exposure, copied in clients:
        for article_id, vendors in articles.items():
            values = [v for v in (int(exposure.get(key) or 0) for key in vendors) if v > 0]
            if values:
                out[(article_id, organization_id)] = (max(values), sum(values), *copied)
    return out


def _informed(pairs) -> set[tuple]:
    """Of these ``(article id, organisation id)``, those with a follow-up."""
    pairs = list(pairs)
    if not pairs:
        return set()
    told = ClientFollowUp.objects.filter(article_id__in={a for a, _o in pairs})
    organizations = {o for _a, o in pairs}
    if len(organizations) <= 1000:  # a few clients changed; else the articles' few follow-ups
        told = told.filter(organization_id__in=organizations)
    return set(told.values_list("article_id", "organization_id")) & set(pairs)


def _rows(pairs: dict) -> list[AffectedClient]:
    informed = _informed(pairs)
    return [
        AffectedClient(
            article_id=article_id,
            organization_id=organization_id,
            informed=(article_id, organization_id) in informed,
            **dict(zip(STORED, values, strict=True)),
        )
        for (article_id, organization_id), values in pairs.items()
    ]


def reach_recount(*, article_ids: Iterable[int]) -> None:
    """Count the rows of these articles again and store their vendor tags with the count."""
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
    tags: dict[int, list] = {}
    for article_id, slug, name in (
        Article.vendors.through.objects.filter(article_id__in=article_ids)
        .order_by(*(f"tag__{field}" for field in Tag._meta.ordering), "tag_id")
        .values_list("article_id", "tag__slug", "tag__name")
    ):
        tags.setdefault(article_id, []).append([slug, name])
    ArticleReach.objects.bulk_create(
        [
            ArticleReach(article_id=pk, clients=counts.get(pk, 0), vendors=tags.get(pk, []))
            for pk in sorted(existing)
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["clients", "vendors"],
    )


def article_affected_refresh(*, article_ids: Iterable[int]) -> None:
    """Rebuild the clients these articles concern (after their vendor tags changed)."""
    article_ids = list(article_ids)
    with transaction.atomic():
        articles = _vendor_articles(article_ids)
        AffectedClient.objects.filter(article_id__in=article_ids).delete()
        if articles:
            rows = _rows(_affected(articles, _clients()))
            AffectedClient.objects.bulk_create(rows, batch_size=2000)
        reach_recount(article_ids=article_ids)


def clients_affected_refresh(*, organization_ids: Iterable) -> None:
    """Bring the stored rows of these clients in line with their summary rows."""
    organization_ids = list(organization_ids)
    articles = _vendor_articles()
    if not articles or not organization_ids:
        return
    with transaction.atomic():
        new = _affected(articles, _clients(organization_ids))
        stored = AffectedClient.objects.filter(organization_id__in=organization_ids)
        old = {
            (article_id, organization_id): (pk, tuple(values))
            for pk, article_id, organization_id, *values in stored.values_list(
                "pk", "article_id", "organization_id", *STORED
            )
        }
        gone = [old[key][0] for key in old.keys() - new.keys()]
        if gone:
            AffectedClient.objects.filter(pk__in=gone).delete()
        AffectedClient.objects.bulk_create(_rows({k: new[k] for k in new.keys() - old.keys()}))
        changed = [
            AffectedClient(pk=old[key][0], **dict(zip(STORED, new[key], strict=True)))
            for key in new.keys() & old.keys()
            if old[key][1] != new[key]
        ]
        AffectedClient.objects.bulk_update(changed, STORED, batch_size=500)
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
    if not created and not kwargs.get("raw"):  # the key or the name may have changed
        article_affected_refresh(article_ids=instance.vendor_articles.values_list("pk", flat=True))


@receiver(pre_delete, sender=Tag, dispatch_uid="news.tag_deleting")
def _tag_deleting(sender, instance: Tag, **kwargs) -> None:
    # the links go with the tag (no m2m_changed): note its articles while they are there
    instance._vendor_article_ids = list(instance.vendor_articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Tag, dispatch_uid="news.tag_deleted")
def _tag_deleted(sender, instance: Tag, **kwargs) -> None:
    article_affected_refresh(article_ids=getattr(instance, "_vendor_article_ids", []))


@receiver(post_save, sender=ClientFollowUp, dispatch_uid="news.followup_saved")
def _followup_saved(sender, instance: ClientFollowUp, created: bool, **kwargs) -> None:
    if created:
        AffectedClient.objects.filter(
            article_id=instance.article_id, organization_id=instance.organization_id
        ).update(informed=True)


@receiver(post_delete, sender=ClientFollowUp, dispatch_uid="news.followup_deleted")
def _followup_deleted(sender, instance: ClientFollowUp, **kwargs) -> None:
    AffectedClient.objects.filter(
        article_id=instance.article_id, organization_id=instance.organization_id
    ).update(informed=False)


@receiver(post_delete, sender=Organization, dispatch_uid="news.organization_deleted")
def _organization_deleted(sender, instance, **kwargs) -> None:
    reach_recount(article_ids=_vendor_articles())
