"""What the stress test pages and the CSV show: rows in the reader's language, drivers with the
dimension each one moved and by how many points."""

from django.core.paginator import Paginator
from django.http import HttpRequest

from portal.models import Organization

from ..catalogue.text import tr
from . import selectors
from .models import StressJob
from .selectors import StressResult

ROWS_PER_PAGE = 50


def job_result(request: HttpRequest, job: StressJob) -> StressResult:
    """The stored result, limited to the clients the consultant may see today."""
    result = StressResult.from_data(job.result)
    visible = {
        str(pk) for pk in Organization.objects.visible_to(request.user).values_list("pk", flat=True)
    }
    result.rows = [row for row in result.rows if row.organization_id in visible]
    return result


def result_view(request: HttpRequest, result: StressResult, scenario, *, base: str) -> dict:
    """The clients that move, a page of them with their drivers, and what did not move."""
    moved = [row for row in result.rows if row.moved]
    page = Paginator(moved, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.stress_drivers_fill(rows=list(page.object_list), scenario=scenario)
    titles = {key: tr(title) for key, title in result.titles.items()}
    return {
        "titles": titles,
        "problems": result.problems,
        "clients": len(result.rows),
        "moved": len(moved),
        "unchanged": len(result.rows) - len(moved),
        "rose": sum(1 for row in moved if row.risk_delta > 0),
        "page": page,
        "page_base": base,
        "rows": [row_view(row, titles) for row in page.object_list],
    }


def row_view(row, titles: dict) -> dict:
    deltas = [
        {"title": titles[key], "value": value, "text": signed(value)}
        for key in titles
        for value in [row.deltas.get(key, 0)]
    ]
    return {
        "organization_id": row.organization_id,
        "name": row.name,
        "consultant": row.consultant,
        "readiness_before": row.readiness_before,
        "readiness_after": row.readiness_after,
        "deltas": deltas,
        # the dimensions that moved, the largest rise first
        "changed": sorted((d for d in deltas if d["value"]), key=lambda d: -d["value"]),
        "drivers": drivers_view(row.drivers or [], titles),
    }


def signed(number) -> str:
    """+3, −2 (a real minus sign) or ±0."""
    if not number:
        return "±0"
    return f"{number:+g}".replace("-", "\u2212")


def drivers_view(drivers: list[dict], titles: dict) -> list[dict]:
    return [
        {
            "question": tr(driver["question"]),
            "changes": [
                {
                    "dimension": titles.get(change["dimension"], change["dimension"]),
                    "points": change["points"],
                    "text": signed(change["points"]),
                    "before": change.get("before"),
                    "after": change.get("after"),
                }
                for change in driver["changes"]
            ],
        }
        for driver in drivers
    ]
