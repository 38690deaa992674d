"""The stress test as a background job (portfolios above STRESS_TEST_INLINE_MAX_CLIENTS).

Tasks run eagerly here (tests/conftest.py); tests/stress/test_worker.py runs a real worker.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.demo import questionnaire_ensure_active
from assessments.stress import services
from assessments.stress.models import StressJob
from assessments.stress.selectors import scenarios_all, stress_run
from tests.factories import ConsultantFactory
from tests.stress.test_stress_test import _client_with_result

SCENARIO = "copilot_price_plus_50"


def job_portfolio(settings):
    """Two clients, more than the in-request limit of 1; returns Carla, the consultant of one."""
    settings.STRESS_TEST_INLINE_MAX_CLIENTS = 1
    version = questionnaire_ensure_active()
    carla = ConsultantFactory(first_name="Carla", email="carla@beratung.example")
    _client_with_result(
        version,
        "Copilot GmbH",
        {"services_used": ["m365_copilot"], "price_rise_20": "tight"},
        consultant=carla,
    )
    _client_with_result(
        version, "Mistral KG", {"services_used": ["mistral"], "price_rise_20": "tight"}
    )
    return carla


@pytest.fixture
def portfolio(db, settings):
    return job_portfolio(settings)


def _start(client, django_capture_on_commit_callbacks, scenario=SCENARIO):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("stress_job_start"), {"scenario": scenario})


@pytest.mark.django_db
def test_large_portfolio_offers_the_background_job_instead_of_computing(client, portfolio):
    client.force_login(portfolio)
    body = client.get(reverse("stress_test"), {"scenario": SCENARIO}).content.decode()

    assert "Berechnung starten" in body
    assert "data-stress-row" not in body
    assert "Ihr Portfolio umfasst 2 Kunden mit Bewertung" in body


@pytest.mark.django_db
def test_started_job_runs_and_shows_the_same_result_as_the_request(
    client, portfolio, django_capture_on_commit_callbacks
):
    client.force_login(portfolio)
    response = _start(client, django_capture_on_commit_callbacks)

    job = StressJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stress_job", args=[job.pk])
    assert (job.status, job.created_by, job.done, job.total, job.percent) == (
        "done",
        portfolio,
        2,
        2,
        100,
    )
    expected = stress_run(user=portfolio, scenario=scenarios_all()[SCENARIO])
    assert job.result == expected.to_data()
    assert job.finished_at and job.progress_at

    page = client.get(response["Location"]).content.decode()
    assert 'data-job-status="done"' in page and "hx-trigger" not in page
    assert 'data-stress-row="Copilot GmbH"' in page

    csv_response = client.get(response["Location"], {"format": "csv"})
    rows = list(
        csv.reader(io.StringIO(csv_response.content.decode().lstrip("\ufeff")), delimiter=";")
    )
    assert [r[0] for r in rows[1:]] == ["Copilot GmbH", "Mistral KG"]
    assert "Kontinuität und Kosten +2 Pkt. (2 → 4)" in rows[1][-1]

    listing = client.get(reverse("stress_test")).content.decode()
    assert reverse("stress_job", args=[job.pk]) in listing


@pytest.mark.django_db
def test_progress_panel_polls_while_running_and_shows_the_share_done(client, portfolio):
    now = timezone.now()
    job = StressJob.objects.create(
        scenario=SCENARIO,
        created_by=portfolio,
        status="running",
        done=1,
        total=4,
        started_at=now,
        progress_at=now,
    )
    client.force_login(portfolio)
    panel = client.get(reverse("stress_job_panel", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in panel
    assert 'aria-valuenow="25"' in panel and "width: 25%" in panel
    assert "1 von 4 Kunden berechnet" in panel


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, field, says",
    [
        ("queued", "created_at", "kein Hintergrundprozess"),
        ("running", "progress_at", "unterbrochen"),
    ],
)
def test_stuck_job_says_so_and_stops_polling(client, portfolio, settings, status, field, says):
    settings.STRESS_JOB_STALE_SECONDS = 60
    old = timezone.now() - timedelta(seconds=61)
    job = StressJob.objects.create(
        scenario=SCENARIO, created_by=portfolio, status=status, **{field: old}
    )
    if status == "running":
        StressJob.objects.filter(pk=job.pk).update(started_at=old, created_at=old)
    client.force_login(portfolio)
    panel = client.get(reverse("stress_job_panel", args=[job.pk])).content.decode()

    assert "Die Berechnung hängt" in panel and says in panel
    assert "hx-trigger" not in panel and 'data-job-status="stuck"' in panel
    assert "Neu starten" in panel


@pytest.mark.django_db
def test_restart_fails_the_stuck_job_and_starts_a_new_one(
    client, portfolio, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(hours=1)
    stuck = StressJob.objects.create(
        scenario=SCENARIO, created_by=portfolio, status="queued", created_at=old
    )
    client.force_login(portfolio)
    _start(client, django_capture_on_commit_callbacks)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.failure) == ("failed", "stuck")
    assert StressJob.objects.filter(status="done").count() == 1


@pytest.mark.django_db
def test_second_click_while_running_shows_the_running_job(client, portfolio):
    running = StressJob.objects.create(
        scenario=SCENARIO, created_by=portfolio, status="running", progress_at=timezone.now()
    )
    client.force_login(portfolio)
    response = client.post(reverse("stress_job_start"), {"scenario": SCENARIO})

    assert response["Location"] == reverse("stress_job", args=[running.pk])
    assert StressJob.objects.count() == 1


@pytest.mark.django_db
def test_broker_down_fails_the_job_at_once_with_a_message(
    client, portfolio, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments.stress import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.stress_job_run, "delay", refuse)
    client.force_login(portfolio)
    response = _start(client, django_capture_on_commit_callbacks)

    job = StressJob.objects.get()
    assert (job.status, job.failure) == ("failed", "broker")
    page = client.get(response["Location"]).content.decode()
    assert "Die Warteschlange war nicht erreichbar." in page and "hx-trigger" not in page


@pytest.mark.django_db
def test_failing_computation_is_reported_not_swallowed(
    client, portfolio, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(services, "stress_run", broken)
    client.force_login(portfolio)
    _start(client, django_capture_on_commit_callbacks)

    job = StressJob.objects.get()
    assert (job.status, job.failure) == ("failed", "error")
    assert "kaputt" in job.error
    assert any("failed" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.django_db
def test_execute_twice_runs_once_but_takes_over_a_stale_job(portfolio, settings):
    job = StressJob.objects.create(scenario=SCENARIO, created_by=portfolio)
    assert services.stress_job_execute(job_id=job.pk) == "done"
    assert services.stress_job_execute(job_id=job.pk) == "skipped"

    settings.STRESS_JOB_STALE_SECONDS = 60
    dead = StressJob.objects.create(
        scenario=SCENARIO,
        created_by=portfolio,
        status="running",
        progress_at=timezone.now() - timedelta(seconds=61),
    )
    assert services.stress_job_execute(job_id=dead.pk, task_id="again") == "done"
    dead.refresh_from_db()
    assert (dead.status, dead.task_id) == ("done", "again")


@pytest.mark.django_db
def test_unknown_scenario_is_refused_with_a_message(client, portfolio):
    client.force_login(portfolio)
    response = client.post(reverse("stress_job_start"), {"scenario": "nope"}, follow=True)

    assert "Bitte wählen Sie ein Szenario aus der Liste." in response.content.decode()
    assert not StressJob.objects.exists()


@pytest.mark.django_db
def test_finished_jobs_are_deleted_after_the_keep_days(
    client, portfolio, settings, django_capture_on_commit_callbacks
):
    settings.STRESS_JOB_KEEP_DAYS = 14
    old = StressJob.objects.create(
        scenario=SCENARIO,
        created_by=portfolio,
        status="done",
        created_at=timezone.now() - timedelta(days=15),
    )
    recent = StressJob.objects.create(
        scenario=SCENARIO,
        created_by=portfolio,
        status="done",
        created_at=timezone.now() - timedelta(days=13),
    )
    client.force_login(portfolio)
    _start(client, django_capture_on_commit_callbacks)

    assert not StressJob.objects.filter(pk=old.pk).exists()
    assert StressJob.objects.filter(pk=recent.pk).exists()


# --- permissions -------------------------------------------------------------------------------


def _job_urls(job):
    return [
        reverse("stress_job", args=[job.pk]),
        reverse("stress_job", args=[job.pk]) + "?format=csv",
        reverse("stress_job_panel", args=[job.pk]),
    ]


@pytest.fixture
def done_job(portfolio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.stress_job_start(user=portfolio, scenario_key=SCENARIO)


@pytest.mark.django_db
def test_clients_get_404_on_every_job_url(client, alice, done_job):
    client.force_login(alice)
    for url in _job_urls(done_job):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("stress_job_start"), {"scenario": SCENARIO}).status_code == 404
    assert not StressJob.objects.exclude(pk=done_job.pk).exists()


@pytest.mark.django_db
def test_another_consultant_gets_404_on_someone_elses_job(client, done_job):
    client.force_login(ConsultantFactory(email="dora@beratung.example"))
    for url in _job_urls(done_job):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, done_job):
    response = client.get(reverse("stress_job", args=[done_job.pk]))
    assert response.status_code == 302 and "anmelden" in response["Location"]


@pytest.mark.django_db
def test_job_start_needs_post(client, portfolio):
    client.force_login(portfolio)
    assert client.get(reverse("stress_job_start")).status_code == 405


@pytest.mark.django_db
def test_csv_of_an_unfinished_job_is_404(client, portfolio):
    job = StressJob.objects.create(scenario=SCENARIO, created_by=portfolio, status="running")
    client.force_login(portfolio)
    assert client.get(reverse("stress_job", args=[job.pk]), {"format": "csv"}).status_code == 404


@pytest.mark.django_db
def test_stored_result_shows_only_clients_the_consultant_still_sees(
    client, done_job, portfolio, settings
):
    # The job ran under scope "all" (both clients); under "assigned" Carla sees only her own.
    settings.CONSULTANT_SCOPE = "assigned"
    client.force_login(portfolio)
    page = client.get(reverse("stress_job", args=[done_job.pk])).content.decode()
    response = client.get(reverse("stress_job", args=[done_job.pk]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))

    assert 'data-stress-row="Copilot GmbH"' in page
    assert [r[0] for r in rows[1:]] == ["Copilot GmbH"]


@pytest.mark.django_db
def test_progress_is_reported_after_each_chunk(portfolio):
    # Two clients, one of them (Copilot GmbH) touched by the scenario: the unchanged one counts
    # as done at once (1 of 2), the touched one after its chunk (2 of 2).
    calls = []
    stress_run(
        user=portfolio,
        scenario=scenarios_all()[SCENARIO],
        progress=lambda done, total: calls.append((done, total)),
        chunk=1,
    )
    assert calls == [(1, 2), (2, 2)]
