"""8. Chamber scale (issue 20): every consultant page at 2,000 and 20,000 clients, over HTTP.

For each size the bench uses a database seeded by ``manage.py seed_load`` (owners and members,
2.5 assessments per client with use cases, action plans, reports, the demo news articles),
named ``<prefix>_<size>``. An existing one with that many clients is reused (seeding 20,000
clients takes many minutes on a shared machine; the seed's duration is printed when it runs),
so keep them between runs; ``--fresh`` drops and seeds them again.

Against a gunicorn of the portal (one sync worker, DEBUG off, the bench settings with the
baseline views and a Server-Timing header), one request at a time, each page interleaved with a
bare Django view rendering a static template of the same byte size (page, bare, page, bare …):

- the dashboard BUILT from the database (a committed change to a client just before each
  request, so the page cache never serves it): first page, sorted by a score, filtered (level
  and vendor), searched by name, page 2 of a filter; once after a change that leaves every
  summary row as it was (the overview's figures come from the cache, the rows are read), once
  after a client's rename (its summary row changes: the overview is counted again); and the
  first page repeated (cached);
- "Welche Kunden betrifft das?" for the demo article that concerns most clients: first page,
  sorted by lock-in, filtered (not informed, lock-in high), page 2;
- a client's results page and action plan (latest of several assessments) as the consultant
  sees them;
- the task list over every client's current plan (first page by due date, sorted by priority,
  sorted by client) and the list of clients without a consultant (first page);
- the stress test in the request (``STRESS_TEST_INLINE_MAX_CLIENTS`` = the size; its result is
  not cached between requests) for each scenario, against the bare latest-result query;
- the portfolio as XLSX (all clients);
- the dashboard's first page while clients submit (a thread submits one assessment through the
  services every ``--submit-every`` seconds; each view is then built or served from the cache,
  as for a consultant on a busy day).

Server time is Django's own (Server-Timing), with the queries it ran; ratios are against the
bare view of the same run. The load average is printed with every size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/w20 \
        .venv/bin/python bench/bench_scale.py --sizes 2000,20000 --prefix w20_bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

TARGET_MS = 150
TARGET_RATIO = 5
QUERY_TARGET = 10
STRESS_TARGET_MS = 2000
EXPORT_TARGET_MS = 2000


def _database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def _database_ready(base: str, name: str, size: int, fresh: bool) -> tuple[bool, int]:
    """(needs seeding, clients present) of database ``name``; created when missing."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True, 0
    with psycopg.connect(_database_url(base, name), connect_timeout=5) as conn:
        try:
            have = conn.execute("SELECT count(*) FROM portal_organization").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return True, 0
    return have < size, have


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def _measure_size(size: int, *, repeat: int, submit_every: float, logdir: Path) -> list[str]:
    """Everything for one database (already the default connection)."""
    from bench_portfolio import Measured
    from django.conf import settings
    from django.db.models import F
    from django.urls import reverse
    from server import free_port, get, server_start, server_stop, session_for

    from assessments.models import Assessment
    from assessments.stress.selectors import scenarios_all
    from news.models import ArticleReach
    from portal.models import Organization, User

    lines = []
    consultant, _created = User.objects.get_or_create(
        email="skala@bench.example",
        defaults={"first_name": "Jana", "last_name": "Skala", "is_consultant": True},
    )
    if not consultant.is_consultant:
        User.objects.filter(pk=consultant.pk).update(is_consultant=True)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_for(consultant, verified=True)}"
    touched = list(Organization.objects.order_by("pk").values_list("pk", flat=True)[:1])

    def touch():  # a committed change the change counter sees: the next view is built
        Organization.objects.filter(pk__in=touched).update(name=F("name"))

    renamed = Organization.objects.get(pk=touched[0]) if touched else None
    names = [renamed.name, renamed.name + " (umfirmiert)"] if renamed else []

    def rename():  # a change to a client's summary row too: the overview is counted again
        renamed.name = names[1] if renamed.name == names[0] else names[0]
        renamed.save(update_fields=["name"])

    reach = ArticleReach.objects.select_related("article").order_by("-clients").first()
    several = (
        Assessment.objects.filter(status="submitted", previous__isnull=False)
        .filter(pk__in=Organization.objects.values("latest_result"))
        .order_by("pk")
        .first()
    )
    clients = Organization.objects.count()
    dashboard = {
        "dashboard, first page": "/berater/",
        "dashboard, sorted by GDPR risk": "/berater/?sort=-gdpr",
        "dashboard, filtered (lock-in high, Microsoft ≥ 20)": (
            "/berater/?lvl_lock_in=high&vendor=microsoft&vendor_op=ge&vendor_min=20&sort=-gdpr"
        ),
        "dashboard, searched by name": "/berater/?q=Seetal+Software",
        "dashboard, page 2 of a filter": "/berater/?industry=craft&sort=readiness&page=2",
    }
    pages = {
        # the other consultant lists over every client: a page each
        "task list, first page (by due date)": reverse("task_list"),
        "task list, sorted by priority": reverse("task_list") + "?sort=priority",
        "task list, sorted by client": reverse("task_list") + "?sort=client",
        "unassigned clients, first page": reverse("clients_unassigned"),
    }
    if reach is not None:
        base = reverse("news:affected", args=[reach.article.slug])
        pages.update(
            {
                f"news impact, first page ({reach.clients:,} clients)": base,
                "news impact, sorted by lock-in": base + "?sort=lock_in",
                "news impact, filtered (not informed, lock-in high)": base
                + "?informed=no&level=high",
                "news impact, page 2": base + "?page=2",
            }
        )
    if several is not None:
        pages["results page (consultant, 2nd+ assessment)"] = reverse(
            "assessment_done", args=[several.pk]
        )
        pages["action plan (consultant, 2nd+ assessment)"] = reverse(
            "actionplan", args=[several.pk]
        )
    port = free_port()
    os.environ["STRESS_TEST_INLINE_MAX_CLIENTS"] = str(max(size, clients))
    os.environ["STRESS_TEST_CACHE_SECONDS"] = "0"  # every stress request computes
    server = server_start(port, 1, logdir / f"gunicorn-scale-{size}.log")
    results = []
    try:
        for _ in range(3):
            get(port, "/berater/", cookie)
        lines.append(f"load average before {size:,}: {load()}")
        for label, path in dashboard.items():
            results.append(
                (
                    label + " (built)",
                    Measured(port, cookie, path, repeat=repeat, before=touch),
                )
            )
        for label, path in dashboard.items():
            results.append(
                (
                    label + " (built after a client's rename)",
                    Measured(port, cookie, path, repeat=repeat, before=rename),
                )
            )
        if renamed is not None:
            renamed.name = names[0]
            renamed.save(update_fields=["name"])
        results.append(
            (
                "dashboard, first page (repeated, from the cache)",
                Measured(port, cookie, "/berater/", repeat=repeat),
            )
        )
        for label, path in pages.items():
            results.append((label, Measured(port, cookie, path, repeat=repeat)))
        export = Measured(port, cookie, "/berater/?format=xlsx", repeat=3, warmup=1)
        results.append(("XLSX export, all clients", export))
        stress = []
        for key in scenarios_all():
            stress.append(
                (
                    f"stress test '{key}', in the request",
                    Measured(
                        port, cookie, f"/berater/stresstest/?scenario={key}", repeat=3, warmup=1
                    ),
                )
            )
        busy = _while_submitting(port, cookie, submit_every=submit_every, repeat=repeat * 2)
        lines.append(f"load average after {size:,}: {load()}")
    finally:
        server_stop(server)
        os.environ.pop("STRESS_TEST_INLINE_MAX_CLIENTS", None)
        os.environ.pop("STRESS_TEST_CACHE_SECONDS", None)

    lines.append(f"| page ({clients:,} clients) | time | bare | ratio | queries | met |")
    lines.append("|---|---|---|---|---|---|")
    for label, m in results:
        if label.startswith("XLSX"):
            # streamed: the server's timing ends when the response starts; the whole download
            met = m.client_ms <= EXPORT_TARGET_MS
            lines.append(
                f"| {label} (whole download, {m.size / 1024:,.0f} KiB) | {m.client_ms:,.1f} ms | "
                f"{m.bare_client_ms:,.1f} ms | {m.client_ms / m.bare_client_ms:.1f}× | "
                f"{m.queries} before the rows | {'yes' if met else 'NO'} |"
            )
            continue
        met = m.server_ms <= TARGET_MS and m.ratio <= TARGET_RATIO
        if "dashboard" in label:
            met = met and m.queries <= QUERY_TARGET
        if "results page" in label:
            met = m.ratio <= TARGET_RATIO and m.queries <= QUERY_TARGET
        lines.append(
            f"| {label} | {m.server_ms:,.1f} ms | {m.bare_server_ms:,.1f} ms | {m.ratio:.1f}× | "
            f"{m.queries} | {'yes' if met else 'NO'} |"
        )
    base_ms = _bare_latest_ms(consultant)
    for label, m in stress:
        met = m.server_ms <= STRESS_TARGET_MS
        lines.append(
            f"| {label} | {m.server_ms:,.0f} ms | {base_ms:,.1f} ms (bare latest-result query) | "
            f"{m.server_ms / base_ms:.0f}× | {m.queries} | {'yes' if met else 'NO'} |"
        )
    lines.append(
        f"| dashboard first page while clients submit (every {submit_every:g} s; "
        f"{busy['submitted']} submitted) | median {busy['median']:,.1f} ms, max "
        f"{busy['max']:,.1f} ms | {busy['bare']:,.1f} ms | {busy['median'] / busy['bare']:.1f}× | "
        f"{busy['queries']} | {'yes' if busy['median'] <= TARGET_MS else 'NO'} |"
    )
    return lines


