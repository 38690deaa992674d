"""What a stored result was computed with, as one short hash (``Result.computed_with``): rescore
recomputes only results whose stamp differs from the one their catalogue version gives now.

A stored result is a pure function of (catalogue document, answers) and of the code that scores
and stores it. The answers of a submitted assessment are frozen, so the stamp hashes the rest:

* ``RESULT_FORMAT``: the scoring version, ``STORAGE_REVISION`` (raised by hand whenever what a
  result row stores changes without a new scoring version) and a digest of the source of the
  code that computes a result (``SOURCES``);
* the catalogue document's checksum (its canonical JSON, so a fixed document is noticed even when
  the YAML source stayed the same).

Every writer of a result stores it through ``results.services.result_fields``, so the same catalogue
version and code give the same stamp everywhere. Pure Python, no Django; the only I/O is
reading ``SOURCES`` once at import.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from .engine import SCORING_VERSION

# Raise when a stored result's fields change for reasons the scoring version does not capture.
# 2: the lock-in dimension's top drivers (Result.lock_in_drivers); 3: no stored card (decision
# 0047: the card is scored from the answers when a page needs it).
STORAGE_REVISION = 3
_APP = Path(__file__).resolve().parents[1]
# The code a stored result depends on. Any edit to it changes every stamp, so an engine fix that
# forgot to raise SCORING_VERSION is still recomputed by a plain ``rescore``.
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


RESULT_FORMAT = f"scoring {SCORING_VERSION}; storage {STORAGE_REVISION}; code {_sources_digest()}"

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


_stamps: dict[int, tuple[dict, str, str]] = {}


def result_stamp(document: dict) -> str:
    """What a result scored against ``document`` by this code was computed with: a hash of
    ``RESULT_FORMAT`` and the document's checksum, stored as ``Result.computed_with``.

    Answers are not part of it: a result belongs to a submitted assessment, whose answers are
    frozen (tests/results/test_rescore.py pins that no code path reopens one). So a stored result
    whose stamp equals the one its catalogue version gives now is up to date unless someone
    edited the row by hand (``rescore --all`` repairs that). Memoised per document object
    (``RESULT_FORMAT`` is compared: a test may replace it).
    """
    entry = _stamps.get(id(document))
    if entry is None or entry[0] is not document or entry[1] is not RESULT_FORMAT:
        digest = hashlib.sha256(RESULT_FORMAT.encode())
        digest.update(b"\0")
        digest.update(document_checksum(document).encode())
        with _lock:
            while len(_stamps) >= 64:
                _stamps.pop(next(iter(_stamps)))
            entry = _stamps[id(document)] = (document, RESULT_FORMAT, digest.hexdigest()[:32])
    return entry[2]
