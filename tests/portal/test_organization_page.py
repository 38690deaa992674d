"""The client's page (organisation detail) costs the same few queries with 2 or 20 assessments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Membership, Organization
from portal.portfolio.seed import portfolio_seed

pytestmark = pytest.mark.django_db


def _client_with(assessments: int, seed: int) -> Organization:
    before = set(Organization.objects.values_list("pk", flat=True))
    portfolio_seed(organizations=1, assessments=assessments, with_answers=False, seed=seed)
    (organization,) = Organization.objects.exclude(pk__in=before)
    assert organization.assessments.count() == assessments
    return organization


def _queries(client, organization) -> tuple[int, str]:
    url = reverse("organization_detail", args=[organization.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("viewer", ["consultant", "owner"])
def test_client_page_queries_do_not_grow_with_assessments(
    client, consultant, questionnaire, viewer, settings
):
    settings.AUDIT_READ_REPEAT_SECONDS = 0  # a consultant's every read is one audit entry
    few = _client_with(2, seed=11)
    many = _client_with(20, seed=12)
    # portfolio_seed gives every client its own owner: the owner of one owns the other too
    owner = Membership.objects.get(organization=few, role="owner").user
    Membership.objects.create(user=owner, organization=many, role=Membership.Role.OWNER)
    user = consultant if viewer == "consultant" else owner
    client.force_login(user)
    for organization in (few, many):  # warm: catalogue, session, the kept answer changes
        client.get(reverse("organization_detail", args=[organization.pk]))

    few_count, few_page = _queries(client, few)
    many_count, many_page = _queries(client, many)

    # every assessment is listed with a link to its result …
    assert few_page.count(">Ergebnis</a>") == 2
    assert many_page.count(">Ergebnis</a>") == 20
    # … for the same, small number of queries
    assert few_count == many_count
    # 12 before the comparison of the last two assessments (both with catalogue and result;
    # what changed between them is kept after the first view) and, for consultants, the
    # reminders sent (one)
    assert many_count <= 14
