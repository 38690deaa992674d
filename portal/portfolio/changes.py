"""Which clients' summary rows changed since a cached filtered overview was counted.

A filtered overview (its counts and attention list, ``selectors.portfolio_overview``) depends
only on the summary rows that match its filter. A change to any other client leaves it exactly
as it was, yet the summaries' change counter (``portal.portfolio.generation``) moves with every
change, so at 20,000 clients every filter was counted again after every change anywhere.

On PostgreSQL a row trigger records, for each summary row written, the id of the writing
transaction (``ClientSummary.changed_xid``) and, for an update or a deletion, the row as it was
(``ClientSummaryChange``). The overview statement also returns its snapshot: the transactions
it could not see are those from the snapshot's ``xmax`` on and those in progress at that moment
(``Unseen``). A kept overview still holds while no row written by one of them matches the
filter now (``changed_xid``) or matched it before (the logged old values), and none deleted a
client, which ``selectors.portfolio_changed_since`` asks in one small query over the rows they
wrote. Both ids are indexed, so a transaction that stays open elsewhere costs nothing.

The log is pruned after ``KEEP`` (``prune``, every ten minutes from beat); a kept overview lives
one cache time slot (``PORTFOLIO_CACHE_SECONDS``, a minute). A transaction that stayed open for
longer than ``KEEP`` between writing a summary row and committing could outlive its log row:
nothing in the portal holds a transaction that long.

SQLite (the embedded default, one writer, small portfolios) has no transaction ids: there the
filtered overview is counted again after every change to the summaries, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.db import connection as default_connection
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from portal import dbtriggers

logger = logging.getLogger(__name__)

PREFIX = "portal_sumlog_"
TRIGGER = f"{PREFIX}summary"
FUNCTION = "portal_summary_log"
KEEP = timedelta(hours=1)
# the current transaction's id as a plain number (xid8 has no cast to bigint)
CURRENT_XID = "pg_current_xact_id()::text::bigint"
# the counting statement's snapshot and its own transaction (if it has one), as text:
# "xmin:xmax:xip,…:own" (``Unseen``)
SNAPSHOT = (
    "pg_current_snapshot()::text || ':' || COALESCE(pg_current_xact_id_if_assigned()::text, '')"
)
# the same as rows of a (key, number) statement: the snapshot's xmax and the transactions it
# did not see (those then in progress and its own)
UNSEEN_ROWS = (
    "SELECT '{xmax}', pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
    "SELECT '{running}', x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x",
    "SELECT '{running}', pg_current_xact_id_if_assigned()::text::bigint "
    "WHERE pg_current_xact_id_if_assigned() IS NOT NULL",
)


@dataclass(frozen=True)
class Unseen:
    """The transactions a statement's snapshot did not see: those from ``xmax`` on (not yet
    begun) and ``running`` (in progress then, anywhere in the cluster). Every other
    transaction had ended: what it wrote, the statement saw or it had been rolled back. The
    statement's own transaction counts as unseen too: it may still write after the count (a
    view does not, but a test's or a script's transaction may)."""

    xmax: int
    running: tuple[int, ...]

    @classmethod
    def of(cls, snapshot: str) -> Unseen:
        """From ``SNAPSHOT``'s text."""
        _xmin, xmax, running, own = snapshot.split(":")
        xids = [*running.split(","), own]
        return cls(int(xmax), tuple(int(xid) for xid in xids if xid))

    def written(self, column: str) -> Q:
        """Rows whose transaction id ``column`` is one of these transactions."""
        condition = Q(**{f"{column}__gte": self.xmax})
        if self.running:
            condition |= Q(**{f"{column}__in": self.running})
        return condition


def _models():
    return apps.get_model("portal", "ClientSummary"), apps.get_model(
        "portal", "ClientSummaryChange"
    )


def _logged_fields() -> list:
    """The summary row's fields the log copies: every column they share."""
    summary, change = _models()
    logged = {field.column for field in change._meta.concrete_fields}
    return [field for field in summary._meta.concrete_fields if field.column in logged]


def _blank(field) -> str:
    """What a deletion's mark holds in place of ``field``'s value: nothing of the client."""
    if field.column == "organization_id":
        return "OLD.organization_id"
    if field.null:
        return "NULL"
    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.CharField):
        return "''"
    return "0"


def statements(vendor: str, quote) -> list[str]:
    """The SQL that (re)creates the trigger (``portal.dbtriggers``); none but on PostgreSQL."""
    if vendor != "postgresql":
        return []
    summary, change = _models()
    fields = _logged_fields()
    names = ", ".join(quote(field.column) for field in fields)
    log, table = quote(change._meta.db_table), quote(summary._meta.db_table)
    xid = quote(summary._meta.get_field("changed_xid").column)

    def insert(deleted: bool) -> str:
        # a deletion's mark keeps none of the client's values (an erasure leaves nothing behind,
        # ``client_forget``) and counts every kept overview again (``deleted``)
        old = ", ".join(
            _blank(field) if deleted else f"OLD.{quote(field.column)}" for field in fields
        )
        return (
            f"INSERT INTO {log} (xid, deleted, {names}) "  # noqa: S608 - names from model meta
            f"VALUES ({CURRENT_XID}, {'true' if deleted else 'false'}, {old}); "
        )

    return [
        # an update that changes nothing (a refresh writing the same values) is not a change
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF; "
        f"IF TG_OP = 'DELETE' THEN {insert(True)}RETURN OLD; END IF; "
        f"IF TG_OP = 'UPDATE' THEN {insert(False)}END IF; "
        f"NEW.{xid} := {CURRENT_XID}; RETURN NEW; "
        "END $$",
        f"DROP TRIGGER IF EXISTS {quote(TRIGGER)} ON {table}",
        f"CREATE TRIGGER {quote(TRIGGER)} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
    ]


def installed() -> list[str]:
    return dbtriggers.installed(PREFIX)


def expected() -> list[str]:
    return [TRIGGER] if default_connection.vendor == "postgresql" else []


def missing() -> list[str]:
    """The trigger, when it should be there and is not (``/healthz``): while it is missing, a
    change could go unseen, so kept overviews are not used (``enabled``)."""
    return sorted(set(expected()) - set(installed()))


_present = dbtriggers.Presence(
    lambda: missing(),
    "Summary change-log trigger missing (%s): every change counts the dashboard's filtered "
    "overviews again until `manage.py migrate` recreates it.",
    log=logger,
)


def enabled() -> bool:
    """May a kept filtered overview be used after changes to the summaries? Only on PostgreSQL
    with the trigger present (``dbtriggers.Presence``); meanwhile every change counts the
    overviews again."""
    return default_connection.vendor == "postgresql" and _present()


def forget() -> None:
    """Check the trigger again on the next ``enabled()`` (after an install, and in tests)."""
    _present.forget()


def client_forget(organization_id) -> int:
    """Delete what the log holds of a client (its erasure, ``portal.privacy.erasure``) but the
    empty mark of its deletion, which counts every kept overview again."""
    _summary, change = _models()
    deleted, _by_model = change.objects.filter(
        organization_id=organization_id, deleted=False
    ).delete()
    return deleted


def prune() -> int:
    """Delete the logged rows older than ``KEEP``; returns how many."""
    _summary, change = _models()
    deleted, _by_model = change.objects.filter(at__lt=Now() - KEEP).delete()
    return deleted
