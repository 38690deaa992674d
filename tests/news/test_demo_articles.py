import re

import pytest
from django.urls import reverse

from assessments.demo import questionnaire_ensure_active
from news.demo import demo_articles_seed
from news.models import Article
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    questionnaire_ensure_active()
    return demo_articles_seed(author=ConsultantFactory())


def test_three_published_german_articles_each_ending_with_the_self_check(seeded):
    assert len(seeded) == 3 == Article.objects.published().count()
    for article in seeded:
        html = article.body_html
        assert "{self_check}" not in article.body
        last_paragraph = html.rstrip().rsplit("<p>", 1)[1]
        assert f'href="{reverse("signup")}"' in last_paragraph, article.slug
        assert "Selbstcheck" in last_paragraph
        assert re.search("[äöüß]", article.body)
        assert article.reading_minutes >= 2


def test_vendor_tags_use_catalogue_keys(seeded):
    copilot = Article.objects.get(slug__startswith="microsoft-openai-anthropic")
    assert sorted(t.slug for t in copilot.vendors.all()) == ["anthropic", "microsoft", "openai"]


def test_numbered_lists_are_not_broken_by_dates_at_line_starts(seeded):
    copilot = Article.objects.get(slug__startswith="microsoft-openai-anthropic")
    ordered = copilot.body_html.split("<ol>")[1].split("</ol>")[0]
    assert ordered.count("<li>") == 3
    assert "12. September 2025" in ordered


def test_seeding_twice_changes_nothing(seeded):
    demo_articles_seed(author=ConsultantFactory())
    assert Article.objects.count() == 3
