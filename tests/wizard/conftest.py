import pytest

from assessments import services
from assessments.models import Assessment
from assessments.questionnaire.services import answer_save


@pytest.fixture
def draft(questionnaire, org_a, alice) -> Assessment:
    return services.assessment_start(organization=org_a, user=alice).assessment


@pytest.fixture
def other_draft(questionnaire, org_b, charlie) -> Assessment:
    return services.assessment_start(organization=org_b, user=charlie).assessment


COMPLETE = {
    "services": ["m365_copilot", "chatgpt_free"],
    "chatgpt_data": "no",
    "staff": 12,
    "maturity": 3,
    "role": "use",
}


def fill(assessment, user, answers=None) -> None:
    for key, value in (answers or COMPLETE).items():
        answer_save(assessment=assessment, user=user, question_key=key, value=value)
