"""7. Autosave under load: 50 clients save answers at once against gunicorn (2 workers).

Each client is a member of its own company with its own draft and a session. A client saves
``saves`` answers one after the other (as a person clicking through a section: every save waits
for the answer before the next); all clients run at once. The baseline is a bare POST: the same
request (session, CSRF token, a form body) to a bare Django view behind the same middleware, in
the same gunicorn, with the same 50 clients, in the same run (a bare GET is shown beside it).
Each save posts the version its page would show, as the wizard does. The queries per save come
from the Server-Timing header (statements run; the transaction's COMMIT comes on top).
Afterwards every acknowledged save (200) is checked against the database: the last acknowledged
value of each question must be the stored one. Requests go only to 127.0.0.1, and every loop is
bounded (clients × saves requests, each with a timeout).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse
from sections import Figure, Section
from server import HOST, free_port, server_start, server_stop, session_for

from assessments import services
from assessments.models import Answer
from portal.models import Industry, Membership, Organization, SizeBand, User

REQUEST_TIMEOUT = 30.0


def _saveable_questions(document: dict) -> list[dict]:
    """Choice questions of the first sections that are always shown (a person's first clicks)."""
    questions = []
    for section in document["sections"]:
        for question in section["questions"]:
            if question["type"] == "single_choice" and not question.get("show_if"):
                questions.append(question)
    return questions


def _clients_create(version, count: int) -> list[dict]:
    clients = []
    for number in range(count):
        user = User.objects.create_user(
            email=f"autosave-{number}@bench.example", password=None, first_name=f"Nr. {number}"
        )
        organization = Organization.objects.create(
            name=f"Autosave {number} GmbH", industry=Industry.CRAFT, size_band=SizeBand.SMALL
        )
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
        assessment = services.assessment_start(
            organization=organization, user=user, copy_previous=False
        ).assessment
        assert assessment.questionnaire_id == version.pk
        clients.append(
            {
                "assessment": assessment,
                "session": session_for(user),
                "csrf": _get_new_csrf_string(),
                "offset": number,
            }
        )
    return clients


_QUERIES = re.compile(rb'sql;dur=[\d.]+;desc="(\d+)"')
_CPU = re.compile(rb"cpu;dur=([\d.]+)")


async def _request(port: int, method: str, path: str, cookie: str, headers=None, body=b""):
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close each one);
    the status, (SQL statements the server ran for it, its CPU milliseconds) and the body."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: localhost",
            "Connection: close",
            f"Cookie: {cookie}",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    head, _blank, body = data.partition(b"\r\n\r\n")
    queries, cpu = _QUERIES.search(head), _CPU.search(head)
    server = (int(queries.group(1)) if queries else None, float(cpu.group(1)) if cpu else None)
    return int(data.split(b" ", 2)[1]), server, body


async def _run_clients(port: int, clients: list[dict], plan) -> tuple[list, list, float]:
    """Run every client's requests (``plan(client, i)`` → request arguments) at once; the
    outcomes are (status, record, queries) in completion order."""
    latencies: list[float] = []
    outcomes: list[tuple] = []

    async def one_client(client: dict) -> None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client['session']}; csrftoken={client['csrf']}"
        for index in range(client["requests"]):
            method, path, body, record = plan(client, index)
            headers = {}
            if method == "POST":
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": client["csrf"],
                    "HX-Request": "true",
                }
            started = time.perf_counter()
            try:
                status, server, answer = await asyncio.wait_for(
                    _request(port, method, path, cookie, headers, body), REQUEST_TIMEOUT
                )
            except (OSError, TimeoutError, ValueError, IndexError):
                status, server, answer = 0, (None, None), b""
            latencies.append(time.perf_counter() - started)
            outcomes.append((status, record, server))
            if record is not None and status == 200:
                # the new version, as the page gets it out of band with the saved status
                found = re.search(rb'__version" value="(\d+)"', answer)
                if found:
                    client["versions"][record[1]] = int(found.group(1))

    started = time.perf_counter()
    await asyncio.gather(*(one_client(client) for client in clients))
    return latencies, outcomes, time.perf_counter() - started


