"""Real gunicorn processes of the portal against the test database, for tests that need more
than the test client: several processes sharing a cache, a body the server reads from a socket.

Use with ``@pytest.mark.django_db(transaction=True)`` so the servers see the test's data.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from bench.server import free_port

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database as a DATABASE_URL for a server process."""
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{db['NAME']}"
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += ":" + db["PASSWORD"]
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


class Server:
    """One gunicorn (one worker: one process) of the portal on a free port of 127.0.0.1."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz?only=database")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn on port {self.port} did not start")

    def request(self, method: str, path: str, body: str = "", headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read().decode()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
