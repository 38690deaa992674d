"""Keeping the portfolio's stored figures up to date: one summary row per client
(``ClientSummary``) and the counts and sums over all of them (``PortfolioFigure``).

Who calls it: every service that changes what a summary row holds calls
``client_summaries_refresh`` for the clients it touched, inside its own transaction, so the
summary commits (or rolls back) with the change it summarises:

- ``assessments.results.services.latest_results_refresh`` (submit, the seeds, ``rescore --all``, a
  deleted result): latest result, scores, levels, submission, exposure;
- ``results_rescore``: the clients whose latest result it rewrote;
- the review workflow (review state) and the action plan (open actions, next due date);
- ``questionnaire_activate`` when the active catalogue's level thresholds change (every row);
- saving an ``Organization`` (a receiver below): a new client gets its row, a changed industry
  or size band moves its benchmark group, a new name or consultant is copied. A deleted client's
  row goes with it (cascade) and a receiver takes it out of the figures;
- ``organization_claim`` (a conditional ``UPDATE`` of the consultant, no ``save``); a deleted
  consultant leaves the row by ``SET_NULL``, as the client.

The refresh reads the sources (one query), locks and reads the stored rows, writes the rows that
differ, and adds the difference of their contributions to the figures (``_contributions``), so
the figures stay equal to a count over every row without ever counting them again. What depends
on the clock (a report stuck for 30 minutes, an overdue action) is not stored; the dashboard asks
indexes for those. For "older than 12 months" the figures count the clients per month of their
latest submission (``submitted_key``), and the dashboard counts only the cutoff's month.

Figures are sharded like the change counter: each PostgreSQL connection adds to the rows of its
own shard (``pg_backend_pid() % SHARDS``) after taking that shard's transaction-level advisory
lock, so concurrent writers on other shards never wait and two on one shard never deadlock.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from assessments.actionplan.models import Action
from assessments.review.models import ReviewState

from ..models import Organization
from .facts import catalogue_facts, risk_level
from .filters import DIMENSIONS, SCORE_FIELDS
from .models import ClientSummary, PortfolioFigure

# Sent inside the refresh's transaction with ``organization_ids``: the clients whose latest
# vendor exposure changed, or the lock-in score, level or submission read with it (``EXPOSED``),
# or None for "any client" (news keeps the clients each article concerns with these copied).
exposure_changed = Signal()
EXPOSED = ("vendor_exposure", "lock_in", "level_lock_in", "submitted_at")

SHARDS = 16
SUBMITTED = "submitted:"  # + "YYYY-MM": the clients per month of their latest submission
ADVISORY_LOCK_CLASS = 72_020  # any constant of our own: the first key of pg_advisory_xact_lock
OPEN_ACTION_STATES = (Action.State.OPEN, Action.State.IN_PROGRESS)
BENCH_BASES = ("industry", "size_band")

# the stored fields, in the order _source_rows builds them
FIELDS = (
    "name",
    "consultant_id",
    "industry",
    "size_band",
    "submitted_at",
    "review_state",
    *SCORE_FIELDS,
    "worst_level",
    *(f"level_{dim}" for dim in DIMENSIONS),
    "incomplete_answers",
    "vendor_exposure",
    "open_actions",
    "next_due",
)


def _source_rows(organizations) -> dict:
    """``{organization id: {field: value}}`` computed from the sources: the organisation, its
    latest result and assessment, and that assessment's open actions (one query)."""
    thresholds = catalogue_facts().thresholds
    open_actions = Action.objects.filter(
        assessment_id=OuterRef("latest_result_id"), state__in=OPEN_ACTION_STATES
    )
    rows = organizations.annotate(
        open_count=Coalesce(
            Subquery(
                open_actions.order_by()
                .values("assessment_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        first_due=Subquery(
            open_actions.filter(due_date__isnull=False).order_by("due_date").values("due_date")[:1]
        ),
    ).values_list(
        "pk",
        "name",
        "consultant_id",
        "industry",
        "size_band",
        "latest_result__assessment__submitted_at",
        "latest_result__assessment__review_state",
        *(f"latest_result__{name}" for name in SCORE_FIELDS),
        "latest_result__worst_level",
        "latest_result__incomplete_answers",
        "latest_result__vendor_exposure",
        "open_count",
        "first_due",
    )
    out = {}
    for pk, name, consultant, industry, size, submitted, review, *rest in rows:
        scores = dict(zip(SCORE_FIELDS, rest[: len(SCORE_FIELDS)], strict=True))
        worst, incomplete, exposure, open_count, first_due = rest[len(SCORE_FIELDS) :]
        values = {
            "name": name,
            "consultant_id": consultant,
            "industry": industry,
            "size_band": size,
            "submitted_at": submitted,
            "review_state": review or "",
            **scores,
            "worst_level": worst or "",
            **{f"level_{dim}": risk_level(scores[dim], thresholds) for dim in DIMENSIONS},
            "incomplete_answers": bool(incomplete),
            "vendor_exposure": exposure or {},
            "open_actions": open_count or 0,
            "next_due": first_due,
        }
        out[pk] = values
    return out


def submitted_key(moment) -> str:
    """The figure counting the clients whose latest submission falls in ``moment``'s month (UTC):
    the dashboard's "older than 12 months" sums the months before the cutoff's."""
    return f"{SUBMITTED}{moment.astimezone(UTC):%Y-%m}"


def _contributions(values: dict) -> Counter:
    """What one client adds to the figures (``values``: a summary row's fields)."""
    figures = Counter(total=1)
    if values["submitted_at"] is not None:
        figures[submitted_key(values["submitted_at"])] += 1
    if values["readiness"] is None:
        figures["no_result"] += 1
        return figures
    figures[f"level:{values['worst_level']}"] += 1
    for dim in DIMENSIONS:
        figures[f"heat:{dim}:{values[f'level_{dim}']}"] += 1
    if values["review_state"] == ReviewState.SUBMITTED:
        figures["review:submitted"] += 1
    for basis in BENCH_BASES:
        prefix = f"bench:{basis}:{values[basis]}:"
        figures[prefix + "n"] += 1
        for name in SCORE_FIELDS:
            figures[prefix + name] += values[name]
    return figures


def _exposed(values: dict | None) -> tuple | None:
    """What ``exposure_changed`` is about in a row's fields: nothing without any exposure."""
    if not values or not values["vendor_exposure"]:
        return None
    return tuple(values[name] for name in EXPOSED)


def _stored(summary: ClientSummary) -> dict:
    return {name: getattr(summary, name) for name in FIELDS}


def client_summaries_refresh(*, organization_ids=None) -> int:
    """Recompute the summary rows of these clients (``None``: every client) from their data
    and bring the figures along. Returns how many rows changed. Run it inside the transaction
    of the change: it locks the rows it rewrites until that transaction ends."""
    organizations = Organization.objects.order_by("pk")
    if organization_ids is not None:
        organization_ids = list(organization_ids)
        if not organization_ids:
            return 0
        organizations = organizations.filter(pk__in=organization_ids)
    with transaction.atomic():
        stored = ClientSummary.objects.select_for_update().order_by("pk")
        if organization_ids is not None:
            stored = stored.filter(pk__in=organization_ids)
        old = {summary.pk: _stored(summary) for summary in stored}
        new = _source_rows(organizations)
        changed = []
        exposed = []
        delta = Counter()
        for pk, values in new.items():
            before = old.get(pk)
            if before == values:
                continue
            if _exposed(before) != _exposed(values):
                exposed.append(pk)
            changed.append(ClientSummary(organization_id=pk, **values))
            delta.update(_contributions(values))
            if before is not None:
                delta.subtract(_contributions(before))
        gone = old.keys() - new.keys()
        if gone:  # only without the ORM's cascade; the receiver below takes them out
            ClientSummary.objects.filter(pk__in=gone).delete()
        if changed:
            ClientSummary.objects.bulk_create(
                changed,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["organization"],
                update_fields=list(FIELDS),
            )
        figures_add(delta)
        if exposed:
            # every client at once (a bulk load, a rescore of all): say so, rather than list them
            everybody = organization_ids is None
            exposure_changed.send(
                sender=ClientSummary, organization_ids=None if everybody else exposed
            )
    return len(changed)


def bench_cache_key(basis: str, value) -> str:
    """The shared cache's key of a benchmark group's sums (``assessments.selectors``)."""
    return f"benchmark:1:{basis}:{value}"


def figures_add(delta: dict) -> None:
    """Add ``delta`` (``{key: difference}``) to the figures, on this connection's shard; the
    cached sums of the benchmark groups it changes are dropped once the change is committed."""
    items = sorted((key, value) for key, value in delta.items() if value)
    if not items:
        return
    groups = {tuple(key.split(":")[1:3]) for key, _value in items if key.startswith("bench:")}
    if groups:
        stale = [bench_cache_key(basis, value) for basis, value in groups]
        # now (this transaction's own later reads) and after the commit (a reader meanwhile
        # cached the sums without this change)
        cache.delete_many(stale)
        transaction.on_commit(lambda: cache.delete_many(stale))
    table = connection.ops.quote_name(PortfolioFigure._meta.db_table)
    if connection.vendor == "postgresql":
        shard = f"pg_backend_pid() %% {SHARDS}"
        lock = f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_CLASS}, pg_backend_pid() % {SHARDS})"
    else:  # SQLite: one writer at a time
        shard, lock = "0", None
    values = ", ".join(f"(%s, {shard}, %s)" for _item in items)
    with connection.cursor() as cursor:
        if lock:
            cursor.execute(lock)
        cursor.execute(
            f"INSERT INTO {table} (key, shard, value) VALUES {values} "  # noqa: S608 - our names
            f"ON CONFLICT (key, shard) DO UPDATE SET value = {table}.value + excluded.value",
            [part for item in items for part in item],
        )


