"""'Latest' means the most recently *submitted* assessment, everywhere, also after a rescore."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Result
from assessments.results import services as result_services
from portal.models import Membership, Organization
from tests.conftest import WIZARD_CATALOGUE
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

RISKY = {**COMPLETE, "chatgpt_data": "yes", "staff": 400, "maturity": 1, "role": "build"}
MIDDLE = {**COMPLETE, "maturity": 2}
CAREFUL = {**COMPLETE, "services": ["m365_copilot"], "staff": 3, "maturity": 5}


def _submit(organization, owner, answers):
    assessment = services.assessment_start(
        organization=organization, user=owner, copy_previous=False
    ).assessment
    fill(assessment, owner, answers)
    return services.assessment_submit(assessment=assessment, user=owner)


@pytest.fixture
def history(questionnaire, consultant):
    """Six clients of one industry, each with three submissions: risky, middle, careful (newest);
    every second client the other way round, so "newest" is not "best"."""
    clients = {}
    for number in range(6):
        organization = OrganizationFactory(name=f"Kunde {number} GmbH", consultant=consultant)
        owner = UserFactory()
        MembershipFactory(user=owner, organization=organization, role=Membership.Role.OWNER)
        order = (RISKY, MIDDLE, CAREFUL) if number % 2 == 0 else (CAREFUL, MIDDLE, RISKY)
        clients[organization.pk] = [_submit(organization, owner, answers) for answers in order]
    return clients


def _scramble_computed_at(history):
    """What a rescore (or any recompute) does to ``computed_at``: the oldest looks newest."""
    later = timezone.now() + timedelta(hours=1)
    for assessments in history.values():
        Result.objects.filter(pk=assessments[0].pk).update(computed_at=later)


def _assert_newest_everywhere(client, consultant, history):
    newest = {org_id: assessments[-1] for org_id, assessments in history.items()}
    oldest = {org_id: assessments[0] for org_id, assessments in history.items()}
    results = {r.pk: r for r in Result.objects.all()}

    for organization in Organization.objects.filter(pk__in=history):
        assert organization.latest_result_id == newest[organization.pk].pk

    assert set(Result.objects.latest_per_organization().values_list("pk", flat=True)) == {
        a.pk for a in newest.values()
    }

    client.force_login(consultant)
    body = client.get(reverse("consultant_dashboard")).content.decode()
    for org_id in history:
        assert reverse("assessment_done", args=[newest[org_id].pk]) in body
        assert reverse("assessment_done", args=[oldest[org_id].pk]) not in body

    export = client.get(reverse("consultant_dashboard") + "?format=csv")
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    by_name = {row[0]: row for row in rows[1:]}
    for org_id, assessments in history.items():
        row = by_name[Organization.objects.get(pk=org_id).name]
        expected = results[assessments[-1].pk]
        assert row[5] == str(expected.readiness)
        assert row[4] == timezone.localtime(assessments[-1].submitted_at).date().isoformat()
        assert results[assessments[0].pk].readiness != expected.readiness  # a real difference

    for org_id, assessments in history.items():
        page = client.get(reverse("organization_detail", args=[org_id])).content.decode()
        latest_block = page.split('class="mb-3 latest-result"', 1)[1].split("</p>", 1)[0]
        assert reverse("assessment_done", args=[assessments[-1].pk]) in latest_block

    one = next(iter(history))
    organization = Organization.objects.select_related("summary").get(pk=one)
    benchmark = selectors.benchmark_for(organization=organization)
    others = [results[a[-1].pk] for org_id, a in history.items() if org_id != one]
    assert benchmark["count"] == 5
    assert benchmark["readiness"] == round(sum(r.readiness for r in others) / 5)


def test_rescore_keeps_newest_submission_as_latest_everywhere(client, consultant, history):
    _scramble_computed_at(history)

    result_services.results_rescore(batch_size=4)
    _scramble_computed_at(history)

    _assert_newest_everywhere(client, consultant, history)


def test_latest_survives_catalogue_reactivation_and_rescore(
    client, consultant, history, questionnaire
):
    source = WIZARD_CATALOGUE.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"')
    second = services.questionnaire_load(source=source)
    services.questionnaire_publish(version=second)
    services.questionnaire_activate(version=second)
    services.questionnaire_activate(version=questionnaire)

    result_services.results_rescore()
    _scramble_computed_at(history)

    _assert_newest_everywhere(client, consultant, history)


def test_deleting_the_latest_result_falls_back_to_the_previous_submission(
    history, django_capture_on_commit_callbacks
):
    org_id, assessments = next(iter(history.items()))

    with django_capture_on_commit_callbacks(execute=True):
        assessments[-1].delete()

    assert Organization.objects.get(pk=org_id).latest_result_id == assessments[-2].pk


def test_client_page_lists_submissions_newest_first(client, history):
    org_id, assessments = next(iter(history.items()))
    owner = Membership.objects.get(organization_id=org_id).user
    client.force_login(owner)

    body = client.get(reverse("organization_detail", args=[org_id])).content.decode()

    positions = [body.index(reverse("assessment_done", args=[a.pk])) for a in assessments]
    assert positions[2] < positions[1] < positions[0]


def test_other_clients_latest_result_is_not_shown(client, history, charlie):
    org_id = next(iter(history))
    client.force_login(charlie)

    assert client.get(reverse("organization_detail", args=[org_id])).status_code == 404
