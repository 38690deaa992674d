import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.views import consultant_required

from ..actionplan.exports import FORMULA_STARTS
from ..questionnaire import tr
from . import selectors


@consultant_required
@require_GET
def stress_test(request: HttpRequest) -> HttpResponse:
    """Pick a scenario; every visible client's latest answers re-scored under it."""
    scenarios = selectors.scenarios_all()
    scenario = scenarios.get(request.GET.get("scenario", ""))
    result = selectors.stress_run(user=request.user, scenario=scenario) if scenario else None
    if result is not None and request.GET.get("format") == "csv":
        return _csv(scenario, result)
    return render(
        request,
        "assessments/stress_test.html",
        {
            "scenarios": [{"key": s.key, "title": tr(s.title)} for s in scenarios.values()],
            "scenario": scenario,
            "scenario_title": tr(scenario.title) if scenario else "",
            "scenario_description": tr(scenario.description) if scenario else "",
            "result": result,
        },
    )


def _csv(scenario, result) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stresstest-{scenario.key}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    keys = list(result["titles"])
    writer.writerow(
        [
            _("Unternehmen"),
            _("Berater/in"),
            _("KI-Readiness vorher"),
            _("KI-Readiness nachher"),
            *[_("Δ %(dimension)s") % {"dimension": result["titles"][k]} for k in keys],
            _("Treiber"),
        ]
    )
    for row in result["rows"]:
        name = row.name if row.name[:1] not in FORMULA_STARTS else "'" + row.name
        writer.writerow(
            [
                name,
                row.consultant,
                row.readiness_before,
                row.readiness_after,
                *[row.deltas.get(k, 0) for k in keys],
                " | ".join(f"{m['question']} ({m['points']:+g})" for m in row.moved),
            ]
        )
    return response
