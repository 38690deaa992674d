"""The results page reads a constant, small number of queries, however many assessments the
client has and however large the portfolio (benchmark from the stored figures)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment
from portal.models import Membership
from tests.factories import OrganizationFactory
from tests.portal.test_portfolio import CAREFUL, RISKY, _submit
from tests.wizard.conftest import COMPLETE

pytestmark = pytest.mark.django_db


def _queries(client, assessment) -> int:
    url = reverse("assessment_done", args=[assessment.pk])
    client.get(url)  # warm: catalogue caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _client_with(assessments: int):
    organization = OrganizationFactory(name=f"Verlauf {assessments} GmbH")
    answers = [COMPLETE, RISKY, CAREFUL]
    for number in range(assessments):
        latest = _submit(organization, answers[number % 3])
    owner = Membership.objects.filter(organization=organization).first().user
    return latest, owner


def test_results_page_queries_stay_constant_and_small(client, questionnaire, consultant):
    for number in range(7):  # peers for the benchmark
        _submit(OrganizationFactory(name=f"Peer {number}"), COMPLETE)
    short, short_owner = _client_with(2)
    long, long_owner = _client_with(5)
    assert Assessment.objects.get(pk=long.pk).previous_id

    client.force_login(short_owner)
    as_client = _queries(client, short)
    client.force_login(long_owner)
    assert _queries(client, long) == as_client
    # session, user, the assessment with result, organisation and catalogue version, the
    # trend (with the previous scores), benchmark figures, both answer sets, actions, reports
    assert as_client <= 10

    client.force_login(consultant)
    as_consultant = _queries(client, long)
    assert as_consultant == _queries(client, short)
    # plus the second factor's device, the review history, the notes and the read audit
    assert as_consultant <= as_client + 5
    page = client.get(reverse("assessment_done", args=[long.pk])).content.decode()
    assert "Vergleich" in page  # the benchmark column from the stored sums
