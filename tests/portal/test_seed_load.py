import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from assessments.models import Action, Answer, Assessment, Report, Result
from news.models import Article
from portal.models import ClientSummary, Membership, Organization, User
from portal.portfolio.summary import figures, figures_recount

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


def test_seed_load_looks_like_a_portfolio(settings):
    """Issue 20: distinct owners and members, use cases, several assessments months apart, plans
    with owners, due dates and states, reports, assigned consultants, the demo articles."""
    settings.DEBUG = True

    call_command("seed_load", orgs=12, assessments=30, consultants=3, stdout=io.StringIO())

    organizations = list(Organization.objects.all())
    owners = {
        org.pk: org.memberships.filter(role="owner").values_list("user_id", flat=True)
        for org in organizations
    }
    assert all(len(ids) == 1 for ids in owners.values())
    assert len({ids[0] for ids in owners.values()}) == 12  # nobody owns two clients
    assert Membership.objects.filter(role="member").exists()
    assert Answer.objects.filter(question_key="use_cases").exists()
    several = Assessment.objects.values("organization").annotate(n=Count("pk")).filter(n__gt=1)
    assert several.exists()
    for row in several[:3]:
        dates = sorted(
            Assessment.objects.filter(organization=row["organization"]).values_list(
                "submitted_at", flat=True
            )
        )
        assert all((b - a).days >= 90 for a, b in zip(dates, dates[1:], strict=False))
    actions = Action.objects.all()
    assert actions.filter(owner__isnull=False).exists()
    assert actions.filter(due_date__isnull=False).exists()
    assert {"open", "done"} <= set(actions.values_list("state", flat=True))
    assert Report.objects.exists()
    assert User.objects.filter(is_consultant=True).count() == 3
    assert Organization.objects.filter(consultant__isnull=False).exists()
    assert Article.objects.filter(vendors__isnull=False).exists()
    # the stored figures are the product's own: equal to a count over every summary row
    assert ClientSummary.objects.count() == 12
    assert {k: v for k, v in figures().items() if v} == figures_recount()


def test_seed_load_rejects_bad_numbers(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError):
        call_command("seed_load", orgs=0, assessments=3)
