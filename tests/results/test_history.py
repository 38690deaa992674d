"""Trend per dimension across assessments and what each changed answer did to the scores."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.history.charts import sparkline_svg
from assessments.history.selectors import answer_effects, dimension_trend
from assessments.scoring import score
from tests.wizard.conftest import COMPLETE, fill


def _submit(organization, user, answers):
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


def test_sparkline_draws_every_point_and_escapes_the_label():
    svg = sparkline_svg([80, 55, 20], label="<Lock-in>", level="low")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert "&lt;Lock-in&gt;" in svg and "<Lock-in>" not in svg
    assert 'class="last level-low"' in svg and ">20</text>" in svg


def test_sparkline_rejects_scores_out_of_range():
    with pytest.raises(ValueError):
        sparkline_svg([101], label="x", level="low")
    with pytest.raises(ValueError):
        sparkline_svg([], label="x", level="low")


@pytest.mark.django_db
def test_answer_effect_is_the_change_that_one_answer_alone_makes(questionnaire, org_a, alice):
    first = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    second = _submit(org_a, alice, {"chatgpt_data": "no"})

    [row] = answer_effects(assessment=second)

    assert row["key"] == "chatgpt_data"
    document = second.questionnaire.document
    now = dict(second.answers.values_list("question_key", "value"))
    then = {**now, "chatgpt_data": "yes"}
    expected = {
        dim: score(document, now).scores[dim] - score(document, then).scores[dim]
        for dim in score(document, now).scores
    }
    assert {e["delta"] for e in row["effects"]} == {d for d in expected.values() if d}
    assert all(e["delta"] < 0 for e in row["effects"])  # less data in ChatGPT: less risk
    assert first.result.gdpr != second.result.gdpr


@pytest.mark.django_db
def test_trend_needs_two_results_and_stops_at_this_assessment(questionnaire, org_a, alice):
    first = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    assert dimension_trend(user=alice, assessment=first, levels={}) == []
    second = _submit(org_a, alice, {"chatgpt_data": "no"})
    _submit(org_a, alice, {"chatgpt_data": "yes"})

    trend = dimension_trend(user=alice, assessment=second, levels={})

    gdpr = next(t for t in trend if t["key"] == "gdpr")
    assert (gdpr["first"], gdpr["last"]) == (first.result.gdpr, second.result.gdpr)
    assert gdpr["svg"].count("<circle") == 2


@pytest.mark.django_db
def test_results_page_shows_trend_and_effects_to_members_only(
    client, questionnaire, org_a, alice, charlie
):
    _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    second = _submit(org_a, alice, {"chatgpt_data": "no"})
    client.force_login(alice)

    body = client.get(reverse("assessment_done", args=[second.pk])).content.decode()

    assert "Verlauf je Bereich" in body and 'class="chart chart-trend"' in body
    assert 'data-changed="chatgpt_data"' in body and "Wirkung auf das Risiko" in body
    client.force_login(charlie)
    assert client.get(reverse("assessment_done", args=[second.pk])).status_code == 404