def _bare_latest_ms(consultant) -> float:
    from assessments.models import Result
    from assessments.selectors import DIMENSION_FIELDS

    samples = []
    for _ in range(5):
        started = time.perf_counter()
        list(
            Result.objects.visible_to(consultant)
            .latest_per_organization()
            .values_list("assessment_id", "readiness", *DIMENSION_FIELDS)
        )
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _while_submitting(port: int, cookie: str, *, submit_every: float, repeat: int) -> dict:
    """The dashboard's first page, viewed while a thread submits assessments through the
    services (each submission changes the portfolio: the next view is built once, and served
    from the cache until the next change)."""
    from answers import varied_answers
    from django.db import connection
    from server import get

    from assessments import services
    from assessments.questionnaire.services import answer_save
    from portal.models import Membership

    stop = threading.Event()
    submitted = [0]

    def submitter():
        try:
            members = list(
                Membership.objects.filter(role="owner")
                .select_related("user", "organization")
                .order_by("organization__name")[:200]
            )
            number = 0
            while not stop.is_set() and number < len(members):
                membership = members[number]
                number += 1
                if not membership.user.email_verified_at:
                    continue
                try:
                    started = services.assessment_start(
                        organization=membership.organization, user=membership.user
                    ).assessment
                    document = started.questionnaire.document
                    for key, value in varied_answers(document, seed=number).items():
                        answer_save(
                            assessment=started, user=membership.user, question_key=key, value=value
                        )
                    services.assessment_submit(assessment=started, user=membership.user)
                    submitted[0] += 1
                except Exception as error:  # noqa: BLE001 - report and go on
                    print(f"submit failed: {error}", file=sys.stderr)
                stop.wait(submit_every)
        finally:
            connection.close()

    thread = threading.Thread(target=submitter, daemon=True)
    thread.start()
    page, bare = [], []
    try:
        first = get(port, "/berater/", cookie)
        bare_path = f"/bench/static/?size={first.size}"
        deadline = time.monotonic() + 120
        while len(page) < repeat and time.monotonic() < deadline:
            page.append(get(port, "/berater/", cookie))
            bare.append(get(port, bare_path, cookie))
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=60)
    return {
        "median": statistics.median(t.server_ms for t in page),
        "max": max(t.server_ms for t in page),
        "bare": statistics.median(t.server_ms for t in bare),
        "queries": max(t.queries or 0 for t in page),
        "submitted": submitted[0],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument(
        "--prefix", default="", help="database names <prefix>_<size> (default: <db>_bench)"
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--submit-every", type=float, default=3.0)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the databases again")
    args = parser.parse_args(argv)
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL server (an admin database on it)")
        return 2
    prefix = args.prefix or f"{urlsplit(base).path.lstrip('/')}_bench"
    logdir = Path(os.environ.get("VAR_DIR") or tempfile.mkdtemp(prefix="bench-scale-"))
    logdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("VAR_DIR", str(logdir))
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": "memory://",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    plans = {size: _database_ready(base, f"{prefix}_{size}", size, args.fresh) for size in sizes}
    report = []
    for size in sizes:
        name = f"{prefix}_{size}"
        os.environ["DATABASE_URL"] = _database_url(base, name)
        code = _run_child(size, seed=plans[size][0], args=args, logdir=logdir)
        if code != 0:
            report.append(f"{size:,} clients: failed (exit {code})")
    return 0 if not report else 1


def _run_child(size: int, *, seed: bool, args, logdir: Path) -> int:
    """One size in a process of its own (Django connects to one database per process)."""
    import subprocess

    command = [
        sys.executable,
        __file__,
        "--child",
        str(size),
        "--repeat",
        str(args.repeat),
        "--submit-every",
        str(args.submit_every),
    ]
    if seed:
        command.append("--seed")
    return subprocess.call(command, env=os.environ.copy())  # noqa: S603 - this file


def child(argv) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int)
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--submit-every", type=float)
    parser.add_argument("--seed", action="store_true")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)
    if args.seed:
        started = time.monotonic()
        call_command("seed_load", orgs=args.child, i_know=True)
        print(f"seed_load of {args.child:,} clients: {time.monotonic() - started:,.0f} s")
    logdir = Path(os.environ["VAR_DIR"])
    print(f"\n{args.child:,} clients ({os.environ['DATABASE_URL'].rsplit('/', 1)[-1]})")
    for line in _measure_size(
        args.child, repeat=args.repeat, submit_every=args.submit_every, logdir=logdir
    ):
        print(line)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        raise SystemExit(child(sys.argv[1:]))
    raise SystemExit(main())