def figures_prune() -> int:
    """Drop the figures whose shards add up to nothing: a key names a value (a level, an
    industry), and once nobody has that value any more, e.g. after an erasure, the key goes too.
    Readers count a missing key as 0. Every shard's lock is taken first, so no concurrent change
    to a key is lost between reading and deleting."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for shard in range(SHARDS):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CLASS, shard])
    empty = (
        PortfolioFigure.objects.values("key")
        .annotate(total=Sum("value"))
        .filter(total=0)
        .values_list("key", flat=True)
    )
    deleted, _ = PortfolioFigure.objects.filter(key__in=list(empty)).delete()
    return deleted


def figures(*, prefix: str = "") -> dict[str, int]:
    """The figures whose key starts with ``prefix``, summed over the shards."""
    rows = PortfolioFigure.objects.all()
    if prefix:
        rows = rows.filter(key__startswith=prefix)
    out: dict[str, int] = {}
    for key, value in rows.values_list("key", "value"):
        out[key] = out.get(key, 0) + value
    return out


def bench_figures(*, groups) -> dict[str, int]:
    """The benchmark sums of these ``(basis, value)`` groups (industry, size band)."""
    condition = Q(pk__in=[])
    for basis, value in groups:
        condition |= Q(key__startswith=f"bench:{basis}:{value}:")
    out: dict[str, int] = {}
    for key, value in PortfolioFigure.objects.filter(condition).values_list("key", "value"):
        out[key] = out.get(key, 0) + value
    return out


def figures_recount() -> dict[str, int]:
    """The figures counted afresh over every stored row (tests and the consistency check)."""
    total = Counter()
    for summary in ClientSummary.objects.all():
        total.update(_contributions(_stored(summary)))
    return {key: value for key, value in total.items() if value}


def summaries_complete() -> bool:
    return ClientSummary.objects.count() == Organization.objects.count()


# --- receivers ---------------------------------------------------------------------------------


@receiver(post_save, sender=Organization, dispatch_uid="portfolio.organization_saved")
def organization_saved(sender, instance: Organization, created: bool, update_fields=None, **kw):
    """A new client gets its row; a changed industry or size band moves its benchmark group; a
    new name or consultant is copied (the filtered counts read them from the row)."""
    if kw.get("raw"):
        return  # loaddata
    copied = {"name", "consultant", "consultant_id", "industry", "size_band"}
    if created or update_fields is None or copied & set(update_fields):
        client_summaries_refresh(organization_ids=[instance.pk])


@receiver(post_delete, sender=ClientSummary, dispatch_uid="portfolio.summary_deleted")
def summary_deleted(sender, instance: ClientSummary, **kwargs) -> None:
    """A client deleted (its row goes with it): take it out of the figures."""
    figures_add({key: -value for key, value in _contributions(_stored(instance)).items()})
