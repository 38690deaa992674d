"""Settings for the gunicorn the autosave benchmark starts: the portal's own, plus a bare view."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
