"""Number of questions and time estimate: computed from the active catalogue, one place."""

import pytest
from django.urls import reverse

from assessments.questionnaire.selectors import (
    active_questionnaire_effort,
    questionnaire_of_version,
)

pytestmark = pytest.mark.django_db


def test_effort_counts_required_questions_of_the_catalogue(questionnaire):
    effort = questionnaire_of_version(questionnaire).effort

    # services, staff, maturity, role; chatgpt_data only after "ChatGPT Free"
    assert (effort.questions_min, effort.questions_max, effort.sections) == (4, 5, 2)
    assert effort.minutes == 5


def test_landing_and_organisation_page_state_the_computed_effort(
    client, alice, org_a, questionnaire
):
    effort = active_questionnaire_effort()
    claim = f"{effort.questions_min} bis {effort.questions_max} Fragen"

    landing = client.get(reverse("landing")).content.decode()
    client.force_login(alice)
    organisation = client.get(reverse("organization_detail", args=[org_a.pk])).content.decode()

    for body in (landing, organisation):
        assert claim in body
        assert f"etwa {effort.minutes} Minuten" in body
        assert "rund 20 Minuten" not in body and "Rund 40 Fragen" not in body


def test_landing_without_active_catalogue_makes_no_claim(client, db):
    body = client.get(reverse("landing")).content.decode()

    assert "Minuten" not in body
