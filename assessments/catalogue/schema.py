"""Pydantic v2 models of the questionnaire catalogue format (docs/catalogue-format.md).

Field-level rules live on the models; rules that need more than one field (duplicate keys,
references between questions, conditions that must fit the referenced question) live in model
validators. Those validators report *all* problems they find at once by raising ``Problems``, a
``ValueError`` that carries ``(relative location, message)`` pairs; ``format_errors`` turns them
and pydantic's own errors into readable ``path: message`` lines.

No I/O. Messages go through Django's ``gettext`` when a problem is found, so they come in the
active language (in the admin's upload view, the admin's); the path in front of each message stays
as written in the file.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections import Counter
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .fields import (  # noqa: F401 - re-exported names other modules import from here
    AI_ACT_CLASSES,
    COMBINATORS,
    DIMENSIONS,
    FIELD_TYPES,
    MAX_POINTS,
    MAX_WEIGHT,
    OPERATORS,
    QUESTION_TYPES,
    ROW_OPERATORS,
    SENTINELS,
    AiActClass,
    Caps,
    CatalogueError,
    Condition,
    Dimension,
    FactKeys,
    Key,
    Loc,
    NonEmpty,
    Number,
    OptionKey,
    Points,
    Problems,
    Scores,
    Text,
    _check_family,
    _check_share,
    _check_version,
    _check_weight,
    _is_number,
    _Model,
    _must_be_a_number,
    _non_empty,
    _raise,
    _unknown_dimension,
)
from .legal import Procedure, RowFilter, procedure_problems, row_filter_problems

# --- options and answer blocks ------------------------------------------------------------------


class Option(_Model):
    key: OptionKey
    label: Text
    scores: Scores  # required, even if empty: every answer states its points explicitly
    vendors: tuple[Key, ...] = ()
    knockout: Dimension | None = None
    reason: Text | None = None
    facts: FactKeys = ()
    # multi_choice: an answer like "none of these" that cannot be ticked together with others
    exclusive: bool | None = None


class AnswerBlock(_Model):
    """The ``yes:`` / ``no:`` block of a yes_no question."""

    scores: Scores
    vendors: tuple[Key, ...] = ()
    knockout: Dimension | None = None
    reason: Text | None = None
    facts: FactKeys = ()


class _Classifying(_Model):
    ai_act_class: AiActClass | None = None
    annex_iii: NonEmpty | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _annex_needs_high_risk(self):
        if self.annex_iii is not None and self.ai_act_class != "high_risk":
            message = _("nur zusammen mit 'ai_act_class: high_risk' erlaubt")
            raise Problems([(("annex_iii",), message)])
        return self


class FieldOption(_Classifying):
    """An option of a repeat_group field: classifies a use case, is not scored itself."""

    key: OptionKey
    label: Text
    scores: Scores | None = None
    group: Text | None = None  # shown as an option group in the form (consecutive options)

    @model_validator(mode="after")
    def _not_scored(self):
        if self.scores:
            message = _(
                "Felder einer repeat_group werden nicht bewertet; bitte ai_act_class verwenden"
            )
            raise Problems([(("scores",), message)])
        return self


class FieldAnswerBlock(_Classifying):
    """The ``yes:`` / ``no:`` block of a yes_no field in a repeat_group."""


# --- questions ----------------------------------------------------------------------------------


def _option_problems(options: tuple[Any, ...]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if len(options) < 2:
        problems.append((("options",), _("es sind mindestens 2 Optionen nötig")))
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.key in seen:
            message = _("Optionsschlüssel %(key)r kommt doppelt vor") % {"key": option.key}
            problems.append((("options", i, "key"), message))
        seen.add(option.key)
    return problems


class _QuestionBase(_Model):
    key: Key
    text: Text
    help: Text
    required: bool = True
    allow_unknown: bool = False
    allow_na: bool = False
    unknown_scores: Scores | None = None
    show_if: Condition | None = None
    reason: Text | None = None
    facts: FactKeys = ()
    na_reason: Text | None = None  # why "nicht zutreffend" does not count (results page)

    @model_validator(mode="after")
    def _unknown_scores_need_unknown(self):
        if self.unknown_scores is not None and not self.allow_unknown:
            raise Problems([(("unknown_scores",), _("braucht 'allow_unknown: true'"))])
        return self


class SingleChoiceQuestion(_QuestionBase):
    type: Literal["single_choice"]
    options: tuple[Option, ...]

    @model_validator(mode="after")
    def _options(self):
        _raise(_option_problems(self.options))
        return self


class MultiChoiceQuestion(_QuestionBase):
    type: Literal["multi_choice"]
    options: tuple[Option, ...]
    max_points: Caps | None = None

    @model_validator(mode="after")
    def _options(self):
        _raise(_option_problems(self.options))
        return self


class YesNoQuestion(_QuestionBase):
    type: Literal["yes_no"]
    yes: AnswerBlock
    no: AnswerBlock


def _greater_than_min(minimum: Any) -> str:
    return _("muss größer als min (%(min)s) sein") % {"min": minimum}


class ScaleQuestion(_QuestionBase):
    type: Literal["scale"]
    min: int = 1
    max: int = 5
    labels: dict[int, Text] = Field(default_factory=dict)
    scores: dict[Dimension, tuple[Points, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _steps(self):
        problems: list[tuple[Loc, str]] = []
        if self.max <= self.min:
            problems.append((("max",), _greater_than_min(self.min)))
            _raise(problems)
        steps = self.max - self.min + 1
        for step in self.labels:
            if not self.min <= step <= self.max:
                message = _("Stufe %(step)s liegt außerhalb von %(min)s..%(max)s") % {
                    "step": step,
                    "min": self.min,
                    "max": self.max,
                }
                problems.append((("labels", step), message))
        for dim, points in self.scores.items():
            if len(points) != steps:
                message = _(
                    "braucht %(steps)s Punktwerte (einen je Stufe %(min)s..%(max)s), "
                    "hat aber %(count)s"
                ) % {"steps": steps, "min": self.min, "max": self.max, "count": len(points)}
                problems.append((("scores", dim), message))
        _raise(problems)
        return self


class Band(_Model):
    upto: Number | None = None  # None (or left out): open to the top; only the last band
    scores: Scores


class NumberQuestion(_QuestionBase):
    type: Literal["number"]
    min: Number
    max: Number
    unit: Text | None = None
    bands: Annotated[tuple[Band, ...], BeforeValidator(_non_empty)]

    @model_validator(mode="after")
    def _bands_cover_range(self):
        # Band i covers (upto[i-1], upto[i]]; the bands must rise and reach max, so every
        # allowed answer falls into exactly one band.
        problems: list[tuple[Loc, str]] = []
        if self.max <= self.min:
            problems.append((("max",), _greater_than_min(self.min)))
            _raise(problems)
        previous: int | float | None = None
        for i, band in enumerate(self.bands):
            last = i == len(self.bands) - 1
            if band.upto is None:
                if not last:
                    message = _("nur der letzte Bereich darf nach oben offen sein (null)")
                    problems.append((("bands", i, "upto"), message))
                continue
            if band.upto < self.min:
                message = _("liegt unter min (%(min)s)") % {"min": self.min}
                problems.append((("bands", i, "upto"), message))
            if previous is not None and band.upto <= previous:
                message = _("muss größer sein als beim vorigen Bereich (%(previous)s)") % {
                    "previous": previous
                }
                problems.append((("bands", i, "upto"), message))
            previous = band.upto
        final = self.bands[-1].upto
        if final is not None and final < self.max:
            message = _(
                "decken den Wertebereich nicht ab: der letzte Bereich muss max (%(max)s) "
                "erreichen oder 'upto: null' sein"
            ) % {"max": self.max}
            problems.append((("bands",), message))
        _raise(problems)
        return self


class TextQuestion(_QuestionBase):
    type: Literal["text"]
    max_length: int = Field(default=200, ge=1, le=4000)


class LongTextQuestion(_QuestionBase):
    type: Literal["long_text"]
    max_length: int = Field(default=4000, ge=1, le=20000)


# Fields of a repeat group: no show_if, no scoring (see FieldOption).


class _FieldBase(_Model):
    key: Key
    text: Text
    help: Text
    required: bool = True
    allow_unknown: bool = False
    allow_na: bool = False


class SingleChoiceField(_FieldBase):
    type: Literal["single_choice"]
    options: tuple[FieldOption, ...]

    @model_validator(mode="after")
    def _options(self):
        _raise(_option_problems(self.options))
        return self


class YesNoField(_FieldBase):
    type: Literal["yes_no"]
    yes: FieldAnswerBlock = FieldAnswerBlock()
    no: FieldAnswerBlock = FieldAnswerBlock()


class TextField(_FieldBase):
    type: Literal["text"]
    max_length: int = Field(default=200, ge=1, le=4000)


GroupField = Annotated[SingleChoiceField | YesNoField | TextField, Field(discriminator="type")]


class RepeatGroupQuestion(_QuestionBase):
    type: Literal["repeat_group"]
    fields: Annotated[tuple[GroupField, ...], BeforeValidator(_non_empty)]
    max_rows: int = Field(default=20, ge=1, le=100)
    min_rows: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _fields(self):
        problems: list[tuple[Loc, str]] = []
        if self.min_rows > self.max_rows:
            message = _("darf max_rows (%(max)s) nicht übersteigen") % {"max": self.max_rows}
            problems.append((("min_rows",), message))
        seen: set[str] = set()
        for i, field in enumerate(self.fields):
            if field.key in seen:
                message = _("Feldschlüssel %(key)r kommt doppelt vor") % {"key": field.key}
                problems.append((("fields", i, "key"), message))
            seen.add(field.key)
        _raise(problems)
        return self


Question = Annotated[
    SingleChoiceQuestion
    | MultiChoiceQuestion
    | YesNoQuestion
    | ScaleQuestion
    | NumberQuestion
    | TextQuestion
    | LongTextQuestion
    | RepeatGroupQuestion,
    Field(discriminator="type"),
]


class Section(_Model):
    key: Key
    title: Text
    intro: Text | None = None
    questions: Annotated[tuple[Question, ...], BeforeValidator(_non_empty)]


# --- top level ----------------------------------------------------------------------------------


class DimensionSpec(_Model):
    title: Text
    weight: Annotated[float, BeforeValidator(_check_weight)] = 1.0
    description: Text | None = None


class Levels(_Model):
    medium: Number
    high: Number
    critical: Number

    @model_validator(mode="after")
    def _rising(self):
        if not 0 < self.medium < self.high < self.critical < 100:
            message = _(
                "die Schwellen müssen innerhalb von 0..100 steigen: "
                "0 < medium < high < critical < 100"
            )
            raise Problems([((), message)])
        return self


class ExposureOverride(_Model):
    """When ``when`` holds, the exposure factor is ``factor`` instead of the weighted mean."""

    when: Condition
    factor: float = Field(ge=0, le=1)
    reason: Text | None = None


class Exposure(_Model):
    question_weights: Annotated[
        dict[Key, Annotated[float, BeforeValidator(_check_share)]], BeforeValidator(_non_empty)
    ]
    min_factor: float = Field(default=0.5, ge=0, le=1)
    overrides: tuple[ExposureOverride, ...] = ()  # the first that holds wins

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(self.question_weights.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            message = _("die Gewichte müssen zusammen 1 ergeben, ergeben aber %(total)s") % {
                "total": f"{total:g}"
            }
            raise Problems([(("question_weights",), message)])
        return self


class ClassSpec(_Model):
    title: Text
    article: NonEmpty | None = None
    applies_from: dt.date | None = None
    duties: Annotated[tuple[Text, ...], BeforeValidator(_non_empty)]
    points: Points | None = None  # ai_act points a use case of this class adds (engine default)
    facts: FactKeys = ()


class AiActClasses(_Model):
    prohibited: ClassSpec
    high_risk: ClassSpec
    transparency: ClassSpec
    minimal: ClassSpec
    unclear: ClassSpec

    @model_validator(mode="after")
    def _dates(self):
        problems: list[tuple[Loc, str]] = [
            ((name,), _required("applies_from"))
            for name in AI_ACT_CLASSES
            if name != "unclear" and getattr(self, name).applies_from is None
        ]
        _raise(problems)
        return self


class AiAct(_Model):
    classes: AiActClasses
    use_case_question: Key | None = None
    procedure: Procedure | None = None  # the law's own procedure (issue 19), else the hints


def _when_or_rows(rule) -> None:
    if rule.when is None and rule.rows is None:
        raise Problems([((), _("braucht 'when' oder 'rows'"))])


class Recommendation(_Model):
    key: Key
    when: Condition | None = None
    # the classified use cases it is about (with ``when``: both must hold)
    rows: RowFilter | None = None
    dimension: Dimension
    priority: Literal[1, 2, 3]
    effort: Literal["low", "medium", "high"]
    title: Text
    text: Text
    facts: FactKeys = ()
    # legal urgency (with ``law_as_of``): "stop" ends something unlawful, "duty" meets a legal
    # duty that applies from ``applies_from``, "risk" (or none) reduces a risk; ``legal_if``: only
    # where this holds is it "stop"/"duty", otherwise "risk". (None, not "risk", by default: the
    # stored form of older catalogues must not change.)
    urgency: Literal["stop", "duty", "risk"] | None = None
    applies_from: dt.date | None = None
    legal_if: Condition | None = None

    @model_validator(mode="after")
    def _legal(self):
        _when_or_rows(self)
        if self.urgency == "duty" and self.applies_from is None:
            raise Problems([(("applies_from",), _required("applies_from"))])
        return self


class KnockoutRule(_Model):
    """A combination of answers that is critical on its own: the dimension becomes critical and
    the rule is listed as a knock-out driver (question key = the rule's key)."""

    key: Key
    when: Condition | None = None
    rows: RowFilter | None = None  # classified use cases (with ``when``: both must hold)
    dimension: Dimension
    title: Text
    reason: Text
    facts: FactKeys = ()
    # "critical": a knock-out (the dimension is critical); "high" / "medium": a floor – the
    # dimension is at least that level, so one unmet duty is not averaged away by good answers
    level: Literal["critical", "high", "medium"] = "critical"

    @model_validator(mode="after")
    def _condition(self):
        _when_or_rows(self)
        return self


class Fact(_Model):
    """A legal or vendor fact the catalogue states, with its source and the date it was checked."""

    key: Key
    text: Text
    source: NonEmpty
    as_of: dt.date


class GlossaryEntry(_Model):
    term: Text
    definition: Text


# --- drafted documents: DPIA screening and certification crosswalk ------------------------------


class DpiaCriterion(_Model):
    """One reason a use case needs a DPIA: ``required`` alone, ``indicator`` counts towards
    ``DpiaScreening.indicators_needed``. ``when`` is a row condition on the use-case group."""

    key: Key
    weight: Literal["required", "indicator"]
    title: Text
    when: Condition
    facts: FactKeys = ()


class DpiaScreening(_Model):
    personal_data_field: Key  # the use-case field that says whether personal data is processed
    no_personal_data: tuple[NonEmpty, ...] = ()  # its values meaning "none": no DPIA
    indicators_needed: int = Field(default=2, ge=1, le=9)
    criteria: Annotated[tuple[DpiaCriterion, ...], BeforeValidator(_non_empty)]
    facts: FactKeys = ()


class CrosswalkControl(_Model):
    id: NonEmpty
    title: Text


class CrosswalkFramework(_Model):
    key: Key
    title: Text
    facts: FactKeys = ()  # where the framework comes from and when its numbering was checked
    controls: Annotated[tuple[CrosswalkControl, ...], BeforeValidator(_non_empty)]


class Crosswalk(_Model):
    """Which controls of which framework each recommendation (and so each action) serves."""

    frameworks: Annotated[tuple[CrosswalkFramework, ...], BeforeValidator(_non_empty)]
    recommendations: dict[Key, dict[Key, tuple[NonEmpty, ...]]] = Field(default_factory=dict)


class CatalogueDocument(_Model):
    # ``schema`` would shadow BaseModel.schema(); the alias keeps the YAML/JSON name.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    schema_: Literal[1] = Field(alias="schema")
    key: Annotated[str, BeforeValidator(_check_family)]
    version: Annotated[str, BeforeValidator(_check_version)]
    title: Text
    description: Text
    dimensions: dict[str, DimensionSpec]
    levels: Levels
    exposure: Exposure | None = None
    vendors: dict[Key, Text] = Field(default_factory=dict)
    ai_act: AiAct
    sections: Annotated[tuple[Section, ...], BeforeValidator(_non_empty)]
    recommendations: tuple[Recommendation, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    knockouts: tuple[KnockoutRule, ...] = ()
    facts: tuple[Fact, ...] = ()
    unknown_reason: Text | None = None  # shown for answers "unknown" without a reason of their own
    dpia_screening: DpiaScreening | None = None  # drafted documents: DPIA screening per use case
    crosswalk: Crosswalk | None = None  # recommendations → ISO/IEC 42001, NIST AI RMF controls
    # the date whose law the catalogue applies: duties from then on are in force, later ones
    # deadlines; with it the action plan is ordered by legal urgency (issue 19)
    law_as_of: dt.date | None = None

    def questions(self) -> list[tuple[Loc, Any]]:
        """All questions in catalogue order with their location."""
        return [
            (("sections", s, "questions", q), question)
            for s, section in enumerate(self.sections)
            for q, question in enumerate(section.questions)
        ]

    @model_validator(mode="after")
    def _cross_references(self):
        problems: list[tuple[Loc, str]] = []
        problems += self._dimension_problems()
        problems += self._key_problems()
        questions = {q.key: q for _, q in self.questions()}
        problems += self._vendor_problems()
        problems += self._condition_problems(questions)
        problems += self._exposure_problems(questions)
        problems += self._ai_act_problems(questions)
        problems += self._fact_problems()
        problems += self._dpia_problems(questions)
        problems += self._crosswalk_problems()
        _raise(problems)
        return self

    def _dimension_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = [
            (("dimensions",), _("Dimension %(dimension)r fehlt") % {"dimension": dim})
            for dim in DIMENSIONS
            if dim not in self.dimensions
        ]
        problems += [
            (("dimensions", dim), _unknown_dimension(dim))
            for dim in self.dimensions
            if dim not in DIMENSIONS
        ]
        return problems

    def _key_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        sections: set[str] = set()
        for s, section in enumerate(self.sections):
            if section.key in sections:
                message = _("Abschnittsschlüssel %(key)r kommt doppelt vor") % {"key": section.key}
                problems.append((("sections", s, "key"), message))
            sections.add(section.key)
        seen: set[str] = set()
        for loc, question in self.questions():
            if question.key in seen:
                message = _("Fragenschlüssel %(key)r kommt doppelt vor") % {"key": question.key}
                problems.append(((*loc, "key"), message))
            seen.add(question.key)
        recs: set[str] = set()
        for r, rec in enumerate(self.recommendations):
            if rec.key in recs:
                message = _("Empfehlungsschlüssel %(key)r kommt doppelt vor") % {"key": rec.key}
                problems.append((("recommendations", r, "key"), message))
            recs.add(rec.key)
        rules: set[str] = set()
        for k, rule in enumerate(self.knockouts):
            if rule.key in rules or rule.key in seen:
                # the rule's key stands in for a question key in the drivers
                message = _("der K.-o.-Schlüssel %(key)r ist schon vergeben") % {"key": rule.key}
                problems.append((("knockouts", k, "key"), message))
            rules.add(rule.key)
        return problems

    def _fact_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        known: set[str] = set()
        for f, fact in enumerate(self.facts):
            if fact.key in known:
                message = _("Faktenschlüssel %(key)r kommt doppelt vor") % {"key": fact.key}
                problems.append((("facts", f, "key"), message))
            known.add(fact.key)

        def check(loc: Loc, keys: tuple[str, ...]) -> None:
            for key in keys:
                if key not in known:
                    message = _("unbekannter Fakt %(key)r") % {"key": key}
                    problems.append(((*loc, "facts"), message))

        for loc, question in self.questions():
            check(loc, question.facts)
            for o, option in enumerate(getattr(question, "options", ()) or ()):
                if isinstance(option, Option):
                    check((*loc, "options", o), option.facts)
            if isinstance(question, YesNoQuestion):
                check((*loc, "yes"), question.yes.facts)
                check((*loc, "no"), question.no.facts)
        for name in AI_ACT_CLASSES:
            check(("ai_act", "classes", name), getattr(self.ai_act.classes, name).facts)
        if self.ai_act.procedure is not None:
            for key, element in self.ai_act.procedure.elements.items():
                check(("ai_act", "procedure", "elements", key), element.facts)
        for r, rec in enumerate(self.recommendations):
            check(("recommendations", r), rec.facts)
        for k, rule in enumerate(self.knockouts):
            check(("knockouts", k), rule.facts)
        if self.dpia_screening is not None:
            check(("dpia_screening",), self.dpia_screening.facts)
            for c, criterion in enumerate(self.dpia_screening.criteria):
                check(("dpia_screening", "criteria", c), criterion.facts)
        if self.crosswalk is not None:
            for f, framework in enumerate(self.crosswalk.frameworks):
                check(("crosswalk", "frameworks", f), framework.facts)
        return problems

    def _dpia_problems(self, questions: dict[str, Any]) -> list[tuple[Loc, str]]:
        screening = self.dpia_screening
        if screening is None:
            return []
        group = self.ai_act.use_case_question
        if group is None or group not in questions or questions[group].type != "repeat_group":
            message = _("braucht ai_act.use_case_question (eine repeat_group)")
            return [(("dpia_screening",), message)]
        fields = {f.key: f for f in questions[group].fields}
        problems: list[tuple[Loc, str]] = []
        if screening.personal_data_field not in fields:
            message = _("unbekanntes Feld %(field)r in der repeat_group %(group)r") % {
                "field": screening.personal_data_field,
                "group": group,
            }
            problems.append((("dpia_screening", "personal_data_field"), message))
        seen: set[str] = set()
        for c, criterion in enumerate(screening.criteria):
            loc: Loc = ("dpia_screening", "criteria", c)
            if criterion.key in seen:
                message = _("Kriterienschlüssel %(key)r kommt doppelt vor") % {"key": criterion.key}
                problems.append(((*loc, "key"), message))
            seen.add(criterion.key)
            problems += _check_row_condition(criterion.when, (*loc, "when"), fields, group)
        return problems

    def _crosswalk_problems(self) -> list[tuple[Loc, str]]:
        crosswalk = self.crosswalk
        if crosswalk is None:
            return []
        problems: list[tuple[Loc, str]] = []
        controls: dict[str, set[str]] = {}
        for f, framework in enumerate(crosswalk.frameworks):
            loc: Loc = ("crosswalk", "frameworks", f)
            if framework.key in controls:
                message = _("Rahmenwerk %(key)r kommt doppelt vor") % {"key": framework.key}
                problems.append(((*loc, "key"), message))
            ids = controls.setdefault(framework.key, set())
            for c, control in enumerate(framework.controls):
                if control.id in ids:
                    message = _("Maßnahme %(id)r kommt doppelt vor") % {"id": control.id}
                    problems.append(((*loc, "controls", c, "id"), message))
                ids.add(control.id)
        recommendations = {rec.key for rec in self.recommendations}
        for key, mapping in crosswalk.recommendations.items():
            loc = ("crosswalk", "recommendations", key)
            if key not in recommendations:
                message = _("unbekannte Empfehlung %(key)r") % {"key": key}
                problems.append((loc, message))
            for framework, ids in mapping.items():
                if framework not in controls:
                    message = _("unbekanntes Rahmenwerk %(key)r") % {"key": framework}
                    problems.append(((*loc, framework), message))
                    continue
                for control_id in ids:
                    if control_id not in controls[framework]:
                        message = _("unbekannte Maßnahme %(id)r in %(framework)r") % {
                            "id": control_id,
                            "framework": framework,
                        }
                        problems.append(((*loc, framework), message))
        return problems

    def _vendor_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []

        def check(loc: Loc, vendors: tuple[str, ...]) -> None:
            for v in vendors:
                if v not in self.vendors:
                    message = _("unbekannter Anbieter %(key)r") % {"key": v}
                    problems.append(((*loc, "vendors"), message))

        for loc, question in self.questions():
            for o, option in enumerate(getattr(question, "options", ()) or ()):
                if isinstance(option, Option):
                    check((*loc, "options", o), option.vendors)
            if isinstance(question, YesNoQuestion):
                check((*loc, "yes"), question.yes.vendors)
                check((*loc, "no"), question.no.vendors)
        return problems

    def _condition_problems(self, questions: dict[str, Any]) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        earlier: dict[str, Any] = {}
        for loc, question in self.questions():
            if question.show_if is not None:
                problems += check_condition(question.show_if, (*loc, "show_if"), earlier, questions)
            earlier[question.key] = question
        procedure = self.ai_act.procedure
        for r, rec in enumerate(self.recommendations):
            for name in ("when", "legal_if"):
                cond = getattr(rec, name)
                if cond is not None:
                    problems += check_condition(cond, ("recommendations", r, name), questions, None)
            if rec.rows is not None:
                problems += row_filter_problems(rec.rows, ("recommendations", r, "rows"), procedure)
        for k, rule in enumerate(self.knockouts):
            if rule.when is not None:
                problems += check_condition(rule.when, ("knockouts", k, "when"), questions, None)
            if rule.rows is not None:
                problems += row_filter_problems(rule.rows, ("knockouts", k, "rows"), procedure)
        if self.exposure is not None:
            for o, override in enumerate(self.exposure.overrides):
                loc: Loc = ("exposure", "overrides", o, "when")
                problems += check_condition(override.when, loc, questions, None)
        return problems

    def _exposure_problems(self, questions: dict[str, Any]) -> list[tuple[Loc, str]]:
        if self.exposure is None:
            return []
        problems: list[tuple[Loc, str]] = []
        for key in self.exposure.question_weights:
            loc: Loc = ("exposure", "question_weights", key)
            if key not in questions:
                problems.append((loc, _unknown_question(key)))
            elif questions[key].type in {"text", "long_text", "repeat_group"}:
                message = _("Frage %(key)r wird nicht bewertet (%(type)s)") % {
                    "key": key,
                    "type": questions[key].type,
                }
                problems.append((loc, message))
        return problems

    def _ai_act_problems(self, questions: dict[str, Any]) -> list[tuple[Loc, str]]:
        key = self.ai_act.use_case_question
        if key is None:
            return []
        loc: Loc = ("ai_act", "use_case_question")
        if key not in questions:
            return [(loc, _unknown_question(key))]
        if questions[key].type != "repeat_group":
            message = _("Frage %(key)r muss eine repeat_group sein, nicht %(type)s") % {
                "key": key,
                "type": questions[key].type,
            }
            return [(loc, message)]
        if self.ai_act.procedure is not None:
            return procedure_problems(
                self.ai_act.procedure, questions[key], questions, _check_row_condition
            )
        return []


# --- conditions ---------------------------------------------------------------------------------


def _unknown_question(key: Any) -> str:
    return _("unbekannte Frage %(key)r") % {"key": key}


def _non_empty_conditions() -> str:
    return _("muss eine nicht leere Liste von Bedingungen sein")


def check_condition(
    cond: Any,
    loc: Loc,
    allowed: dict[str, Any],
    known: dict[str, Any] | None,
) -> list[tuple[Loc, str]]:
    """Problems of one condition. ``allowed``: questions it may reference (for show_if the
    earlier ones); ``known``: all questions, to tell "unknown" from "not earlier" (None: same)."""
    if not isinstance(cond, dict):
        message = _("eine Bedingung muss eine Zuordnung (key: value) sein, ist aber %(value)r")
        return [(loc, message % {"value": cond})]
    combinators = [k for k in COMBINATORS if k in cond]
    if combinators:
        if len(cond) != 1:
            others = ", ".join(repr(k) for k in cond if k != combinators[0])
            message = _("%(combinator)r lässt sich nicht mit %(others)s kombinieren") % {
                "combinator": combinators[0],
                "others": others,
            }
            return [(loc, message)]
        op = combinators[0]
        if op == "not":
            return check_condition(cond["not"], (*loc, "not"), allowed, known)
        items = cond[op]
        if not isinstance(items, list) or not items:
            return [((*loc, op), _non_empty_conditions())]
        problems: list[tuple[Loc, str]] = []
        for i, sub in enumerate(items):
            problems += check_condition(sub, (*loc, op, i), allowed, known)
        return problems

    if "q" not in cond:
        return [(loc, _("braucht 'q' (einen Fragenschlüssel) oder eines von 'all', 'any', 'not'"))]
    operator, problem = _single_operator(cond, "q", OPERATORS)
    if problem:
        return [(loc, problem)]
    key = cond["q"]
    if not isinstance(key, str):
        message = _("muss ein Fragenschlüssel sein, ist aber %(value)r") % {"value": key}
        return [((*loc, "q"), message)]
    if key not in allowed:
        if key in (known or {}):
            return [(loc, _("Frage %(key)r kommt nicht vorher") % {"key": key})]
        return [(loc, _unknown_question(key))]
    question = allowed[key]
    message = _operator_problem(operator, cond[operator], question, key)
    if message:
        return [((*loc, operator), message)]
    if operator == "any_row":
        fields = {f.key: f for f in question.fields}
        return _check_row_condition(cond["any_row"], (*loc, "any_row"), fields, key)
    return []


def _single_operator(cond: dict, subject: str, operators: tuple[str, ...]) -> tuple[str, str]:
    unknown = [k for k in cond if k != subject and k not in operators]
    if unknown:
        return "", _("unbekannter Operator %(operator)r (erlaubt: %(allowed)s)") % {
            "operator": unknown[0],
            "allowed": ", ".join(operators),
        }
    found = [k for k in cond if k != subject]
    if not found:
        return "", _("braucht einen Operator: %(allowed)s") % {"allowed": ", ".join(operators)}
    if len(found) > 1:
        return "", _("nur ein Operator je Bedingung, gefunden: %(found)s") % {
            "found": ", ".join(repr(k) for k in found)
        }
    return found[0], ""


def _check_row_condition(
    cond: Any, loc: Loc, fields: dict[str, Any], group: str
) -> list[tuple[Loc, str]]:
    if not isinstance(cond, dict):
        message = _(
            "eine Zeilenbedingung muss eine Zuordnung (key: value) sein, ist aber %(value)r"
        )
        return [(loc, message % {"value": cond})]
    combinators = [k for k in COMBINATORS if k in cond]
    if combinators:
        op = combinators[0]
        if len(cond) != 1:
            message = _("%(combinator)r lässt sich nicht mit anderen Schlüsseln kombinieren")
            return [(loc, message % {"combinator": op})]
        if op == "not":
            return _check_row_condition(cond["not"], (*loc, "not"), fields, group)
        if not isinstance(cond[op], list) or not cond[op]:
            return [((*loc, op), _non_empty_conditions())]
        problems: list[tuple[Loc, str]] = []
        for i, sub in enumerate(cond[op]):
            problems += _check_row_condition(sub, (*loc, op, i), fields, group)
        return problems
    if "field" not in cond:
        return [
            (loc, _("braucht 'field' (ein Feld der Gruppe) oder eines von 'all', 'any', 'not'"))
        ]
    operator, problem = _single_operator(cond, "field", ROW_OPERATORS)
    if problem:
        return [(loc, problem)]
    name = cond["field"]
    if name not in fields:
        message = _("unbekanntes Feld %(field)r in der repeat_group %(group)r") % {
            "field": name,
            "group": group,
        }
        return [(loc, message)]
    message = _operator_problem(operator, cond[operator], fields[name], f"{group}.{name}")
    return [((*loc, operator), message)] if message else []


def _must_be_a_boolean(value: Any) -> str:
    return _("muss true oder false sein, ist aber %(value)r") % {"value": value}


def _needs_type(operator: str, needed: str, key: str, qtype: str) -> str:
    return _("%(operator)r braucht eine Frage vom Typ %(needed)s; %(key)r ist %(type)s") % {
        "operator": operator,
        "needed": needed,
        "key": key,
        "type": qtype,
    }


def _not_an_option(value: Any, key: str) -> str:
    return _("%(value)r ist keine Option von %(key)r") % {"value": value, "key": key}


def _operator_problem(operator: str, value: Any, question: Any, key: str) -> str:
    """Why ``operator: value`` does not fit ``question`` ('' when it fits)."""
    qtype = question.type
    if operator == "answered":
        return "" if isinstance(value, bool) else _must_be_a_boolean(value)
    if operator == "includes":
        if qtype != "multi_choice":
            return _needs_type("includes", "multi_choice", key, qtype)
        if value not in _option_keys(question):
            return _not_an_option(value, key)
        return ""
    if operator in {"gte", "gt", "lte", "lt"}:
        if qtype not in {"number", "scale"}:
            return _(
                "%(operator)r braucht eine Frage vom Typ number oder scale; %(key)r ist %(type)s"
            ) % {"operator": operator, "key": key, "type": qtype}
        return "" if _is_number(value) else _must_be_a_number(value)
    if operator == "any_row":
        if qtype != "repeat_group":
            return _needs_type("any_row", "repeat_group", key, qtype)
        return ""
    if operator == "in":
        if not isinstance(value, list) or not value:
            return _("muss eine nicht leere Liste von Werten sein")
        for item in value:
            problem = _value_problem(item, question, key)
            if problem:
                return problem
        return ""
    return _value_problem(value, question, key)  # equals


def _option_keys(question: Any) -> tuple[str, ...]:
    if question.type == "yes_no":
        return ("yes", "no")
    return tuple(o.key for o in getattr(question, "options", ()) or ())


def _does_not_allow(key: str, sentinel: str) -> str:
    return _("%(key)r lässt %(sentinel)r nicht zu") % {"key": key, "sentinel": sentinel}


def _value_problem(value: Any, question: Any, key: str) -> str:
    """Why ``value`` can never be an answer of ``question`` ('' when it can)."""
    qtype = question.type
    if value == "unknown":
        return "" if question.allow_unknown else _does_not_allow(key, "unknown")
    if value == "na":
        return "" if question.allow_na else _does_not_allow(key, "na")
    if qtype in {"single_choice", "yes_no"}:
        if value not in _option_keys(question):
            return _not_an_option(value, key)
        return ""
    if qtype == "multi_choice":
        return _(
            "%(key)r ist multi_choice: bitte 'includes' verwenden "
            "(oder mit 'unknown'/'na' vergleichen)"
        ) % {"key": key}
    if qtype == "repeat_group":
        return _(
            "%(key)r ist eine repeat_group: bitte 'any_row' verwenden "
            "(oder mit 'unknown'/'na' vergleichen)"
        ) % {"key": key}
    if qtype in {"number", "scale"}:
        if not _is_number(value):
            return _must_be_a_number(value)
        if not question.min <= value <= question.max:
            return _(
                "%(value)r liegt außerhalb des Wertebereichs von %(key)r (%(min)s..%(max)s)"
            ) % {
                "value": value,
                "key": key,
                "min": question.min,
                "max": question.max,
            }
        return ""
    return (
        ""
        if isinstance(value, str)
        else _("muss ein Text sein, ist aber %(value)r") % {"value": value}
    )


# --- entry points -------------------------------------------------------------------------------


def validate_model(data: Any) -> CatalogueDocument:
    """The validated model of parsed data; raises ``CatalogueError`` listing every problem."""
    if isinstance(data, CatalogueDocument):
        return data
    if not isinstance(data, dict):
        message = _(
            "der Katalog muss auf oberster Ebene eine Zuordnung (key: value) sein, "
            "ist aber %(type)s"
        )
        raise CatalogueError([message % {"type": type(data).__name__}])
    try:
        return CatalogueDocument.model_validate(data)
    except ValidationError as error:
        messages = format_errors(error, data) + _cross_reference_lines(error, data)
        raise CatalogueError(list(dict.fromkeys(messages))) from None


# A question, section, recommendation, knock-out rule, fact or glossary entry that has an error of
# its own is left out of a second pass, so that the checks across the document (references to
# questions, facts, vendors, dimensions; duplicate keys) report in the same answer.
_ITEMS: tuple[tuple[type | str, ...], ...] = (
    ("sections", int, "questions", int),
    ("sections", int),
    ("recommendations", int),
    ("knockouts", int),
    ("facts", int),
    ("glossary", int),
)


def _item_of(loc: Loc) -> Loc | None:
    for pattern in _ITEMS:
        if len(loc) >= len(pattern) and all(
            (isinstance(part, int) and not isinstance(part, bool)) if want is int else part == want
            for part, want in zip(loc, pattern, strict=False)
        ):
            return loc[: len(pattern)]
    return None


def _keys_in(item: Any) -> set[str]:
    """The keys an item brings into the document (a section: its questions' too)."""
    keys = set()
    if isinstance(item, dict):
        if isinstance(item.get("key"), str):
            keys.add(item["key"])
        for question in item.get("questions") or ():
            if isinstance(question, dict) and isinstance(question.get("key"), str):
                keys.add(question["key"])
    return keys


def _is_cross_reference(item: dict) -> bool:
    return isinstance((item.get("ctx") or {}).get("error"), Problems)


def _cross_reference_lines(error: ValidationError, data: Any) -> list[str]:
    """The cross-document problems of ``data`` with the items that have own errors left out.

    Empty when the cross-document checks already ran, or when a document-level field (levels,
    dimensions, the AI Act block, …) is itself wrong and nothing across the document can be
    checked yet. Problems that name a key of a left-out item are not reported: they follow from
    leaving it out.
    """
    if any(_is_cross_reference(item) for item in error.errors()):
        return []
    pruned = copy.deepcopy(data)
    removed: set[str] = set()
    for _round in range(3):
        items = {_item_of(tuple(item["loc"])) for item in error.errors()}
        if None in items:
            return []
        for loc in sorted(items, key=lambda loc: (len(loc), loc), reverse=True):
            try:
                container = _at(pruned, loc[:-1])
                removed |= _keys_in(container[loc[-1]])
                del container[loc[-1]]
            except (KeyError, IndexError, TypeError):
                return []
        try:
            CatalogueDocument.model_validate(pruned)
        except ValidationError as again:
            if any(_is_cross_reference(item) for item in again.errors()):
                quoted = [repr(key) for key in removed]
                return [
                    line
                    for line in format_errors(again, pruned)
                    if not any(key in line for key in quoted)
                ]
            error = again
        else:
            return []
    return []


def to_plain(document: CatalogueDocument) -> dict:
    """The stored JSON form: plain types, ISO dates, unset optional fields left out."""
    return document.model_dump(mode="json", by_alias=True, exclude_none=True)


def validate_document(data: Any) -> dict:
    """Validate a parsed catalogue and return its plain JSON form (see ``to_plain``)."""
    return to_plain(validate_model(data))


# --- error messages -----------------------------------------------------------------------------


def format_errors(error: ValidationError, data: Any) -> list[str]:
    """Readable ``path: message`` lines for a pydantic error on the raw ``data``."""
    lines: list[str] = []
    # counted once: a file with many repeated keys has as many errors, each naming a question
    key_counts = Counter(_question_keys(data))
    for item in error.errors():
        loc = tuple(item["loc"])
        exc = (item.get("ctx") or {}).get("error")
        if isinstance(exc, Problems):
            for rel, message in exc.problems:
                lines.append(_line(data, (*loc, *rel), message, key_counts))
            continue
        lines.append(_line(data, *_message(item, loc), key_counts))
    # pydantic may report one problem once per union member; keep the first of each.
    return list(dict.fromkeys(lines))


def _required(field: str) -> str:
    return _("Pflichtfeld %(field)r fehlt") % {"field": field}


def _one_of(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" with the "or" in the active language."""
    head, sep, last = str(expected).rpartition(" or ")
    if not sep:
        return str(expected)
    word = _("oder")
    return f"{head} {word} {last}"


class _Shown:
    """A value for ``%(value)r`` in a message, cut short: pydantic hands over whole sub-trees."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= 80 else text[:79] + "…"


# pydantic's own error types, in the words of the messages above. Anything else keeps pydantic's
# English wording behind a translated lead, so that no problem goes unreported.
_TYPE_MESSAGES = {
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "string_type": "text",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "tuple_type": "list",
    "list_type": "list",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
}
_BOUNDS = {
    "greater_than_equal": "ge",
    "less_than_equal": "le",
    "greater_than": "gt",
    "less_than": "lt",
}


def _type_message(kind: str, value: Any) -> str:
    shown = {"value": _Shown(value)}
    if kind == "int":
        return _("muss eine ganze Zahl sein, ist aber %(value)r") % shown
    if kind == "number":
        return _("muss eine Zahl sein, ist aber %(value)r") % shown
    if kind == "bool":
        return _("muss true oder false sein, ist aber %(value)r") % shown
    if kind == "text":
        return _("muss ein Text sein, ist aber %(value)r") % shown
    if kind == "mapping":
        return _("muss eine Zuordnung (key: value) sein, ist aber %(value)r") % shown
    if kind == "list":
        return _("muss eine Liste sein, ist aber %(value)r") % shown
    return _("muss ein Datum wie 2026-11-30 sein, ist aber %(value)r") % shown


def _bound_message(bound: str, limit: Any, value: Any) -> str:
    values = {"limit": limit, "value": _Shown(value)}
    if bound == "ge":
        return _("muss mindestens %(limit)s sein, ist aber %(value)r") % values
    if bound == "le":
        return _("darf höchstens %(limit)s sein, ist aber %(value)r") % values
    if bound == "gt":
        return _("muss größer als %(limit)s sein, ist aber %(value)r") % values
    return _("muss kleiner als %(limit)s sein, ist aber %(value)r") % values


def _message(item: dict, loc: Loc) -> tuple[Loc, str]:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "missing" and loc:
        return loc[:-1], _required(str(loc[-1]))
    if kind == "extra_forbidden" and loc:
        return loc[:-1], _("unbekanntes Feld %(field)r") % {"field": str(loc[-1])}
    if kind == "union_tag_not_found":
        return loc, _required("type")
    if kind == "union_tag_invalid":
        values = {"tag": ctx.get("tag"), "allowed": _one_of(ctx.get("expected_tags", ""))}
        if len(loc) >= 2 and loc[-2] == "fields":
            return loc, _("nicht unterstützter Feldtyp %(tag)r (erlaubt: %(allowed)s)") % values
        return loc, _("nicht unterstützter Fragetyp %(tag)r (erlaubt: %(allowed)s)") % values
    if kind == "literal_error":
        return loc, _("muss einer dieser Werte sein: %(allowed)s; ist aber %(value)r") % {
            "allowed": _one_of(ctx.get("expected", "")),
            "value": _Shown(item.get("input")),
        }
    if kind == "value_error":
        return loc, str(ctx.get("error", item["msg"]))
    if kind in _TYPE_MESSAGES:
        return loc, _type_message(_TYPE_MESSAGES[kind], item.get("input"))
    if kind in _BOUNDS and _BOUNDS[kind] in ctx:
        return loc, _bound_message(_BOUNDS[kind], ctx[_BOUNDS[kind]], item.get("input"))
    return loc, _("ungültiger Wert (%(detail)s)") % {"detail": item["msg"]}


def _line(data: Any, loc: Loc, message: str, key_counts: Counter | None = None) -> str:
    path = render_path(data, loc, key_counts)
    return f"{path}: {message}" if path else message


def render_path(data: Any, loc: Loc, key_counts: Counter | None = None) -> str:
    """A readable path: ``sections[0].questions[2].options[1]`` → ``questions.q.options.o``.

    List items with a unique ``key`` are named by it (questions by their catalogue-wide unique key,
    without the section); other items by their index. Discriminator tags pydantic inserts into the
    location (the question ``type``) are dropped.
    """
    loc = _strip_tags(data, loc)
    if (
        len(loc) >= 4
        and loc[0] == "sections"
        and loc[2] == "questions"
        and isinstance(loc[1], int)
        and isinstance(loc[3], int)
    ):
        question = _at(data, loc[:4])
        key = question.get("key") if isinstance(question, dict) else None
        if key_counts is None:
            key_counts = Counter(_question_keys(data))
        if isinstance(key, str) and key_counts[key] == 1:
            return _join(data, loc[4:], ["questions", key], question)
        # An ambiguous key would not find the question: name it by its position instead.
        return _join(data, loc[4:], [f"sections[{loc[1]}]", "questions", f"[{loc[3]}]"], question)
    return _join(data, loc, [], data)


def _strip_tags(data: Any, loc: Loc) -> Loc:
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (
            isinstance(part, str)
            and i > 0
            and isinstance(loc[i - 1], int)
            and isinstance(node, dict)
            and node.get("type") == part
            and part in QUESTION_TYPES
            and len(out) >= 2
            and out[-2] in {"questions", "fields"}
        ):
            continue
        out.append(part)
        node = _step(node, part)
    return tuple(out)


def _join(data: Any, loc: Loc, parts: list[str], node: Any) -> str:
    for part in loc:
        child = _step(node, part)
        if isinstance(part, int) and not isinstance(node, dict):
            # A list item: by its key when that is unique among its siblings, else by index.
            key = child.get("key") if isinstance(child, dict) else None
            siblings = [c.get("key") for c in node if isinstance(c, dict)] if node else []
            unique = isinstance(key, str) and siblings.count(key) == 1
            parts.append(key if unique else f"[{part}]")
        else:
            parts.append(str(part))
        node = child
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
        return node[part]
    if isinstance(node, dict):
        return node.get(part)
    return None


def _at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        node = _step(node, part)
    return node


def _question_keys(data: Any) -> list[Any]:
    keys: list[Any] = []
    sections = data.get("sections") if isinstance(data, dict) else None
    for section in sections if isinstance(sections, list) else ():
        questions = section.get("questions") if isinstance(section, dict) else None
        for question in questions if isinstance(questions, list) else ():
            if isinstance(question, dict):
                keys.append(question.get("key"))
    return keys
