"""Small pieces of news that other pages show: landing and client page (the portfolio renders
its news line itself, ``portal.portfolio.views``, to cache it on its own)."""

from django import template
from django.utils import translation

from .. import selectors
from ..models import ARTICLE_LANGUAGE

register = template.Library()


@register.inclusion_tag("news/_latest.html")
def news_latest(count: int = 3) -> dict:
    return {"articles": selectors.articles_latest(count=count)}


@register.inclusion_tag("news/_organization_followups.html", takes_context=True)
def news_organization_followups(context, organization) -> dict:
    user = context["request"].user
    return {
        "followups": selectors.followups_for_organization(user=user, organization=organization),
        "show": user.is_authenticated and user.is_consultant,
    }


@register.simple_tag
def article_language() -> str:
    """For ``lang`` on an article's own text (title, teaser, body)."""
    return ARTICLE_LANGUAGE


@register.inclusion_tag("news/_language_note.html")
def news_language_note() -> dict:
    """Readers of another interface language learn that the articles are German only."""
    return {"show": translation.get_language() != ARTICLE_LANGUAGE}
