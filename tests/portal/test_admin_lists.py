"""The admin's lists stay a page of rows at chamber scale: one query for the page whatever the
number of rows, no catalogue document per row, no sidebar that lists every client."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment
from portal.models import AuditLog
from tests.factories import ConsultantFactory, OrganizationFactory
from tests.portal.test_portfolio import CAREFUL, _submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    return client


def _queries(client, url) -> list[str]:
    client.get(url)  # the read audit is written once per reader and page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_client_list_reads_consultants_with_the_page(admin_client):
    url = reverse("admin:portal_organization_changelist")
    OrganizationFactory(consultant=ConsultantFactory())
    few = len(_queries(admin_client, url))
    for _number in range(5):
        OrganizationFactory(consultant=ConsultantFactory())
    assert len(_queries(admin_client, url)) == few


def test_assessment_list_does_not_read_catalogue_documents(admin_client, questionnaire):
    _submit(OrganizationFactory(name="Katalog GmbH"), CAREFUL)
    assert Assessment.objects.exists()
    queries = _queries(admin_client, reverse("admin:assessments_assessment_changelist"))
    rows = [sql for sql in queries if '"assessments_assessment"."status"' in sql]  # the page
    assert rows and not any('"assessments_questionnaireversion"."document"' in sql for sql in rows)
    assert not any('"assessments_questionnaireversion"."source"' in sql for sql in rows)


def test_audit_log_sidebar_does_not_list_every_client(admin_client):
    organization = OrganizationFactory(name="Seitenleiste AG")
    AuditLog.objects.create(action="organization.claim", organization=organization)
    url = reverse("admin:portal_auditlog_changelist")
    page = admin_client.get(url).content.decode()
    sidebar = page[page.index('id="changelist-filter"') :]
    assert "Seitenleiste AG" not in sidebar
    # the search finds a client's entries by its name
    found = admin_client.get(url, {"q": "Seitenleiste"}).content.decode()
    assert "Seitenleiste AG" in found[found.index('id="result_list"') :]
