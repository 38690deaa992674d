from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _generation_triggers_install(sender, using="default", **kwargs) -> None:
    """After every migrate (and test database flush): the portfolio's change-counter triggers,
    recreated because SQLite drops a table's triggers when a migration rebuilds the table."""
    from django.db import connections

    from .models import ClientSummary, PortfolioGeneration
    from .portfolio import generation, summary

    connection = connections[using]
    tables = connection.introspection.table_names()
    if PortfolioGeneration._meta.db_table not in tables:
        return  # migrated only part of the way
    generation.install(using)
    # clients stored before the summary rows existed (or loaded around the ORM) get theirs
    if (
        using == "default"
        and ClientSummary._meta.db_table in tables
        and not summary.summaries_complete()
    ):
        summary.client_summaries_refresh()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .portfolio import summary  # noqa: F401 - registers the summary's receivers
        from .security.sessions import connect_signals

        connect_signals()
        post_migrate.connect(
            _generation_triggers_install, sender=self, dispatch_uid="portal_generation_triggers"
        )
