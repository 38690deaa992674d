"""What a stored result was computed from, as one hash: rescore skips results whose inputs are
unchanged.

A stored result is a pure function of (catalogue document, answers) and of the code that scores
and stores it, so the fingerprint hashes exactly these:

* ``RESULT_FORMAT``: the scoring version, the stored card's format (text walk and field schema),
  ``STORAGE_REVISION`` (raised by hand whenever what a result row stores changes without a new
  scoring version) and a digest of the source of the code that computes a result (``SOURCES``);
* the catalogue document's checksum (its canonical JSON, so a fixed document is noticed even when
  the YAML source stayed the same);
* the answers' digest (canonical JSON: key order does not matter, values do).

Every writer of a result computes it with ``result_fingerprint`` (``services.result_fields``), so
the same inputs give the same fingerprint everywhere. Pure Python, no Django; the only I/O is
reading ``SOURCES`` once at import.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from . import compact
from .engine import SCORING_VERSION

# Raise when a stored result's fields change for reasons the scoring version does not capture.
STORAGE_REVISION = 1
_APP = Path(__file__).resolve().parents[1]
# The code a stored result depends on. Any edit to it changes every fingerprint, so an engine fix
# that forgot to raise SCORING_VERSION is still recomputed by ``rescore --skip-unchanged``.
SOURCES = (
    *sorted((_APP / "scoring").glob("*.py")),
    _APP / "catalogue" / "conditions.py",
    _APP / "results" / "services.py",
)


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in SOURCES:
        try:
            digest.update(path.read_bytes())
        except OSError:  # installed without sources: the versions above still count
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


RESULT_FORMAT = (
    f"scoring {SCORING_VERSION}; card {compact.FORMAT} walk {compact.WALK} "
    f"schema {compact.CURRENT_SCHEMA}; storage {STORAGE_REVISION}; code {_sources_digest()}"
)

_checksums: dict[int, tuple[dict, str]] = {}
_lock = threading.Lock()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def document_checksum(document: dict) -> str:
    """SHA-256 of the document's canonical JSON, memoised per document object (documents are
    immutable by contract, as for the scoring index)."""
    entry = _checksums.get(id(document))
    if entry is not None and entry[0] is document:
        return entry[1]
    checksum = hashlib.sha256(_canonical(document)).hexdigest()
    with _lock:
        while len(_checksums) >= 64:
            _checksums.pop(next(iter(_checksums)))
        _checksums[id(document)] = (document, checksum)
    return checksum


_prefixes: dict[int, tuple[dict, str, Any]] = {}


def result_fingerprint(document: dict, answers: dict) -> str:
    """The fingerprint of the result of ``answers`` scored against ``document`` by this code."""
    # the hash of the parts that are the same for every result of a catalogue version is made
    # once per document and copied (RESULT_FORMAT is compared: a test may replace it)
    entry = _prefixes.get(id(document))
    if entry is None or entry[0] is not document or entry[1] is not RESULT_FORMAT:
        prefix = hashlib.sha256(RESULT_FORMAT.encode())
        prefix.update(b"\0")
        prefix.update(document_checksum(document).encode())
        prefix.update(b"\0")
        with _lock:
            while len(_prefixes) >= 64:
                _prefixes.pop(next(iter(_prefixes)))
            entry = _prefixes[id(document)] = (document, RESULT_FORMAT, prefix)
    digest = entry[2].copy()
    digest.update(_canonical(answers or {}))
    return digest.hexdigest()
