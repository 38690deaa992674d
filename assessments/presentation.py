"""Readable views of a ScoreCard, shared by the results page and the PDF report."""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .charts import ChartAxis, bars_svg, gauge_svg, radar_svg
from .questionnaire import tr
from .scoring import ScoreCard, round_half_up

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
    "unclear": _("unklar – zu klären"),
}
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
        "use_cases": [
            {
                "name": u.name,
                "area": tr(u.area_label) or (u.area or "–"),
                "class": u.ai_act_class,
                "class_label": str(AI_ACT_CLASS_LABELS.get(u.ai_act_class, u.ai_act_class)),
                "annex_iii": u.annex_iii,
                "article": u.article,
                "applies_from": date.fromisoformat(u.applies_from) if u.applies_from else None,
                "duties": [tr(d) for d in u.duties],
            }
            for u in card.use_cases
        ],
        "recommendations": [
            {
                "key": r.key,
                "title": tr(r.title),
                "text": tr(r.text),
                "priority": r.priority,
                "effort": str(EFFORT_LABELS.get(r.effort, r.effort)),
                "dimension": titles.get(r.dimension, r.dimension),
                "urgent": r.urgent,
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
