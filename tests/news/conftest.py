from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, Result
from assessments.results import services as result_services
from news.models import Article, Tag
from tests.wizard.conftest import COMPLETE, fill


def make_article(*, slug: str, state=Article.State.PUBLISHED, days_ago: int = 1, **fields):
    published_at = fields.pop("published_at", timezone.now() - timedelta(days=days_ago))
    topics = fields.pop("topics", [])
    vendors = fields.pop("vendors", [])
    article = Article.objects.create(
        slug=slug,
        title=fields.pop("title", slug.replace("-", " ").title()),
        teaser=fields.pop("teaser", "Kurz gesagt: darum geht es."),
        body=fields.pop("body", "Ein **Absatz** mit Text."),
        state=state,
        published_at=published_at,
        **fields,
    )
    article.topics.set(topics)
    article.vendors.set(vendors)
    return article


@pytest.fixture
def tags(db) -> dict[str, Tag]:
    return {
        "microsoft": Tag.objects.create(slug="microsoft", name="Microsoft", kind=Tag.Kind.VENDOR),
        "openai": Tag.objects.create(slug="openai", name="OpenAI", kind=Tag.Kind.VENDOR),
        "anthropic": Tag.objects.create(slug="anthropic", name="Anthropic", kind=Tag.Kind.VENDOR),
        "eu-ai-act": Tag.objects.create(slug="eu-ai-act", name="EU AI Act"),
    }


def submit(organization, user, *, answers=None, vendor_exposure=None, lock_in=None, age_days=0):
    """A submitted assessment with its result; stored exposure can be pinned for ranking tests."""
    assessment = assessment_services.assessment_start(
        organization=organization, user=user
    ).assessment
    fill(assessment, user, answers or COMPLETE)
    assessment_services.assessment_submit(assessment=assessment, user=user)
    changes = {"computed_at": timezone.now() - timedelta(days=age_days)}
    if vendor_exposure is not None:
        changes["vendor_exposure"] = vendor_exposure
    if lock_in is not None:
        changes["lock_in"] = lock_in
    Result.objects.filter(assessment=assessment).update(**changes)
    if age_days:
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=timezone.now() - timedelta(days=age_days)
        )
    # a pinned result is a hand edit: refresh what is kept from it (latest, summary, news)
    result_services.latest_results_refresh(organization_ids=[organization.pk])
    return assessment
