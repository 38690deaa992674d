"""Catalogue texts: every text of a catalogue document is ``{"de": ..., "en": ...}`` (or a plain
string); ``tr`` picks the reader's language."""

from django.utils.translation import get_language


def tr(text: dict | str | None, language: str | None = None) -> str:
    """The text in the active language, falling back to German."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = (language or get_language() or "de")[:2]
    return text.get(language) or text.get("de") or next(iter(text.values()), "")
