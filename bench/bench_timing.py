"""Bench only: a ``Server-Timing`` header with the time spent inside Django (every middleware,
the view, the template), the part of it spent waiting for SQL, and the worker's CPU time, so
the HTTP benchmarks can report server time apart from the client's socket work. Installed
first in ``bench_settings.MIDDLEWARE``; never deployed."""

from __future__ import annotations

import time

from django.db import connection


class _SQLTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timer = _SQLTimer()
        started = time.perf_counter()
        cpu_started = time.process_time()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        app_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        response["Server-Timing"] = (
            f'app;dur={app_ms:.2f}, sql;dur={timer.seconds * 1000:.2f};desc="{timer.count}", '
            f"cpu;dur={cpu_ms:.2f}"
        )
        return response
