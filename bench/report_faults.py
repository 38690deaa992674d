"""Fault table for PDF reports: N requests per fault against real worker, beat, Redis, PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt13 \\
        .venv/bin/python bench/report_faults.py [--n 20] [--only poison,sweep_race]

Needs root (the private storage is a tmpfs of its own, remounted read-only or filled up), a
``redis-server`` binary (a private one on a free port, without persistence) and PostgreSQL. The
database named in DATABASE_URL is migrated and gets bench rows; use one of your own.

For every fault: N reports are requested, the fault is injected while they are queued or
rendering, then removed; the script waits up to ``--window`` seconds and counts per report:
ready, failed with a message, stuck (still pending), duplicates (a report rendered more than
once, each render sends an e-mail) and the time to recovery (fault removed -> last report done).
The production timings are used (lease 15 s, sweep every 5 s, housekeeping every 60 s, retry
delay at most 5 s) unless overridden. "hit" are the reports the fault hit (rendering at a kill;
all of them for outages); the load average at the start of each batch is printed with its row,
and the no-fault baseline of the same run is the first row.
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STORAGE = Path(tempfile.mkdtemp(prefix="report-faults-")) / "private"
LOGS = STORAGE.parent / "logs"  # every worker's and beat's output, written when it stops


def setup_django(broker_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ["CELERY_RESULT_BACKEND"] = broker_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["PRIVATE_STORAGE_ROOT"] = str(STORAGE)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sh(*command: str, check: bool = True) -> None:
    """Run a system tool (mount, umount, dd) by its absolute path; this script runs as root."""
    binary = shutil.which(command[0]) or command[0]
    subprocess.run(  # noqa: S603 - fixed argument lists built here
        [binary, *command[1:]], check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def mount_storage(options: str) -> None:
    sh("mount", "-o", f"remount,{options}", str(STORAGE))


class Stack:
    """Redis, workers and beat as subprocesses; the bench process plays the web process."""

    def __init__(self, redis, env: dict, concurrency: int = 2):
        from tests.reports.worker_harness import Beat, Worker

        self.concurrency = concurrency
        self.redis = redis
        self.env = env
        self.Worker, self.Beat = Worker, Beat
        self.workers: list = []
        self.beat = None
        self.all: list = []
        self.restarts = 0

    def start_worker(self):
        worker = self.Worker(
            self.env,
            f"w{len(self.all)}",
            args=[
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=w{len(self.all)}@%h",
            ],
        )
        self.workers.append(worker)
        self.all.append(worker)
        worker.wait_ready(90)
        return worker

    def restart_dead_workers(self) -> None:
        for worker in list(self.workers):
            if worker.process.poll() is not None:
                self.workers.remove(worker)
                self.restarts += 1
                print(f"worker {worker.name} died (exit {worker.process.returncode}); restarting")
                self.start_worker()

    def start_beat(self):
        directory = STORAGE.parent / f"beat{len(self.all)}"
        self.beat = self.Beat(self.env, f"b{len(self.all)}", directory)
        self.all.append(self.beat)
        self.beat.wait_ready(90)
        return self.beat

    def stop_beat(self):
        if self.beat is not None:
            self.beat.stop()
            self.beat = None

    def stop(self):
        for process in self.all:
            if process.process.poll() is None:
                process.stop()
            LOGS.mkdir(exist_ok=True)
            (LOGS / f"{process.name}.log").write_text("".join(process.lines))
        self.workers, self.beat = [], None

    def renders(self) -> Counter:
        """How often each report was rendered to the end, from all logs."""
        found = Counter()
        for process in self.all:
            for line in process.lines:
                match = re.search(r"Report ([0-9a-f-]{36}) rendered:", line)
                if match:
                    found[match.group(1)] += 1
        return found


def fixtures():
    from django.utils import timezone

    from assessments import services
    from assessments.models import Assessment, QuestionnaireVersion
    from portal.models import Membership, User
    from tests.conftest import WIZARD_CATALOGUE
    from tests.factories import OrganizationFactory
    from tests.wizard.conftest import COMPLETE, fill

    consultant, _ = User.objects.get_or_create(
        email="bench-berater@example.de", defaults={"is_consultant": True}
    )
    owner, _ = User.objects.get_or_create(email="bench-inhaber@example.de")
    if owner.email_verified_at is None:  # only verified members may submit
        owner.email_verified_at = timezone.now()
        owner.save(update_fields=["email_verified_at"])
    if QuestionnaireVersion.objects.active() is None:
        version = services.questionnaire_load(source=WIZARD_CATALOGUE.read_text(encoding="utf-8"))
        services.questionnaire_publish(version=version)
        services.questionnaire_activate(version=version)

    def submitted(name: str) -> Assessment:
        org = OrganizationFactory(name=name, consultant=consultant)
        Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
        assessment = services.assessment_start(organization=org, user=owner).assessment
        fill(assessment, owner, COMPLETE)
        return services.assessment_submit(assessment=assessment, user=owner)

    return consultant, submitted


def request(assessment, consultant, n: int) -> list:
    from django.db import transaction

    from assessments.reports import services as report_services

    ids = []
    for _ in range(n):
        with transaction.atomic():
            ids.append(report_services.report_request(assessment=assessment, user=consultant).pk)
    return ids


def wait_done(ids, window: float, stack=None) -> float:
    """Wait until no report is pending; restart a worker that died, as a supervisor would."""
    from assessments.models import Report

    deadline = time.monotonic() + window
    while time.monotonic() < deadline:
        if not Report.objects.filter(pk__in=ids, status__in=["queued", "rendering"]).exists():
            break
        if stack is not None:
            stack.restart_dead_workers()
        time.sleep(0.5)
    return time.monotonic()


def wait_status(ids, statuses, timeout=60) -> None:
    from assessments.models import Report

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Report.objects.filter(pk__in=ids, status__in=statuses).exists():
            return
        time.sleep(0.02)


def children_cpu() -> float:
    """CPU seconds (user + system) of the stopped workers and beats (start-up included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kill_db_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def row(name, ids, stack, cleared_at, done_at, hit, cleared_dt, note="") -> dict:
    from assessments.models import Report
    from assessments.reports.storage import file_present

    reports = list(Report.objects.filter(pk__in=ids))
    renders = stack.renders()
    ready = [r for r in reports if r.status == "ready"]
    failed = [r for r in reports if r.status == "failed"]
    with_message = [r for r in failed if r.last_error]
    stuck = [r for r in reports if r.status in ("queued", "rendering")]
    # A ready row naming a file that is not there. Checked twice: the sweep deletes the files of
    # superseded reports while this runs (after the row let go of the file), so a row read a
    # moment before that deletion would otherwise be counted although no row names a missing
    # file at any moment.
    missing = [
        r
        for r in ready
        if r.file
        and not file_present(r.file.name)
        and Report.objects.filter(pk=r.pk, file=r.file.name).exists()
    ]
    duplicates = sum(1 for r in reports if renders[str(r.pk)] > 1)
    finished = [r.finished_at for r in reports if r.finished_at]
    drain = None
    if cleared_at is not None and finished and not stuck:
        drain = max(0.0, done_at - cleared_at)
    # Time to recovery: fault removed (or injected, for kills) -> the last report it hit is done.
    hit_done = [r.finished_at for r in reports if str(r.pk) in hit and r.finished_at]
    recovery = None
    if hit and cleared_dt is not None and len(hit_done) == len(hit):
        recovery = max(0.0, (max(hit_done) - cleared_dt).total_seconds())
    return {
        "fault": name,
        "n": len(reports),
        "ready": len(ready),
        "failed_msg": len(with_message),
        "failed_nomsg": len(failed) - len(with_message),
        "stuck": len(stuck),
        "ready_no_file": len(missing),
        "duplicates": duplicates,
        "hit": len(hit),
        "recovery_s": None if recovery is None else round(recovery, 1),
        "drain_s": None if drain is None else round(drain, 1),
        "note": note,
        "messages": sorted({r.last_error[:90] for r in failed}),
    }


COUNTS = (
    "n",
    "ready",
    "failed_msg",
    "failed_nomsg",
    "stuck",
    "ready_no_file",
    "duplicates",
    "hit",
    "worker_restarts",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--window", type=float, default=150)
    parser.add_argument("--only", default="")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each fault this often (e.g. --n 1 --repeat 5: one report at a time, no backlog)",
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (tmpfs storage)")
        return 2
    STORAGE.mkdir(parents=True)
    sh("mount", "-t", "tmpfs", "-o", "size=300m", "tmpfs", str(STORAGE))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    setup_django(f"redis://127.0.0.1:{port}/0")
    from tests.reports.worker_harness import RedisServer

    redis = RedisServer(shutil.which("redis-server"), STORAGE.parent / "redis")
    redis.port = port
    redis.start()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PRIVATE_STORAGE_ROOT": str(STORAGE),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "INFO",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    stack = Stack(redis, env, concurrency=args.concurrency)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    atexit.register(redis.stop)
    atexit.register(stack.stop)  # runs first: no orphaned worker, beat or redis-server
    consultant, submitted = fixtures()
    healthy = submitted("Bench Gesund GmbH")
    n = args.n
    results = []
    only = set(filter(None, args.only.split(",")))

    def run(name):
        return not only or name in only

    state: dict = {}

    def rendering_now(ids) -> list:
        from assessments.models import Report

        rendering = Report.objects.filter(pk__in=ids, status="rendering")
        return list(rendering.values_list("pk", flat=True))

    def batch(name, inject, *, beat=True, assessment=None, note=""):
        if not run(name):
            return
        stack.stop()
        cpu_before = children_cpu()
        stack.start_worker()
        if beat:
            stack.start_beat()
        rounds = []
        load = os.getloadavg()[0]
        for _ in range(args.repeat):
            started = time.monotonic()
            state.clear()
            ids, cleared_at = inject(assessment or healthy)
            cleared_dt = state.get("cleared_dt", timezone.now())
            restarts = stack.restarts
            done_at = wait_done(ids, args.window, stack)
            connection.close()
            hit = {str(i) for i in state.get("hit", ids)}
            result = row(name, ids, stack, cleared_at, done_at, hit, cleared_dt, note)
            result["wall_s"] = round(time.monotonic() - started, 1)
            result["worker_restarts"] = stack.restarts - restarts
            print(result, flush=True)
            rounds.append(result)
        merged = {key: sum(r[key] for r in rounds) for key in COUNTS}
        for key in ("recovery_s", "drain_s", "wall_s"):
            values = [r[key] for r in rounds if r[key] is not None]
            merged[key] = max(values) if values else None
        merged.update(fault=name, messages=sorted({m for r in rounds for m in r["messages"]}))
        merged["load"] = round(load, 1)
        stack.stop()  # reaped: their CPU time is counted below
        merged["cpu_s"] = round(children_cpu() - cpu_before, 1)
        results.append(merged)

    def worker_kill(assessment):
        ids = request(assessment, consultant, n)
        wait_status(ids, ["rendering"])
        time.sleep(1.0)
        worker = stack.workers.pop()
        state["hit"] = rendering_now(ids)
        state["cleared_dt"] = timezone.now()
        os.killpg(worker.pid, signal.SIGKILL)  # main process and pool children, like the OOM
        worker.process.wait()
        time.sleep(2)
        stack.start_worker()
        return ids, time.monotonic()

    def child_kill(assessment):
        ids = request(assessment, consultant, n)
        state["hit"] = []
        for _ in range(3 if n >= 3 else 1):
            wait_status(ids, ["rendering"])
            state["hit"] += rendering_now(ids)
            state["cleared_dt"] = timezone.now()  # recovery counts from the last kill
            for child in stack.workers[0].pool_children():
                os.kill(child, signal.SIGKILL)
            time.sleep(2)
        return ids, time.monotonic()

    def redis_down(assessment):
        redis.stop()
        ids = request(assessment, consultant, n)
        time.sleep(3)
        redis.start()
        return ids, time.monotonic()

    def redis_restart(assessment):
        ids = request(assessment, consultant, n)
        time.sleep(1.0)
        redis.stop()  # no persistence: queued and unacknowledged messages are gone
        redis.start()
        return ids, time.monotonic()

    def db_kills(assessment):
        ids = request(assessment, consultant, n)
        state["hit"] = []
        for _ in range(8 if n >= 3 else 1):
            wait_status(ids, ["rendering"], timeout=5)
            state["hit"] += rendering_now(ids)
            state["cleared_dt"] = timezone.now()
            kill_db_connections()
            time.sleep(1.0)
        connection.close()
        return ids, time.monotonic()

    def read_only(assessment):
        mount_storage("ro")
        ids = request(assessment, consultant, n)
        time.sleep(20)
        mount_storage("rw")
        return ids, time.monotonic()

    def full_disk(assessment):
        filler = STORAGE / "filler"
        sh("dd", "if=/dev/zero", f"of={filler}", "bs=1M", check=False)  # until the disk is full
        ids = request(assessment, consultant, n)
        time.sleep(20)
        filler.unlink()
        return ids, time.monotonic()

    def poison(assessment):
        # Poison: the catalogue version the assessment was scored against lost an entry the
        # report needs (a hand edit of the database; the portal never changes a published one).
        version = assessment.questionnaire
        state["poisoned"] = (version, version.document)
        version.document = {k: v for k, v in version.document.items() if k != "dimensions"}
        version.save(update_fields=["document"])
        ids = request(assessment, consultant, n)
        return ids, time.monotonic()

    def sweep_race(assessment):
        from django.db import connections

        from assessments.reports import services as report_services

        stop = threading.Event()

        def loop():
            try:
                while not stop.is_set():
                    report_services.reports_sweep()
            finally:
                connections.close_all()

        sweeper = threading.Thread(target=loop)
        sweeper.start()
        ids = request(assessment, consultant, n)
        wait_done(ids, args.window)
        stop.set()
        sweeper.join()
        state["hit"] = []
        return ids, None

    def baseline(assessment):
        ids = request(assessment, consultant, n)
        state["hit"] = []
        return ids, time.monotonic()

    load_before = os.getloadavg()
    batch("baseline_no_fault", baseline)
    batch("worker_kill", worker_kill)
    batch("pool_child_kill_with_beat", child_kill)
    batch("pool_child_kill_without_beat", child_kill, beat=False)
    batch("redis_down_at_request", redis_down)
    batch("redis_restart_no_persistence", redis_restart)
    batch("db_connection_kills", db_kills)
    batch("read_only_storage", read_only)
    batch("full_disk", full_disk)
    if run("poison"):
        batch("poison", poison, assessment=submitted("Bench Kaputt GmbH"))
        version, document = state.pop("poisoned")  # the other batches share the version
        version.document = document
        version.save(update_fields=["document"])
    batch("sweep_race", sweep_race)

    stack.stop()
    redis.stop()
    sh("umount", str(STORAGE), check=False)
    print(f"logs: {LOGS}")
    before, after = (" ".join(f"{v:.2f}" for v in load) for load in (load_before, os.getloadavg()))
    print(f"load average (1, 5, 15 min) before: {before}, after: {after}")
    print(
        f"settings: lease {settings.REPORT_LEASE_SECONDS}s, stale {settings.REPORT_STALE_SECONDS}s,"
        f" sweep {settings.REPORT_SWEEP_SECONDS}s, housekeeping "
        f"{settings.REPORT_HOUSEKEEPING_SECONDS}s, retry max delay "
        f"{settings.REPORT_RETRY_MAX_DELAY}s, budget {settings.REPORT_RETRY_BUDGET_SECONDS}s"
    )
    print(
        "| fault | n | ready | failed w/ msg | stuck | ready w/o file | dup | hit | "
        "recovery s | all done s | wall s | worker restarts | load | stack CPU s |"
    )
    print("|" + "---|" * 14)
    for r in results:
        print(
            f"| {r['fault']} | {r['n']} | {r['ready']} | {r['failed_msg']} | {r['stuck']} | "
            f"{r['ready_no_file']} | {r['duplicates']} | {r['hit']} | {r['recovery_s']} | "
            f"{r['drain_s']} | {r['wall_s']} | {r['worker_restarts']} | {r['load']} | "
            f"{r['cpu_s']} |"
        )
    for r in results:
        if r["messages"]:
            print(f"{r['fault']}: {r['messages']}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        sh("umount", str(STORAGE), check=False)
