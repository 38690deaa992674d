"""Real-worker test harness: a private redis-server, celery worker/beat subprocesses, fixtures.

Each test starts a private ``redis-server`` on a free port (never the shared Redis on 6379) and
one or more ``celery worker`` subprocesses that talk to the pytest-django *test* database. The
rows are committed (``transaction=True``) so the worker sees them. They need PostgreSQL, which the
worker reaches by URL and whose behaviour (row locks, killed connections) they test, so they skip
on SQLite; with
``REQUIRE_SERVICES=1`` (CI) a missing service fails instead of skipping. The fixtures are made
available to ``tests/reports`` by its ``conftest.py``.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from assessments.models import Report
from assessments.reports import services as report_services
from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
STALE_SECONDS = 3
READY_TIMEOUT = 60


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, but REQUIRE_SERVICES=1")
    pytest.skip(reason)


# --- private Redis ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A throw-away redis-server without persistence; it can be stopped and started again."""

    def __init__(self, binary: str, directory: Path):
        self.binary = binary
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        return self.directory / "redis.log"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.log),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                raise RuntimeError(f"redis-server on port {self.port} did not start:\n{log}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


# --- worker subprocess -----------------------------------------------------------------------


class Worker:
    """``celery worker`` in a session of its own; a thread drains its output into ``lines``."""

    ready_marker = " ready."

    def __init__(self, env: dict, name: str, pool: str = "prefork", args: list | None = None):
        self.name = name
        self.lines: list[str] = []
        self._ready = threading.Event()
        args = args or [
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"{name}-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if self.ready_marker in line:
                self._ready.set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, lines: int = 60) -> str:
        return "".join(self.lines[-lines:])

    def wait_ready(self, timeout: float = 45) -> None:
        if not self._ready.wait(timeout):
            pytest.fail(f"worker {self.name} not ready after {timeout}s:\n{self.tail()}")

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool processes (children of the main process)."""
        children = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                children.append(int(entry))
        return children

    def kill(self) -> None:
        """SIGKILL the main process, as the OOM killer would."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)  # the worker's own session: pool children too
                self.process.wait()
        self._reader.join(timeout=10)
        self.process.stdout.close()


class Beat(Worker):
    """``celery beat`` with its schedule file in the test's own directory."""

    ready_marker = "beat: Starting"

    def __init__(self, env: dict, name: str, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__(
            env,
            name,
            args=[
                "beat",
                "--loglevel=INFO",
                f"--schedule={directory / 'schedule'}",
                f"--pidfile={directory / 'beat.pid'}",
            ],
        )


# --- storage faults --------------------------------------------------------------------------


def make_read_only(directory: Path) -> None:
    """Read-only as the kernel says it (a read-only bind mount) as root, by mode otherwise."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(directory), str(directory)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], check=True)
    else:
        for path in (directory, *directory.rglob("*")):
            if path.is_dir():
                path.chmod(0o555)


def make_writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["umount", str(directory)], check=False)
    else:
        for path in (directory, *directory.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def database_url() -> str:
    """DATABASE_URL of the pytest-django test database, for the worker process."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        _unavailable(
            "the real-worker tests need PostgreSQL (set DATABASE_URL), as production runs it: "
            "workers reach it by URL and the tests check its locking and connection faults"
        )
    assert db["NAME"].startswith("test"), f"not a test database: {db['NAME']}"
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # a socket directory is %-encoded
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def storage_dir(tmp_path, monkeypatch) -> Path:
    """The private storage both the worker (PRIVATE_STORAGE_ROOT) and this process use."""
    directory = tmp_path / "private"
    directory.mkdir()
    field = Report._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=directory))
    return directory


