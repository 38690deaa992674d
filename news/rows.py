"""The rows of "Welche Kunden betrifft das?" as HTML, every label translated once per page.

Fifty rows with their vendors, drivers and follow-up cost about half of the page's server time
through the template engine; built here they take about a millisecond (as the dashboard's rows,
``portal.portfolio.rows``). The markup is the table body of news/affected_clients.html."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.portfolio.rows import url_maker


def _date(value, date_format: str) -> str:
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value), date_format)


@lru_cache(maxsize=4096)
def _stand(day, date_format: str, language: str) -> str:
    """A row's "Stand <day>", escaped: the same for every row of that day, language and format
    (clients submit on many days; formatting a date is the row's dearest part)."""
    date = dateformat.format(day, date_format) if day else ""
    return escape(_("Stand %(date)s") % {"date": date})


def affected_rows_html(rows) -> SafeString:
    """The ``<tr>`` of each ``AffectedClient`` (news.selectors), every value escaped with the
    standard library's ``html.escape`` (what Django's ``escape`` calls)."""
    exposure_label, lock_in_label = escape(_("Abhängigkeit")), escape(_("Lock-in"))
    drivers_label, informed_label = escape(_("Was den Kunden bindet")), escape(_("Informiert"))
    by_email, not_yet = escape(_("per E-Mail")), escape(_("noch nicht"))
    detail_url = url_maker("organization_detail")
    short_date, short_datetime = (
        get_format("SHORT_DATE_FORMAT"),
        get_format("SHORT_DATETIME_FORMAT"),
    )
    # made once per page: a level's label
    level_labels: dict[str, str] = {}
    language = get_language()
    items: dict = {}  # a driver's <li> (clients answer alike)
    vendor_names: dict = {}
    zone = timezone.get_current_timezone()
    out = []
    for row in rows:
        e = row.exposure
        # an id and its URL hold hex digits and dashes only
        pk, name = str(e.organization_id), escape(e.organization_name)
        url = detail_url(pk)
        day = e.assessed_at.astimezone(zone).date() if e.assessed_at else None
        stand = _stand(day, short_date, language)
        level = level_labels.get(e.lock_in_level)
        if level is None:
            level = level_labels[e.lock_in_level] = escape(e.lock_in_level_label)
        for vendor, _value in row.vendors:
            if vendor not in vendor_names:
                vendor_names[vendor] = escape(vendor)
        vendors = " · ".join(
            f"{vendor_names[vendor]} {int(value)}" for vendor, value in row.vendors
        )
        for d in e.drivers:
            if d not in items:
                items[d] = (
                    f'<li><span class="text-body-secondary">{escape(d.question)}'
                    f"{'' if d.question[-1:] in '?:' else ':'}</span> {escape(d.answer)}</li>"
                )
        drivers = "".join(items[d] for d in e.drivers)
        followup = row.followup
        if followup is not None:
            by = followup.informed_by.display_name if followup.informed_by else ""
            told = (
                f"{escape(_date(followup.informed_at, short_datetime))}<br>"
                f"{escape(by or '–')}{f' · {by_email}' if followup.by_email else ''}"
            )
        else:
            told = f'<span class="text-body-secondary">{not_yet}</span>'
        out.append(
            "<tr>"
            f'<td class="stack-inline"><input class="form-check-input" type="checkbox" '
            f'name="organizations" value="{pk}" id="org-{pk}" aria-label="{name}"></td>'
            f'<td class="stack-inline stack-title"><a href="{url}">{name}</a>'
            f'<div class="small text-body-secondary">{stand}</div></td>'
            f'<td class="text-end" data-label="{exposure_label}"><span class="fw-semibold">'
            f'{int(e.exposure)}</span><div class="small text-body-secondary">{vendors}</div></td>'
            f'<td data-label="{lock_in_label}"><span class="badge badge-risk-'
            f'{escape(e.lock_in_level)}">{level}</span> '
            f'<span class="small">{int(e.lock_in)}</span></td>'
            f'<td class="small drivers-cell" data-label="{drivers_label}">'
            f'<ul class="list-unstyled mb-0">{drivers}</ul></td>'
            f'<td class="small" data-label="{informed_label}">{told}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
