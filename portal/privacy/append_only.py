"""The audit log is append-only in the database: UPDATE and DELETE are refused by triggers.

The admin shows the log read-only, but that protects nothing from ``AuditLog.objects.delete()``,
an ``UPDATE`` from a shell or a bug. Database triggers refuse both, whatever the code path (and
``TRUNCATE`` on PostgreSQL). Three jobs may change the log, and only inside
``audit_maintenance(reason)``, which opens the lock for its own transaction:

- ``"retention"``: the daily job deleting entries older than ``AUDIT_RETENTION_DAYS``
  (``portal.privacy.retention``);
- ``"erasure"``: an erased organisation's entries are pseudonymised (``portal.privacy.erasure``);
- ``"flush"``: ``manage.py flush`` (and the test runner, which flushes between tests) empties
  every table.

How the lock opens: on PostgreSQL a transaction-local setting (``set_config('portal.audit_
maintenance', reason, true)``), reset before the block ends; on SQLite, which has no session
settings, a row in the table ``portal_audit_unlock`` inserted and deleted within the same
transaction (SQLite has one writer at a time, so no other connection can use it meanwhile). The
triggers protect against the application and its operators' slips, not against someone who can
run arbitrary SQL as the database owner: they could drop the triggers (``/healthz`` would show it).

SQLite drops a table's triggers when a migration rebuilds the table: ``portal.dbtriggers``
recreates them after every migrate, and ``/healthz`` (``audit_log``) names a missing one.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction

from portal import dbtriggers
from portal.models import AuditLog

PREFIX = "portal_audit_"
FUNCTION = "portal_audit_refuse"
SETTING = "portal.audit_maintenance"
UNLOCK_TABLE = "portal_audit_unlock"
REASONS = ("retention", "erasure", "flush")
TRIGGERS = ("upd", "del")


def _table() -> str:
    return AuditLog._meta.db_table


def expected() -> list[str]:
    return sorted(f"{PREFIX}{suffix}" for suffix in TRIGGERS)


def installed() -> list[str]:
    return dbtriggers.installed(PREFIX)


def missing() -> list[str]:
    return sorted(set(expected()) - set(installed()))


def statements(vendor: str, quote) -> list[str]:
    """Idempotent SQL that (re)creates the triggers on ``vendor`` (none on other databases)."""
    table = quote(_table())
    message = f"{_table()} is append-only"
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF COALESCE(current_setting('{SETTING}', true), '') = '' THEN "
            f"RAISE EXCEPTION '{message}: % refused', TG_OP "
            "USING ERRCODE = 'insufficient_privilege', "
            "HINT = 'Only the retention job and the erasure change it (audit_maintenance).'; "
            "END IF; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {PREFIX}upd ON {table}",
            f"CREATE TRIGGER {PREFIX}upd BEFORE UPDATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
            f"DROP TRIGGER IF EXISTS {PREFIX}del ON {table}",
            f"CREATE TRIGGER {PREFIX}del BEFORE DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ]
    if vendor == "sqlite":
        unlock = quote(UNLOCK_TABLE)
        sql = [f"CREATE TABLE IF NOT EXISTS {unlock} (reason TEXT NOT NULL)"]
        for suffix, operation in (("upd", "UPDATE"), ("del", "DELETE")):
            when = f"BEFORE {operation} ON {table} WHEN NOT EXISTS (SELECT 1 FROM {unlock})"  # noqa: S608 - names from model meta
            refuse = f"SELECT RAISE(ABORT, '{message}: {operation} refused')"
            sql += [
                f"DROP TRIGGER IF EXISTS {PREFIX}{suffix}",
                f"CREATE TRIGGER {PREFIX}{suffix} {when} BEGIN {refuse}; END",
            ]
        return sql
    return []


def _set(connection, reason: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, reason])
        elif connection.vendor == "sqlite":
            unlock = connection.ops.quote_name(UNLOCK_TABLE)
            if reason:
                cursor.execute(f"INSERT INTO {unlock} (reason) VALUES (%s)", [reason])  # noqa: S608 - constant table name
            else:
                cursor.execute(f"DELETE FROM {unlock}")  # noqa: S608 - constant table name


@contextmanager
def audit_maintenance(reason: str, using: str = "default"):
    """Allow UPDATE and DELETE on the audit log inside this block (its own transaction or
    savepoint), for the retention job, the erasure and ``flush`` only."""
    if reason not in REASONS:
        raise ValueError(f"audit_maintenance({reason!r}): not one of {REASONS}")
    connection = connections[using]
    with transaction.atomic(using=using):
        _set(connection, reason)
        yield
        # Closed again before the block ends: inside a longer transaction (a test, a caller's
        # atomic block) nothing after it may change the log.
        _set(connection, "")
