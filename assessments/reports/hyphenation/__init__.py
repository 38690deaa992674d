"""Hyphenation for the PDF report: correct German patterns, and names that are never split.

WeasyPrint hyphenates with pyphen, whose German dictionary (LibreOffice's ``hyph_de_DE``) is
written for libhyphen's two-level "COMPOUND" format; pyphen reads both levels as one, which
splits "Rechts-s-tand" and "Über-g-angs-zeit". The report uses the TeX patterns of the German
Trennmuster project instead (``hyph-de-1996.pat.txt``, MIT licence), which get compounds right.

Names ("OpenAI", "Microsoft", "Copilot", …) are never split in any language: a pattern with an
even weight between every two letters of the whole word forbids every break in it (weights of
the German patterns go up to 8, which such a pattern matches). Company and person names from the
data are not hyphenated at all (``.name`` in the report stylesheet); only running text is.

``install()`` writes the combined dictionaries once per process into a temporary folder and
points pyphen's language table, which WeasyPrint reads, at them.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

import pyphen

HERE = Path(__file__).resolve().parent
GERMAN_PATTERNS = HERE / "hyph-de-1996.pat.txt"

# Product and company names in the catalogue's running text that a dictionary would split.
NAMES = (
    "Aleph",
    "Alpha",
    "Amazon",
    "Anthropic",
    "Azure",
    "Bedrock",
    "ChatGPT",
    "Claude",
    "Cohere",
    "Copilot",
    "DeepL",
    "DeepSeek",
    "Gemini",
    "GitHub",
    "Google",
    "IONOS",
    "LinkedIn",
    "Llama",
    "Microsoft",
    "Mistral",
    "OpenAI",
    "Outlook",
    "Perplexity",
    "PowerPoint",
    "SharePoint",
    "STACKIT",
    "Teams",
    "Tenant",
    "Tenants",
    "Word",
    "Excel",
)

_lock = threading.Lock()
_installed: dict[str, Path] = {}


def no_break_pattern(word: str) -> str:
    """``.m8i8c8r8o8s8o8f8t.``: no break anywhere in the word, whatever other patterns say."""
    return "." + "8".join(word.lower()) + "."


def _dictionary_text(base_patterns: list[str]) -> str:
    lines = ["UTF-8", *base_patterns, *(no_break_pattern(name) for name in NAMES)]
    return "\n".join(lines) + "\n"


def _patterns_from(path: Path, encoding: str | None = None) -> list[str]:
    """The pattern lines of a ``.pat.txt`` or hunspell ``.dic`` file (comments, header out)."""
    raw = path.read_bytes()
    if encoding is None:
        first = raw.split(b"\n", 1)[0].decode("ascii", "replace").strip()
        encoding = "utf-8" if path.suffix == ".txt" else (first or "utf-8")
    lines = raw.decode(encoding).split("\n")
    if path.suffix == ".dic":
        lines = lines[1:]  # the encoding line
    skip = ("%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUND", "NEXTLEVEL")
    return [line.strip() for line in lines if line.strip() and not line.startswith(skip)]


def _write(name: str, text: str) -> Path:
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "ki-portal-hyphenation"
    folder.mkdir(exist_ok=True)
    path = folder / f"hyph_{name}_{digest}.dic"
    if not path.exists():
        partial = path.with_suffix(f".{threading.get_ident()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return path


def install() -> dict[str, Path]:
    """Point pyphen's German and English entries at the report's dictionaries (idempotent)."""
    with _lock:
        if _installed:
            return dict(_installed)
        german = _write("de", _dictionary_text(_patterns_from(GERMAN_PATTERNS)))
        english_base = Path(pyphen.LANGUAGES["en_US"])
        english = _write("en", _dictionary_text(_patterns_from(english_base)))
        for code in [c for c in pyphen.LANGUAGES if c == "de" or c.startswith("de_")]:
            pyphen.LANGUAGES[code] = german
            _installed[code] = german
        for code in [c for c in pyphen.LANGUAGES if c == "en" or c.startswith("en_")]:
            pyphen.LANGUAGES[code] = english
            _installed[code] = english
        return dict(_installed)
