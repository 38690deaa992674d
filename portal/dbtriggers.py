"""Database triggers the portal depends on, (re)created after every ``migrate``.

SQLite drops a table's triggers whenever a migration rebuilds the table, and a restored dump may
come without them; so ``post_migrate`` (``portal.apps``) recreates every trigger set, and
``/healthz`` names any trigger that is missing.

A trigger set is a module with ``PREFIX`` (every one of its trigger names starts with it),
``statements(vendor, quote)`` (idempotent SQL that drops and creates its triggers; empty on a
database without them), ``installed()`` and ``missing()`` (for ``/healthz``), optionally
``forget()`` (called after an install, for a set that remembers whether its triggers were
there). Today: ``portal.portfolio.generation`` (the dashboard's change counter) and
``portal.privacy.append_only`` (the audit log refuses UPDATE and DELETE).
"""

from __future__ import annotations

from django.db import connections

_LIST = {
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
}


def install(trigger_sets, using: str = "default") -> None:
    """(Re)create the triggers of every set on the database ``using``."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for trigger_set in trigger_sets:
            for statement in trigger_set.statements(connection.vendor, connection.ops.quote_name):
                cursor.execute(statement)
    for trigger_set in trigger_sets:
        forget = getattr(trigger_set, "forget", None)
        if forget is not None:
            forget()


def installed(prefix: str, using: str = "default") -> list[str]:
    """Names of the triggers starting with ``prefix`` that the database has."""
    connection = connections[using]
    query = _LIST.get(connection.vendor)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(query, [prefix + "%"])
        return sorted(row[0] for row in cursor.fetchall() if row[0].startswith(prefix))
