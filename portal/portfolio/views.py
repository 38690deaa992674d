import hashlib
import time
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

from ..privacy.audit import client_data
from ..views import consultant_required
from . import generation, rows, selectors
from .filters import DIMENSIONS, LEVELS, PAGE_SIZE, PortfolioFilter, PortfolioFilterForm

# Raise when the cached fragments' markup changes in a way a running process must not mix.
CACHE_FORMAT = 1


def _filters(request: HttpRequest):
    facts, consultants = selectors.facts_and_consultants()
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
    return form, PortfolioFilter.from_form(form), facts, vendors


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


def _fragments(request: HttpRequest, form, filters, facts, vendors) -> tuple[str, str]:
    """The page's two expensive parts as HTML: the filter form with the summary above the table,
    and the table with its pagination."""
    labels = rows.Labels()
    filtered = selectors.portfolio_filtered(user=request.user, filters=filters, facts=facts)
    organizations = selectors.portfolio_page_rows(filtered, sort=filters.sort)
    if request.user.sees_all_clients and not filters.is_filtered:
        # the whole portfolio: the stored figures, nothing counted over every client
        summary, attention_items = selectors.portfolio_overview_stored(filtered)
    else:
        summary, attention_items = selectors.portfolio_overview(filtered)
    paginator = Paginator(organizations, PAGE_SIZE)
    paginator.count = summary["total"]  # same filter: no second COUNT(*) over the portfolio
    page = paginator.get_page(filters.page)
    detail_url = rows.url_maker("organization_detail")
    attention = [
        {
            "url": detail_url(item.pk),
            "name": item.name,
            "reasons": [labels.attention[r] for r in item.reasons],
        }
        for item in attention_items
    ]
    for item in summary["levels"]:
        item["label"] = labels.level[item["level"]]
        item["url"] = filters.url(level=item["level"])
    for row in summary["heat"]:
        row["label"] = labels.dimensions[row["dimension"]]
        for cell in row["cells"]:
            cell["url"] = filters.url(dimension_levels={row["dimension"]: cell["level"]})
            cell["label"] = labels.level[cell["level"]]
            # an empty cell stays white: a tinted "0" reads like a finding
            cell["opacity"] = f"{0.08 + 0.92 * cell['share']:.2f}" if cell["count"] else "0"
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
        "invalid": ", ".join(
            str(form.fields[name].label) for name in form.errors if name in form.fields
        ),
        "filters": filters,
        "page": page,
        "rows_html": rows.rows_html(
            rows.rows_for(page.object_list, labels=labels, thresholds=facts.thresholds),
            labels=labels,
        ),
        "labels": labels,
        "headers": headers,
        "summary": summary,
        "attention": attention,
        "levels": LEVELS,
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
        "unassigned_url": filters.url(unassigned=True),
        "page_urls": {
            "first": filters.url(page=1),
            "previous": filters.url(page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next": filters.url(page=page.next_page_number()) if page.has_next() else "",
            "last": filters.url(page=page.paginator.num_pages),
        },
        "vendors": vendors,
    }
    return (
        render_to_string("portal/_portfolio_top.html", context, request),
        render_to_string("portal/_portfolio_table.html", context, request),
    )


def _cache_key(request: HttpRequest, counter: int) -> str:
    """Who asks and what they may see (``CONSULTANT_SCOPE``, lead or admin; "meine Kunden"
    depends on who asks too), in which language, which filter (the query string as given), the
    data state (the change counter) and the time slot: "new", "stale", "stuck report" and the
    news of the last 30 days depend on the clock, so a cached page is at most
    ``PORTFOLIO_CACHE_SECONDS`` behind it."""
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    seconds = settings.PORTFOLIO_CACHE_SECONDS
    bucket = int(time.time() // seconds)
    scope = "all" if request.user.sees_all_clients else "own"  # settings and roles change
    return (
        f"portfolio:{CACHE_FORMAT}:{request.user.pk}:{scope}:{request.LANGUAGE_CODE}:{counter}:"
        f"{bucket}:{digest}"
    )


@client_data("portfolio")
@consultant_required
@require_GET
def consultant_dashboard(request: HttpRequest) -> HttpResponse:
    """The portfolio: filters and sort in the URL, a page of clients, summary above it.

    The filter form, the summary and the page of rows are cached together until anything they
    show changes: the key holds the portfolio's change counter, which database triggers raise
    with every committed write to clients, assessments, results, reports, consultants, the
    catalogue versions and news (``portal.portfolio.generation``). A repeated view costs one
    small query instead of the summary over every client; the first view after a change builds
    and stores it again."""
    export_format = request.GET.get("format", "")
    if export_format in rows.EXPORT_FORMATS:
        _form, filters, facts, _vendors = _filters(request)
        organizations = selectors.portfolio_rows(user=request.user, filters=filters, facts=facts)
        return _export(organizations, export_format=export_format, labels=rows.Labels())

    key = None
    if settings.PORTFOLIO_CACHE_SECONDS > 0 and generation.enabled():
        counter = generation.current()  # before the data: what is built is at least this new
        key = _cache_key(request, counter)
        cached = cache.get(key)
        if cached is not None:
            top, table = cached
            return _page(request, top, table)
    top, table = _fragments(request, *_filters(request))
    if key is not None:
        cache.set(key, (top, table), settings.PORTFOLIO_CACHE_SECONDS)
    return _page(request, top, table)


def _page(request: HttpRequest, top: str, table: str) -> HttpResponse:
    return render(
        request,
        "portal/consultant_dashboard.html",
        {"top": mark_safe(top), "table": mark_safe(table)},  # noqa: S308 - rendered above, escaped there
    )
