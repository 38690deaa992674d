"""Readable views of a ScoreCard, shared by the results page and the PDF report."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..catalogue.text import tr
from ..scoring import ScoreCard, round_half_up
from .charts import ChartAxis, bars_svg, gauge_svg, radar_svg

LEVEL_LABELS = {
    "low": pgettext_lazy("risk level", "gering"),
    "medium": pgettext_lazy("risk level", "mittel"),
    "high": pgettext_lazy("risk level", "hoch"),
    "critical": pgettext_lazy("risk level", "kritisch"),
}
LEVEL_MEANINGS = {
    "low": _("Kaum Handlungsbedarf. Halten Sie den Stand und prüfen Sie ihn jährlich."),
    "medium": _("Einzelne Lücken. Planen Sie die Maßnahmen für die nächsten Monate ein."),
    "high": _("Deutliche Risiken. Hier sollten Sie zeitnah handeln."),
    "critical": _("Akuter Handlungsbedarf. Diese Punkte gehören sofort auf die Agenda."),
}
READINESS_LABELS = {
    "low": _("gut aufgestellt"),
    "medium": _("auf gutem Weg"),
    "high": _("deutlicher Nachholbedarf"),
    "critical": _("dringender Nachholbedarf"),
}
AI_ACT_CLASS_LABELS = {
    "prohibited": _("verboten"),
    "high_risk": _("Hochrisiko"),
    "transparency": _("Transparenzpflicht"),
    "minimal": _("minimales Risiko"),
    "unclear": _("prüfen"),
}
# what the worst outcome of an open question would be ("prüfen – möglicherweise verboten")
AT_STAKE_LABELS = {
    "prohibited": _("möglicherweise verboten"),
    "high_risk": _("möglicherweise Hochrisiko"),
}
# the plan's legal urgency (issue 19); "" for catalogues without a legal date
URGENCY_LABELS = {
    "stop": _("Rechtswidriges beenden"),
    "in_force": _("Pflicht gilt bereits"),
    "deadline": _("Pflicht mit Frist"),
    "risk": _("Risiko senken"),
}
NA_REASON = _("Als „nicht zutreffend“ beantwortet – zählt weder für noch gegen Sie.")
EFFORT_LABELS = {"low": _("gering"), "medium": _("mittel"), "high": _("hoch")}


SCALE_NOTE = _(
    "So lesen Sie die Zahlen: Das Risiko je Bereich reicht von 0 bis 100 – je höher, desto "
    "schlechter. Die KI-Readiness ist umgekehrt: 0 bis 100, je höher, desto besser."
)


SCORE_EXPLANATION = _(
    "So entstehen die Werte: Jede Antwort bringt Risikopunkte, etwa „3 von 4 Punkten“ – 3 der "
    "höchstens 4 Punkte, die diese Frage geben kann. Je Bereich teilen wir die Summe Ihrer Punkte "
    "durch die Summe der möglichen Punkte und rechnen das auf 0 bis 100 um; Fragen mit „trifft "
    "nicht zu“ zählen nicht mit. Die KI-Readiness ist 100 minus dem gewichteten Mittel der "
    "Risikowerte; ein Bereich mit hohem oder kritischem Risiko begrenzt sie nach oben."
)


def score_computation(dim) -> str:
    """How this dimension's points became its 0–100 value, in one or two sentences."""
    if not dim.max_points:
        return str(_("Keine Frage dieses Bereichs zählt für Sie („trifft nicht zu“)."))
    share = round_half_up(100 * dim.points / dim.max_points)
    text = ngettext(
        "%(points)s von %(max)s möglichen Punkt ergibt %(share)s von 100.",
        "%(points)s von %(max)s möglichen Punkten ergeben %(share)s von 100.",
        dim.max_points,
    ) % {
        "points": number_format(dim.points),
        "max": number_format(dim.max_points),
        "share": share,
    }
    if dim.knockout:
        text += " " + _("Ein K.-o.-Kriterium macht den Bereich kritisch: %(score)s.") % {
            "score": dim.score
        }
    elif dim.score != share:
        text += " " + _(
            "Gewichtet damit, wie stark Ihre Abläufe von KI-Diensten abhängen: %(score)s."
        ) % {"score": dim.score}
    return text


def points_label(points, max_points) -> str:
    """ "3 von 4 Punkten"; "–" for knock-out and floor rules, which add no points themselves."""
    if not points or max_points is None:
        return "–"
    return ngettext(
        "%(points)s von %(max)s Punkt", "%(points)s von %(max)s Punkten", max_points
    ) % {"points": number_format(points), "max": number_format(max_points)}


