"""A real Celery worker process, started here, against the Redis on 127.0.0.1."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(redis_url):
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "--hostname=pytest-ping@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


@pytest.mark.worker
def test_real_worker_runs_a_task_and_returns_its_result(worker, redis_url, monkeypatch):
    # Celery prefers the CELERY_BROKER_URL environment variable over the broker argument.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    client = Celery("pytest-client", broker=redis_url, backend=redis_url)
    client.conf.task_serializer = "json"
    client.conf.accept_content = ["json"]

    result = client.send_task("portal.ping", args=["Grüße vom Bodensee"])

    try:
        assert result.get(timeout=60) == "Grüße vom Bodensee"
    except Exception:
        worker.terminate()
        output = worker.stdout.read()
        pytest.fail(f"worker did not answer: {output[-3000:]}")
    finally:
        client.close()
