"""The results page reads a constant, small number of queries, however many assessments the
client has and however large the portfolio (benchmark from the stored figures)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Action, Assessment, ConsultantNote
from assessments.review.models import ReviewStep
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
    # session, user, the second factor's check, the assessment with result, organisation and
    # catalogue version, the trend (with the previous scores), the consultant's notes for the
    # client, actions, reports; the benchmark sums and the card's parts (scored from both answer
    # sets, decision 0051) come from the shared cache after the first view
    assert as_client <= 8

    client.force_login(consultant)
    as_consultant = _queries(client, long)
    assert as_consultant == _queries(client, short)
    # rows that name a person: each action with an owner, a note with its author, a review
    # step with who took it. The page
    # reads only their names (``User.NAME_FIELDS``), and no row costs a query of its own.
    for title in ("Schulung planen", "Auftragsverarbeitung prüfen"):  # the consultant's own
        Action.objects.create(assessment=long, title=title, text="bis Quartalsende")
    assert Action.objects.filter(assessment=long).count() >= 3
    Action.objects.filter(assessment=long).update(owner=long_owner)
    ConsultantNote.objects.create(
        assessment=long, title="Rückruf", text="Vertrag prüfen", author=consultant
    )
    ReviewStep.objects.create(
        assessment=long, from_state="submitted", to_state="in_review", actor=consultant
    )
    assert _queries(client, long) == as_consultant
    client.force_login(long_owner)
    assert _queries(client, long) == as_client
    page = client.get(reverse("assessment_done", args=[long.pk])).content.decode()
    assert long_owner.display_name in page  # the owner beside each action
    assert "Vertrag prüfen" in page  # the note meant for the client
    client.force_login(consultant)
    # the review history instead of the released notes, plus the notes panel; the read audit
    # was written by the first view (one entry per reader and page within a while)
    assert as_consultant <= 9  # issue 20
    page = client.get(reverse("assessment_done", args=[long.pk])).content.decode()
    assert "Vergleich" in page  # the benchmark column from the stored sums


def test_the_benchmark_follows_a_peer_s_new_result_at_once(client, questionnaire, consultant):
    peers = [OrganizationFactory(name=f"Peer {number}") for number in range(6)]
    for peer in peers:
        _submit(peer, COMPLETE)
    own, _owner = _client_with(1)
    client.force_login(consultant)
    url = reverse("assessment_done", args=[own.pk])

    before = client.get(url).context["benchmark"]  # read once, now cached
    assert before["count"] == 6
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert not any("portal_portfoliofigure" in q["sql"] for q in cached.captured_queries)

    _submit(peers[0], RISKY)  # a peer's new result changes the sums: the cached ones go
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert any("portal_portfoliofigure" in q["sql"] for q in after.captured_queries)
    assert response.context["benchmark"]["readiness"] != before["readiness"]
    assert "Durchschnitt von 6 anderen Kunden" in response.content.decode()
