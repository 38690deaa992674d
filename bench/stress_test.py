"""Portfolio stress test timing (issue 10), section 6 of ``bench/run.py``.

A portfolio of ``organizations`` clients with stored answers (``portfolio_seed``, one submitted
assessment each: the stress test reads only the latest) is assigned to one bench consultant, and
everything runs with ``CONSULTANT_SCOPE=assigned`` for that consultant, so the clients other
sections seed into the same database do not count. Figures, each the median of ``repeat`` runs,
against the bare "latest result per organisation" query of the same clients in the same run:

* per scenario, the stress test page as served (``GET /berater/stresstest/?scenario=…``, in the
  request up to STRESS_TEST_INLINE_MAX_CLIENTS), and its CSV (drivers for every client);
* the background job's throughput: ``stress_job_execute`` (the task's body, in this process)
  for the scenario that moves most clients, in clients per second.

Standalone, against a database that already has the tables (it adds its clients once):

    PYTHONPATH=.:bench DATABASE_URL=postgres://…/<own db> DJANGO_SETTINGS_MODULE=portal.settings \
        .venv/bin/python bench/stress_test.py [--orgs 2000]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

BENCH_EMAIL = "stress@bench.example"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return _median_ms(samples)


def _portfolio(organizations: int):
    """The bench consultant with ``organizations`` clients that have answers (seeded once)."""
    from django.db import connection

    from portal.models import Organization, User
    from portal.portfolio.seed import portfolio_seed

    consultant, _created = User.objects.get_or_create(
        email=BENCH_EMAIL,
        defaults={"first_name": "Stella", "last_name": "Stress", "is_consultant": True},
    )
    have = Organization.objects.filter(consultant=consultant).count()
    seconds = 0.0
    if have < organizations:
        before = set(Organization.objects.values_list("pk", flat=True))
        started = time.perf_counter()
        portfolio_seed(
            organizations=organizations - have,
            assessments=organizations - have,
            with_answers=True,
            seed=1010,
        )
        Organization.objects.exclude(pk__in=before).update(consultant=consultant)
        seconds = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in (
                    "portal_organization",
                    "assessments_assessment",
                    "assessments_answer",
                    "assessments_result",
                ):
                    cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - fixed names
    return consultant, seconds


def _verified_client(user):
    """A test client signed in as ``user`` with the second factor passed, over HTTPS."""
    import django_otp
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    class SecureClient(Client):
        def get(self, path, *args, **kwargs):
            return super().get(path, *args, secure=True, headers={"host": "localhost"}, **kwargs)

    client = SecureClient()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def bench_stress(*, organizations: int = 2000, repeat: int = 5):
    from django.conf import settings
    from django.core.cache import cache
    from django.test.utils import override_settings
    from sections import Figure, Section, yes_no

    from assessments.models import Result
    from assessments.selectors import DIMENSION_FIELDS
    from assessments.stress import services
    from assessments.stress.models import StressJob
    from assessments.stress.selectors import scenarios_all, stress_clients

    section = Section(f"6. Portfolio stress test ({organizations:,} clients)")
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        return section.skip("PostgreSQL only (the 2 s target is stated for PostgreSQL)")

    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest
    consultant, seed_s = _portfolio(organizations)
    with override_settings(
        CONSULTANT_SCOPE="assigned",
        STRESS_TEST_INLINE_MAX_CLIENTS=max(organizations, settings.STRESS_TEST_INLINE_MAX_CLIENTS),
        DEBUG=False,
    ):
        clients = stress_clients(user=consultant)
        if clients < organizations:
            return section.skip(f"only {clients} clients with a result for the bench consultant")
        client = _verified_client(consultant)
        warm = client.get("/berater/stresstest/")
        if warm.status_code != 200:
            return section.skip(f"/berater/stresstest/ answered {warm.status_code}")

        def bare():
            list(
                Result.objects.visible_to(consultant)
                .latest_per_organization()
                .values_list("assessment_id", "readiness", *DIMENSION_FIELDS)
            )

        bare()
        base_ms = _timed(bare, repeat)
        section.figures.append(
            Figure("bare latest-result query (baseline)", f"{base_ms:,.1f} ms", "", "", "", None)
        )
        worst = (None, -1)
        for key in scenarios_all():
            url = f"/berater/stresstest/?scenario={key}"
            page = client.get(url)  # warm: the prepared scenario, template compilation
            moved = page.content.decode().split('data-moved="', 1)[-1].split('"', 1)[0]
            # Cold: the page keeps its result in the cache for paging; every timed request here
            # starts without it (the CSV too, as if asked for first).
            page_ms = _timed(lambda url=url: (cache.clear(), client.get(url)), repeat)
            csv_ms = _timed(
                lambda url=url: (cache.clear(), client.get(url + "&format=csv")),
                max(3, repeat // 2),
            )
            client.get(url)
            paging_ms = _timed(lambda url=url: client.get(url + "&page=2"), repeat)
            met = page.status_code == 200 and page_ms <= 2000
            section.figures.append(
                Figure(
                    f"{key}: page ({moved} of {clients:,} move)",
                    f"{page_ms:,.0f} ms; CSV {csv_ms:,.0f} ms; page 2 {paging_ms:,.0f} ms",
                    f"{base_ms:,.1f} ms (bare query)",
                    f"{page_ms / base_ms:.0f}×",
                    "page ≤ 2 s",
                    met,
                )
            )
            section.summary.append(
                f"Stress test {key} ({clients:,} clients, {moved} move): page {page_ms:,.0f} ms "
                f"median (cold), CSV {csv_ms:,.0f} ms, next page from the cache {paging_ms:,.0f} "
                f"ms; bare latest-result query {base_ms:,.1f} ms → "
                f"{page_ms / base_ms:.0f}× (page ≤ 2 s: {yes_no(met)})"
            )
            if moved.isdigit() and int(moved) > worst[1]:
                worst = (key, int(moved))

        if worst[0] is not None:
            samples = []
            for _ in range(max(3, repeat // 2)):
                job = StressJob.objects.create(scenario=worst[0], created_by=consultant)
                started = time.perf_counter()
                outcome = services.stress_job_execute(job_id=job.pk)
                samples.append(time.perf_counter() - started)
                if outcome != "done":
                    return section.skip(f"the job ended {outcome!r}")
            job_ms = _median_ms(samples)
            rate = clients / (job_ms / 1000)
            section.figures.append(
                Figure(
                    f"background job, {worst[0]} (task body in-process)",
                    f"{job_ms:,.0f} ms = {rate:,.0f} clients/s",
                    f"{base_ms:,.1f} ms (bare query)",
                    f"{job_ms / base_ms:.0f}×",
                )
            )
            section.summary.append(
                f"Stress job ({worst[0]}, {clients:,} clients, chunks of "
                f"{settings.STRESS_TEST_CHUNK}, progress written per chunk): {job_ms:,.0f} ms "
                f"median in-process = {rate:,.0f} clients/s"
            )
    section.notes.append(
        f"{clients:,} clients with stored answers (portfolio_seed, one assessment each"
        + (f", seeded in {seed_s:.0f} s" if seed_s else ", seeded earlier")
        + "), all assigned to one bench consultant under CONSULTANT_SCOPE=assigned; in-process "
        f"django.test.Client, DEBUG off, median of {repeat} (CSV and job: of "
        f"{max(3, repeat // 2)}); the page lists the clients that move, 50 per page"
    )
    return section


def main(argv=None) -> int:
    import os
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import django

    django.setup()
    from run import load, print_section

    print(f"load average before: {load()}")
    print_section(bench_stress(organizations=args.orgs, repeat=args.repeat))
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
