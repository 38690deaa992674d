from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.privacy.audit import client_data
from portal.views import consultant_required

from ..catalogue.text import tr
from . import presentation, selectors, services
from .exports import stress_csv
from .models import StressJob


@client_data("stress_test")
@consultant_required
@require_GET
def stress_test(request: HttpRequest) -> HttpResponse:
    """Pick a scenario; every visible client's latest answers re-scored under it, in the request
    up to STRESS_TEST_INLINE_MAX_CLIENTS clients, as a background job above."""
    scenarios = selectors.scenarios_all()
    scenario = scenarios.get(request.GET.get("scenario", ""))
    clients = selectors.stress_clients(user=request.user)
    inline = clients <= settings.STRESS_TEST_INLINE_MAX_CLIENTS
    context = {
        "scenarios": [{"key": s.key, "title": tr(s.title)} for s in scenarios.values()],
        "scenario": _scenario_view(scenario),
        "clients": clients,
        "inline": inline,
        "inline_max": settings.STRESS_TEST_INLINE_MAX_CLIENTS,
        "jobs": _jobs_view(
            StressJob.objects.visible_to(request.user).defer("result")[:5], scenarios
        ),
    }
    if scenario is not None and inline:
        csv_wanted = request.GET.get("format") == "csv"
        result = selectors.stress_run(
            user=request.user, scenario=scenario, drivers=csv_wanted, cached=True
        )
        if csv_wanted:
            return stress_csv(scenario, result)
        context["result"] = presentation.result_view(
            request, result, scenario, base=_page_base(scenario.key)
        )
        context["csv_url"] = f"{reverse('stress_test')}?scenario={scenario.key}&format=csv"
    return render(request, "assessments/stress_test.html", context)


@client_data(None)
@consultant_required
@require_POST
def stress_job_start(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("scenario", "")
    try:
        job = services.stress_job_start(user=request.user, scenario_key=key)
    except services.UnknownScenario:
        messages.error(request, _("Bitte wählen Sie ein Szenario aus der Liste."))
        return redirect("stress_test")
    return redirect("stress_job", job_id=job.pk)


def _job_for(request: HttpRequest, job_id) -> StressJob:
    return get_object_or_404(StressJob.objects.visible_to(request.user), pk=job_id)


@client_data("stress_test")
@consultant_required
@require_GET
def stress_job(request: HttpRequest, job_id) -> HttpResponse:
    job = _job_for(request, job_id)
    scenario = selectors.scenarios_all().get(job.scenario)
    if request.GET.get("format") == "csv":
        if job.status != StressJob.Status.DONE or scenario is None:
            raise Http404
        return stress_csv(scenario, presentation.job_result(request, job))
    return render(request, "assessments/stress/job.html", _job_context(request, job, scenario))


@client_data("stress_test")
@consultant_required
@require_GET
def stress_job_panel(request: HttpRequest, job_id) -> HttpResponse:
    """The job's panel alone: htmx polls it while the job waits or runs."""
    job = _job_for(request, job_id)
    scenario = selectors.scenarios_all().get(job.scenario)
    return render(
        request,
        "assessments/stress/_job_panel.html",
        _job_context(request, job, scenario),
    )


# --- presentation --------------------------------------------------------------------------


def _page_base(scenario_key: str) -> str:
    return f"{reverse('stress_test')}?scenario={scenario_key}&"


def _scenario_view(scenario) -> dict | None:
    if scenario is None:
        return None
    return {
        "key": scenario.key,
        "title": tr(scenario.title),
        "description": tr(scenario.description),
        "source": scenario.source,
        "as_of": scenario.as_of,
    }


def _jobs_view(jobs, scenarios) -> list[dict]:
    return [
        {
            "job": job,
            "title": tr(scenarios[job.scenario].title)
            if job.scenario in scenarios
            else job.scenario,
            "stuck": job.is_stuck(),
        }
        for job in jobs
    ]


def _job_context(request: HttpRequest, job: StressJob, scenario) -> dict:
    stuck = job.is_stuck()
    context = {
        "job": job,
        "stuck": stuck,
        "polling": job.is_pending and not stuck,
        "poll_seconds": 1,
        "scenario": _scenario_view(scenario),
        "scenario_title": tr(scenario.title) if scenario else job.scenario,
        "stale_seconds": settings.STRESS_JOB_STALE_SECONDS,
    }
    if job.status == StressJob.Status.DONE and scenario is not None:
        base = f"{reverse('stress_job', args=[job.pk])}?"
        context["result"] = presentation.result_view(
            request, presentation.job_result(request, job), scenario, base=base
        )
        context["csv_url"] = f"{reverse('stress_job', args=[job.pk])}?format=csv"
    return context
