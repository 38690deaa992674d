"""Private report storage: a writability probe, atomic writes and the orphan listing.

A report file appears under its final name only by an atomic ``os.replace`` of a fully written,
fsynced temporary file (``reports/.<id>.<random>.part``), so nobody ever sees half a PDF, and the
sweep deletes unknown files only once they are older than ``REPORT_ORPHAN_GRACE_SECONDS``: a file
that a worker is just publishing can never be swept away between its rename and its row's commit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

DIRECTORY = "reports"
TEMP_PREFIX = "."


def report_storage() -> Storage:
    from ..models import Report

    return Report._meta.get_field("file").storage


def final_name(report_id) -> str:
    return f"{DIRECTORY}/{report_id}.pdf"


def _directory(storage: Storage) -> str:
    path = storage.path(DIRECTORY)
    os.makedirs(path, exist_ok=True)
    return path


def storage_probe(storage: Storage | None = None) -> None:
    """Raise ``OSError`` unless a report could be written right now.

    Writes, fsyncs and deletes a small file, and refuses when less than
    ``REPORT_MIN_FREE_BYTES`` are free, so a full disk is found before a whole PDF is rendered.
    """
    storage = storage or report_storage()
    directory = _directory(storage)
    probe = os.path.join(directory, f"{TEMP_PREFIX}probe-{uuid.uuid4().hex}")
    try:
        with open(probe, "wb") as handle:
            handle.write(b"probe")
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(probe)
    free = shutil.disk_usage(directory).free
    if free < settings.REPORT_MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"only {free} bytes free", directory)


def write_temporary(data: bytes, *, report_id, storage: Storage | None = None) -> str:
    """Write ``data`` to a new temporary file next to the final one; returns its path."""
    storage = storage or report_storage()
    directory = _directory(storage)
    path = os.path.join(directory, f"{TEMP_PREFIX}{report_id}.{uuid.uuid4().hex}.part")
    try:
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        discard(path)
        raise
    return path


def publish(temporary: str, *, report_id, storage: Storage | None = None) -> str:
    """Atomically move the temporary file to the report's final name; returns that name."""
    storage = storage or report_storage()
    name = final_name(report_id)
    os.replace(temporary, storage.path(name))
    return name


def discard(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def file_present(name: str, storage: Storage | None = None) -> bool:
    storage = storage or report_storage()
    try:
        return bool(name) and storage.exists(name)
    except OSError:
        return False


def orphans(*, known: set[str], storage: Storage | None = None) -> list[str]:
    """Names in ``reports/`` no row points to and older than the grace age (temporaries too)."""
    storage = storage or report_storage()
    if not storage.exists(DIRECTORY):
        return []
    oldest = time.time() - settings.REPORT_ORPHAN_GRACE_SECONDS
    found = []
    for filename in storage.listdir(DIRECTORY)[1]:
        name = f"{DIRECTORY}/{filename}"
        if name in known:
            continue
        try:
            modified = os.stat(storage.path(name)).st_mtime
        except FileNotFoundError:
            continue  # renamed or deleted meanwhile
        if modified < oldest:
            found.append(name)
    return found


def describe_os_error(error: OSError) -> str:
    """A sentence for the consultant and the log: what is wrong with the storage."""
    code = getattr(error, "errno", None)
    if code == errno.EROFS:
        return _("Der Berichtsspeicher ist schreibgeschützt.")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return _("Der Berichtsspeicher ist voll.")
    if code in (errno.EACCES, errno.EPERM):
        return _("Der Dienst hat keine Schreibrechte im Berichtsspeicher.")
    return _("Der Berichtsspeicher ist nicht erreichbar (%(error)s).") % {
        "error": os.strerror(code) if code else error.__class__.__name__
    }
