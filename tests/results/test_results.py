import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Result
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


def _submit(organization, user, answers):
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


def test_submit_stores_scores_as_columns_and_card(questionnaire, org_a, alice):
    assessment = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})

    result = Result.objects.get()
    assert result.assessment == assessment and result.organization == org_a
    card = result.scorecard()
    assert result.gdpr == card.dimension("gdpr").score
    assert 0 <= result.readiness <= 100
    assert card.scoring_version == result.scoring_version
    assert result.catalogue_version == "wizard-test 1"
    assert result.vendor_exposure.keys() == {"microsoft", "openai"}
    assert card.recommendations[0].key == "stop_free"


def test_results_page_explains_scores(client, questionnaire, org_a, alice, bob):
    assessment = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    client.force_login(bob)

    body = client.get(reverse("assessment_done", args=[assessment.pk])).content.decode()

    assert "Ihr Ergebnis" in body
    assert "Geben Mitarbeitende Kundendaten in ChatGPT ein?" in body  # a driver
    assert "Business-Tarif nutzen" in body  # the action plan
    assert body.count('role="img"') >= 3  # gauge, radar, bars
    assert "Vergleich" not in body  # fewer than five peers: no benchmark


def test_results_compare_with_previous_assessment(client, questionnaire, org_a, alice):
    _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    second = _submit(org_a, alice, {"chatgpt_data": "no"})  # copies the rest, changes one
    client.force_login(alice)

    body = client.get(reverse("assessment_done", args=[second.pk])).content.decode()

    assert second.previous is not None
    assert "Veränderung" in body
    assert "Was sich seit der Bewertung" in body
    assert "Geben Mitarbeitende Kundendaten in ChatGPT ein?" in body


def test_benchmark_appears_with_five_peers_only(client, questionnaire, org_a, alice):
    own = _submit(org_a, alice, COMPLETE)
    client.force_login(alice)
    for n in range(5):
        peer = OrganizationFactory(industry=org_a.industry)
        user = UserFactory()
        MembershipFactory(user=user, organization=peer, role="owner")
        _submit(peer, user, COMPLETE)
        body = client.get(reverse("assessment_done", args=[own.pk])).content.decode()
        assert ("Durchschnitt von 5 anderen Kunden" in body) == (n == 4)


def test_other_org_cannot_see_results(client, questionnaire, org_a, alice, charlie):
    assessment = _submit(org_a, alice, COMPLETE)
    client.force_login(charlie)
    assert client.get(reverse("assessment_done", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessment_whatif", args=[assessment.pk])).status_code == 404
    assert client.post(reverse("assessment_whatif", args=[assessment.pk])).status_code == 404


def test_whatif_changes_scores_without_touching_the_assessment(client, questionnaire, org_a, alice):
    assessment = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    before_answers = dict(assessment.answers.values_list("question_key", "value"))
    fields = ("gdpr", "readiness", "lock_in", "vendor_exposure", "computed_at")
    before_result = Result.objects.values(*fields).get()
    client.force_login(alice)

    page = client.get(reverse("assessment_whatif", args=[assessment.pk]))
    assert page.status_code == 200 and "Hier wird nichts gespeichert" in page.content.decode()
    response = client.post(
        reverse("assessment_whatif", args=[assessment.pk]),
        {"chatgpt_data__present": "1", "chatgpt_data": "no"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "1 Antwort gegenüber Ihrer Bewertung geändert" in body
    gdpr_before = Result.objects.get().gdpr
    assert f'data-dimension="gdpr">{gdpr_before}<' not in body
    assert dict(assessment.answers.values_list("question_key", "value")) == before_answers
    assert Result.objects.values(*fields).get() == before_result


def test_whatif_with_bad_input_explains_and_ignores_it(client, questionnaire, org_a, alice):
    assessment = _submit(org_a, alice, COMPLETE)
    client.force_login(alice)

    response = client.post(
        reverse("assessment_whatif", args=[assessment.pk]), {"staff__present": "1", "staff": "-3"}
    )

    assert response.status_code == 200
    assert "Bitte geben Sie einen Wert zwischen 0 und 10000 ein." in response.content.decode()


def test_whatif_on_draft_is_404(client, questionnaire, org_a, alice):
    draft = services.assessment_start(organization=org_a, user=alice).assessment
    client.force_login(alice)
    assert client.get(reverse("assessment_whatif", args=[draft.pk])).status_code == 404


def test_rescore_all_recomputes_stored_results(questionnaire, org_a, alice):
    """A hand-edited row is not stale (its stamp is right): ``rescore --all`` repairs it."""
    assessment = _submit(org_a, alice, COMPLETE)
    Result.objects.filter(pk=assessment.pk).update(gdpr=99, readiness=0, lock_in_drivers=[])

    call_command("rescore", batch_size=1, all_results=True)

    result = Result.objects.get()
    assert result.gdpr != 99 and result.scorecard().dimensions
    assert Assessment.objects.get().status == "submitted"
