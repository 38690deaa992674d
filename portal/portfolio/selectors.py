"""Reads for the portfolio dashboard: a constant number of queries whatever the portfolio's size,
none of them over every client.

Every column the page filters, sorts or counts by is a client's stored summary row
(``ClientSummary``, kept by ``portal.portfolio.summary``); the counts of the whole portfolio are
stored figures. Only a filtered or scoped view counts, over the clients it selects.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Now
from django.utils import timezone

from ..models import ClientSummary, ClientSummaryChange, Organization, PortfolioFigure, User
from . import changes
from .facts import (  # noqa: F401 - part of this module's API since issue 10
    DEFAULT_THRESHOLDS,
    CatalogueFacts,
    catalogue_facts,
    facts_and_consultants,
    level_range,
)
from .filters import DIMENSIONS, LEVELS, SCORE_FIELDS, SORTS, PortfolioFilter
from .summary import SUBMITTED, submitted_key

STALE_AFTER = timedelta(days=365)
NEW_WITHIN = timedelta(days=14)
STUCK_AFTER = timedelta(minutes=30)
ATTENTION_LIMIT = 12


# --- the rows ---------------------------------------------------------------------------------


def portfolio_base(*, user: User) -> QuerySet[Organization]:
    """Visible organisations with their consultant and summary row joined once. Every client has
    its summary row (written with the client, ``portal.portfolio.summary``), so the join is an
    inner one: a page sorted by a score walks that score's index on the summary rows."""
    return (
        Organization.objects.visible_to(user)
        .filter(summary__isnull=False)
        .select_related("consultant", "summary")
    )


# Where the filter finds a client's columns: on the clients (their summary row joined), or on
# the summary rows alone (which copy name and consultant; industry and size band are read from
# the summary row either way).
CLIENT_PATHS = {"client": "", "summary": "summary__"}
SUMMARY_PATHS = {"client": "", "summary": ""}


def portfolio_filter(
    organizations: QuerySet,
    *,
    user: User,
    filters: PortfolioFilter,
    vendors: set[str],
    paths: dict[str, str] = CLIENT_PATHS,
) -> QuerySet:
    """``organizations`` (clients, or their summary rows with ``SUMMARY_PATHS``) narrowed to the
    filter: the same conditions whichever table the query starts from."""
    client, summary = paths["client"], paths["summary"]
    if filters.q:
        organizations = organizations.filter(**{f"{client}name__icontains": filters.q})
    if filters.level:
        organizations = organizations.filter(**{f"{summary}worst_level": filters.level})
    for dim, level in filters.dimension_levels.items():
        organizations = organizations.filter(**{f"{summary}level_{dim}": level})
    # the summary row's copies: a page sorted by a score walks that score's index on the
    # summary rows and checks them there, without looking up each client
    if filters.industry:
        organizations = organizations.filter(**{f"{summary}industry": filters.industry})
    if filters.size:
        organizations = organizations.filter(**{f"{summary}size_band": filters.size})
    if filters.consultant:
        organizations = organizations.filter(**{f"{client}consultant_id": filters.consultant})
    if filters.unassigned:
        organizations = organizations.filter(**{f"{client}consultant__isnull": True})
    if filters.mine:
        organizations = organizations.filter(**{f"{client}consultant": user})
    if filters.review:
        organizations = organizations.filter(**{f"{summary}review_state": filters.review})
    if filters.vendor in vendors and filters.vendor_min is not None:
        lookup = "gt" if filters.vendor_op == "gt" else "gte"
        organizations = organizations.filter(
            **{f"{summary}vendor_exposure__{filters.vendor}__{lookup}": filters.vendor_min}
        )
    if filters.stale:
        organizations = organizations.filter(**{f"{summary}submitted_at__lt": Now() - STALE_AFTER})
    if filters.incomplete:
        organizations = organizations.filter(**{f"{summary}incomplete_answers": True})
    if filters.overdue:
        organizations = organizations.filter(**{f"{summary}next_due__lt": timezone.localdate()})
    return organizations


def portfolio_sort(organizations: QuerySet[Organization], sort: str) -> QuerySet[Organization]:
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "name")
    if field == "name":  # never empty: a plain order the (name, id) index serves
        return organizations.order_by("-name" if descending else "name", "pk")
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return organizations.order_by(expression, "name", "pk")


