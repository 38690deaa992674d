"""Review workflow: submitted → in review → discussed → closed, back only with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, ReviewStep
from assessments.review.services import review_transition
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(questionnaire, org_a, alice):
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, COMPLETE)
    return services.assessment_submit(assessment=assessment, user=alice)


def test_submit_starts_the_review_with_who_and_when(submitted, alice):
    assert submitted.review_state == "submitted"
    [step] = ReviewStep.objects.filter(assessment=submitted)
    assert (step.from_state, step.to_state, step.actor) == ("", "submitted", alice)
    assert step.created_at is not None


def test_consultant_moves_forward_step_by_step(submitted, consultant):
    for state in ("in_review", "discussed", "closed"):
        review_transition(assessment=submitted, to_state=state, actor=consultant)
        submitted.refresh_from_db()
        assert submitted.review_state == state
    steps = list(ReviewStep.objects.filter(assessment=submitted).values_list("to_state", "actor"))
    assert steps[1:] == [
        ("in_review", consultant.pk),
        ("discussed", consultant.pk),
        ("closed", consultant.pk),
    ]


def test_skipping_a_step_is_refused(submitted, consultant):
    with pytest.raises(ValidationError) as error:
        review_transition(assessment=submitted, to_state="discussed", actor=consultant)
    assert error.value.code == "skip"
    submitted.refresh_from_db()
    assert submitted.review_state == "submitted"


def test_going_back_needs_a_reason(submitted, consultant):
    review_transition(assessment=submitted, to_state="in_review", actor=consultant)
    with pytest.raises(ValidationError) as error:
        review_transition(assessment=submitted, to_state="submitted", actor=consultant, reason="  ")
    assert error.value.code == "reason_required"

    step = review_transition(
        assessment=submitted, to_state="submitted", actor=consultant, reason="Antworten unklar"
    )
    assert step.is_backwards and step.reason == "Antworten unklar"
    submitted.refresh_from_db()
    assert submitted.review_state == "submitted"


def test_same_state_and_unknown_state_are_refused(submitted, consultant):
    with pytest.raises(ValidationError):
        review_transition(assessment=submitted, to_state="submitted", actor=consultant)
    with pytest.raises(ValidationError):
        review_transition(assessment=submitted, to_state="archived", actor=consultant)


def test_stale_state_loses_the_race(submitted, consultant):
    stale = Assessment.objects.get(pk=submitted.pk)
    review_transition(assessment=submitted, to_state="in_review", actor=consultant)
    with pytest.raises(ValidationError) as error:
        review_transition(assessment=stale, to_state="in_review", actor=consultant)
    assert error.value.code == "conflict"


def test_drafts_have_no_review(questionnaire, org_a, alice, consultant):
    draft = services.assessment_start(organization=org_a, user=alice).assessment
    with pytest.raises(ValidationError):
        review_transition(assessment=draft, to_state="in_review", actor=consultant)


def test_client_cannot_move_the_review(submitted, alice):
    with pytest.raises(PermissionDenied):
        review_transition(assessment=submitted, to_state="in_review", actor=alice)


def test_review_view_moves_and_shows_history(client, submitted, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("review_transition", args=[submitted.pk]), {"to_state": "in_review"}
    )
    assert response.status_code == 302
    body = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert 'data-review-state="in_review"' in body
    assert "Weiter: besprochen" in body
    assert "Carla" in body  # who moved it


def test_review_view_back_without_reason_is_refused(client, submitted, consultant):
    client.force_login(consultant)
    client.post(reverse("review_transition", args=[submitted.pk]), {"to_state": "in_review"})
    response = client.post(
        reverse("review_transition", args=[submitted.pk]), {"to_state": "submitted"}, follow=True
    )
    assert "nur mit einer Begründung" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.review_state == "in_review"


def test_client_gets_404_on_review_url_and_sees_state_only(client, submitted, alice, charlie):
    client.force_login(alice)
    url = reverse("review_transition", args=[submitted.pk])
    assert client.post(url, {"to_state": "in_review"}).status_code == 404
    body = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert "Stand der Prüfung" in body and "Weiter:" not in body
    client.force_login(charlie)
    assert client.post(url, {"to_state": "in_review"}).status_code == 404
    assert client.get(url).status_code in (404, 405)
    submitted.refresh_from_db()
    assert submitted.review_state == "submitted"
