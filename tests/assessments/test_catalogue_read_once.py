"""An assessment's pages read its catalogue version's document and YAML source once per process,
never with the assessment on each view: together they are tens of KB of JSON and YAML (reading
and decoding them took 15–25 ms of every page of the action plan, the what-if sandbox, the
documents, the reports panel, the comparison and the calendar feed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.actionplan.services import calendar_subscribe
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

PAGES = ("assessment_done", "actionplan", "assessment_whatif", "documents", "reports_panel")


def _reads_catalogue_text(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"assessments_questionnaireversion"."document"' in q["sql"]
        or '"assessments_questionnaireversion"."source"' in q["sql"]
    ]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_of_the_assessment_does_not_read_the_catalogue_again(
    client, questionnaire, org_a, alice, consultant, page
):
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, COMPLETE)
    assessment = services.assessment_submit(assessment=assessment, user=alice)
    url = reverse(page, args=[assessment.pk])
    for user in (alice, consultant):
        client.force_login(user)
        assert client.get(url).status_code == 200  # the process reads the catalogue once

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)

        assert response.status_code == 200
        assert _reads_catalogue_text(queries) == []


def test_the_comparison_and_the_calendar_feed_do_not_read_the_catalogue_again(
    client, questionnaire, org_a, alice
):
    for answers in (COMPLETE, {**COMPLETE, "chatgpt_data": "yes"}):
        assessment = services.assessment_start(organization=org_a, user=alice).assessment
        fill(assessment, alice, answers)
        services.assessment_submit(assessment=assessment, user=alice)
    token = calendar_subscribe(user=alice, organization=org_a)
    client.force_login(alice)
    for url in (
        reverse("assessment_compare", args=[org_a.pk]),
        reverse("calendar_feed", args=[token]),
    ):
        assert client.get(url).status_code == 200

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)

        assert response.status_code == 200
        assert _reads_catalogue_text(queries) == [], url
