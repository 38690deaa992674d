import pytest

from assessments import services
from assessments.models import Report
from tests.wizard.conftest import COMPLETE, fill


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Reports go to a private folder of this test, never under MEDIA_ROOT."""
    from django.core.files.storage import FileSystemStorage

    field = Report._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))
    return tmp_path / "private"


@pytest.fixture
def submitted(questionnaire, org_a, alice, consultant):
    org_a.consultant = consultant
    org_a.save()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(
        assessment,
        alice,
        {
            **COMPLETE,
            "use_cases": [
                {"name": "Bewerbungen vorsortieren", "area": "hr"},
                {"name": "Code-Vorschläge", "area": "code"},
            ],
        },
    )
    return services.assessment_submit(assessment=assessment, user=alice)


def ready_report(assessment, user, capture) -> Report:
    from assessments.reports import services as report_services

    with capture(execute=True):
        report = report_services.report_request(assessment=assessment, user=user)
    report.refresh_from_db()
    return report


# The real-worker fixtures (private Redis, worker and beat subprocesses), shared by the
# worker test modules of this package.
from tests.reports.worker_harness import (  # noqa: E402, F401
    database_url,
    redis_server,
    short_stale,
    start_worker,
    storage_dir,
)
