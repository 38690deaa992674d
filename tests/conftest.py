"""Shared fixtures.

alice owns Org A, bob is a member of Org A, charlie owns Org B (the "other client"),
and carla is a consultant who sees every organisation.
"""

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.test import override_settings

from portal.celery import app as celery_app
from portal.models import Membership
from tests.factories import ConsultantFactory, MembershipFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks in-process and synchronously (reports too: no background thread, see
    ``REPORT_RENDER_IN_BACKGROUND``); tests marked ``worker`` talk to a real worker instead, and
    tests marked ``background_render`` keep the embedded default's render thread."""
    if request.node.get_closest_marker("worker"):
        with override_settings(REPORT_RENDER_IN_BACKGROUND=False):
            yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    background = bool(request.node.get_closest_marker("background_render"))
    with override_settings(REPORT_RENDER_IN_BACKGROUND=background):
        yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language. The test client's requests activate a
    language in this thread and leave it active (a real server activates one per request), so
    without this a test after an English request would see English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Passwords in tests are hashed with MD5 instead of PBKDF2's million rounds (Django's advice
    for test suites): every user a factory makes and every sign-in a test tries used to cost
    about a third of a second. The portal itself keeps Django's default hashers
    (tests/portal/test_settings.py checks that)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (the process-local default cache would otherwise
    carry a dashboard page or a rate-limit count from one test into the next)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def mfa_auto_verify(request):
    """Logins of consultants and admins count as two-factor verified (see tests/mfa.py)."""
    if request.node.get_closest_marker("mfa_real"):
        yield
        return
    from tests.mfa import auto_verified_logins

    with auto_verified_logins():
        yield


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Alpha Fensterbau GmbH")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Beta Steuerberatung")


@pytest.fixture
def alice(org_a):
    user = UserFactory(email="alice@alpha.example", first_name="Alice")
    MembershipFactory(user=user, organization=org_a, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def bob(org_a):
    user = UserFactory(email="bob@alpha.example", first_name="Bob")
    MembershipFactory(user=user, organization=org_a, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def charlie(org_b):
    user = UserFactory(email="charlie@beta.example", first_name="Charlie")
    MembershipFactory(user=user, organization=org_b, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def consultant(db):
    return ConsultantFactory(email="carla@beratung.example", first_name="Carla")


WIZARD_CATALOGUE = Path(__file__).parent / "wizard" / "fixtures" / "wizard.yaml"


@pytest.fixture
def questionnaire(db):
    """A small published and active catalogue that exercises every question type."""
    from assessments import services

    version = services.questionnaire_load(source=WIZARD_CATALOGUE.read_text(encoding="utf-8"))
    services.questionnaire_publish(version=version)
    services.questionnaire_activate(version=version)
    return version


def _port_open(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the real-worker tests use; skip locally without one, fail in CI."""
    base = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    if not base.startswith("redis"):
        base = "redis://127.0.0.1:6379/0"
    # A database of its own, so test tasks never mix with a developer's real queue; 14 unless
    # TEST_REDIS_DB names another (parallel runs on one server, each with its own number). Under
    # pytest-xdist each worker process counts down from it (gw0: 14, gw1: 13, …), so two workers'
    # real Celery workers never take each other's tasks.
    number = int(os.environ.get("TEST_REDIS_DB", "14"))
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = (number - int(xdist_worker.removeprefix("gw") or 0)) % 16
    url = base.rsplit("/", 1)[0] + "/" + str(number)
    if not _port_open(url):
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis does not answer at {url}, but REQUIRE_SERVICES=1")
        pytest.skip(f"no Redis answers at {url}; start one to run the real-worker tests")
    return url


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    """Evidence, document PDFs and reports go to a private folder of this test."""
    from django.core.files.storage import FileSystemStorage

    from assessments.actionplan.models import Evidence
    from assessments.documents.models import DocumentVersion
    from assessments.models import Report

    storage = FileSystemStorage(location=tmp_path / "private")
    for model, name in ((Evidence, "file"), (DocumentVersion, "pdf_file"), (Report, "file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return tmp_path / "private"
