"""The portfolio's change counter: database triggers count every committed write to what the
dashboard shows, so its expensive parts can be cached until the data changes.

Why triggers and not signals: claims, review steps and the report lease are conditional
``UPDATE … WHERE …`` statements (``QuerySet.update``), which send no signal; a rescore writes
with COPY. A trigger sees every write, whatever the code path, and raises the counter in the same
transaction, so the new value becomes visible exactly when the new data does.

How a reader uses it (``portal.portfolio.views``): read ``current()`` first, then the data, and
cache what was built under that value. The data read afterwards is at least as new as the
counter, so a fragment is never older than its key says.

What is tracked (``TRACKED``): an INSERT or DELETE of a row of any of these tables, and an UPDATE
that changes one of the listed columns (``None``: any column). Updates that change nothing the
dashboard shows (a login's ``last_login``, a report's lease renewal, an answer saved in a draft)
leave the counter alone, so they do not empty the cache.

Topics: each tracked table belongs to one topic (``TOPICS``: the clients' data, the people who
consult them, the catalogue, the news, the stored summaries, the reports, the figures over the
summaries), and each topic counts on its own rows. A part of the page that shows only people
and the catalogue (the filter form) or only news (the news line above the table) is cached
under its topics' counters and survives a change to a client; the page as a whole is keyed by
all of them.

The summaries, figures and reports topics hold what the overview above the table reads: the
summary rows, the figures over them, and the reports (a failing one puts its client on the
attention list). The overview's figures and attention list are cached under them, so a write
that leaves every summary as it was (a new draft, a client's address, a consultant's name) does
not count them again; on PostgreSQL an overview is kept even across a change to the summaries
that does not touch the clients it shows (``portal.portfolio.changes``).

Shards: on PostgreSQL each backend (connection) raises its own row of the topic
(``topic * 16 + pg_backend_pid() % 16``), so concurrent writers do not queue on one row lock, and
one statement only ever locks one row (no lock-order deadlocks). SQLite has a single writer and
uses the topic's first row. A topic's counter is the sum of its rows; the counter is the sum of
all.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection as default_connection

from portal import dbtriggers

logger = logging.getLogger(__name__)

SHARDS = 16
FUNCTION = "portal_generation_bump"
PREFIX = "portal_gen_"
SUFFIXES = ("ins", "del", "upd")  # a trigger for inserts, deletes and updates on each table

CLIENTS, PEOPLE, CATALOGUE, NEWS, SUMMARIES, REPORTS, FIGURES = TOPICS = (
    "clients",
    "people",
    "catalogue",
    "news",
    "summaries",
    "reports",
    "figures",
)

# (app label, model): (the fields whose change the dashboard shows, None for any field; topic)
TRACKED: dict[tuple[str, str], tuple[tuple[str, ...] | None, str]] = {
    ("portal", "Organization"): (None, CLIENTS),
    ("assessments", "Assessment"): (
        ("organization", "status", "review_state", "submitted_at"),
        CLIENTS,
    ),
    ("assessments", "Result"): (None, CLIENTS),
    # each client's stored summary row (its plan's open actions and due dates come only here),
    # the figures over them (written with it, in the same transaction, when a count moves) ...
    ("portal", "ClientSummary"): (None, SUMMARIES),
    ("portal", "PortfolioFigure"): (None, FIGURES),
    # ... and the reports: with them, all that the overview above the table reads
    ("assessments", "Report"): (
        ("assessment", "organization", "status", "superseded", "queued_at"),
        REPORTS,
    ),
    ("portal", "User"): (
        ("first_name", "last_name", "email", "is_consultant", "is_active"),
        PEOPLE,
    ),
    # the active catalogue version (thresholds, vendors)
    ("assessments", "QuestionnaireVersion"): (None, CATALOGUE),
    # "Welche Kunden betrifft das?" above the table: articles, their vendor tags, follow-ups
    ("news", "Article"): (None, NEWS),
    ("news", "Article.vendors"): (None, NEWS),  # the many-to-many table
    ("news", "Tag"): (None, NEWS),
    ("news", "ClientFollowUp"): (None, NEWS),
    # the clients each article concerns and their count (the news line above the table)
    ("news", "AffectedClient"): (None, NEWS),
    ("news", "ArticleReach"): (None, NEWS),
}


def _table() -> str:
    return apps.get_model("portal", "PortfolioGeneration")._meta.db_table


def current() -> int:
    """The counter now: the sum of every shard of every topic (0 before the first tracked
    write)."""
    return sum(by_topic().values())


def by_topic() -> dict[str, int]:
    """Each topic's counter now (one small query)."""
    conn = default_connection
    table = conn.ops.quote_name(_table())
    with conn.cursor() as cursor:
        per_topic = f"SELECT shard / {SHARDS}, SUM(value) FROM {table} GROUP BY shard / {SHARDS}"  # noqa: S608, E501 - table name from model meta
        cursor.execute(per_topic)
        sums = {int(topic): int(value) for topic, value in cursor.fetchall()}
    return {name: sums.get(number, 0) for number, name in enumerate(TOPICS)}


