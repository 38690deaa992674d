"""Result types of the scoring engine: frozen dataclasses with a stable JSON form.

``ScoreCard.to_dict()`` gives plain JSON types only (str, int, float, bool, None, list, dict) in a
fixed shape; ``ScoreCard.from_dict()`` rebuilds an equal ``ScoreCard`` from it, so results can be
stored as JSON and read back years later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEVELS = ("low", "medium", "high", "critical")
AI_ACT_CLASSES = ("prohibited", "high_risk", "transparency", "minimal", "unclear")
EFFORTS = ("low", "medium", "high")

Text = dict  # {"de": str, "en": str}


def _jsonable(value: Any) -> Any:
    """A JSON-safe deep copy of an answer value (tuples become lists, dict keys strings)."""
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _text(value: Any) -> Any:
    """``{de, en}`` dicts and plain strings pass through as new objects; ``None`` stays."""
    if isinstance(value, dict):
        return dict(value)
    return value


@dataclass(frozen=True)
class Driver:
    """One answer that raised one dimension's risk."""

    question_key: str
    dimension: str
    points: int | float
    answer: Any  # the raw answer value ("unknown" for unknown, None when unanswered)
    answer_label: Text | str
    question_text: Text
    reason: Text | None = None
    knockout: bool = False
    # the most this question can add to this dimension ("3 von 4 Punkten"); None for knock-out
    # rules and results stored before it existed
    max_points: int | float | None = None

    def to_dict(self) -> dict:
        return {
            "question_key": self.question_key,
            "dimension": self.dimension,
            "points": self.points,
            "max_points": self.max_points,
            "answer": _jsonable(self.answer),
            "answer_label": _text(self.answer_label),
            "question_text": _text(self.question_text),
            "reason": _text(self.reason),
            "knockout": self.knockout,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Driver:
        return cls(
            question_key=data["question_key"],
            dimension=data["dimension"],
            points=data["points"],
            answer=data.get("answer"),
            answer_label=_text(data.get("answer_label")),
            question_text=_text(data.get("question_text")),
            reason=_text(data.get("reason")),
            knockout=bool(data.get("knockout", False)),
            max_points=data.get("max_points"),
        )


@dataclass(frozen=True)
class DimensionScore:
    """Risk of one dimension: 0 (no risk) … 100 (maximal risk)."""

    key: str
    score: int
    level: str  # low | medium | high | critical
    points: int | float
    max_points: int | float
    drivers: tuple[Driver, ...] = ()
    raw_score: int = 0  # before the exposure factor (equal to score for other dimensions)
    knockout: bool = False

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "score": self.score,
            "level": self.level,
            "points": self.points,
            "max_points": self.max_points,
            "raw_score": self.raw_score,
            "knockout": self.knockout,
            "drivers": [d.to_dict() for d in self.drivers],
        }

    @classmethod
    def from_dict(cls, data: dict) -> DimensionScore:
        return cls(
            key=data["key"],
            score=data["score"],
            level=data["level"],
            points=data["points"],
            max_points=data["max_points"],
            drivers=tuple(Driver.from_dict(d) for d in data.get("drivers", ())),
            raw_score=data.get("raw_score", data["score"]),
            knockout=bool(data.get("knockout", False)),
        )


