"""Read a PDF's tagged structure with pypdf: what a screen reader or a PDF/UA checker walks."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


@dataclass(frozen=True)
class Element:
    tag: str  # "H1", "Figure", "Table", …
    page: int | None  # 0-based
    depth: int
    alt: str
    attributes: dict


def structure(pdf: bytes) -> tuple[DictionaryObject, list[Element]]:
    """The document catalog and every structure element in reading (tree) order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    elements: list[Element] = []

    def walk(node, depth: int) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        tag = node.get("/S")
        if tag is not None:
            page = node.get("/Pg")
            attributes = node.get("/A")
            elements.append(
                Element(
                    tag=str(tag).lstrip("/"),
                    page=pages.get(page.idnum) if page is not None else None,
                    depth=depth,
                    alt=str(node.get("/Alt") or ""),
                    attributes=dict(attributes.get_object()) if attributes is not None else {},
                )
            )
        kids = node.get("/K")
        if isinstance(kids, ArrayObject):
            for kid in kids:
                if isinstance(kid, IndirectObject | DictionaryObject):
                    walk(kid, depth + 1)
        elif isinstance(kids, IndirectObject | DictionaryObject):
            walk(kids, depth + 1)

    if "/StructTreeRoot" in catalog:
        walk(catalog["/StructTreeRoot"], 0)
    return catalog, elements


def xmp(catalog) -> str:
    return catalog["/Metadata"].get_object().get_data().decode("utf-8")


def xmp_title(catalog) -> str:
    match = re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp(catalog), re.S)
    return match.group(1) if match else ""


def page_texts(pdf: bytes) -> list[str]:
    """Text per page in content-stream order (what untagged readers and copy/paste see)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


HYPHEN = "\u2010"  # WeasyPrint's hyphenation character


def hyphenated_words(pdf: bytes) -> list[str]:
    """Every word split at a line end, with a ``-`` at each split (``Auf-tragsverarbei-tung``)."""
    words = []
    for text in page_texts(pdf):
        joined = text.replace(HYPHEN + "\n", "-")
        words += re.findall(r"\w+(?:-\w+)+", joined)
    return [w for w in words if HYPHEN + "\n" not in w]


def split_points(word: str) -> set[int]:
    """Letter positions after which ``word`` (with ``-`` marks) is split."""
    points, count = set(), 0
    for char in word:
        if char == "-":
            points.add(count)
        else:
            count += 1
    return points
