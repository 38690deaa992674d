"""CSV of a stress test result (UTF-8 BOM, semicolons, formula-defused, as the other exports)."""

import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _

from ..actionplan.exports import FORMULA_STARTS
from ..questionnaire import tr
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


def _defused(text: str) -> str:
    return text if text[:1] not in FORMULA_STARTS else "'" + text


def stress_csv(scenario, result: StressResult) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stresstest-{scenario.key}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    titles = {key: tr(title) for key, title in result.titles.items()}
    writer.writerow(
        [
            _("Unternehmen"),
            _("Berater/in"),
            _("KI-Readiness vorher"),
            _("KI-Readiness nachher"),
            *[_("Δ %(dimension)s") % {"dimension": title} for title in titles.values()],
            _("Treiber (Frage: Dimension und Punkte)"),
        ]
    )
    selectors.stress_drivers_fill(rows=result.rows, scenario=scenario)
    for row in result.rows:
        writer.writerow(
            [
                _defused(row.name),
                _defused(row.consultant),
                row.readiness_before,
                row.readiness_after,
                *[row.deltas.get(key, 0) for key in titles],
                _defused(
                    " | ".join(_driver_text(d) for d in drivers_view(row.drivers or [], titles))
                ),
            ]
        )
    return response
