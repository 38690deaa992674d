"""Stress test timing (issue 10): 2,000 clients with one result each (filled on first run), the
median of 5 stress_run calls per scenario against a bare latest-result query in the same run.

PYTHONPATH=. DATABASE_URL=postgres://…/<own db> DJANGO_SETTINGS_MODULE=portal.settings \
    .venv/bin/python bench/stress_test.py   (after manage.py migrate on that database)
"""

import random
import statistics
import time

import django

django.setup()
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import services  # noqa: E402
from assessments.demo import profile_answers, questionnaire_ensure_active  # noqa: E402
from assessments.models import Answer, Assessment, Result  # noqa: E402
from assessments.stress.selectors import scenarios_all, stress_run  # noqa: E402
from portal.models import Organization, User  # noqa: E402

N = 2000
version = questionnaire_ensure_active()
consultant, _ = User.objects.get_or_create(
    email="bench@x.example", defaults={"is_consultant": True}
)
if Organization.objects.count() < N:
    rng = random.Random(1)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Firma {i}", industry="craft", size_band="small") for i in range(N)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(
            organization=o, questionnaire=version, status="submitted", submitted_at=timezone.now()
        )
        for o in orgs
    )
    rows = []
    for a in assessments:
        answers = profile_answers(version.document, rng.random(), {})
        rows += [Answer(assessment=a, question_key=k, value=v) for k, v in answers.items()]
    Answer.objects.bulk_create(rows, batch_size=5000)
    for a in assessments:
        services.result_store(assessment=a)
print("orgs", Organization.objects.count(), "results", Result.objects.count(), connection.vendor)
scenario = scenarios_all()["copilot_price_plus_50"]


def timed(fn):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


base = timed(
    lambda: list(Result.objects.latest_per_organization().values_list("assessment_id", "readiness"))
)
for key, scenario in scenarios_all().items():
    s = timed(lambda scenario=scenario: stress_run(user=consultant, scenario=scenario))
    print(
        f"{key}: stress_run median {s * 1000:.0f} ms; bare latest-results query "
        f"{base * 1000:.0f} ms; ratio {s / base:.1f}x"
    )
