"""Portfolio stress test: scenarios are catalogue data, the engine re-scores latest answers."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.catalogue import load_document, to_plain
from assessments.demo import default_catalogue_path, profile_answers, questionnaire_ensure_active
from assessments.models import Answer, Assessment, Result
from assessments.stress.engine import (
    ScenarioError,
    scenario_answers,
    scenario_document,
    scenario_problems,
    scenarios_from_data,
    stress_compare,
)
from assessments.stress.selectors import scenarios_all, stress_run
from tests.factories import ConsultantFactory, OrganizationFactory

REQUIRED = {
    "azure_newest_models",
    "copilot_price_plus_50",
    "model_deprecation_60_days",
    "inference_outside_eudb",
}


@pytest.fixture(scope="module")
def document():
    return to_plain(load_document(default_catalogue_path().read_text(encoding="utf-8")))


def test_shipped_scenarios_have_source_date_and_fit_the_catalogue(document):
    scenarios = scenarios_all()
    assert set(scenarios) >= REQUIRED
    for scenario in scenarios.values():
        assert scenario.source and scenario.as_of and scenario.title["de"] and scenario.title["en"]
        assert scenario_problems(scenario, document) == []


def test_scenario_data_without_source_is_refused():
    with pytest.raises(ScenarioError):
        scenarios_from_data({"scenarios": [{"key": "x", "title": {"de": "x"}, "description": {}}]})


def test_copilot_price_moves_only_copilot_customers(document):
    scenario = scenarios_all()["copilot_price_plus_50"]
    patched = scenario_document(document, scenario)
    with_copilot = profile_answers(
        document, 0.0, {"services_used": ["m365_copilot"], "price_rise_20": "tight"}
    )
    without = profile_answers(
        document, 0.0, {"services_used": ["mistral"], "price_rise_20": "tight"}
    )

    assert scenario_answers(with_copilot, scenario)["price_rise_20"] == "critical"
    hit = stress_compare(document, patched, with_copilot, scenario)
    spared = stress_compare(document, patched, without, scenario)

    assert hit.deltas["continuity"] > 0 and hit.risk_delta == max(hit.deltas.values())
    assert [m["question_key"] for m in hit.moved] == ["price_rise_20"]
    assert spared.risk_delta == 0 and spared.moved == []


def test_option_points_raise_risk_for_azure_users_and_leave_document_alone(document):
    scenario = scenarios_all()["azure_newest_models"]
    patched = scenario_document(document, scenario)
    answers = profile_answers(document, 0.2, {"services_used": ["azure_openai"]})

    outcome = stress_compare(document, patched, answers, scenario)

    assert outcome.deltas["lock_in"] > 0
    assert any(m["question_key"] == "services_used" for m in outcome.moved)
    original = next(
        o
        for s in document["sections"]
        for q in s["questions"]
        if q["key"] == "services_used"
        for o in q["options"]
        if o["key"] == "azure_openai"
    )
    assert original["scores"] == {"lock_in": 2, "continuity": 2}


def _client_with_result(version, name, overrides, consultant=None):
    organization = OrganizationFactory(name=name, consultant=consultant)
    assessment = Assessment.objects.create(
        organization=organization,
        questionnaire=version,
        status="submitted",
        review_state="submitted",
        submitted_at=timezone.now(),
    )
    answers = profile_answers(version.document, 0.3, overrides)
    Answer.objects.bulk_create(
        Answer(assessment=assessment, question_key=k, value=v) for k, v in answers.items()
    )
    services.result_store(assessment=assessment)
    return organization


@pytest.fixture
def portfolio(db):
    version = questionnaire_ensure_active()
    carla = ConsultantFactory(first_name="Carla")
    return {
        "carla": carla,
        "copilot": _client_with_result(
            version,
            "Copilot GmbH",
            {"services_used": ["m365_copilot"], "price_rise_20": "tight"},
            consultant=carla,
        ),
        "mistral": _client_with_result(
            version, "Mistral KG", {"services_used": ["mistral"], "price_rise_20": "tight"}
        ),
    }


@pytest.mark.django_db
def test_stress_run_lists_the_affected_client_first_and_stores_nothing(portfolio):
    before = list(Result.objects.order_by("pk").values())
    result = stress_run(user=portfolio["carla"], scenario=scenarios_all()["copilot_price_plus_50"])

    names = [row.name for row in result["rows"]]
    assert names == ["Copilot GmbH", "Mistral KG"]
    assert result["rows"][0].risk_delta > 0 and result["rows"][1].risk_delta == 0
    assert result["problems"] == []
    assert list(Result.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_stress_page_and_csv(client, portfolio):
    client.force_login(portfolio["carla"])
    page = client.get(reverse("stress_test"))
    assert page.status_code == 200 and "Microsoft 365 Copilot wird 50" in page.content.decode()

    body = client.get(
        reverse("stress_test"), {"scenario": "copilot_price_plus_50"}
    ).content.decode()
    assert body.index('data-stress-row="Copilot GmbH"') < body.index('data-stress-row="Mistral KG"')

    response = client.get(
        reverse("stress_test"), {"scenario": "copilot_price_plus_50", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Unternehmen" and rows[1][0] == "Copilot GmbH"
    assert "(+" in rows[1][-1]


@pytest.mark.django_db
def test_stress_test_is_404_for_clients(client, alice):
    client.force_login(alice)
    assert client.get(reverse("stress_test")).status_code == 404


@pytest.mark.django_db
def test_assigned_scope_limits_the_stress_test_to_own_clients(settings, portfolio):
    settings.CONSULTANT_SCOPE = "assigned"
    result = stress_run(user=portfolio["carla"], scenario=scenarios_all()["inference_outside_eudb"])
    assert [row.name for row in result["rows"]] == ["Copilot GmbH"]