def _drop_client_connections() -> None:
    """Forget the broker and result connections this process cached for the old URLs."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    backend = celery_app._backend
    consumer = getattr(backend, "result_consumer", None)
    if consumer is not None and getattr(consumer, "_pubsub", None) is not None:
        consumer.stop()
    client = getattr(backend, "client", None)
    if client is not None:
        client.connection_pool.disconnect()
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_server(tmp_path, monkeypatch, database_url):
    """A private redis-server; this process publishes to it like the web process would."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not installed; the real-worker report tests start their own")
    server = RedisServer(binary, tmp_path / "redis")
    server.start()
    # Celery reads CELERY_BROKER_URL / CELERY_RESULT_BACKEND from the environment first.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", server.url)
    monkeypatch.delenv("CELERY_BROKER_READ_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    keys = ("broker_url", "result_backend", "task_always_eager")
    previous = {key: celery_app.conf.get(key) for key in keys}
    celery_app.conf.update(broker_url=server.url, result_backend=server.url)
    celery_app.conf.task_always_eager = False
    _drop_client_connections()
    yield server
    _drop_client_connections()
    celery_app.conf.update(previous)
    server.stop()


@pytest.fixture
def start_worker(redis_server, database_url, storage_dir):
    """Start workers with the test database, the private Redis and the private storage."""
    started: list[Worker] = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_RESULT_BACKEND": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PRIVATE_STORAGE_ROOT": str(storage_dir),
        "PYTHONUNBUFFERED": "1",
    }

    def start(
        *, pool: str = "prefork", stale_seconds: int | None = None, beat: bool = False, **extra
    ) -> Worker:
        """A worker (or, with ``beat=True``, a beat); ``extra`` are environment settings."""
        worker_env = dict(env, **{key: str(value) for key, value in extra.items()})
        if stale_seconds is not None:
            worker_env["REPORT_STALE_SECONDS"] = str(stale_seconds)
            worker_env["REPORT_LEASE_SECONDS"] = str(stale_seconds)
        name = f"{'b' if beat else 'w'}{len(started) + 1}"
        if beat:
            worker = Beat(worker_env, name=name, directory=storage_dir.parent / name)
        else:
            worker = Worker(worker_env, name=name, pool=pool)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        # Shown by pytest only when the test failed.
        print(f"--- worker {worker.name} (exit {worker.process.returncode}) ---\n{worker.tail()}")


@pytest.fixture
def short_stale(settings):
    """The sweep in this process uses the same short stale time as the workers."""
    settings.REPORT_STALE_SECONDS = STALE_SECONDS
    settings.REPORT_LEASE_SECONDS = STALE_SECONDS


# --- helpers ---------------------------------------------------------------------------------


def _status(report_id) -> str:
    return Report.objects.values_list("status", flat=True).get(pk=report_id)


def _wait_for(condition, *, what: str, workers=(), timeout: float = READY_TIMEOUT, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    tails = "\n".join(f"--- worker {w.name} ---\n{w.tail()}" for w in workers)
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tails}")


def _wait_ready(report_id, workers) -> Report:
    _wait_for(
        lambda: _status(report_id) in (Report.Status.READY, Report.Status.FAILED),
        what=f"report {report_id} to be rendered",
        workers=workers,
    )
    report = Report.objects.get(pk=report_id)
    assert report.status == Report.Status.READY, (report.last_error, [w.tail() for w in workers])
    return report


def _wait_until_stale(timestamp) -> None:
    """Sleep until ``timestamp`` is older than the stale time, so the sweep picks it up."""
    stale_at = timestamp + timedelta(seconds=STALE_SECONDS + 0.3)
    remaining = (stale_at - timezone.now()).total_seconds()
    if remaining > 0:
        time.sleep(remaining)


def _request_report(assessment, user) -> Report:
    with transaction.atomic():  # on_commit sends the task, as in the view
        return report_services.report_request(assessment=assessment, user=user)


def _files_of(storage_dir: Path, report) -> list[str]:
    reports = storage_dir / "reports"
    if not reports.exists():
        return []
    return sorted(p.name for p in reports.iterdir() if p.name.startswith(str(report.pk)))
