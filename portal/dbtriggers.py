"""Database triggers the portal depends on, (re)created after every ``migrate``.

SQLite drops a table's triggers whenever a migration rebuilds the table, and a restored dump may
come without them; so ``post_migrate`` (``portal.apps``) recreates every trigger set, and
``/healthz`` names any trigger that is missing.

A trigger set is a module with ``PREFIX`` (every one of its trigger names starts with it),
``statements(vendor, quote)`` (idempotent SQL that drops and creates its triggers; empty on a
database without them), ``installed()`` and ``missing()`` (for ``/healthz``), optionally
``forget()`` (called after an install, for a set that remembers whether its triggers were
there). Today: ``portal.portfolio.generation`` (the dashboard's change counter),
``portal.portfolio.changes`` (the summary rows' change log, PostgreSQL) and
``portal.privacy.append_only`` (the audit log refuses UPDATE and DELETE).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger(__name__)

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


class Presence:
    """Whether a trigger set is complete (``missing`` returns none), looked up once per process
    and then every ``recheck_seconds``: what depends on the triggers is only used while they are
    all there. A gap is logged as an ERROR (``message`` % the missing names); ``/healthz`` shows
    it too. ``forget()`` looks again on the next call (after an install, and in tests)."""

    def __init__(
        self, missing: Callable[[], list[str]], message: str, *, log=logger, recheck_seconds=300
    ):
        self.missing, self.message, self.log = missing, message, log
        self.recheck_seconds = recheck_seconds
        self.at: float | None = None
        self.ok = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if self.at is not None and now - self.at < self.recheck_seconds:
            return self.ok
        gaps = self.missing()
        if gaps:
            self.log.error(self.message, ", ".join(gaps))
        self.at, self.ok = now, not gaps
        return self.ok

    def forget(self) -> None:
        self.at, self.ok = None, False
