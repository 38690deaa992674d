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


def _body(seeded, prefix):
    return next(a for a in seeded if a.slug.startswith(prefix)).body


def test_every_article_states_its_legal_state_and_sources_before_the_self_check(seeded):
    for article in seeded:
        html = article.body_html
        assert "Stand" in article.body and "5. Dezember 2026" in article.body, article.slug
        assert "<h2>Quellen</h2>" in html, article.slug
        assert html.index("<h2>Quellen</h2>") < html.index("Selbstcheck"), article.slug


def test_the_copilot_article_reports_the_april_2026_amendment_not_azure_exclusivity(seeded):
    body = _body(seeded, "microsoft-openai-anthropic")
    # Microsoft and OpenAI, 27 April 2026: Azure no longer exclusive, licence non-exclusive to 2032
    assert "27. April 2026" in body and "Azure ist nicht mehr exklusiv" in body
    assert "bis 2032" in body and "bis 2030" in body
    assert "bleiben exklusiv auf Azure" not in body
    # Microsoft Learn / MC1269223: flex routing on for existing EU/EFTA tenants since 17 April 2026
    assert "17. April 2026" in body and "MC1269223" in body
    assert "Berichten zufolge kann Copilot" not in body


def test_the_omnibus_article_treats_regulation_2026_1744_as_in_force(seeded):
    body = _body(seeded, "ai-act-nach-dem-omnibus")
    assert "Verordnung (EU) 2026/1744" in body and "8. Juli 2026" in body
    assert "27. Juli 2026 in Kraft" in body
    assert "gilt ab seiner Veröffentlichung" not in body
    assert "Art. 50 Abs. 3" in body
    # machinery left Annex I section A; only life and health insurance is Annex III 5(c)
    assert "zum Beispiel in Maschinen" not in body and "Versicherungstarife" not in body


def test_the_strategy_article_reports_the_aleph_alpha_takeover_as_announced(seeded):
    body = _body(seeded, "herstellerunabhaengige")
    assert "angekündigt" in body and "Aleph Alpha" in body
    assert "aufgegangen" not in body


def test_the_articles_state_the_dates_of_the_active_catalogue_facts(seeded):
    facts = {f["key"]: f for f in questionnaire_ensure_active().document["facts"]}
    bodies = " ".join(a.body for a in seeded)
    for key, catalogue_date, article_date in (
        ("ms_openai_agreement", "27.4.2026", "27. April 2026"),
        ("ms_flex_routing", "17.4.2026", "17. April 2026"),
        ("ai_act_timeline", "27.7.2026", "27. Juli 2026"),
    ):
        assert catalogue_date in facts[key]["text"]["de"], key
        assert article_date in bodies, key