@dataclass(frozen=True)
class UseCaseClassification:
    """EU AI Act classification of one declared use case (one row of the use-case group)."""

    index: int
    name: str
    area: str | None
    ai_act_class: str  # prohibited | high_risk | transparency | minimal | unclear
    annex_iii: str | None
    article: str | None
    applies_from: str | None  # ISO date
    duties: tuple[Text, ...] = ()
    reasons: tuple[Text, ...] = ()
    area_label: Text | None = None
    class_title: Text | None = None
    points: int | float = 0
    # Issue 19, the law's own procedure (empty for catalogues that classify through hints):
    # the company's role for this system ("provider", "deployer", "distributor"; None: open),
    role: str | None = None
    role_title: Text | None = None
    # the legal path in sentences, in the law's order (role, Art. 5, Annex I, Annex III and
    # Art. 6(3), Art. 50, general-purpose models),
    path: tuple[Text, ...] = ()
    # per entry of ``duties``: the article it rests on and the date it applies from (ISO),
    duty_articles: tuple[str, ...] = ()
    duty_dates: tuple[str, ...] = ()
    # "prüfen": the question the answers cannot decide, and the worst class it can lead to,
    check: Text | None = None
    at_stake: str | None = None
    # and the legal elements the row fulfils ("art5_1_f", "annex_iii_4_a", "art6_3_a", "art50_1")
    elements: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "area": self.area,
            "area_label": _text(self.area_label),
            "ai_act_class": self.ai_act_class,
            "class_title": _text(self.class_title),
            "annex_iii": self.annex_iii,
            "article": self.article,
            "applies_from": self.applies_from,
            "points": self.points,
            "duties": [_text(d) for d in self.duties],
            "reasons": [_text(r) for r in self.reasons],
            "role": self.role,
            "role_title": _text(self.role_title),
            "path": [_text(p) for p in self.path],
            "duty_articles": list(self.duty_articles),
            "duty_dates": list(self.duty_dates),
            "check": _text(self.check),
            "at_stake": self.at_stake,
            "elements": list(self.elements),
        }

    @classmethod
    def from_dict(cls, data: dict) -> UseCaseClassification:
        return cls(
            index=data["index"],
            name=data.get("name", ""),
            area=data.get("area"),
            ai_act_class=data["ai_act_class"],
            annex_iii=data.get("annex_iii"),
            article=data.get("article"),
            applies_from=data.get("applies_from"),
            duties=tuple(_text(d) for d in data.get("duties", ())),
            reasons=tuple(_text(r) for r in data.get("reasons", ())),
            area_label=_text(data.get("area_label")),
            class_title=_text(data.get("class_title")),
            points=data.get("points", 0),
            role=data.get("role"),
            role_title=_text(data.get("role_title")),
            path=tuple(_text(p) for p in data.get("path", ())),
            duty_articles=tuple(data.get("duty_articles", ())),
            duty_dates=tuple(data.get("duty_dates", ())),
            check=_text(data.get("check")),
            at_stake=data.get("at_stake"),
            elements=tuple(data.get("elements", ())),
        )


@dataclass(frozen=True)
class Recommendation:
    key: str
    dimension: str
    priority: int
    effort: str  # low | medium | high
    title: Text
    text: Text
    triggered_by: tuple[str, ...] = ()
    # Catalogues without a legal date: removes a knock-out driver or works on a critical
    # dimension. With one (issue 19): the same as ``first``.
    urgent: bool = False
    # Issue 19, plan order by legal urgency: "stop" (ends something unlawful now), "in_force" (a
    # duty that already applies and is unmet), "deadline" (a duty with a future date), "risk"
    # (risk reduction by impact per effort); "" for catalogues without a legal date,
    urgency: str = ""
    # the date that duty or ban applies from (ISO; since when for stop/in_force, by when for a
    # deadline), "zuerst" (at most three actions, only stop and in_force),
    due: str | None = None
    first: bool = False
    # and the names of the use cases whose classification fired it
    use_cases: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "dimension": self.dimension,
            "priority": self.priority,
            "effort": self.effort,
            "title": _text(self.title),
            "text": _text(self.text),
            "triggered_by": list(self.triggered_by),
            "urgent": self.urgent,
            "urgency": self.urgency,
            "due": self.due,
            "first": self.first,
            "use_cases": list(self.use_cases),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Recommendation:
        return cls(
            key=data["key"],
            dimension=data["dimension"],
            priority=data["priority"],
            effort=data["effort"],
            title=_text(data["title"]),
            text=_text(data["text"]),
            triggered_by=tuple(data.get("triggered_by", ())),
            urgent=bool(data.get("urgent", False)),
            urgency=data.get("urgency", ""),
            due=data.get("due"),
            first=bool(data.get("first", False)),
            use_cases=tuple(data.get("use_cases", ())),
        )


