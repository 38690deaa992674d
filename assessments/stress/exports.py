"""CSV of a stress test result (UTF-8 BOM, semicolons, formula-defused, as the other exports)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.spreadsheets import csv_lines

from ..catalogue.text import tr
from . import selectors
from .presentation import drivers_view
from .selectors import StressResult


def _driver_text(driver: dict) -> str:
    """Question (dimension +2 Pkt. (1 → 3); dimension +1 Pkt. (0 → 1))."""
    changes = "; ".join(
        _("%(dimension)s %(points)s Pkt. (%(before)s → %(after)s)")
        % {
            "dimension": change["dimension"],
            "points": f"{change['points']:+g}",
            "before": f"{change['before']:g}",
            "after": f"{change['after']:g}",
        }
        for change in driver["changes"]
    )
    return f"{driver['question']} ({changes})"


def stress_csv(scenario, result: StressResult) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stresstest-{scenario.key}.csv"'
    titles = {key: tr(title) for key, title in result.titles.items()}
    header = [
        _("Unternehmen"),
        _("Berater/in"),
        _("KI-Readiness vorher"),
        _("KI-Readiness nachher"),
        *[_("Δ %(dimension)s") % {"dimension": title} for title in titles.values()],
        _("Treiber (Frage: Dimension und Punkte)"),
    ]
    selectors.stress_drivers_fill(rows=result.rows, scenario=scenario)
    rows = (
        [
            row.name,
            row.consultant,
            row.readiness_before,
            row.readiness_after,
            *[row.deltas.get(key, 0) for key in titles],
            " | ".join(_driver_text(d) for d in drivers_view(row.drivers or [], titles)),
        ]
        for row in result.rows
    )
    for line in csv_lines(header, rows):
        response.write(line)
    return response
