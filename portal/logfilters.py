"""Logging filters named in ``LOGGING`` (settings); nothing here may import models."""

import logging


class NotHealthCheck(logging.Filter):
    """Keeps the request log of /healthz out of the ADMINS mail: a monitor polls it, and a 503
    there would mail once per poll. The health view logs the failing components itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return getattr(request, "path", None) != "/healthz"
