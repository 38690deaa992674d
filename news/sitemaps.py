from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors
from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return selectors.articles_public()

    def lastmod(self, item: Article):
        return item.updated_at


class PublicPagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return ["landing", "news:list", "contact", "privacy", "imprint"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PublicPagesSitemap, "news": ArticleSitemap}
