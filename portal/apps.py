from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _triggers_install(sender, using="default", **kwargs) -> None:
    """After every migrate (and test database flush): the database triggers the portal relies on
    (``portal.dbtriggers``), recreated because SQLite drops a table's triggers when a migration
    rebuilds the table: the portfolio's change counter, the summaries' change log and the
    append-only audit log."""
    from django.db import connections

    from . import dbtriggers
    from .models import AuditLog, ClientSummary, PortfolioGeneration
    from .portfolio import changes, generation, summary
    from .privacy import append_only

    tables = connections[using].introspection.table_names()
    if not {PortfolioGeneration._meta.db_table, AuditLog._meta.db_table} <= set(tables):
        return  # migrated only part of the way
    dbtriggers.install([generation, changes, append_only], using)
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
        from . import (
            checks,  # noqa: F401 - registers the portal's system checks
            frame,  # noqa: F401 - runserver forgets the kept frame on a template change
        )
        from .leads.selectors import lead_organization_id
        from .portfolio import summary  # noqa: F401 - registers the summary's receivers
        from .privacy.audit import organization_lookup_register
        from .security.sessions import connect_signals

        connect_signals()
        organization_lookup_register("lead_id", lead_organization_id)
        post_migrate.connect(_triggers_install, sender=self, dispatch_uid="portal_triggers")
