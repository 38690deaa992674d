"""Draft a document: render the consultancy's Markdown template for one assessment.

Templates live in ``templates/assessments/documents/<language>/<kind>.md``. They are Django
templates rendered without HTML autoescaping (the output is Markdown, not HTML; client values
come escaped for Markdown from ``context.document_context``). A template cites catalogue facts
with ``{% fact "key" %}`` (the fact's text and a reference number) or ``{% cite "key" %}`` (the
number only) and lists them with ``{% cited_facts as facts %}``; the oldest "as of" among the
cited facts is the document's legal state.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from ..catalogue.text import tr
from .context import document_context
from .markup import md

logger = logging.getLogger(__name__)
CITATIONS = "_citations"


def template_name(kind: str, language: str) -> str:
    return f"assessments/documents/{language}/{kind}.md"


class Citations:
    """The facts a rendering cites, numbered in order of first citation."""

    def __init__(self, facts: list[dict]) -> None:
        self.known = {fact["key"]: fact for fact in facts}
        self.order: list[str] = []

    def cite(self, key: str) -> int | None:
        if key not in self.known:
            logger.warning("Document template cites unknown catalogue fact %r", key)
            return None
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def text(self, key: str) -> str:
        return md(tr(self.known[key]["text"])) if key in self.known else ""

    def entries(self) -> list[dict]:
        return [
            {
                "number": number,
                "key": key,
                "text": tr(self.known[key]["text"]),
                "source": self.known[key]["source"],
                "as_of": date.fromisoformat(str(self.known[key]["as_of"])),
            }
            for number, key in enumerate(self.order, start=1)
        ]


@dataclass(frozen=True)
class Draft:
    body: str
    facts: list[dict]
    legal_state: date | None


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def draft(*, assessment, kind: str, language: str) -> Draft:
    """The Markdown text of ``kind`` for ``assessment`` in ``language``."""
    document = assessment.questionnaire.document
    citations = Citations(list(document.get("facts", ())))
    with translation.override(language):
        context = document_context(assessment=assessment, language=language)
        context[CITATIONS] = citations
        template = get_template(template_name(kind, language)).template
        body = _tidy(template.render(Context(context, autoescape=False)))
        facts = [{**entry, "as_of": str(entry["as_of"])} for entry in citations.entries()]
    dates = [date.fromisoformat(f["as_of"]) for f in facts]
    return Draft(body=body, facts=facts, legal_state=min(dates) if dates else None)
