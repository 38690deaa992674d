"""Markdown for drafted documents: escaping client data into it, and turning it into HTML.

Templates are Markdown; every value that comes from a client (company name, use-case names and
purposes, training topics) is escaped by ``md`` in the context builder, so that a name such as
``*Müller* | Söhne`` stays text and cannot add a table column or a heading. The HTML is built by
the same Markdown and sanitiser setup as the news (raw HTML stays text, nh3 allow-list).
"""

from __future__ import annotations

import re

from news.markdown import markdown_to_html

_INLINE = re.compile(r"([\\`*_\[\]|{}])")
_LINE_START = re.compile(r"^(\s*)(?:([#+\-=>])|(\d+)([.)]))")


def md(value) -> str:
    """Client text as literal Markdown: special characters escaped, one line."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_start, text)


def _escape_start(match: re.Match) -> str:
    if match.group(2):
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


def to_html(markdown_text: str) -> str:
    return markdown_to_html(markdown_text)
