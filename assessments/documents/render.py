"""A document version as HTML (screen and PDF); the PDF is rendered only by a worker."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from ..reports.pdf import PdfResult, html_to_pdf, static_url
from ..reports.render import css_string
from .docx import kind_is_landscape
from .markup import to_html


def version_pdf_html(version) -> str:
    document = version.document
    organization_name = document.assessment.organization.name
    with translation.override(document.language):
        kind_label = str(document.get_kind_display())
        legal_state = (
            formats.date_format(version.legal_state, "SHORT_DATE_FORMAT")
            if version.legal_state
            else "–"
        )
        return render_to_string(
            "assessments/documents/pdf.html",
            {
                "language": document.language,
                "title": f"{kind_label} – {organization_name}",
                "kind_label": kind_label,
                "organization_name": organization_name,
                "version": version,
                "consultancy": settings.CONSULTANCY,
                "brand_color": settings.CONSULTANCY["primary_color"],
                "css_url": static_url("css/document.css"),
                "landscape": kind_is_landscape(document.kind),
                "body_html": to_html(version.body),
                "header_css": css_string(f"{organization_name} · {kind_label}"),
                "footer_css": css_string(
                    _("Fassung %(number)s · Rechtsstand %(date)s")
                    % {"number": version.number, "date": legal_state}
                ),
                "page_label_css": css_string(_("Seite") + " "),
                "of_label_css": css_string(" " + _("von") + " "),
            },
        )


def version_pdf(version) -> PdfResult:
    return html_to_pdf(version_pdf_html(version))


UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


def filename(version, extension: str) -> str:
    """``KI-Register_<Firma>_Fassung-3.docx`` with only safe characters."""
    import re
    import unicodedata

    document = version.document
    with translation.override(document.language):
        kind = str(document.get_kind_display())
    name = f"{kind}_{document.assessment.organization.name}"
    for umlaut, spelled in UMLAUTS.items():
        name = name.replace(umlaut, spelled)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_]+", "-", ascii_name)
    stem = re.sub(r"-*_-*", "_", stem).strip("-_")[:90] or "Dokument"
    return f"{stem}_Fassung-{version.number}.{extension}"
