"""Settings for the gunicorn the HTTP benchmarks start: the portal's own, plus the baseline views
(``bench_urls``) and a Server-Timing header (``bench_timing``)."""

from portal.settings import *  # noqa: F403
from portal.settings import MIDDLEWARE

ROOT_URLCONF = "bench_urls"
MIDDLEWARE = ["bench_timing.ServerTimingMiddleware", *MIDDLEWARE]
