"""Report HTML and PDF: template + charts here, layout in WeasyPrint (worker only)."""

import re
import unicodedata

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..actionplan.selectors import plan_rows
from ..catalogue.text import tr
from ..history.selectors import answer_diff, previous_submitted
from ..models import ConsultantNote, Report
from ..questionnaire.answers import answer_label
from ..questionnaire.progress import Questionnaire
from ..results.presentation import card_view, dimension_titles
from .pdf import PdfResult, html_to_pdf, static_url


def report_context(report: Report) -> dict:
    assessment = report.assessment
    organization = assessment.organization
    document = assessment.questionnaire.document
    result = assessment.result
    card = result.scorecard()
    previous = None
    if assessment.previous_id and hasattr(assessment.previous, "result"):
        before = assessment.previous
        previous = before.result.scorecard()
    view = card_view(card, document, previous=previous)
    earlier = previous_submitted(assessment=assessment)
    notes = list(assessment.notes.all())
    # The same plan as on the client's pages (own actions included, internal notes never).
    plan = plan_rows(
        actions=list(assessment.actions.select_related("owner")),
        dimension_titles=dimension_titles(document),
    )
    return {
        "language": report.language,
        "organization": organization,
        # inside running text: a company name is never hyphenated
        "organization_name_html": format_html('<span class="name">{}</span>', organization.name),
        "assessment": assessment,
        "consultancy": settings.CONSULTANCY,
        "brand_color": settings.CONSULTANCY["primary_color"],
        "css_url": static_url("css/report.css"),
        "logo_url": static_url(settings.CONSULTANCY["logo"]),
        "created": timezone.localtime(),
        "view": view,
        "plan": plan,
        "notes": [n for n in notes if n.kind == ConsultantNote.Kind.NOTE],
        # answer-level changes since the client's assessment before this one
        "diff": answer_diff(before=earlier, after=assessment) if earlier else None,
        "appendix": _appendix(
            document, dict(assessment.answers.values_list("question_key", "value"))
        ),
        "glossary": [
            {"term": tr(g["term"]), "definition": tr(g["definition"])}
            for g in document.get("glossary", ())
        ],
        "footer_left_css": css_string(settings.CONSULTANCY["name"] + " · " + _("Vertraulich")),
        "page_label_css": css_string(_("Seite") + " "),
        "of_label_css": css_string(" " + _("von") + " "),
    }


def css_string(text: str) -> str:
    """A quoted CSS string; ``<`` is escaped too so the text cannot close the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + escaped.replace("\n", " ") + '"'


def _appendix(document: dict, answers: dict) -> list[dict]:
    questionnaire = Questionnaire(document)
    visible = questionnaire.visible(answers)
    return [
        {
            "title": tr(section["title"]),
            "rows": [
                {"question": tr(q["text"]), "answer": answer_label(q, answers.get(q["key"]))}
                for q in section["questions"]
                if q["key"] in visible
            ],
        }
        for section in questionnaire.sections
    ]


def report_html(report: Report) -> str:
    with translation.override(report.language):
        return render_to_string("assessments/report/report.html", report_context(report))


def report_pdf(report: Report) -> PdfResult:
    return html_to_pdf(report_html(report))


def report_filename(report: Report) -> str:
    """``KI-Risikobericht_<Firma>_<Datum>.pdf`` with only safe characters."""
    name = report.assessment.organization.name
    ascii_name = (
        unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore").decode()
    )
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:60] or "Firma"
    date = timezone.localtime(report.finished_at or report.created_at).strftime("%Y-%m-%d")
    return f"KI-Risikobericht_{slug}_{date}.pdf"
