from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reach_fill(sender, using="default", **kwargs) -> None:
    """After migrate: the clients of articles stored before the sets were (see news.impact)."""
    from django.db import connections

    from .models import ArticleReach

    if using != "default":
        return
    if ArticleReach._meta.db_table in connections[using].introspection.table_names():
        from .impact import reach_missing_refresh

        reach_missing_refresh()


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("Marktkommentare")

    def ready(self) -> None:
        from . import impact  # noqa: F401 - registers the receivers

        post_migrate.connect(_reach_fill, sender=self, dispatch_uid="news_reach_fill")
