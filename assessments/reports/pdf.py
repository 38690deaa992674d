"""HTML to PDF with WeasyPrint, loading nothing but the project's own static files.

WeasyPrint's stock URL fetcher follows any URL: it would request http(s) resources from inside the
worker and read any ``file://`` path, and ``rel="attachment"`` links would copy those files into the
PDF. ``SafeURLFetcher`` (the WeasyPrint 70 fetcher API: a ``URLFetcher`` subclass with ``fetch``)
serves only regular files inside the static directory, resolved with ``os.path.realpath`` so that
``..`` and symlinks cannot leave it, and refuses everything else, including ``data:`` URLs.

Rendering runs in two phases: layout fetches stylesheets, fonts and images; then the fetcher is
closed before the PDF is written, which is the only phase that loads attachments. So an attachment
is refused wherever it points, even inside static, and nothing is ever embedded.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from . import hyphenation

PDF_VARIANT = "pdf/ua-1"

# The kinds of file a report may load, by extension of the resolved path.
CONTENT_TYPES = {
    ".css": "text/css",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_FILE_BYTES = 10 * 1024 * 1024

for _name in ("weasyprint", "fontTools"):
    # Both log every rendering step at INFO; settings.LOGGING says the same, this covers scripts.
    _logger = logging.getLogger(_name)
    if _logger.level < logging.WARNING:
        _logger.setLevel(logging.WARNING)


@dataclass(frozen=True)
class PdfResult:
    pdf: bytes
    pages: int
    fetched: tuple[str, ...]  # URLs served, as requested
    refused: tuple[str, ...]  # URLs refused, as requested


def static_dir() -> Path:
    """The project's static directory (``STATICFILES_DIRS[0]``), symlinks resolved."""
    entry = settings.STATICFILES_DIRS[0]
    if isinstance(entry, tuple | list):  # the ("prefix", path) form
        entry = entry[1]
    return Path(os.path.realpath(entry))


def static_url(path: str) -> str:
    """``file://`` URL of a file under the static directory, for report templates."""
    root = static_dir()
    real = os.path.realpath(root / path)
    if not _is_inside(real, root) or not os.path.isfile(real):
        raise ValueError(f"Not a file in the static directory: {path!r}")
    return path2url(real)


def static_base_url() -> str:
    return path2url(str(static_dir()) + os.sep)


def _is_inside(real: str, root: Path) -> bool:
    return real != str(root) and os.path.commonpath([real, str(root)]) == str(root)


def _refuse(url: str, reason: str) -> ValueError:
    return ValueError(f"Refused to fetch {url[:200]!r}: {reason}")


def _fetch_static(url: str, root: Path) -> URLFetcherResponse:
    """The response for ``url`` if it names an allowed file under ``root``; else ValueError."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise _refuse(url, "malformed URL") from error
    if parts.scheme.lower() != "file":
        raise _refuse(url, "only files from the static directory are loaded")
    if parts.netloc not in ("", "localhost"):
        raise _refuse(url, "file URL on another host")
    try:
        real = os.path.realpath(url2pathname(parts.path))
    except ValueError as error:  # e.g. an encoded NUL byte
        raise _refuse(url, "malformed path") from error
    if not _is_inside(real, root):
        raise _refuse(url, "outside the static directory")
    content_type = CONTENT_TYPES.get(os.path.splitext(real)[1].lower())
    if content_type is None:
        raise _refuse(url, "not a stylesheet, font or image")
    if not os.path.isfile(real):
        raise _refuse(url, "no such file")
    if os.path.getsize(real) > MAX_FILE_BYTES:
        raise _refuse(url, "file too large")
    with open(real, "rb") as file:
        body = file.read()
    # Relative URLs inside (fonts in a stylesheet) resolve from where the file really is.
    return URLFetcherResponse(path2url(real), body, {"Content-Type": content_type})


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context=None, **kwargs) -> URLFetcherResponse:
    """The fetch policy on its own: the response for an allowed static file, else ValueError.

    Kept with WeasyPrint's old fetcher signature; rendering uses ``SafeURLFetcher``.
    """
    return _fetch_static(url, static_dir())


class SafeURLFetcher(URLFetcher):
    """WeasyPrint fetcher that serves files from the static directory and nothing else.

    Remembers what it served and refused; ``lock`` makes it refuse every later request.
    """

    def __init__(self, *, root: Path | None = None, timeout: int = 10, **kwargs) -> None:
        # The inherited opener is never used: fetch() below reads the files itself.
        super().__init__(timeout=timeout, allowed_protocols=("file",), allow_redirects=False)
        self.root = root if root is not None else static_dir()
        self.fetched: list[str] = []
        self.refused: list[str] = []
        self._closed_reason: str | None = None

    def lock(self, reason: str) -> None:
        self._closed_reason = reason

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            if self._closed_reason is not None:
                raise _refuse(url, self._closed_reason)
            response = _fetch_static(url, self.root)
        except ValueError:
            self.refused.append(url)
            raise
        self.fetched.append(url)
        return response


def html_to_pdf(html: str, *, base_url: str | None = None) -> PdfResult:
    """Render ``html`` to a tagged PDF/UA-1 document.

    Relative URLs resolve against the static directory by default. PDF/UA-1 gives the structure
    tree in reading order (headings, lists, tables with header cells, figures with the SVG's
    ``<title>`` or the image's ``alt`` as alternative text), the language, XMP metadata and the
    document title shown instead of the file name (``DisplayDocTitle``).
    """
    hyphenation.install()
    fetcher = SafeURLFetcher()
    document = HTML(
        string=html, base_url=base_url or static_base_url(), url_fetcher=fetcher
    ).render()
    fetcher.lock("attachments are never embedded")
    pdf = document.write_pdf(attachments=[], pdf_variant=PDF_VARIANT)
    return PdfResult(
        pdf=pdf,
        pages=len(document.pages),
        fetched=tuple(fetcher.fetched),
        refused=tuple(fetcher.refused),
    )


# Everything a report uses once: the report stylesheet with its four font faces, German
# hyphenation, a table, an inline SVG with text.
WARM_UP_HTML = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Vorbereitung</title>
<link rel="stylesheet" href="css/report.css"><style>html { --brand: #0b5c7a; }</style>
</head><body>
<section class="chapter"><h1>Vorbereitung</h1>
<p>Datenschutz-Folgenabschätzung, Auftragsverarbeitungsvertrag und Anbieterabhängigkeit:
<strong>fett</strong>, <em>kursiv</em>, <span class="level">halbfett</span>.</p>
<table class="data"><thead><tr><th scope="col">Frage</th>
<th scope="col" class="num">Punkte</th></tr></thead>
<tbody><tr><td>Gibt es einen getesteten Ausweichanbieter?</td><td class="num">3 von 4</td></tr>
</tbody></table>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 20" width="60" height="20">
<title>Radar</title><rect width="60" height="20" fill="#0b5c7a"/>
<text x="4" y="14" font-size="10">Radar</text></svg>
</section></body></html>"""


def warm_up() -> float:
    """Render a small document once; returns the seconds it took.

    The first render in a process loads fonts, the hyphenation dictionary and the layout
    engine's caches, and costs about twice a warm one. The worker calls this in its main process
    before it forks the pool (``portal.celery``), so every pool process, including one started
    to replace a killed one, begins warm. It starts no thread, so forking afterwards is safe.
    """
    started = time.monotonic()
    html_to_pdf(WARM_UP_HTML)
    return time.monotonic() - started
