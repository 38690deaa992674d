import pytest
from django.core.management import CommandError, call_command

from assessments.models import Answer, Assessment, Result
from portal.models import Organization

pytestmark = pytest.mark.django_db


def test_seed_load_refuses_without_debug_unless_told(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--i-know"):
        call_command("seed_load", orgs=2, assessments=3)
    assert not Organization.objects.exists()


def test_seed_load_scores_answers_through_the_real_catalogue(settings):
    settings.DEBUG = False

    call_command("seed_load", orgs=3, assessments=7, i_know=True)

    assert Organization.objects.count() == 3
    assert Assessment.objects.filter(status="submitted").count() == 7
    assert Result.objects.count() == 7
    assert Answer.objects.count() > 7 * 20
    for organization in Organization.objects.all():
        newest = organization.assessments.order_by("-submitted_at").first()
        assert organization.latest_result_id == newest.pk
    result = Result.objects.select_related("assessment__questionnaire").first()
    assert result.catalogue_version.startswith("ki-readiness")
    assert result.scorecard().readiness == result.readiness


def test_seed_load_rejects_bad_numbers(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError):
        call_command("seed_load", orgs=0, assessments=3)
