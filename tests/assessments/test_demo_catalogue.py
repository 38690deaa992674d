"""The embedded demo loads and activates the newest shipped catalogue (2027.01)."""

from pathlib import Path

import pytest

from assessments import services
from assessments.demo import questionnaire_ensure_active
from assessments.models import QuestionnaireVersion
from assessments.questionnaire.services import answer_save

pytestmark = pytest.mark.django_db

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "assessments" / "catalogue"


def _activate(version: str) -> QuestionnaireVersion:
    source = (CATALOGUE_DIR / f"ki-readiness-{version}.yaml").read_text(encoding="utf-8")
    loaded = services.questionnaire_load(source=source)
    services.questionnaire_publish(version=loaded)
    services.questionnaire_activate(version=loaded)
    return loaded


def test_a_fresh_database_gets_the_newest_catalogue():
    assert questionnaire_ensure_active().version == "2027.01"


def test_an_older_active_version_is_replaced_by_the_shipped_one_and_kept():
    old = _activate("2026.11")
    active = questionnaire_ensure_active()
    assert active.version == "2027.01"
    old.refresh_from_db()
    assert old.is_published and not old.is_active  # still there for assessments bound to it
    assert questionnaire_ensure_active().pk == active.pk  # idempotent


def test_an_active_version_at_least_as_new_is_left_alone():
    current = _activate("2027.01")
    assert questionnaire_ensure_active().pk == current.pk
    assert QuestionnaireVersion.objects.count() == 1


def test_a_reassessment_on_2026_12_carries_over_the_answers_that_still_fit(alice, org_a):
    _activate("2026.11")
    first = services.assessment_start(organization=org_a, user=alice).assessment
    answers = {
        "dpa": "some",
        "works_council": "not_informed",
        "ai_content_published": "unlabelled",  # split into two questions in 2026.12
        "role": "build_on_api",
    }
    for key, value in answers.items():
        answer_save(assessment=first, user=alice, question_key=key, value=value)
    first.status = first.Status.SUBMITTED
    first.save(update_fields=["status"])

    _activate("2026.12")
    second = services.assessment_start(organization=org_a, user=alice)

    assert second.assessment.questionnaire.version == "2026.12"
    carried = dict(second.assessment.answers.values_list("question_key", "value"))
    assert carried == {"dpa": "some", "works_council": "not_informed", "role": "build_on_api"}
    assert second.copied == 3


def test_a_reassessment_on_2027_01_keeps_the_use_cases_and_drops_what_no_longer_fits(alice, org_a):
    # 2027.01 asks more per use case (role, what happens with the result, safety) and no longer
    # asks "decides about people" or "published": the rows survive with the fields that still
    # exist; an area 2027.01 no longer offers is dropped, so that row says "prüfen"
    _activate("2026.12")
    first = services.assessment_start(organization=org_a, user=alice).assessment
    rows = [
        {"name": "Angebote", "area": "office_text", "service": "openai", "published": "no"},
        {"name": "Video-Interviews", "area": "emotion_workplace", "decides_about_people": "yes"},
    ]
    answer_save(assessment=first, user=alice, question_key="use_cases", value=rows)
    answer_save(assessment=first, user=alice, question_key="art5_practice", value="no")
    first.status = first.Status.SUBMITTED
    first.save(update_fields=["status"])

    _activate("2027.01")
    second = services.assessment_start(organization=org_a, user=alice).assessment

    carried = dict(second.answers.values_list("question_key", "value"))
    assert carried == {
        "use_cases": [
            {"name": "Angebote", "area": "office_text", "service": "openai"},
            {"name": "Video-Interviews"},
        ]
    }