def legal_state_date(card: ScoreCard) -> date | None:
    return date.fromisoformat(card.legal_state) if card.legal_state else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def legal_due_text(urgency: str, due: date | None, today: date | None = None) -> str:
    """ "seit 2. August 2026" / "bis 2. Dezember 2027" for a legal date; "" without one."""
    if due is None or not urgency or urgency == "risk":
        return ""
    today = today or date.today()
    formatted = date_format(due, "DATE_FORMAT")
    if urgency == "deadline" and due > today:
        return str(_("bis %(date)s")) % {"date": formatted}
    return str(_("seit %(date)s")) % {"date": formatted}


def since_or_from(applies: date | None, today: date | None = None) -> str:
    """ "seit 2. Februar 2025" for a duty in force, "ab 2. Dezember 2027" for a future one."""
    if applies is None:
        return ""
    formatted = date_format(applies, "DATE_FORMAT")
    if applies > (today or date.today()):
        return str(_("ab %(date)s")) % {"date": formatted}
    return str(_("seit %(date)s")) % {"date": formatted}


# German legal citations of the catalogue ("Art. 26 Abs. 1, 4 und 5", "Anhang III Nr. 1 Buchst. c")
# in the English style of the Official Journal ("Art. 26(1), (4) and (5)", "Annex III point 1(c)")
_CITATION_STEPS = (
    (re.compile(r" Abs\. (\d+)"), r"(\1)"),
    (re.compile(r" Buchst\. ([a-z]+)"), r"(\1)"),
    (re.compile(r"(\(\w+\))((?:, \(\w+\))*), (\d+|[a-z]+)\b"), r"\1\2, (\3)"),
    (re.compile(r"(\(\w+\)) und (\d+|[a-z]+)\b"), r"\1 and (\2)"),
    (re.compile(r"Nr\. (\d+)"), r"point \1"),
    (re.compile(r"i\. V\. m\."), "in conjunction with"),
    (re.compile(r"i\. d\. F\. der VO \(EU\)"), "as amended by Regulation (EU)"),
    (re.compile(r"\bErwG\b"), "recital"),
    (re.compile(r"\bAnhang\b"), "Annex"),
    (re.compile(r"\bAbschnitt\b"), "Section"),
    (re.compile(r"\bVO \(EU\)"), "Regulation (EU)"),
    (re.compile(r" und "), " and "),
)


def citation(text: str | None) -> str:
    """A legal citation as written in the catalogue, in the reader's language."""
    if not text or (get_language() or "de")[:2] != "en":
        return text or ""
    for pattern, replacement in _CITATION_STEPS:
        while True:
            changed = pattern.sub(replacement, text)
            if changed == text:
                break
            text = changed
    return text


def use_case_view(u) -> dict:
    """One row of the AI Act table: class, role, legal path, duties with dates, open question."""
    duties = []
    for i, text in enumerate(u.duties):
        article = u.duty_articles[i] if i < len(u.duty_articles) else ""
        applies = _date(u.duty_dates[i]) if i < len(u.duty_dates) else None
        duties.append(
            {
                "text": tr(text),
                "article": citation(article),
                "applies_from": applies,
                "when": since_or_from(applies),
            }
        )
    label = str(AI_ACT_CLASS_LABELS.get(u.ai_act_class, u.ai_act_class))
    title = tr(u.class_title)
    return {
        "name": u.name,
        "area": tr(u.area_label) or (u.area or "–"),
        "class": u.ai_act_class,
        "class_label": label,
        # the catalogue's title where it says more than the label ("verboten seit …")
        "class_title": "" if title.casefold() == label.casefold() else title,
        "at_stake": str(AT_STAKE_LABELS.get(u.at_stake, "")) if u.at_stake else "",
        "annex_iii": citation(u.annex_iii),
        "article": citation(u.article),
        "applies_from": _date(u.applies_from),
        "role": tr(u.role_title),
        "path": [tr(p) for p in u.path],
        "check": tr(u.check),
        "duties": duties,
        # cards of catalogues without the procedure carry no dates per duty
        "dated": bool(u.duty_dates),
    }


def not_applicable_view(card: ScoreCard, document: dict) -> list[dict]:
    """The questions answered "nicht zutreffend", with why that does not count."""
    questions = {
        q["key"]: q for section in document.get("sections", ()) for q in section["questions"]
    }
    out = []
    for key in card.not_applicable:
        question = questions.get(key)
        if question is None:
            continue
        reason = tr(question.get("na_reason")) or str(NA_REASON)
        out.append({"question": tr(question["text"]), "reason": reason})
    return out


