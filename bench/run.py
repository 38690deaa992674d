"""Performance figures of the portal, with baselines measured in the same run on this machine.

    .venv/bin/python bench/run.py                      # SQLite: sections 1 and 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --pg                 # the same with the default URL

1. scoring throughput of ``assessments.scoring.score`` on one core vs. a trivial loop, for every
   shipped catalogue;
2. ``manage.py rescore`` over 10,000 stored assessments, each variant against a plain read of the
   same rows measured next to it: (i) the default right after scoring (nothing stale: issue 14's
   scenario), (ii) after a change of the scoring code (every result stale: the deploy case), also
   with ``--jobs 2`` and with every row different, (iii) ``--all`` (PostgreSQL only);
3. report rendering: full report vs. WeasyPrint alone vs. a one-page PDF;
4. worker memory after 1 and 20 reports, and throughput with one vs. two worker processes
   (PostgreSQL and Redis only);
5. the portfolio dashboard at 2,000 clients / 10,000 assessments over HTTP against a gunicorn
   the bench starts (``bench_portfolio.py``): the portfolio query (time and plan cost), first
   page, a filtered and sorted page, a client's page with 20 assessments, CSV and XLSX of all,
   each against a bare view rendering a static template of the same size in the same server.
6. the portfolio stress test at 2,000 clients with answers: each scenario's page and CSV against
   the bare latest-result query, and the background job's throughput (``stress_test.py``).
7. autosave: 50 clients saving at once against gunicorn (2 workers) vs. a bare view, and a check
   that every acknowledged answer is stored (``bench_autosave.py``).
8. chamber scale (PostgreSQL only): every consultant page at 2,000 and 20,000 clients seeded by
   ``seed_load``, each against a bare view of the same size, with queries, and the dashboard
   while clients submit (``bench_scale.py``; its databases ``<db>_bench_<size>`` are kept and
   reused, because seeding 20,000 clients takes many minutes; ``--scale-sizes`` chooses).

Nothing is written to the portal's own database: PostgreSQL gets a database of its own with a
name unique to this run (``ki_bench_<pid>_<random>``; only that one is dropped afterwards), SQLite
a file in a temporary directory. A PostgreSQL URL must look like a test server (loopback host or
socket, and a database name with "test", "bench" or "ci" in it, or "wtN"); anything else is
refused unless ``--i-know`` is given or ``BENCH_I_KNOW=1`` is set. Reports go to a
temporary private storage; workers use Redis database 13. A section whose service is missing
says so and is skipped. The summary at the end is meant for pasting into an issue note.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
BENCH_DB_PREFIX = "ki_bench"
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
TEST_NAME = re.compile(r"test|bench|(^|_)ci($|_)|^wt\d+$", re.IGNORECASE)


class UnsafeDatabase(Exception):
    """The URL does not look like a test server; the benchmark will not create databases on it."""


def check_test_database(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    name = parts.path.lstrip("/")
    if host.startswith("/"):
        host = ""  # a Unix socket directory
    if host not in LOCAL_HOSTS or not TEST_NAME.search(name or ""):
        raise UnsafeDatabase(
            f"{_safe(url)} does not look like a test database (want a loopback host or socket and "
            "a database name containing test, bench or ci, or wtN). Pass --i-know or set "
            "BENCH_I_KNOW=1 if you really mean this server."
        )


def bench_database_name(admin_url: str = "") -> str:
    """``ki_bench_<pid>_<random>``; against a per-worktree database (``wtN``, ``wNN`` or
    ``wNNx``, also with ``_bench``) the name starts with it (``wtN_bench_…``), so a helper's run
    stays inside the names it may use."""
    admin = urlsplit(admin_url).path.lstrip("/")
    prefix = BENCH_DB_PREFIX
    if re.fullmatch(r"(wt\d+|w\d+[a-z]?)(_bench)?", admin):
        prefix = admin if admin.endswith("_bench") else f"{admin}_bench"
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"


# --- environment (before django.setup) --------------------------------------------------------


def _port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


DROP = "DROP DATABASE IF EXISTS {} WITH (FORCE)"


def pg_create(admin_url: str, name: str) -> str:
    """A new, empty database ``name`` next to ``admin_url``'s; returns its URL.

    Never drops first: if ``name`` exists (another run's), CREATE fails and nothing is touched.
    """
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(admin_url, name)


def pg_drop(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    drop = sql.SQL(DROP)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(drop.format(sql.Identifier(name)))


class Environment:
    """Decides the database and broker and sets the environment the settings read."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.workdir = workdir
        self.admin_url: str | None = None
        self.created: str | None = None  # the one database this run made (and may drop)
        self.database = "SQLite (temporary file)"
        self.broker: str | None = None
        self.notes: list[str] = []
        url = args.pg or os.environ.get("DATABASE_URL", "")
        if url and not url.startswith(("postgres://", "postgresql://")):
            self.notes.append(f"DATABASE_URL is not PostgreSQL ({url.split(':')[0]}): using SQLite")
            url = ""
        if url and not (args.i_know or os.environ.get("BENCH_I_KNOW") == "1"):
            check_test_database(url)  # raises UnsafeDatabase: main() refuses to run
        if url:
            name = bench_database_name(url)
            try:
                bench_url = pg_create(url, name)
            except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL
                reason = " ".join(str(error).split())
                self.notes.append(f"PostgreSQL at {_safe(url)} unusable ({reason}): using SQLite")
            else:
                self.admin_url = url
                self.created = name
                self.database = f"PostgreSQL, database {name} (created by this run, dropped after)"
                os.environ["DATABASE_URL"] = bench_url
        if self.admin_url is None:
            os.environ.pop("DATABASE_URL", None)
        os.environ["VAR_DIR"] = str(workdir)  # the SQLite file and collected static files
        if args.redis and self.admin_url:
            if _port_open(args.redis, 6379):
                self.broker = args.redis
                os.environ["CELERY_BROKER_URL"] = args.redis
                os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
            else:
                self.notes.append(f"no Redis answers at {args.redis}")
        if not self.broker:
            os.environ["CELERY_BROKER_URL"] = "memory://"
        os.environ.pop("CELERY_RESULT_BACKEND", None)
        os.environ["PRIVATE_STORAGE_ROOT"] = str(workdir / "private")
        # Production-like: no query log, no template debug info (workers inherit all of this).
        os.environ["DEBUG"] = "0"
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
        os.environ["ALLOWED_HOSTS"] = "localhost"
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

    def cleanup(self) -> None:
        if self.admin_url and self.created:
            from django.db import connections

            connections.close_all()
            try:
                pg_drop(self.admin_url, self.created)
            except Exception as error:  # noqa: BLE001
                print(f"could not drop database {self.created}: {error}", file=sys.stderr)


def _safe(url: str) -> str:
    """The URL without a password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- output ------------------------------------------------------------------------------------

COLUMNS = ("measurement", "value", "baseline", "ratio", "target", "met")


def print_section(section) -> None:
    from sections import yes_no

    print()
    print(section.title)
    if section.skipped:
        print(f"  skipped: {section.skipped}")
        return
    rows = [
        (f.label, f.value, f.baseline, f.ratio, f.target, yes_no(f.met)) for f in section.figures
    ]
    widths = [max(len(str(r[i])) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    line = "  " + " | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    print(line)
    print("  " + "-+-".join("-" * w for w in widths))
    for row in rows:
        print("  " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for note in section.notes:
        print(f"  · {note}")
    sys.stdout.flush()


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.node()}, {cores} cores{f' ({model})' if model else ''}"


def load() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def versions() -> str:
    import django
    import weasyprint
    from django.db import connection

    database = connection.vendor
    if database == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, {database}"
    )


# --- main --------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg",
        nargs="?",
        const=DEFAULT_PG,
        default=None,
        metavar="URL",
        help=f"PostgreSQL server to create {BENCH_DB_PREFIX}_<pid>_<random> on (default with the "
        f"flag: {DEFAULT_PG}; without it DATABASE_URL is used if it is PostgreSQL)",
    )
    parser.add_argument(
        "--i-know",
        action="store_true",
        help="allow a PostgreSQL URL that does not look like a test server (also BENCH_I_KNOW=1)",
    )
    parser.add_argument(
        "--redis", default=DEFAULT_REDIS, help=f"broker for the worker section ({DEFAULT_REDIS})"
    )
    parser.add_argument(
        "--only", default="1,2,3,4,5,6,7,8", help="comma-separated sections to run (default: all)"
    )
    parser.add_argument(
        "--scale-sizes", default="2000,20000", help="client counts for section 8 (chamber scale)"
    )
    parser.add_argument("--orgs", type=int, default=2000, help="clients for the portfolio section")
    parser.add_argument(
        "--portfolio-assessments", type=int, default=10_000, help="assessments for section 5"
    )
    parser.add_argument("--assessments", type=int, default=10_000, help="rows for rescore")
    parser.add_argument("--reports", type=int, default=20, help="reports per worker figure")
    parser.add_argument("--repeat", type=int, default=5, help="report renders (median)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    only = {part.strip() for part in args.only.split(",")}
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ki-bench-"))
    try:
        environment = Environment(args, workdir)
    except UnsafeDatabase as error:
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"refused: {error}", file=sys.stderr)
        return 2
    results = []
    software = load_before = ""
    try:
        import django

        django.setup()
        for name in ("weasyprint", "fontTools", "celery", "kombu"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

        import sections

        print(f"KI-Readiness-Portal benchmark, {datetime.date.today().isoformat()}")
        print(f"machine: {machine()}")
        software = versions()
        print(f"software: {software}")
        print(f"database: {environment.database}; broker: {environment.broker or 'none'}")
        for note in environment.notes:
            print(f"note: {note}")
        load_before = load()
        print(f"load average before: {load_before}")

        def attempt(title: str, function, *args, **kwargs):
            """Run one section; a failure is reported and the next section still runs."""
            try:
                section = function(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - report it, go on with the others
                sections.workers_stop_all()
                section = sections.Section(title).skip(f"failed: {type(error).__name__}: {error}")
            results.append(section)
            print_section(section)
            return section

        document = sections.load_catalogue()
        fields_seconds = None
        if "1" in only:
            section = attempt("1. Scoring", sections.bench_scoring)
            fields_seconds = section.extra.get("fields_seconds")
        fixture = sections.fixture_create(document)
        if "2" in only:
            attempt(
                "2. rescore",
                sections.bench_rescore,
                fixture,
                count=args.assessments,
                fields_seconds=fields_seconds,
            )
        if "3" in only:
            attempt("3. Report rendering", sections.bench_report, fixture, repeat=args.repeat)
        if "5" in only:
            import bench_portfolio

            attempt(
                "5. Portfolio dashboard",
                bench_portfolio.bench_portfolio,
                organizations=args.orgs,
                assessments=args.portfolio_assessments,
                logdir=workdir,
            )
        if "4" in only:
            attempt(
                "4. Worker",
                sections.bench_worker,
                fixture,
                n=args.reports,
                logdir=workdir,
                broker=environment.broker,
                redis_url=args.redis,
            )
        if "7" in only:
            import bench_autosave

            attempt("7. Autosave", bench_autosave.bench_autosave, fixture, logdir=workdir)
        if "6" in only:
            import stress_test

            attempt("6. Portfolio stress test", stress_test.bench_stress, organizations=args.orgs)
        if "8" in only:
            print("\n8. Chamber scale (bench_scale.py)")
            if environment.admin_url:
                import subprocess

                code = subprocess.call(  # noqa: S603 - our own script
                    [sys.executable, str(BENCH / "bench_scale.py"), "--sizes", args.scale_sizes],
                    env={**os.environ, "DATABASE_URL": environment.admin_url},
                )
                print(f"  (exit {code})")
            else:
                print("  skipped: PostgreSQL only")
    finally:
        if "sections" in sys.modules:
            sys.modules["sections"].workers_stop_all()
        environment.cleanup()
        if args.keep:
            print(f"\n(temporary files kept in {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    elapsed = time.monotonic() - started
    print()
    print("=" * 30 + " summary (for the issue note) " + "=" * 30)
    today = datetime.date.today().isoformat()
    print(f"Benchmark (make bench / bench/run.py), {today}, {machine()}")
    print(f"{software} · database: {environment.database}")
    print(f"Load average before {load_before}, after {load()} (other processes add noise).")
    for section in results:
        for line in section.summary:
            print(f"- {line}")
    met = [f.met for s in results for f in s.figures if f.met is not None]
    print(f"Targets met: {sum(met)} of {len(met)}. Run time {elapsed:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