@dataclass(frozen=True)
class ScoreCard:
    """The full, explainable result of scoring one answer set against one catalogue version."""

    scoring_version: str
    catalogue_key: str
    catalogue_version: str
    dimensions: tuple[DimensionScore, ...]
    readiness: int  # 0..100, high is good
    readiness_level: str  # risk level of (100 - readiness): low | medium | high | critical
    exposure: float  # 0..1
    exposure_factor: float = 1.0  # applied to lock_in and continuity
    vendor_exposure: dict[str, int] = field(default_factory=dict)
    use_cases: tuple[UseCaseClassification, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    knockouts: tuple[Driver, ...] = ()
    # "Rechtsstand": the oldest "as of" date (ISO) of the catalogue facts this result relied on;
    # None for catalogues without facts
    legal_state: str | None = None
    facts_used: tuple[str, ...] = ()
    # keys of the shown questions answered "nicht zutreffend" (issue 19: the results page lists
    # them with their reason)
    not_applicable: tuple[str, ...] = ()

    def dimension(self, key: str) -> DimensionScore:
        for dim in self.dimensions:
            if dim.key == key:
                return dim
        raise KeyError(key)

    def drivers_of(self, key: str) -> tuple[Driver, ...]:
        """The drivers of dimension ``key``, most points first (none for an unknown key)."""
        try:
            return self.dimension(key).drivers
        except KeyError:
            return ()

    @property
    def scores(self) -> dict[str, int]:
        """``{dimension: risk 0..100}`` in catalogue order."""
        return {dim.key: dim.score for dim in self.dimensions}

    @property
    def levels(self) -> dict[str, str]:
        return {dim.key: dim.level for dim in self.dimensions}

    def to_dict(self) -> dict:
        return {
            "scoring_version": self.scoring_version,
            "catalogue_key": self.catalogue_key,
            "catalogue_version": self.catalogue_version,
            "readiness": self.readiness,
            "readiness_level": self.readiness_level,
            "exposure": self.exposure,
            "exposure_factor": self.exposure_factor,
            "vendor_exposure": {k: self.vendor_exposure[k] for k in sorted(self.vendor_exposure)},
            "dimensions": [d.to_dict() for d in self.dimensions],
            "use_cases": [u.to_dict() for u in self.use_cases],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "knockouts": [k.to_dict() for k in self.knockouts],
            "legal_state": self.legal_state,
            "facts_used": list(self.facts_used),
            "not_applicable": list(self.not_applicable),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ScoreCard:
        vendor_exposure = data.get("vendor_exposure") or {}
        return cls(
            scoring_version=data["scoring_version"],
            catalogue_key=data["catalogue_key"],
            catalogue_version=data["catalogue_version"],
            dimensions=tuple(DimensionScore.from_dict(d) for d in data["dimensions"]),
            readiness=data["readiness"],
            readiness_level=data["readiness_level"],
            exposure=data.get("exposure", 1.0),
            exposure_factor=data.get("exposure_factor", 1.0),
            vendor_exposure={k: vendor_exposure[k] for k in sorted(vendor_exposure)},
            use_cases=tuple(UseCaseClassification.from_dict(u) for u in data.get("use_cases", ())),
            recommendations=tuple(
                Recommendation.from_dict(r) for r in data.get("recommendations", ())
            ),
            knockouts=tuple(Driver.from_dict(k) for k in data.get("knockouts", ())),
            legal_state=data.get("legal_state"),
            facts_used=tuple(data.get("facts_used", ())),
            not_applicable=tuple(data.get("not_applicable", ())),
        )


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of a ScoreCard that a stored result keeps (``engine.score_figures``).

    The same walk over the answers as ``score()``, without what only a page needs: the action
    plan, the drivers of the other dimensions, the use-case classifications, the facts and the
    dimension objects. A recomputation of every stored result (``manage.py rescore``) needs
    nothing more. For the same answers every field equals the card's (the tests compare them).
    """

    scoring_version: str
    catalogue_key: str
    catalogue_version: str
    scores: dict[str, int]  # {dimension: risk 0..100} in catalogue order, as ScoreCard.scores
    levels: dict[str, str]  # as ScoreCard.levels
    readiness: int
    exposure: float
    vendor_exposure: dict[str, int]
    drivers: dict[str, tuple[Driver, ...]]  # of the dimensions asked for, most points first

    def drivers_of(self, key: str) -> tuple[Driver, ...]:
        return self.drivers.get(key, ())