def _versions_next(client: dict, key: str) -> tuple:
    """(assessment id, key, the version the page shows) for the next save of ``key``."""
    return client["assessment"].pk, key, client["versions"].get(key, 0)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_autosave(
    fixture, *, clients: int = 50, saves: int = 20, workers: int = 2, logdir: Path
) -> Section:
    from django.db import connection

    section = Section(f"7. Autosave: {clients} clients at once, gunicorn with {workers} workers")
    if connection.vendor != "postgresql":
        section.notes.append("SQLite: one writer at a time; run with --pg for the real figure")
    version = fixture.questionnaire
    questions = _saveable_questions(fixture.document)
    people = _clients_create(version, clients)
    for client in people:
        client["requests"] = saves
        client["versions"] = {}
    port = free_port()
    server = server_start(port, workers, logdir / "gunicorn-autosave.log")
    try:
        bare_path = "/__bench__/bare/"

        def bare_plan(client, index):
            return "GET", bare_path, b"", None

        def save_body(client, key, value) -> bytes:
            return urlencode(
                {
                    "questionnaire_version": version.pk,
                    f"{key}__present": "1",
                    f"{key}__version": client["versions"].get(key, 0),
                    key: value,
                }
            ).encode()

        def bare_post_plan(client, index):
            question = questions[(index + client["offset"]) % len(questions)]
            body = save_body(client, question["key"], question["options"][0]["key"])
            return "POST", bare_path, body, None

        def save_plan(client, index):
            question = questions[(index + client["offset"]) % len(questions)]
            options = [option["key"] for option in question["options"]]
            value = options[(index // len(questions) + index) % len(options)]
            key = question["key"]
            path = reverse("answer_save", args=[client["assessment"].pk, key])
            # the version the page shows: what the last acknowledged save of it returned
            expected = _versions_next(client, key)
            return "POST", path, save_body(client, key, value), (*expected, value)

        # warm-up: both workers load the catalogue and open their database connection
        warm = [dict(p, requests=2, versions={}) for p in people[: workers * 2]]
        asyncio.run(_run_clients(port, warm, bare_plan))
        asyncio.run(_run_clients(port, warm, bare_post_plan))
        asyncio.run(_run_clients(port, warm, save_plan))
        Answer.objects.filter(assessment__in=[p["assessment"] for p in people]).delete()

        bare_latencies, bare_outcomes, bare_seconds = asyncio.run(
            _run_clients(port, people, bare_plan)
        )
        post_latencies, post_outcomes, post_seconds = asyncio.run(
            _run_clients(port, people, bare_post_plan)
        )
        save_latencies, save_outcomes, save_seconds = asyncio.run(
            _run_clients(port, people, save_plan)
        )
    finally:
        server_stop(server)

    bare_errors = sum(1 for status, *_ in [*bare_outcomes, *post_outcomes] if status != 200)
    acknowledged = [record for status, record, _ in save_outcomes if status == 200]
    save_errors = len(save_outcomes) - len(acknowledged)
    queries = [server[0] for status, _, server in save_outcomes if status == 200 and server[0]]
    save_cpu = [server[1] for status, _, server in save_outcomes if status == 200 and server[1]]
    bare_cpu = [server[1] for status, _, server in post_outcomes if status == 200 and server[1]]
    # outcomes are appended in completion order; one client's saves are sequential, so the last
    # acknowledged value per (assessment, question) is the one that must be stored
    expected = {}
    for assessment_id, key, _version, value in acknowledged:
        expected[(assessment_id, key)] = value
    stored = {
        (row.assessment_id, row.question_key): row.value
        for row in Answer.objects.filter(assessment__in=[p["assessment"] for p in people])
    }
    lost = sum(1 for slot, value in expected.items() if stored.get(slot) != value)

    get_rate = len(bare_outcomes) / bare_seconds
    bare_rate = len(post_outcomes) / post_seconds
    save_rate = len(acknowledged) / save_seconds
    bare_p95 = _percentile(post_latencies, 0.95) * 1000
    save_p95 = _percentile(save_latencies, 0.95) * 1000
    save_median = statistics.median(save_latencies) * 1000
    bare_median = statistics.median(post_latencies) * 1000
    per_save = statistics.median(queries) if queries else None
    cpu_ratio = (
        f"{statistics.median(save_cpu):.1f} ms vs {statistics.median(bare_cpu):.1f} ms bare "
        f"({statistics.median(save_cpu) / statistics.median(bare_cpu):.1f}×)"
        if save_cpu and bare_cpu
        else "n/a"
    )
    section.figures += [
        Figure(
            "saves per second",
            f"{save_rate:.0f}/s",
            f"{bare_rate:.0f}/s bare POST ({get_rate:.0f}/s bare GET)",
            f"bare {bare_rate / save_rate:.1f}× faster",
            target="≤ 5×",
            met=bare_rate / save_rate <= 5,
        ),
        Figure(
            "save latency p95",
            f"{save_p95:.0f} ms",
            f"{bare_p95:.0f} ms bare POST",
            f"{save_p95 / bare_p95:.1f}×",
        ),
        Figure(
            "save latency median",
            f"{save_median:.0f} ms",
            f"{bare_median:.0f} ms bare POST",
            f"{save_median / bare_median:.1f}×",
        ),
        Figure(
            "server CPU per request (median)",
            f"{statistics.median(save_cpu):.1f} ms" if save_cpu else "n/a",
            f"{statistics.median(bare_cpu):.1f} ms bare POST" if bare_cpu else "n/a",
            f"{statistics.median(save_cpu) / statistics.median(bare_cpu):.1f}×"
            if save_cpu and bare_cpu
            else "",
        ),
        Figure(
            "SQL statements per save (median)",
            f"{per_save}" if per_save is not None else "n/a",
            "plus the transaction's COMMIT",
        ),
        Figure(
            "errors",
            f"{save_errors} of {len(save_outcomes)} saves",
            f"{bare_errors} of {len(bare_outcomes)} bare",
            target="0",
            met=save_errors == 0,
        ),
        Figure(
            "acknowledged answers stored",
            f"{len(expected) - lost} of {len(expected)} (lost {lost})",
            target="none lost",
            met=lost == 0,
        ),
    ]
    section.notes.append(
        f"{clients} clients × {saves} saves (each with progress and section list out of band); "
        "the load generator runs on the same cores as gunicorn and the database"
    )
    section.summary.append(
        f"Autosave, {clients} clients at once, gunicorn {workers} workers, {connection.vendor}: "
        f"{save_rate:.0f} saves/s vs {bare_rate:.0f} requests/s for a bare POST "
        f"(bare {bare_rate / save_rate:.1f}× faster; bare GET {get_rate:.0f}/s); p95 "
        f"{save_p95:.0f} ms vs {bare_p95:.0f} ms ({save_p95 / bare_p95:.1f}×); median "
        f"{save_median:.0f} ms; server CPU per request {cpu_ratio}; {per_save} SQL statements "
        f"per save plus COMMIT; errors "
        f"{save_errors}; acknowledged answers lost: {lost} of {len(expected)}"
    )
    return section
