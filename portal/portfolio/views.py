import hashlib
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from news import selectors as news_selectors

from ..pagination import page_urls
from ..privacy.audit import client_data
from ..sources import content_key, sources_digest
from ..views import consultant_required
from . import changes, generation, rows, selectors
from .facts import facts_and_consultants_of, filter_choices
from .filters import DIMENSIONS, PAGE_SIZE, PortfolioFilter, PortfolioFilterForm

# Raise when the cached fragments' markup changes in a way a running process must not mix.
CACHE_FORMAT = 2


def _filters(request: HttpRequest, choices=None):
    """The filter form bound to the query string, the filter it gives and the catalogue's facts;
    ``choices`` (``facts.filter_choices``) when the cache had them."""
    facts, consultants = facts_and_consultants_of(choices or filter_choices())
    vendors = [
        (key, label.get(request.LANGUAGE_CODE) or label.get("de", key))
        for key, label in facts.vendors
    ]
    form = PortfolioFilterForm(
        request.GET,
        consultants=consultants,
        vendors=vendors,
        review_states=selectors.review_states(),
    )
    return form, PortfolioFilter.from_form(form), facts


def _sort_choices(labels: rows.Labels) -> list[tuple[str, str]]:
    choices = [("name", _("Unternehmen: A–Z")), ("-name", _("Unternehmen: Z–A"))]
    readiness = labels.dimensions["readiness"]
    choices += [
        ("readiness", _("%(column)s: niedrigste zuerst") % {"column": readiness}),
        ("-readiness", _("%(column)s: höchste zuerst") % {"column": readiness}),
    ]
    for dim in DIMENSIONS:
        column = labels.dimensions[dim]
        choices += [
            (f"-{dim}", _("%(column)s: höchstes Risiko zuerst") % {"column": column}),
            (dim, _("%(column)s: niedrigstes Risiko zuerst") % {"column": column}),
        ]
    choices += [
        ("-submitted", _("Stand: neueste zuerst")),
        ("submitted", _("Stand: älteste zuerst")),
    ]
    return choices


def _select(form, name: str, current: str) -> dict:
    field = form.fields[name]
    return {
        "name": name,
        "label": str(field.label),
        "options": [(str(v), str(label), str(v) == current) for v, label in field.choices],
    }


