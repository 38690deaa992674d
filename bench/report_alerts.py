"""Admin alerts in a burst of healthy reports: a real worker, beat, Redis and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<yours> \\
        .venv/bin/python bench/report_alerts.py [--n 100] [--alert-seconds 20]

N reports are requested at once for one assessment; nothing is broken. The queue takes far longer
than ``--alert-seconds`` (``REPORT_ALERT_SECONDS``) to drain, so many reports wait longer than
that. Beat runs the housekeeping (which sends the alerts) every 5 s. Printed: the alert e-mails
the admins got (file-based mail backend, every process), the reports they named, and how many
reports waited longer than the threshold, which an alert by age alone would have named. The
database named in DATABASE_URL is migrated and gets bench rows; use one of your own.
"""

from __future__ import annotations

import argparse
import atexit
import email
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN = "betrieb@beratung.example"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--alert-seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--window", type=float, default=900)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="report-alerts-"))
    mails = base / "mail"
    settings_env = {
        "REPORT_ALERT_SECONDS": str(args.alert_seconds),
        "REPORT_HOUSEKEEPING_SECONDS": "5",
        "ADMINS": ADMIN,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mails),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(settings_env)

    from bench import report_faults

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report_faults.setup_django(f"redis://127.0.0.1:{port}/0")
    from tests.reports.worker_harness import RedisServer

    redis = RedisServer(shutil.which("redis-server"), base / "redis")
    redis.port = port
    redis.start()
    atexit.register(redis.stop)
    from django.db import connection
    from django.utils import timezone

    from assessments.models import Report

    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    stack = report_faults.Stack(redis, env, concurrency=args.concurrency)
    atexit.register(stack.stop)
    consultant, submitted = report_faults.fixtures()
    assessment = submitted("Bench Ansturm GmbH")
    stack.start_worker()
    stack.start_beat()
    load = os.getloadavg()
    started = time.monotonic()
    ids = report_faults.request(assessment, consultant, args.n)
    report_faults.wait_done(ids, args.window, stack)
    drained = time.monotonic() - started
    time.sleep(12)  # two more housekeeping runs after the last report
    stack.stop()
    connection.close()

    reports = list(Report.objects.filter(pk__in=ids))
    waited_long = [
        r
        for r in reports
        if r.finished_at
        and (r.finished_at - r.cycle_started_at).total_seconds() > args.alert_seconds
    ]
    messages = []  # to the admins only (the consultant gets a "report ready" mail per report)
    for path in sorted(mails.glob("*")) if mails.exists() else []:
        raw = path.read_text(errors="replace")
        for part in raw.split("-" * 79):
            message = email.message_from_string(part.strip())
            if ADMIN in (message["To"] or ""):
                messages.append(message)
    named = {str(r.pk) for r in reports if any(str(r.pk) in m.as_string() for m in messages)}
    states = {s: sum(1 for r in reports if r.status == s) for s in ("ready", "failed", "queued")}
    print(f"load average (1, 5, 15 min) at start: {' '.join(f'{v:.2f}' for v in load)}")
    print(
        f"{args.n} reports, {states}, drained in {drained:.1f} s, REPORT_ALERT_SECONDS="
        f"{args.alert_seconds}, housekeeping every 5 s, {args.concurrency} pool processes"
    )
    print(
        f"reports that waited longer than the threshold (age alone would alert): {len(waited_long)}"
    )
    print(f"alert e-mails sent: {len(messages)}, reports named in them: {len(named)}")
    print(f"finished at {timezone.now():%H:%M:%S}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
