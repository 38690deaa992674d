"""A gunicorn of the portal for the HTTP benchmarks (sections 5): started on a free port of
127.0.0.1 with the bench settings (the portal's own plus two baseline views and a Server-Timing
header), sessions made without a login form, and one timed request at a time.

Requests go only to 127.0.0.1 and each has a timeout.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def session_for(user, *, verified: bool = False) -> str:
    """A signed-in session for ``user``; ``verified`` also marks the second factor as passed
    (what ``django_otp.login`` stores after a valid code), so consultants reach their pages."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        import django_otp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from portal.security.sessions import LAST_ACTIVITY_KEY

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
        store[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        # far enough in the future that the idle check never writes the session mid-run
        store[LAST_ACTIVITY_KEY] = int(time.time()) + 3600
    store.create()
    return store.session_key


def server_start(port: int, workers: int, logfile: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        # plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies without the secure flag
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "localhost",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "portal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        command,
        env=env,
        stdout=logfile.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {logfile.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    server_stop(process)
    raise RuntimeError("gunicorn did not start within 60 s")


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Timing:
    status: int
    size: int
    client_ms: float  # request sent → last byte read, on a new connection
    server_ms: float | None  # the Server-Timing "app" figure: inside Django, all middleware
    sql_ms: float | None
    queries: int | None
    cpu_ms: float | None  # the worker's CPU time for the request (Python, not waiting)


_METRIC = re.compile(r"(\w+);dur=([\d.]+)(?:;desc=\"(\d+)\")?")


def get(port: int, path: str, cookie: str) -> Timing:
    """One GET on its own connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        started = time.perf_counter()
        connection.request(
            "GET", path, headers={"Host": "localhost", "Cookie": cookie, "Connection": "close"}
        )
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    metrics = {
        name: (float(duration), desc)
        for name, duration, desc in _METRIC.findall(response.getheader("Server-Timing") or "")
    }
    app = metrics.get("app")
    sql = metrics.get("sql")
    return Timing(
        status=response.status,
        size=len(body),
        client_ms=elapsed * 1000,
        server_ms=app[0] if app else None,
        sql_ms=sql[0] if sql else None,
        queries=int(sql[1]) if sql and sql[1] else None,
        cpu_ms=metrics["cpu"][0] if "cpu" in metrics else None,
    )