def _export(organizations, *, export_format: str, labels: rows.Labels) -> HttpResponse:
    """CSV or XLSX of every client of the filter, streamed: the rows are read in chunks."""
    stamp = timezone.localdate().isoformat()
    if export_format == "xlsx":
        response = StreamingHttpResponse(
            rows.portfolio_xlsx(organizations, labels=labels),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            rows.portfolio_csv(organizations, labels=labels), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = (
        f'attachment; filename="ki-readiness-portfolio-{stamp}.{export_format}"'
    )
    return response


def _filters_html(request: HttpRequest, form, filters, labels: rows.Labels) -> str:
    """The page's heading, export links and filter form: people (the consultant choices), the
    catalogue (vendors) and the query string, nothing of the clients."""
    context = {
        "invalid": ", ".join(
            str(form.fields[name].label) for name in form.errors if name in form.fields
        ),
        "filters": filters,
        "selects": [
            _select(form, name, current)
            for name, current in (
                ("level", filters.level),
                ("industry", filters.industry),
                ("size", filters.size),
                ("consultant", filters.consultant),
                ("review", filters.review),
            )
            if name in form.fields
        ],
        "dimension_selects": [
            _select(form, f"lvl_{dim}", filters.dimension_levels.get(dim, "")) for dim in DIMENSIONS
        ],
        "vendor_options": _select(form, "vendor", filters.vendor)["options"],
        # the column headers sort on a wide screen; on a phone they are hidden, so the form
        # offers the same orders
        "sort_options": [
            (value, label, value == filters.sort) for value, label in _sort_choices(labels)
        ],
        "csv_url": filters.url(page=filters.page) + "&format=csv",
        "xlsx_url": filters.url(page=filters.page) + "&format=xlsx",
        "reset_url": "?",
    }
    return render_to_string("portal/_portfolio_filters.html", context, request)


def _news_html(request: HttpRequest) -> str:
    """The line above the table: recent articles that concern clients, with their counts."""
    impacts = news_selectors.recent_article_impacts(user=request.user)
    return render_to_string("news/_portfolio_impact.html", {"impacts": impacts}, request)


# What turns the clients' data into the summary and the table besides the data itself.
_PORTAL = Path(__file__).resolve().parents[1]
PRESENTATION_SOURCES = (
    Path(__file__),
    _PORTAL / "portfolio" / "rows.py",
    _PORTAL / "portfolio" / "filters.py",
    *(
        settings.BASE_DIR / "templates" / name
        for name in (
            "portal/_portfolio_overview.html",
            "portal/_portfolio_table.html",
            "portal/_pagination.html",
        )
    ),
)


def _rendered_key(part: str, request: HttpRequest, *inputs) -> str:
    """The key of a part rendered from ``inputs`` (the values read for it on this view) for this
    query string and language, under today's date (overdue actions, local dates) and the code
    that renders it: the same data renders the same markup, so it is not rendered again."""
    return content_key(
        f"portfolio-{part}:{CACHE_FORMAT}",
        sources_digest(PRESENTATION_SOURCES),
        request.LANGUAGE_CODE,
        timezone.localdate().isoformat(),
        _query_digest(request),
        inputs,
    )


def _overview_data(
    request: HttpRequest, filters, facts, *, kept: bool
) -> tuple[dict, list, object]:
    """The figures and the attention list above the table, read from the database, and the
    transactions the count did not see when the overview is ``kept`` across changes to clients
    it does not show (its key is a kept overview's, ``_kept_by_snapshot``; else None)."""
    if request.user.sees_all_clients and not filters.is_filtered:
        # the whole portfolio: the stored figures, nothing counted over every client
        summary, items, unseen = selectors.portfolio_overview_stored()
        return summary, items, unseen if kept else None
    counted = selectors.portfolio_counted(user=request.user, filters=filters, facts=facts)
    if kept:
        return selectors.portfolio_overview_kept(counted)
    return (*selectors.portfolio_overview(counted), None)


def _kept_by_snapshot(request: HttpRequest) -> bool:
    """Is the overview for this request kept across changes to clients it does not show
    (``portal.portfolio.changes``: PostgreSQL with the change log)? For whoever sees every
    client, and not for "meine Kunden" (which clients are whose is client data)."""
    return (
        settings.PORTFOLIO_CACHE_SECONDS > 0
        and request.user.sees_all_clients
        and "mine" not in request.GET
        and changes.enabled()
    )


def _has_filter(request: HttpRequest) -> bool:
    """Does the query string name a filter (the form may still ignore a value it rejects)?"""
    return any(value for key, value in request.GET.items() if key not in _NOT_FILTERS)


def _kept_overview(
    request: HttpRequest, filters, facts, kept, counters, *, by_snapshot: bool
) -> tuple | None:
    """The cached overview data ``kept``, if it still holds. Cached under the summaries'
    counter (``_overview_key``): always. Kept by its snapshot (``(the transactions it did not
    see, the summaries' counter when it was counted)``): while that counter stands, or while
    none of those transactions wrote a summary row the overview shows, before or after the
    change: one the filter selects, or for the whole portfolio one whose reasons for attention
    or place in the list changed (its figures have a counter of their own in the key). None:
    count again. ``by_snapshot``: the key was one of a kept overview (``_overview_key``)."""
    if kept is None:
        return None
    snapshot = kept[2]
    if not by_snapshot:
        return kept
    if snapshot is None:  # counted while the change log was away: not to be kept
        return None
    unseen, counted_at = snapshot
    if not filters.is_filtered and _has_filter(request):
        return None  # a value the form ignored: keyed without the figures' counter
    if counters[generation.SUMMARIES] == counted_at:
        return kept  # no change to the summaries committed since
    if filters.is_filtered:
        changed = selectors.portfolio_changed_since(
            unseen=unseen, user=request.user, filters=filters, facts=facts
        )
    else:
        changed = selectors.portfolio_whole_changed(unseen=unseen, items=kept[1])
    return None if changed else kept


def _data_html(
    request: HttpRequest, filters, facts, labels: rows.Labels, overview=None, *, kept=False
) -> tuple[str, str, tuple[dict, list]]:
    """The clients' part: the summary above the table, and the table with its pagination, and
    the overview's data (figures, attention list) they were built from. The page's rows are read
    from the database on every build, the overview's data too unless ``overview`` brings it
    (cached under the summaries' counter, ``_part_keys``). Each part is rendered only when what
    it shows (the figures and attention list, the page's rows) differs from a rendering kept in
    the cache: after a change to one client, most views show the same rows and figures.
    ``kept``: an overview read here is to be kept by its snapshot (``_overview_data``)."""
    filtered = selectors.portfolio_filtered(user=request.user, filters=filters, facts=facts)
    organizations = selectors.portfolio_page_rows(filtered, sort=filters.sort)
    if overview is None:
        overview = _overview_data(request, filters, facts, kept=kept)
    summary, attention_items, _unseen = overview
    paginator = Paginator(organizations, PAGE_SIZE)
    paginator.count = summary["total"]  # same filter: no second COUNT(*) over the portfolio
    page = paginator.get_page(filters.page)
    page_rows = list(page.object_list)
    keys = {
        "overview": _rendered_key(
            "overview",
            request,
            summary,
            [(item.pk, item.name, item.reasons) for item in attention_items],
        ),
        "table": _rendered_key(
            "table", request, page.number, paginator.count, facts.thresholds, page_rows
        ),
    }
    found = cache.get_many(list(keys.values()))
    if len(found) == len(keys):
        return found[keys["overview"]], found[keys["table"]], overview
    detail_url = rows.url_maker("organization_detail")
    attention = [
        {
            "url": detail_url(item.pk),
            "name": item.name,
            "reasons": [labels.attention[r] for r in item.reasons],
        }
        for item in attention_items
    ]
    # labels and links go into new dicts: the data read stays as it is (it may be cached)
    summary = {
        **summary,
        "levels": [
            {**item, "label": labels.level[item["level"]], "url": filters.url(level=item["level"])}
            for item in summary["levels"]
        ],
        "heat": [
            {
                **row,
                "label": labels.dimensions[row["dimension"]],
                "cells": [
                    {
                        **cell,
                        "url": filters.url(dimension_levels={row["dimension"]: cell["level"]}),
                        "label": labels.level[cell["level"]],
                        # an empty cell stays white: a tinted "0" reads like a finding
                        "opacity": f"{0.08 + 0.92 * cell['share']:.2f}" if cell["count"] else "0",
                    }
                    for cell in row["cells"]
                ],
            }
            for row in summary["heat"]
        ],
    }
    headers = [{"key": "name", "label": _("Unternehmen"), "numeric": False}] + [
        {"key": key, "label": labels.dimensions[key], "numeric": True}
        for key in ("readiness", *DIMENSIONS)
    ]
    headers.append({"key": "submitted", "label": _("Stand"), "numeric": True})
    for header in headers:
        key = header["key"]
        header["aria"] = (
            "ascending"
            if filters.sort == key
            else "descending"
            if filters.sort == f"-{key}"
            else ""
        )
        if key == "name":
            header["url"] = filters.url(sort="-name" if filters.sort == "name" else "name")
        else:
            header["url"] = filters.sort_url(key)
    context = {
        "filters": filters,
        "page": page,
        "rows_html": rows.rows_html(
            rows.rows_for(page_rows, labels=labels, thresholds=facts.thresholds), labels=labels
        ),
        "labels": labels,
        "headers": headers,
        "summary": summary,
        "attention": attention,
        "unassigned_url": filters.url(unassigned=True),
        "page_urls": page_urls(page, lambda number: filters.url(page=number)),
    }
    built = {
        "overview": found.get(keys["overview"])
        or render_to_string("portal/_portfolio_overview.html", context, request),
        "table": found.get(keys["table"])
        or render_to_string("portal/_portfolio_table.html", context, request),
    }
    cache.set_many(
        {keys[name]: html for name, html in built.items() if keys[name] not in found},
        settings.PORTFOLIO_CACHE_SECONDS,
    )
    return built["overview"], built["table"], overview


PARTS = ("filters", "overview", "news", "table")  # in the page's order


def _parts(request: HttpRequest, counters: dict[str, int] | None) -> dict[str, str]:
    """The page's four parts as HTML. With ``counters`` (caching on), the filter form and the
    news line come from the cache while their own topics are unchanged since they were built,
    so a change to a client rebuilds only the clients' parts."""
    keys = _part_keys(request, counters) if counters is not None else {}
    found = cache.get_many(list(keys.values())) if keys else {}
    built = {}
    choices = found.get(keys.get("choices"))
    if choices is None:
        choices = built["choices"] = filter_choices()
    form, filters, facts = _filters(request, choices)
    labels = rows.Labels()
    if keys.get("filters") not in found:
        built["filters"] = _filters_html(request, form, filters, labels)
    if keys.get("news") not in found:
        built["news"] = _news_html(request)
    by_snapshot = keys.get("overview_data", "").startswith(_KEPT)
    overview = _kept_overview(
        request,
        filters,
        facts,
        found.get(keys.get("overview_data")),
        counters,
        by_snapshot=by_snapshot,
    )
    built["overview"], built["table"], data = _data_html(
        request, filters, facts, labels, overview, kept=by_snapshot
    )
    if overview is None and "overview_data" in keys:
        summary, items, unseen = data
        if unseen is not None:  # the counter read before the data: at most as new as the count
            data = (summary, items, (unseen, counters[generation.SUMMARIES]))
        if unseen is not None or not by_snapshot:
            built["overview_data"] = data
    stored = {keys[name]: value for name, value in built.items() if name in keys}
    if stored:
        cache.set_many(stored, settings.PORTFOLIO_CACHE_SECONDS)
    return {name: built[name] if name in built else found[keys[name]] for name in PARTS}


def _query_digest(request: HttpRequest, without: frozenset[str] = frozenset()) -> str:
    """A digest of the query string's parameters as given (sorted), leaving out ``without``."""
    query = urlencode(
        sorted((k, v) for k, values in request.GET.lists() if k not in without for v in values)
    )
    return hashlib.sha256(query.encode()).hexdigest()[:32]


# query parameters that do not change which clients the overview counts
_NOT_FILTERS = frozenset({"page", "sort", "format"})

# What the overview's cached data is made by: its shape must match the code that reads it.
_DATA_SOURCES = (
    _PORTAL / "portfolio" / "changes.py",
    _PORTAL / "portfolio" / "selectors.py",
    _PORTAL / "portfolio" / "summary.py",
    _PORTAL / "portfolio" / "filters.py",
)


def _time_slot() -> int:
    return int(time.time() // settings.PORTFOLIO_CACHE_SECONDS)


def _cache_key(request: HttpRequest, counters: dict[str, int]) -> str:
    """Who asks and what they may see (``CONSULTANT_SCOPE``, lead or admin; "meine Kunden"
    depends on who asks too), in which language, which filter (the query string as given), the
    data state (every topic's change counter) and the time slot: "new", "stale", "stuck report"
    and the news of the last 30 days depend on the clock, so a cached page is at most
    ``PORTFOLIO_CACHE_SECONDS`` behind it."""
    scope = "all" if request.user.sees_all_clients else "own"  # settings and roles change
    state = "-".join(str(counters[topic]) for topic in generation.TOPICS)
    return (
        f"portfolio:{CACHE_FORMAT}:{request.user.pk}:{scope}:{request.LANGUAGE_CODE}:{state}:"
        f"{_time_slot()}:{_query_digest(request)}"
    )


def _part_keys(request: HttpRequest, counters: dict[str, int]) -> dict[str, str]:
    """The keys of the parts that outlive a change to a client:

    - the filter form's choices: the active consultants and catalogue version (everyone's);
    - the filter form shows the consultants (people) and the catalogue's vendors, for this user
      and query string;
    - the news line counts the clients each recent article concerns: stored per article (news)
      for whoever sees every client, the user's own clients otherwise (which clients are theirs
      is client data); its 30-day window follows the clock (the time slot);
    - the overview's data (figures, attention list; not markup) reads the summary rows, the
      figures (summaries) and the reports for the filter without sort and page, under the
      catalogue's vendors; "older than 12 months" and a stuck report follow the clock (the time
      slot). Whoever sees every client shares it (the whole portfolio, or a filter that does
      not name the reader); anyone else reads it through which clients are theirs (clients,
      people) and their own key. On PostgreSQL the overview is kept across changes to the
      summaries while none touches a client it shows (``_overview_key``, ``kept``)."""
    user, lang = request.user, request.LANGUAGE_CODE
    scope = "all" if user.sees_all_clients else "own"
    form_state = f"{counters[generation.PEOPLE]}-{counters[generation.CATALOGUE]}"
    news_state, news_owner = str(counters[generation.NEWS]), "all"
    if not user.sees_all_clients:
        news_state += f"-{counters[generation.CLIENTS]}"
        news_owner = str(user.pk)
    return {
        # the filter form's choices (consultants, the active version): everyone's
        "choices": f"portfolio-choices:{CACHE_FORMAT}:{form_state}",
        "filters": (
            f"portfolio-filters:{CACHE_FORMAT}:{user.pk}:{scope}:{lang}:{form_state}:"
            f"{_query_digest(request)}"
        ),
        "news": f"portfolio-news:{CACHE_FORMAT}:{news_owner}:{lang}:{news_state}:{_time_slot()}",
        "overview_data": _overview_key(request, counters, kept=_kept_by_snapshot(request)),
    }


_KEPT = "portfolio-overview-kept:"


def _overview_key(request: HttpRequest, counters: dict[str, int], *, kept: bool) -> str:
    """The key of the overview's data (``_part_keys``). ``kept``: kept by its snapshot
    (``_kept_overview``): the summaries' counter is not part of its key; the figures' counter is,
    for the whole portfolio (it shows them)."""
    user = request.user
    state = f"{counters[generation.REPORTS]}-{counters[generation.CATALOGUE]}"
    if not kept:
        state += f"-{counters[generation.SUMMARIES]}-{counters[generation.FIGURES]}"
    elif not _has_filter(request):
        state += f"-{counters[generation.FIGURES]}"
    owner = "all"
    if not user.sees_all_clients or "mine" in request.GET:
        state += f"-{counters[generation.CLIENTS]}-{counters[generation.PEOPLE]}"
        owner = f"{user.pk}:{'all' if user.sees_all_clients else 'own'}"
    prefix = _KEPT if kept else "portfolio-overview-data:"
    return (
        f"{prefix}{CACHE_FORMAT}:{sources_digest(_DATA_SOURCES)}:{owner}:{state}:"
        f"{_time_slot()}:{_query_digest(request, without=_NOT_FILTERS)}"
    )


@client_data("portfolio")
@consultant_required
@require_GET
def consultant_dashboard(request: HttpRequest) -> HttpResponse:
    """The portfolio: filters and sort in the URL, a page of clients, summary above it.

    The page's four parts (filter form, summary, news line, table) are cached together until
    anything they show changes: the key holds the change counters, which database triggers
    raise with every committed write to clients, assessments, results, reports, consultants,
    the catalogue versions and news (``portal.portfolio.generation``). A repeated view costs
    one small query instead of the summary over every client. The first view after a change
    builds the clients' parts again; the filter form, the news line and the overview's data
    (figures, attention list: the summaries' counter) are also cached on their own under the
    counters of what they show, so a change to a client leaves them be unless it changed what
    they show."""
    export_format = request.GET.get("format", "")
    if export_format in rows.EXPORT_FORMATS:
        _form, filters, facts = _filters(request)
        organizations = selectors.portfolio_rows(user=request.user, filters=filters, facts=facts)
        return _export(organizations, export_format=export_format, labels=rows.Labels())

    key = counters = None
    if settings.PORTFOLIO_CACHE_SECONDS > 0 and generation.enabled():
        counters = generation.by_topic()  # before the data: what is built is at least this new
        key = _cache_key(request, counters)
        cached = cache.get(key)
        if cached is not None:
            return _page(request, cached)
    parts = _parts(request, counters)
    if key is not None:
        cache.set(key, parts, settings.PORTFOLIO_CACHE_SECONDS)
    return _page(request, parts)


def _page(request: HttpRequest, parts: dict[str, str]) -> HttpResponse:
    # every part was rendered by a template above, which escaped it
    html = {name: mark_safe(parts[name]) for name in PARTS}  # noqa: S308
    return render(request, "portal/consultant_dashboard.html", html)
