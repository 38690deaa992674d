from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from portal.privacy.audit import client_data

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "news"
public = client_data(None)  # the feeds list published articles only

article_patterns = [
    path("", views.article_list, name="list"),
    path(
        "feed/rss/", client_data(None)(feeds.conditional(feeds.ArticleRssFeed())), name="feed_rss"
    ),
    path(
        "feed/atom/",
        client_data(None)(feeds.conditional(feeds.ArticleAtomFeed())),
        name="feed_atom",
    ),
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
