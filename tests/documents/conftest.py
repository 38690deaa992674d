"""An assessment on the newest shipped catalogue with use cases that exercise every document."""

import pytest

from assessments import services
from assessments.demo import profile_answers, questionnaire_ensure_active
from assessments.questionnaire.services import answer_save

USE_CASES = [
    {
        "name": "Bewerbungen *vorsortieren* | Test",
        "area": "hr_screening",
        "purpose": "Die KI sortiert eingehende Bewerbungen nach Eignung vor.",
        "service": "azure_openai",
        "affected": "applicants_employees",
        "personal_data": "regular",
        "role": "use_product",
        "output_use": "assesses_people",
        "safety_purpose": "no",
    },
    {
        "name": "Angebotstexte",
        "area": "office_text",
        "service": "m365_copilot",
        "affected": "staff",
        "personal_data": "none",
        "role": "use_product",
        "output_use": "no_people",
        "safety_purpose": "no",
    },
    {
        "name": "Service-Chatbot",
        "area": "customer_chatbot",
        "service": "openai",
        "affected": "customers",
        "personal_data": "unknown",
        "role": "built_own",
        "output_use": "no_people",
        "safety_purpose": "no",
    },
]


def submit_full(organization, user, *, care=0.5, overrides=None):
    version = questionnaire_ensure_active()
    answers = profile_answers(
        version.document,
        care,
        {
            "services_used": ["m365_copilot", "azure_openai", "openai_api", "chatgpt_free"],
            "use_cases": USE_CASES,
            **(overrides or {}),
        },
    )
    assessment = services.assessment_start(organization=organization, user=user).assessment
    questions = {q["key"] for s in version.document["sections"] for q in s["questions"]}
    for key, value in answers.items():
        if key in questions:
            answer_save(assessment=assessment, user=user, question_key=key, value=value)
    return services.assessment_submit(assessment=assessment, user=user)


@pytest.fixture
def full_assessment(org_a, alice, consultant, private_files):
    org_a.consultant = consultant
    org_a.save()
    return submit_full(org_a, alice)


@pytest.fixture
def other_assessment(org_b, charlie):
    return submit_full(org_b, charlie)


# The real-worker fixtures (private Redis, worker subprocesses) of the report tests.
from tests.reports.worker_harness import (  # noqa: E402, F401
    database_url,
    redis_server,
    start_worker,
    storage_dir,
)
