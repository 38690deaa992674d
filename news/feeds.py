from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from . import selectors
from .models import ARTICLE_LANGUAGE, Article

FEED_SIZE = 20


class ArticleRssFeed(Feed):
    feed_type = Rss201rev2Feed
    title = _("KI-Marktkommentare für KMU")
    description = _(
        "Was Entwicklungen bei Microsoft, OpenAI und anderen KI-Anbietern sowie neue Regeln für "
        "kleine und mittlere Unternehmen bedeuten."
    )
    link = reverse_lazy("news:list")
    language = ARTICLE_LANGUAGE

    def __call__(self, request, *args, **kwargs):
        # Title and description in the articles' language, as the feed declares.
        with translation.override(ARTICLE_LANGUAGE):
            return super().__call__(request, *args, **kwargs)

    def items(self):
        return selectors.articles_public()[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.teaser

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author.display_name if item.author else settings.CONSULTANCY["name"]

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in [*item.topics.all(), *item.vendors.all()]]


class ArticleAtomFeed(ArticleRssFeed):
    feed_type = Atom1Feed
    subtitle = ArticleRssFeed.description


def _state(request) -> selectors.FeedState:
    if not hasattr(request, "_news_feed_state"):
        request._news_feed_state = selectors.articles_feed_state()
    return request._news_feed_state


def conditional(feed: Feed):
    """``feed`` answering If-None-Match / If-Modified-Since with 304 Not Modified."""
    return condition(
        etag_func=lambda request, *args, **kwargs: _state(request).etag,
        last_modified_func=lambda request, *args, **kwargs: _state(request).last_modified,
    )(feed)
