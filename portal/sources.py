"""Keys of rendered parts kept in the shared cache: a digest of the code, templates and
translations that turn data into markup (any edit to one of them, a new translation or another
Django version with its date formats changes every key, so a deploy never serves markup of the
code before it; read once per process), and the key of a part from exactly its inputs."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings


@functools.cache
def sources_digest(paths: tuple[Path, ...]) -> str:
    """A hash of the files ``paths``, the compiled translations and Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    translations = sorted(
        path for locale in settings.LOCALE_PATHS for path in Path(locale).glob("*/LC_MESSAGES/*.mo")
    )
    for path in (*paths, *translations):
        digest.update(str(path.name).encode())
        with contextlib.suppress(OSError):  # installed without sources: the rest still counts
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def content_key(prefix: str, *inputs) -> str:
    """The cache key of what ``inputs`` (plain values: their ``repr`` is hashed) render to."""
    return f"{prefix}:" + hashlib.sha256(repr(inputs).encode()).hexdigest()[:40]