@dataclass
class DriverView:
    question: str
    answer: str
    points: float
    reason: str
    knockout: bool
    max_points: float | None = None
    points_label: str = "–"


@dataclass
class DimensionView:
    key: str
    title: str
    description: str
    score: int
    level: str
    level_label: str
    meaning: str
    drivers: list[DriverView]
    knockout: bool
    delta: int | None = None
    benchmark: int | None = None
    computation: str = ""


def dimension_titles(document: dict) -> dict[str, str]:
    return {key: tr(value["title"]) for key, value in document["dimensions"].items()}


def card_view(
    card: ScoreCard,
    document: dict,
    *,
    previous: ScoreCard | None = None,
    previous_scores: dict[str, int] | None = None,
) -> dict:
    """The card as the results page shows it; the change per dimension against ``previous``
    (a card) or ``previous_scores`` (its scores alone, ``{dimension: score}``)."""
    if previous is not None:
        previous_scores = {dim.key: dim.score for dim in previous.dimensions}
    titles = dimension_titles(document)
    dimensions = []
    for dim in card.dimensions:
        meta = document["dimensions"].get(dim.key, {})
        before = None
        if previous_scores is not None and dim.key in previous_scores:
            before = dim.score - previous_scores[dim.key]
        dimensions.append(
            DimensionView(
                key=dim.key,
                title=titles.get(dim.key, dim.key),
                description=tr(meta.get("description")),
                score=dim.score,
                level=dim.level,
                level_label=str(LEVEL_LABELS[dim.level]),
                meaning=str(LEVEL_MEANINGS[dim.level]),
                drivers=[
                    DriverView(
                        question=tr(d.question_text),
                        answer=tr(d.answer_label),
                        points=d.points,
                        reason=tr(d.reason),
                        knockout=d.knockout,
                        max_points=d.max_points,
                        points_label=points_label(d.points, d.max_points),
                    )
                    for d in dim.drivers
                ],
                knockout=dim.knockout,
                delta=before,
                computation=score_computation(dim),
            )
        )
    axes = [ChartAxis(d.title, d.score, d.level) for d in dimensions]
    compare = (
        [previous_scores.get(d.key, 0) for d in dimensions] if previous_scores is not None else None
    )
    top_risks = sorted(
        ((driver, dimension) for dimension in dimensions for driver in dimension.drivers[:2]),
        key=lambda pair: (-pair[0].knockout, -pair[0].points, -pair[1].score),
    )[:3]
    return {
        "dimensions": dimensions,
        "readiness": card.readiness,
        "readiness_level": card.readiness_level,
        "readiness_label": str(READINESS_LABELS[card.readiness_level]),
        "radar_svg": radar_svg(
            axes,
            compare=compare,
            title=str(_("Risikoprofil")),
            current_label=str(_("Aktuelle Bewertung")),
            compare_label=str(_("Vorherige Bewertung")) if compare else "",
        ),
        "bars_svg": bars_svg(axes, title=str(_("Risiko je Bereich"))),
        "gauge_svg": gauge_svg(card.readiness, card.readiness_level, str(_("KI-Readiness"))),
        "top_risks": [
            {"dimension": dimension.title, "level": dimension.level, "driver": driver}
            for driver, dimension in top_risks
        ],
        "use_cases": [use_case_view(u) for u in card.use_cases],
        "not_applicable": not_applicable_view(card, document),
        "recommendations": [
            {
                "key": r.key,
                "title": tr(r.title),
                "text": tr(r.text),
                "priority": r.priority,
                "effort": str(EFFORT_LABELS.get(r.effort, r.effort)),
                "dimension": titles.get(r.dimension, r.dimension),
                "urgent": r.urgent,
                "urgency": r.urgency,
                "urgency_label": str(URGENCY_LABELS.get(r.urgency, "")),
                "due": legal_due_text(r.urgency, _date(r.due)),
                "use_cases": list(r.use_cases),
            }
            for r in card.recommendations
        ],
        "vendor_exposure": [
            {"vendor": tr(document.get("vendors", {}).get(k)) or k, "value": v}
            for k, v in sorted(card.vendor_exposure.items(), key=lambda kv: -kv[1])
            if v > 0
        ],
        "knockouts": [tr(k.question_text) for k in card.knockouts],
        "legal_state": legal_state_date(card),
        "scale_note": str(SCALE_NOTE),
        "score_explanation": str(SCORE_EXPLANATION),
    }
