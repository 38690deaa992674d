from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _generation_triggers_install(sender, using="default", **kwargs) -> None:
    """After every migrate (and test database flush): the portfolio's change-counter triggers,
    recreated because SQLite drops a table's triggers when a migration rebuilds the table."""
    from django.db import connections

    from .models import PortfolioGeneration
    from .portfolio import generation

    connection = connections[using]
    if PortfolioGeneration._meta.db_table not in connection.introspection.table_names():
        return  # migrated only part of the way
    generation.install(using)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .leads.selectors import lead_organization_id
        from .privacy.audit import organization_lookup_register
        from .security.sessions import connect_signals

        connect_signals()
        organization_lookup_register("lead_id", lead_organization_id)
        post_migrate.connect(
            _generation_triggers_install, sender=self, dispatch_uid="portal_generation_triggers"
        )