def portfolio_filtered(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[Organization]:
    """The clients of the current filter (for counts, the heat map and the attention list)."""
    facts = facts or catalogue_facts()
    return portfolio_filter(
        portfolio_base(user=user),
        user=user,
        filters=filters,
        vendors={key for key, _label in facts.vendors},
    )


def portfolio_counted(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[ClientSummary]:
    """The same clients as ``portfolio_filtered``, as their summary rows alone: what the
    overview counts (``portfolio_overview``). Whoever sees every client reads every row; anyone
    else the rows of the clients ``Organization.visible_to`` gives them."""
    facts = facts or catalogue_facts()
    rows = ClientSummary.objects.all()
    if not (user.is_consultant and user.sees_all_clients):
        rows = rows.filter(organization__in=Organization.objects.visible_to(user).values("pk"))
    return portfolio_filter(
        rows,
        user=user,
        filters=filters,
        vendors={key for key, _label in facts.vendors},
        paths=SUMMARY_PATHS,
    )


def _with_draft_flag(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    from assessments.models import Assessment

    return organizations.annotate(
        draft_assessment=Exists(
            Assessment.objects.filter(organization=OuterRef("pk"), status="draft")
        )
    )


def portfolio_rows(
    *, user: User, filters: PortfolioFilter, facts: CatalogueFacts | None = None
) -> QuerySet[Organization]:
    """The filtered clients, sorted, each with a flag for an open draft (a page, the exports).

    The default order (name, id) has an index, and so has each score of the summary rows: a page
    of 50 walks one and joins 50 rows."""
    return portfolio_page_rows(
        portfolio_filtered(user=user, filters=filters, facts=facts), sort=filters.sort
    )


ROW_FIELDS = (
    "name",
    "industry",
    "size_band",
    "latest_result",
    "consultant__first_name",
    "consultant__last_name",
    "consultant__email",
    *(
        f"summary__{name}"
        for name in (
            *SCORE_FIELDS,
            "submitted_at",
            "worst_level",
            "incomplete_answers",
            "open_actions",
            "next_due",
        )
    ),
)


def portfolio_page_rows(filtered: QuerySet[Organization], *, sort: str) -> QuerySet:
    """``filtered`` (``portfolio_filtered``) sorted, as plain values (``rows.rows_for``): the
    columns a row shows and the draft flag. Every other column, the stored exposure above all,
    would cost parsing, and model instances of the client, its consultant and its summary cost
    more than the row's markup."""
    return portfolio_sort(_with_draft_flag(filtered), sort).values(
        "pk", *ROW_FIELDS, "draft_assessment"
    )


# --- above the table ---------------------------------------------------------------------------


def _failing_report_clients() -> QuerySet:
    """The clients (``client``: organisation id) of the reports that failed or are queued or
    rendering for too long: the few reports in those states, with their client, from one
    partial index (PostgreSQL: ``report_attention``). Read live rather than stored: the
    report's state changes in many conditional updates of its worker, and "stuck" follows the
    clock (the database's, so that the statement's text never changes)."""
    from assessments.models import Report

    # the index's own condition first (superseded, the three states), so that PostgreSQL proves
    # the partial index and reads client and queue time from it alone (an index-only scan); as
    # "failed OR (queued/rendering AND old)" it read every matching report's row from the table
    failing = Report.objects.filter(
        superseded=False,
        status__in=[Report.Status.FAILED, Report.Status.QUEUED, Report.Status.RENDERING],
    ).filter(Q(status=Report.Status.FAILED) | Q(queued_at__lt=Now() - STUCK_AFTER))
    return failing.order_by().annotate(client=F("organization_id")).values("client")


ATTENTION_REASONS = ("reports", "critical", "unassigned", "new", "stale")
# most urgent first; a client with none of the reasons sorts after every one that has one
URGENCY = ("reports", "critical", "new", "unassigned", "stale")


def _attention_conditions() -> dict[str, Q]:
    """Four of the five reasons as conditions on a client's summary row, for the whole
    portfolio's list and the filtered overview alike; the fifth, a failing report, is the
    clients of ``_failing_report_clients``."""
    return {
        "critical": Q(worst_level="critical"),
        "unassigned": Q(consultant__isnull=True),
        "new": Q(review_state="submitted"),
        # the database's clock: the statements' text and parameters stay the same from view to
        # view, so the whole-portfolio overview compiles them once per process
        "stale": Q(submitted_at__lt=Now() - STALE_AFTER),
    }


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


@dataclass
class AttentionItem:
    pk: object
    name: str
    reasons: list[str]  # keys of ATTENTION_REASONS
    submitted_at: object = None  # the whole portfolio's list only (``portfolio_overview_stored``)


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _overview_counts() -> list[tuple[str, str, list]]:
    """(name, SQL over the filtered rows ``f``, parameters) of every count above the table."""
    counts = [
        ("total", "COUNT(*)", []),
        ("no_result", _count("f.latest_readiness IS NULL"), []),  # as the stored figure
        *((f"level_{level}", _count("f.latest_level = %s"), [level]) for level in LEVELS),
    ]
    for dim in DIMENSIONS:
        counts += [
            (f"heat_{dim}_{level}", _count(f"f.latest_level_{dim} = %s"), [level])
            for level in LEVELS
        ]
    counts += [(f"att_count_{key}", _count(f"f.att_{key}"), []) for key in ATTENTION_REASONS]
    return counts


def portfolio_overview_sql(
    summaries: QuerySet[ClientSummary], *, limit: int, snapshot: bool = False
) -> tuple[str, list, list[tuple[str, str, list]]]:
    """The overview's query over a filtered portfolio (``portfolio_counted``: text, parameters,
    the counts it computes); see ``portfolio_overview``. The ORM writes the filter, the plain
    columns and four of the five reasons (``_attention_conditions``, the same conditions the
    whole-portfolio list uses); the fifth, a failing report, is a join with the clients of
    ``_failing_with`` (compiled once per process)."""
    flags = [f"att_{key}" for key in ATTENTION_REASONS]
    conditions = _attention_conditions()
    inner = (
        summaries.order_by()
        .annotate(
            o_pk=F("organization_id"),
            o_name=F("name"),
            latest_readiness=F("readiness"),
            latest_level=F("worst_level"),
            latest_submitted_at=F("submitted_at"),
            **{f"latest_level_{dim}": F(f"level_{dim}") for dim in DIMENSIONS},
            **{f"att_{key}": _flag(conditions[key]) for key in _FLAGGED},
        )
        .values(
            "o_pk",
            "o_name",
            "latest_readiness",
            "latest_level",
            "latest_submitted_at",
            *(f"latest_level_{dim}" for dim in DIMENSIONS),
            *(f"att_{key}" for key in _FLAGGED),
        )
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    failing, failing_params = _failing_with(connection.vendor)
    counts = _overview_counts()
    urgency = " ".join(f"WHEN f.att_{key} THEN {rank}" for rank, key in enumerate(URGENCY))
    # every piece of the text is ours (column names, constants) or the ORM's; values go in as
    # parameters. Two parts in one statement, each over the filtered rows: the counts (one
    # row, plain sums) and the ``limit`` most urgent clients. As window sums beside the
    # clients, PostgreSQL kept every filtered row with all its sums: 15 ms against 9 for the
    # two parts with 4,000 of 20,000 clients selected, 90 against 26 with all of them.
    join = "LEFT JOIN failing_clients fr ON fr.client = i.o_pk"  # read once for both parts
    reports = "(fr.client IS NOT NULL) AS att_reports"
    # the filtered rows once, kept for both parts (MATERIALIZED: PostgreSQL would otherwise
    # inline the CTE into each part and read every selected row, its exposure too, twice;
    # kept once, a filter of 1,466 of 20,000 clients took 16 ms instead of 21, 8,000 24 not 29)
    rows = f", f AS MATERIALIZED (SELECT i.*, {reports} FROM ({inner_sql}) i {join}) "  # noqa: S608 - ORM text
    rows_params = list(inner_params)
    no_flags = ["NULL"] * (3 + len(flags))  # id, name, urgency and the flags
    # typed: inside the subquery below an untyped NULL would be text
    no_counts = ["CAST(NULL AS BIGINT)"] * len(counts)
    counted = ", ".join(
        ["0", *no_flags, *(f"{expression}" for _name, expression, _params in counts)]
    )
    if snapshot:  # PostgreSQL: the statement's own snapshot, last beside the counts (``changes``)
        counted += f", {changes.SNAPSHOT}"
        no_counts.append("CAST(NULL AS TEXT)")
    urgent = ", ".join(
        [
            "1",
            "f.o_pk",
            "f.o_name",
            f"CASE {urgency} ELSE {len(URGENCY)} END AS urgency",
            *(f"f.{flag}" for flag in flags),
            *no_counts,
        ]
    )
    order = "urgency, f.latest_submitted_at DESC NULLS LAST, f.o_name, f.o_pk"
    sql = (
        f"{failing}{rows}SELECT {counted} FROM f UNION ALL "  # noqa: S608 - see above
        f"SELECT * FROM (SELECT {urgent} FROM f ORDER BY {order} LIMIT %s) a"
    )
    params = [
        *failing_params,
        *rows_params,
        *(p for _name, _sql, ps in counts for p in ps),
        limit,
    ]
    return sql, params, counts


@functools.cache
def _failing_with(vendor: str) -> tuple[str, list]:
    """The ``WITH`` of the clients with a failing report (``failing_clients``, joined as ``fr``
    by ``portfolio_overview_sql``: read once for both parts of the statement; as ``IN (…)`` in a
    column PostgreSQL ran the subquery once per use of the column), with its parameters;
    ``vendor`` keys the cache (the database's clock in its dialect)."""
    failing_sql, failing_params = _failing_report_clients().query.sql_with_params()
    failing = f"WITH failing_clients AS (SELECT DISTINCT r.client FROM ({failing_sql}) r) "  # noqa: S608 - ORM text
    return failing, list(failing_params)


def _attention_items(rows, first_flag: int) -> list[AttentionItem]:
    to_pk = Organization._meta.pk.to_python  # SQLite hands back the uuid as hex text
    flag_end = first_flag + len(ATTENTION_REASONS)
    return [
        AttentionItem(
            pk=to_pk(row[0]),
            name=row[1],
            reasons=[
                key
                for key, flag in zip(ATTENTION_REASONS, row[first_flag:flag_end], strict=True)
                if flag
            ],
        )
        for row in rows
    ]


def _summary(data: dict) -> dict:
    scored = data["total"] - data["no_result"]
    heat = []
    for dim in DIMENSIONS:
        cells = []
        for level in LEVELS:
            count = data[f"heat_{dim}_{level}"]
            share = count / scored if scored else 0.0
            cells.append({"level": level, "count": count, "share": share})
        heat.append({"dimension": dim, "cells": cells})
    return {
        "total": data["total"],
        "no_result": data["no_result"],
        "levels": [{"level": level, "count": data[f"level_{level}"]} for level in LEVELS],
        "heat": heat,
        "attention_counts": {key: data[f"att_count_{key}"] for key in ATTENTION_REASONS},
    }


def portfolio_overview(
    summaries: QuerySet[ClientSummary], *, limit: int = ATTENTION_LIMIT
) -> tuple[dict, list[AttentionItem]]:
    """Counts by level, the clients × dimensions heat map, attention counts and the attention
    list (most urgent first, each with its reasons) for a filtered portfolio
    (``portfolio_counted``): one query, one pass over the summary rows the filter selects.

    The filter and four of the five reasons are the ORM's (``summaries`` plus a flag per
    reason), the fifth a join with the clients of failing reports; around them a small
    hand-written query adds a row of counts over every filtered client and the ``limit`` most
    urgent rows (``portfolio_overview_sql``). Plain SQL that SQLite and PostgreSQL both run."""
    summary, items, _snapshot = _overview(summaries, limit=limit, snapshot=False)
    return summary, items


def portfolio_overview_kept(
    summaries: QuerySet[ClientSummary], *, limit: int = ATTENTION_LIMIT
) -> tuple[dict, list[AttentionItem], changes.Unseen]:
    """``portfolio_overview`` on PostgreSQL, with the transactions its count did not see
    (``changes.Unseen``, from the statement's snapshot): the overview holds until a summary row
    written by one of them matches the filter (``portfolio_changed_since``)."""
    return _overview(summaries, limit=limit, snapshot=True)


def _overview(summaries, *, limit: int, snapshot: bool) -> tuple[dict, list, object]:
    sql, params, counts = portfolio_overview_sql(summaries, limit=limit, snapshot=snapshot)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    first_count = 4 + len(ATTENTION_REASONS)  # part, id, name, urgency, the flags
    names = [name for name, _sql, _params in counts]
    (counted,) = (row[first_count:] for row in rows if row[0] == 0)  # sums of no rows are NULL
    unseen = None
    if snapshot:
        *counted, taken = counted
        unseen = changes.Unseen.of(taken)
    data = {name: int(value or 0) for name, value in zip(names, counted, strict=True)}
    urgent = [row[1:] for row in rows if row[0] == 1 and row[3] < len(URGENCY)]
    return _summary(data), _attention_items(urgent, 3), unseen


def portfolio_changed_since(
    *, unseen: changes.Unseen, user: User, filters: PortfolioFilter, facts: CatalogueFacts
) -> bool:
    """Has a transaction a kept filtered overview did not see (``unseen``,
    ``portfolio_overview_kept``) written a summary row that ``filters`` selects now, or that it
    selected before the change (the logged rows have the same columns), or deleted any client's
    row? One query over the rows those transactions wrote (their ids are indexed), compiled
    once per process for the kept overview (``_compiled``); PostgreSQL with the change log only
    (``portal.portfolio.changes``), for whoever sees every client ("meine Kunden" is never
    kept, so ``user`` does not key it)."""
    vendors = frozenset(key for key, _label in facts.vendors)

    def build() -> tuple[str, list]:
        written = [
            portfolio_filter(
                model.objects.filter(unseen.written(column)),
                user=user,
                filters=filters,
                vendors=vendors,
                paths=SUMMARY_PATHS,
            )
            .order_by()
            .values("pk")
            .query.sql_with_params()
            for model, column in ((ClientSummary, "changed_xid"), (ClientSummaryChange, "xid"))
        ]
        # a deletion's mark has no values to select (``changes``): any deletion counts again
        written.append(
            ClientSummaryChange.objects.filter(unseen.written("xid"), deleted=True)
            .values("pk")
            .query.sql_with_params()
        )
        exists = " OR ".join(f"EXISTS ({sql})" for sql, _params in written)
        return f"SELECT {exists}", [p for _sql, params in written for p in params]  # noqa: S608 - ORM text

    # today's date: "Maßnahmen überfällig" compares with it as a parameter
    filtered = tuple(filters.query_items(sort=False, page=False))
    key = ("filter", filtered, vendors, timezone.localdate(), unseen)
    sql, params = _compiled(key, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


_COMPILED: OrderedDict = OrderedDict()
_COMPILED_LOCK = threading.Lock()
COMPILED_KEPT = 256


def _compiled(key, build) -> tuple[str, list]:
    """``build()``'s statement (text and parameters) kept per process under ``key`` (the last
    ``COMPILED_KEPT``): a kept overview is checked on every view after a change, and compiling
    its check with the ORM took longer than running it."""
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
        if found is not None:
            _COMPILED.move_to_end(key)
            return found
    found = build()
    with _COMPILED_LOCK:
        _COMPILED[key] = found
        while len(_COMPILED) > COMPILED_KEPT:
            _COMPILED.popitem(last=False)
    return found


# what the whole portfolio's attention list and live counts read of a summary row, besides its
# name: the reasons (critical, without consultant, new, older than 12 months) and the order
_ATTENTION_VALUES = ("worst_level", "review_state", "submitted_at")


def portfolio_whole_changed(
    *, unseen: changes.Unseen, items: list[AttentionItem], limit: int = ATTENTION_LIMIT
) -> bool:
    """Has a transaction the whole portfolio's kept overview did not see (``unseen``,
    ``portfolio_overview_stored``) changed what it shows besides the stored figures (which have
    a change counter of their own)? That is: added or deleted a client; changed a client's
    worst level, review state, submission time or whether it has a consultant (its reasons
    for attention, the live counts, the list's order); or renamed a client the list names, or
    one that ties with the list's last client (same submission time) when the list is full. A
    rename of any other client, a new due date, another consultant: no. PostgreSQL with the
    change log only, one query over the rows those transactions wrote."""
    columns = ("name", "consultant_id", *_ATTENTION_VALUES)

    def build() -> tuple[str, list]:
        sql, params = (
            ClientSummary.objects.filter(unseen.written("changed_xid"))
            .annotate(side=Value(1), order=Value(0), gone=Value(False))
            .values_list("organization_id", "side", "order", "gone", *columns)
            .union(
                ClientSummaryChange.objects.filter(unseen.written("xid"))
                .annotate(side=Value(0), order=F("id"), gone=F("deleted"))
                .values_list("organization_id", "side", "order", "gone", *columns),
                all=True,
            )
            .query.sql_with_params()
        )
        return sql, list(params)

    sql, params = _compiled(("whole", unseen), build)
    with connection.cursor() as cursor:  # PostgreSQL hands back uuids and aware datetimes
        cursor.execute(sql, params)
        written = cursor.fetchall()
    now, seen = {}, {}
    for organization, side, order, gone, *values in written:
        if gone:
            return True  # a deletion
        if side:
            now[organization] = values
        elif organization not in seen or order < seen[organization][0]:
            seen[organization] = (order, values)  # the earliest: what the count saw
    listed = {item.pk for item in items}
    boundary = items[-1].submitted_at if len(items) >= limit else _NO_TIE
    for organization, values in now.items():
        if organization not in seen:
            return True  # a new client
        name, consultant, *rest = values
        old_name, old_consultant, *old_rest = seen[organization][1]
        if rest != old_rest or (consultant is None) != (old_consultant is None):
            return True
        if name != old_name and (organization in listed or rest[-1] == boundary):
            return True
    return False


_NO_TIE = object()  # a list shorter than its limit names every client with a reason


def portfolio_overview_stored(
    *, limit: int = ATTENTION_LIMIT
) -> tuple[dict, list[AttentionItem], changes.Unseen | None]:
    """The same as ``portfolio_overview_kept`` for the whole portfolio (no filter, every client
    visible; the transactions it did not see only on PostgreSQL), without reading every client:
    the counts are the stored figures; "older than 12 months" adds the stored months before the
    cutoff's and counts that month's clients before the cutoff by the index (``_stale_params``:
    the portal's clock); stuck reports and "without consultant" are counted by their indexes; the
    attention list takes, per reason, the newest ``limit`` clients with it and ranks those.

    That is exact: the first ``limit`` clients whose most urgent reason is R are among the
    newest ``limit`` with R, as every client that has R and ranks before (a more urgent reason)
    stands before them in the final list too. Two queries: the first one also brings the few
    clients with a failing report, which the second then names as constants (the planner joined
    a subquery of them with every client once per reason).

    Both statements' text is the same on every view (the clock is the database's, or for the
    stale count three parameters of the portal's): it is compiled once per process
    (``_stored_statements``); only the part naming the clients with a failing report is
    compiled per view, and only when there are any. Of those clients
    the first statement brings their count and the first ``limit``: a client with a failing
    report ranks before every other reason, so the list names no other one of them."""
    figures_sql, figures_params, attention_parts = _stored_statements(connection.vendor, limit)
    stored, ranks, running = {}, {}, []
    to_pk = Organization._meta.pk.to_python
    with connection.cursor() as cursor:
        cursor.execute(figures_sql, [*figures_params, *_stale_params(timezone.now())])
        for key, value in cursor.fetchall():
            if key.startswith("failing:"):  # a client with a failing report, and its rank
                ranks[to_pk(key.removeprefix("failing:"))] = value
            elif key == _RUNNING:
                running.append(int(value))
            elif not key.startswith(SUBMITTED):
                stored[key] = int(value or 0)
    # PostgreSQL: what the first statement could not see (the second sees at least as much)
    xmax = stored.pop(_XMAX, None)
    unseen = changes.Unseen(xmax, tuple(running)) if xmax is not None else None
    failing = sorted(ranks, key=ranks.get)
    unassigned, stale, reports = (
        stored[f"live:{key}"] for key in ("unassigned", "stale", "reports")
    )
    data = {
        "total": stored.get("total", 0),
        "no_result": stored.get("no_result", 0),
        **{f"level_{level}": stored.get(f"level:{level}", 0) for level in LEVELS},
        **{
            f"heat_{dim}_{level}": stored.get(f"heat:{dim}:{level}", 0)
            for dim in DIMENSIONS
            for level in LEVELS
        },
        "att_count_reports": reports,
        "att_count_critical": stored.get("level:critical", 0),
        "att_count_unassigned": unassigned,
        "att_count_new": stored.get("review:submitted", 0),
        "att_count_stale": stale,
    }
    parts = list(attention_parts)
    if failing:
        parts.insert(0, _failing_part(failing[:limit], limit))
    return _summary(data), _attention_newest(parts, failing, limit=limit), unseen


def _stale_params(now) -> list:
    """The stale count's values at ``now`` (the portal's clock, as the stored months are UTC
    months computed by the portal): the first month key not wholly stale, that month's start
    and the cutoff itself."""
    cutoff = (now - STALE_AFTER).astimezone(UTC)
    month = cutoff.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    adapt = connection.ops.adapt_datetimefield_value
    return [submitted_key(cutoff), adapt(month), adapt(cutoff)]


@functools.cache
def _stored_statements(vendor: str, limit: int) -> tuple[str, list, tuple[tuple[str, list], ...]]:
    """The whole-portfolio overview's statements (``vendor`` keys the cache: the text is the
    database's dialect): the figures with the live counts and the failing clients, and the
    attention list's parts for every reason but the failing reports."""
    # every client is visible here; the consultant is copied to the summary row (the overview
    # reads only what the summaries' change counter covers)
    unassigned = ClientSummary.objects.filter(_attention_conditions()["unassigned"])
    # one statement: the stored figures, a count by its index, the failing clients, and last
    # the stale ones (``_stale_params`` fills in the clock's three values on each view)
    table = connection.ops.quote_name(PortfolioFigure._meta.db_table)
    parts = [f"SELECT key, SUM(value) FROM {table} GROUP BY key"]  # noqa: S608 - model meta
    sql, params = unassigned.order_by().values("pk").query.sql_with_params()
    parts.append(f"SELECT 'live:unassigned', (SELECT COUNT(*) FROM ({sql}) c_unassigned)")  # noqa: S608
    # the clients with a failing report, newest submission first (the rank is the value; two
    # submissions of the very same instant are ranked by the client's id, not its name)
    submitted = ClientSummary.objects.filter(pk=OuterRef("client")).values("submitted_at")
    failing_sql, failing_params = (
        _failing_report_clients()
        .annotate(submitted=Subquery(submitted[:1]))  # a primary-key lookup per report
        .values("client", "submitted")
        .distinct()
        .query.sql_with_params()
    )
    # only their count and the first ``limit`` come back: they are all the attention list can
    # name, as a client with a failing report ranks before every other reason
    rank = "ROW_NUMBER() OVER (ORDER BY f.submitted DESC NULLS LAST, f.client)"
    failing = f"WITH failing AS (SELECT f.client, {rank} AS rank FROM ({failing_sql}) f) "  # noqa: S608 - ORM text
    parts.append("SELECT 'live:reports', COUNT(*) FROM failing")
    first = f"SELECT 'failing:' || CAST(client AS TEXT), rank FROM failing WHERE rank <= {limit:d}"  # noqa: S608, E501 - a number of ours
    parts.append(first)
    # older than 12 months: the stored clients per month of submission before the cutoff's
    # month, and within that month those before the cutoff (by the index)
    summary = connection.ops.quote_name(ClientSummary._meta.db_table)
    submitted_at = connection.ops.quote_name(ClientSummary._meta.get_field("submitted_at").column)
    parts.append(
        f"SELECT 'live:stale', (SELECT COALESCE(SUM(value), 0) FROM {table} "  # noqa: S608 - model meta
        f"WHERE key >= '{SUBMITTED}' AND key < %s) + (SELECT COUNT(*) FROM {summary} "
        f"WHERE {submitted_at} >= %s AND {submitted_at} < %s)"
    )
    if vendor == "postgresql":  # what the statement did not see (``changes.Unseen``), last
        parts += [part.format(xmax=_XMAX, running=_RUNNING) for part in changes.UNSEEN_ROWS]
    attention = tuple(
        _attention_part(rank, None, limit) for rank, key in enumerate(URGENCY) if key != "reports"
    )
    return failing + " UNION ALL ".join(parts), [*failing_params, *params], attention


_XMAX, _RUNNING = "snapshot:xmax", "snapshot:running"


_NEWEST = (F("submitted_at").desc(nulls_last=True), "name", "organization_id")
_FLAGGED = tuple(key for key in ATTENTION_REASONS if key != "reports")


def _attention_part(rank: int, failing: list | None, limit: int) -> tuple[str, list]:
    """The newest ``limit`` clients of the reason ranked ``rank`` (``failing``: the clients with
    a failing report, for that reason), with a flag per other reason."""
    conditions = _attention_conditions()
    key = URGENCY[rank]
    condition = Q(pk__in=failing) if key == "reports" else conditions[key]
    flags = {f"att_{name}": _flag(conditions[name]) for name in _FLAGGED}
    queryset = (  # the summary rows alone: name and consultant are copied there
        ClientSummary.objects.annotate(**flags)
        .filter(condition)
        .order_by(*_NEWEST)
        .values_list("organization_id", "name", "submitted_at", *flags)[:limit]
    )
    sql, params = queryset.query.sql_with_params()
    return f"SELECT {rank}, a{rank}.* FROM ({sql}) a{rank}", list(params)  # noqa: S608 - ORM text


def _failing_part(clients: list, limit: int) -> tuple[str, list]:
    """The attention list's part for the clients with a failing report: the compiled statement
    for that many clients (``_failing_part_template``) with their ids filled in."""
    sql, params, slots = _failing_part_template(connection.vendor, limit, len(clients))
    prepare = Organization._meta.pk.get_db_prep_value
    params = list(params)
    for position, index in slots:
        params[position] = prepare(clients[index], connection)
    return sql, params


@functools.cache
def _failing_part_template(vendor: str, limit: int, count: int) -> tuple[str, list, list]:
    """``_attention_part`` for ``count`` clients with a failing report, compiled once per count
    (at most ``limit``) with stand-in ids, and where each id goes among the parameters:
    compiling the part's flags took longer than running it."""
    stand_ins = [uuid.UUID(int=index + 1) for index in range(count)]
    sql, params = _attention_part(URGENCY.index("reports"), stand_ins, limit)
    prepare = Organization._meta.pk.get_db_prep_value
    where = {prepare(stand_in, connection): index for index, stand_in in enumerate(stand_ins)}
    slots = [(position, where[param]) for position, param in enumerate(params) if param in where]
    if sorted(index for _position, index in slots) != list(range(count)):  # pragma: no cover
        raise RuntimeError("each client's id must be one parameter of the compiled part")
    return sql, params, slots


def _attention_newest(
    parts: list[tuple[str, list]], failing: list, *, limit: int
) -> list[AttentionItem]:
    """The attention list from the newest clients per reason (``parts``, one query); ``failing``
    are the clients with a failing report, newest first: the first ``limit`` of them are named,
    and that flag is set here rather than in SQL."""
    failing_set = set(failing)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(sql for sql, _params in parts),
            [param for _sql, params in parts for param in params],
        )
        rows = cursor.fetchall()
    to_pk = Organization._meta.pk.to_python
    seen = {}
    for rank, pk, name, submitted, *other_flags in rows:
        if pk not in seen:  # a client found under several reasons ranks by its most urgent
            by_reason = dict(zip(_FLAGGED, other_flags, strict=True))
            by_reason["reports"] = to_pk(pk) in failing_set
            row_flags = [by_reason[key] for key in ATTENTION_REASONS]
            seen[pk] = (rank, submitted, name, pk, row_flags)
    ordered = sorted(
        seen.values(),
        key=lambda item: (item[0], -(item[1].timestamp()) if item[1] else float("inf"), *item[2:4]),
    )[:limit]
    items = _attention_items([(pk, name, *row_flags) for _r, _s, name, pk, row_flags in ordered], 2)
    for item, (_rank, submitted, *_rest) in zip(items, ordered, strict=True):
        item.submitted_at = submitted
    return items


def review_states() -> list[tuple[str, str]]:
    from assessments.models import Assessment

    field = Assessment._meta.get_field("review_state")
    return [(value, label) for value, label in field.choices if value]
