from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "news"

article_patterns = [
    path("", views.article_list, name="list"),
    path("feed/rss/", feeds.conditional(feeds.ArticleRssFeed()), name="feed_rss"),
    path("feed/atom/", feeds.conditional(feeds.ArticleAtomFeed()), name="feed_atom"),
    path("bilder/<str:name>", views.article_cover, name="cover"),
    path("abbestellen/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<slug:slug>/betroffene-kunden/", views.affected_clients, name="affected"),
]

urlpatterns = [
    path("aktuelles/", include(article_patterns)),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]
