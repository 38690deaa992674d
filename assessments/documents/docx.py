"""A document version as a Word file (python-docx), for the client to adapt.

The Markdown is turned into HTML by the same code as on screen and in the PDF, and that small,
sanitised HTML (headings, paragraphs, lists, tables, bold, italic, code, links) is written into
Word's own styles, so the client edits a normal Word document: real headings (navigation pane),
real tables with a repeated header row, page numbers in the footer, German or English as the
proofing language. Ordered lists carry their numbers as text: Word's list numbering would run on
from one list into the next.
"""

from __future__ import annotations

import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import html as lxml_html

from .markup import to_html

LANGUAGE_TAGS = {"de": "de-DE", "en": "en-GB"}
HEADING_LEVELS = {"h1": 1, "h2": 1, "h3": 2, "h4": 3}


def _set_language(document, language: str) -> None:
    tag = LANGUAGE_TAGS.get(language, language)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        rpr = document.styles[name].element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the word processor fills in."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)
        if kind == "separate":
            placeholder = OxmlElement("w:t")
            placeholder.text = "1"
            run._r.append(placeholder)


def _page_setup(document, *, landscape: bool, header_text: str, footer_text: str) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = header_text
    header.runs[0].font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.add_run(footer_text + " · " + _("Seite") + " ").font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run(" " + _("von") + " ").font.size = Pt(8)
    _field(footer, "NUMPAGES")


def _inline(paragraph, element, *, bold=False, italic=False, code=False) -> None:
    """Runs for the text and inline children of ``element``."""

    def add(text: str) -> None:
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if code:
            run.font.name = "Consolas"

    add(element.text or "")
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        elif tag in ("strong", "b"):
            _inline(paragraph, child, bold=True, italic=italic, code=code)
        elif tag in ("em", "i"):
            _inline(paragraph, child, bold=bold, italic=True, code=code)
        elif tag == "code":
            _inline(paragraph, child, bold=bold, italic=italic, code=True)
        elif tag == "a":
            _inline(paragraph, child, bold=bold, italic=italic, code=code)
            href = child.get("href", "")
            if href and href != child.text_content():
                add(f" ({href})")
        elif tag in ("ul", "ol"):
            continue  # nested lists are written after their item's text
        else:
            _inline(paragraph, child, bold=bold, italic=italic, code=code)
        add(child.tail or "")


def _list(document, element, *, depth: int = 0) -> None:
    ordered = element.tag == "ol"
    for number, item in enumerate(element.findall("li"), start=1):
        style = "List Bullet" if not ordered else "List"
        if not ordered and depth:
            style = "List Bullet 2"
        paragraph = document.add_paragraph(style=style)
        if ordered:
            paragraph.paragraph_format.left_indent = Cm(0.75 + depth * 0.75)
            paragraph.paragraph_format.first_line_indent = Cm(-0.75)
            paragraph.add_run(f"{number}.\t")
        blocks = [c for c in item if isinstance(c.tag, str) and c.tag == "p"]
        if blocks:  # a "loose" list: its text sits in paragraphs
            for block in blocks:
                _inline(paragraph, block)
                if block is not blocks[-1]:
                    paragraph.add_run().add_break(WD_BREAK.LINE)
        else:
            _inline(paragraph, item)
        for nested in item:
            if isinstance(nested.tag, str) and nested.tag in ("ul", "ol"):
                _list(document, nested, depth=depth + 1)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, element) -> None:
    rows = element.findall(".//tr")
    if not rows:
        return
    columns = max(len(row.findall("th")) + len(row.findall("td")) for row in rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for index, row in enumerate(rows):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
        word_row = table.add_row()
        is_header = all(c.tag == "th" for c in cells)
        if is_header and index == 0:
            _repeat_header(word_row)
        for position, cell in enumerate(cells):
            paragraph = word_row.cells[position].paragraphs[0]
            _inline(paragraph, cell, bold=is_header)
            for run in paragraph.runs:
                run.font.size = Pt(9)
    document.add_paragraph()


def _blocks(document, root) -> None:
    for element in root:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in HEADING_LEVELS:
            document.add_heading(element.text_content().strip(), level=HEADING_LEVELS[tag])
        elif tag == "p":
            _inline(document.add_paragraph(), element)
        elif tag in ("ul", "ol"):
            _list(document, element)
        elif tag == "table":
            _table(document, element)
        elif tag == "blockquote":
            for child in element:
                paragraph = document.add_paragraph(style="Quote")
                _inline(paragraph, child)
        elif tag == "pre":
            paragraph = document.add_paragraph()
            _inline(paragraph, element, code=True)
        elif tag == "hr":
            document.add_paragraph()


def version_docx(version, *, organization_name: str, consultancy_name: str) -> bytes:
    """The Word file of ``version`` (a ``DocumentVersion``) in its document's language."""
    document_row = version.document
    language = document_row.language
    with translation.override(language):
        kind_label = document_row.get_kind_display()
        word = WordDocument()
        _set_language(word, language)
        properties = word.core_properties
        properties.title = f"{kind_label} – {organization_name}"
        properties.subject = str(kind_label)
        properties.author = consultancy_name
        properties.language = LANGUAGE_TAGS.get(language, language)
        properties.revision = version.number
        legal_state = (
            formats.date_format(version.legal_state, "SHORT_DATE_FORMAT")
            if version.legal_state
            else "–"
        )
        _page_setup(
            word,
            landscape=kind_is_landscape(document_row.kind),
            header_text=f"{organization_name} · {kind_label}",
            footer_text=_("Fassung %(number)s · Rechtsstand %(date)s")
            % {"number": version.number, "date": legal_state},
        )
        title = word.add_heading(str(kind_label), level=0)
        title.runs[0].font.color.rgb = RGBColor(0x0B, 0x5C, 0x7A)
        meta = word.add_paragraph()
        meta.add_run(organization_name).bold = True
        meta.add_run().add_break(WD_BREAK.LINE)
        meta.add_run(
            _("Fassung %(number)s vom %(date)s · Rechtsstand: %(legal)s · Erstellt mit %(by)s")
            % {
                "number": version.number,
                "date": formats.date_format(version.created_at, "SHORT_DATE_FORMAT"),
                "legal": legal_state,
                "by": consultancy_name,
            }
        )
        root = lxml_html.fragment_fromstring(to_html(version.body), create_parent="div")
        _blocks(word, root)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def kind_is_landscape(kind: str) -> bool:
    """Registers with wide tables print across the page."""
    return kind in ("register", "records", "vendors")
