"""Portfolio stress test: scenarios are catalogue data, the engine re-scores latest answers."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.catalogue import load_document, to_plain
from assessments.demo import default_catalogue_path, profile_answers, questionnaire_ensure_active
from assessments.models import Answer, Assessment, Result
from assessments.results import services as result_services
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
    # max: keep: services_used keeps its cap of 6 lock-in / 4 continuity points.
    patched_question = next(
        q for s in patched["sections"] for q in s["questions"] if q["key"] == "services_used"
    )
    assert patched_question["max_points"] == {"lock_in": 6, "continuity": 4, "gdpr": 5}


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
    result_services.result_store(assessment=assessment)
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

    names = [row.name for row in result.rows]
    assert names == ["Copilot GmbH", "Mistral KG"]
    assert result.rows[0].risk_delta > 0 and result.rows[1].risk_delta == 0
    assert result.problems == []
    # Mistral KG's answers cannot move under a Copilot scenario: it is not scored at all.
    assert (result.clients, result.scored, result.moved) == (2, 1, 1)
    assert list(Result.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_stress_page_names_the_dimension_each_driver_moved(client, portfolio):
    # Copilot GmbH answered price_rise_20 = tight (continuity 2 points); the scenario moves
    # tight -> critical (4 points): the driver is that question, in continuity, +2 (2 -> 4).
    client.force_login(portfolio["carla"])
    page = client.get(reverse("stress_test"))
    assert page.status_code == 200 and "Microsoft 365 Copilot wird 50" in page.content.decode()

    body = client.get(
        reverse("stress_test"), {"scenario": "copilot_price_plus_50"}
    ).content.decode()
    row = body[body.index('data-stress-row="Copilot GmbH"') :]
    row = row[: row.index("</tr>")]
    assert "Was würde eine Preiserhöhung Ihrer KI-Dienste um 20 % für Sie bedeuten?" in row
    text = re.sub(r"<[^>]+>", "", row).replace("&nbsp;", " ")
    assert "Kontinuität und Kosten +2 Pkt. (2 → 4)" in text
    # Mistral KG does not move: it is counted, not listed (it is in the CSV).
    assert 'data-stress-row="Mistral KG"' not in body
    assert 'data-moved="1"' in body and "1 Kunde bleibt unverändert" in body


@pytest.mark.django_db
def test_stress_csv_lists_every_client_with_dimension_and_points(client, portfolio):
    client.force_login(portfolio["carla"])
    response = client.get(
        reverse("stress_test"), {"scenario": "copilot_price_plus_50", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Unternehmen" and rows[0][-1] == "Treiber (Frage: Dimension und Punkte)"
    assert [r[0] for r in rows[1:]] == ["Copilot GmbH", "Mistral KG"]
    assert "(Kontinuität und Kosten +2 Pkt. (2 → 4))" in rows[1][-1]
    assert rows[2][-1] == ""


@pytest.mark.django_db
def test_stress_page_pages_through_the_clients_that_move(client, portfolio, monkeypatch):
    from assessments.stress import presentation

    version = questionnaire_ensure_active()
    _client_with_result(
        version,
        "Copilot Zwei AG",
        {"services_used": ["m365_copilot"], "price_rise_20": "absorbable"},
    )
    monkeypatch.setattr(presentation, "ROWS_PER_PAGE", 1)
    client.force_login(portfolio["carla"])
    first = client.get(reverse("stress_test"), {"scenario": "copilot_price_plus_50"})
    second = client.get(reverse("stress_test"), {"scenario": "copilot_price_plus_50", "page": 2})

    assert "Seite 1 von 2" in first.content.decode()
    listed = [
        name
        for body in (first.content.decode(), second.content.decode())
        for name in ("Copilot GmbH", "Copilot Zwei AG")
        if f'data-stress-row="{name}"' in body
    ]
    assert sorted(listed) == ["Copilot GmbH", "Copilot Zwei AG"]


@pytest.mark.django_db
def test_stress_test_is_404_for_clients(client, alice):
    client.force_login(alice)
    assert client.get(reverse("stress_test")).status_code == 404


@pytest.mark.django_db
def test_assigned_scope_limits_the_stress_test_to_own_clients(settings, portfolio):
    settings.CONSULTANT_SCOPE = "assigned"
    result = stress_run(user=portfolio["carla"], scenario=scenarios_all()["inference_outside_eudb"])
    assert [row.name for row in result.rows] == ["Copilot GmbH"]


@pytest.mark.django_db
def test_page_result_is_reused_for_paging_until_a_result_changes(portfolio, settings, monkeypatch):
    from assessments.stress import selectors

    settings.STRESS_TEST_CACHE_SECONDS = 300
    runs = []
    compute = selectors._run
    monkeypatch.setattr(selectors, "_run", lambda *a, **k: runs.append(1) or compute(*a, **k))
    scenario = scenarios_all()["copilot_price_plus_50"]
    first = stress_run(user=portfolio["carla"], scenario=scenario, cached=True, drivers=False)
    again = stress_run(user=portfolio["carla"], scenario=scenario, cached=True, drivers=False)
    assert [r.to_data() for r in again.rows] == [r.to_data() for r in first.rows]
    assert len(runs) == 1

    # A new submission changes the latest results: computed afresh, the new client included.
    version = questionnaire_ensure_active()
    _client_with_result(
        version,
        "Copilot Drei AG",
        {"services_used": ["m365_copilot"], "price_rise_20": "tight"},
        consultant=portfolio["carla"],
    )
    fresh = stress_run(user=portfolio["carla"], scenario=scenario, cached=True, drivers=False)
    assert "Copilot Drei AG" in [row.name for row in fresh.rows]
    assert len(runs) == 2