def _tracked_tables():
    """(table, [columns] or None, topic number) of every tracked model that is installed."""
    for (label, model_name), (fields, topic) in TRACKED.items():
        model_name, _dot, m2m = model_name.partition(".")
        try:
            model = apps.get_model(label, model_name)
        except LookupError:  # an app left out of INSTALLED_APPS (not in this project)
            continue
        if m2m:
            model = model._meta.get_field(m2m).remote_field.through
        columns = None
        if fields is not None:
            columns = [model._meta.get_field(name).column for name in fields]
        yield model._meta.db_table, columns, TOPICS.index(topic)


# Per vendor: the bump's body and the timing clauses. PostgreSQL counts inserts once per
# statement (a bulk insert or a rescore batch costs one row update) and deletes and column
# updates per row, so that a periodic DELETE or UPDATE that matches nothing stays silent; SQLite
# has row triggers only.
_VENDORS = {
    "postgresql": {
        "insert": "AFTER INSERT OR TRUNCATE ON {t} FOR EACH STATEMENT",
        "delete": "AFTER DELETE ON {t} FOR EACH ROW",
        "update": "AFTER UPDATE ON {t} FOR EACH STATEMENT",
        "update_of": "AFTER UPDATE OF {cols} ON {t} FOR EACH ROW WHEN ({changed})",
        "distinct": "IS DISTINCT FROM",
        "drop": "DROP TRIGGER IF EXISTS {name} ON {t}",
        "body": f"EXECUTE FUNCTION {FUNCTION}('{{topic}}')",
    },
    "sqlite": {
        "insert": "AFTER INSERT ON {t}",
        "delete": "AFTER DELETE ON {t}",
        "update": "AFTER UPDATE ON {t}",
        "update_of": "AFTER UPDATE OF {cols} ON {t} WHEN {changed}",
        "distinct": "IS NOT",
        "drop": "DROP TRIGGER IF EXISTS {name}",
        "body": "BEGIN INSERT INTO {gen} (shard, value) VALUES ({shard}, 1) "
        "ON CONFLICT (shard) DO UPDATE SET value = value + 1; END",
    },
}


def statements(vendor: str, quote) -> list[str]:
    """The SQL that (re)creates the triggers on ``vendor``: idempotent, run after every migrate
    (``portal.dbtriggers``; SQLite drops a table's triggers when a migration rebuilds it)."""
    if vendor not in _VENDORS:
        return []  # another database: no triggers, and the dashboard does not cache (enabled())
    clauses = _VENDORS[vendor]
    table = quote(_table())
    sql = []
    if vendor == "postgresql":
        sql.append(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608 - names from model meta
            f"BEGIN INSERT INTO {table} (shard, value) "
            f"VALUES (TG_ARGV[0]::int * {SHARDS} + pg_backend_pid() % {SHARDS}, 1) "
            f"ON CONFLICT (shard) DO UPDATE SET value = {table}.value + 1; RETURN NULL; END $$"
        )
    for name, columns, topic in _tracked_tables():
        body = clauses["body"].format(gen=table, topic=topic, shard=topic * SHARDS)
        target = quote(name)
        timing = {
            "ins": clauses["insert"].format(t=target),
            "del": clauses["delete"].format(t=target),
        }
        if columns is None:
            timing["upd"] = clauses["update"].format(t=target)
        else:
            changed = " OR ".join(
                f"OLD.{quote(c)} {clauses['distinct']} NEW.{quote(c)}" for c in columns
            )
            cols = ", ".join(quote(c) for c in columns)
            timing["upd"] = clauses["update_of"].format(t=target, cols=cols, changed=changed)
        for suffix, when in timing.items():
            trigger = quote(f"{PREFIX}{suffix}_{name}")
            sql.append(clauses["drop"].format(name=trigger, t=target))
            sql.append(f"CREATE TRIGGER {trigger} {when} {body}")
    return sql


def installed() -> list[str]:
    """Names of the generation triggers present in the database (tests, ``/healthz``)."""
    return dbtriggers.installed(PREFIX)


def expected() -> list[str]:
    return sorted(
        f"{PREFIX}{suffix}_{name}"
        for name, _cols, _topic in _tracked_tables()
        for suffix in SUFFIXES
    )


def missing() -> list[str]:
    """Triggers that should be there and are not (a restored dump without them, a manual
    ``DROP``): while any is missing, a write could go uncounted."""
    return sorted(set(expected()) - set(installed()))


_present = dbtriggers.Presence(
    lambda: missing(),
    "Portfolio change-counter triggers missing (%s): the consultant dashboard is not cached "
    "until `manage.py migrate` recreates them.",
    log=logger,
)


def enabled() -> bool:
    """May the dashboard cache? Only on a database with the triggers, all of them present
    (``dbtriggers.Presence``: looked up once per process and then every five minutes; a gap is
    logged as an ERROR and shown by ``/healthz``, and the dashboard is built from the database
    until ``manage.py migrate`` has recreated the triggers)."""
    return default_connection.vendor in _VENDORS and _present()


def forget() -> None:
    """Check the triggers again on the next ``enabled()`` (after an install, and in tests)."""
    _present.forget()
