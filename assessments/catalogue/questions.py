"""Questions and their options: the eight question types, the fields of a repeat group (one
row per use case) and the sections that hold them. Each model checks itself; references across
the document (conditions, vendors, facts, duplicate keys) are checked by ``document``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, model_validator

from .fields import (
    AiActClass,
    Caps,
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
    _Model,
    _non_empty,
    _raise,
    repeated,
)

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


class _Choices(_Model):
    """A question or field answered by picking options: at least two, each key once."""

    @model_validator(mode="after")
    def _options(self):
        problems: list[tuple[Loc, str]] = []
        if len(self.options) < 2:
            problems.append((("options",), _("es sind mindestens 2 Optionen nötig")))
        located = ((("options", i, "key"), option.key) for i, option in enumerate(self.options))
        problems += repeated(located, _("Optionsschlüssel %(key)r kommt doppelt vor"))
        _raise(problems)
        return self


class _Asked(_Model):
    """What a question and a field of a repeat group have in common."""

    key: Key
    text: Text
    help: Text
    required: bool = True
    allow_unknown: bool = False
    allow_na: bool = False


class _QuestionBase(_Asked):
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


class SingleChoiceQuestion(_QuestionBase, _Choices):
    type: Literal["single_choice"]
    options: tuple[Option, ...]


class MultiChoiceQuestion(_QuestionBase, _Choices):
    type: Literal["multi_choice"]
    options: tuple[Option, ...]
    max_points: Caps | None = None


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
        if self.max <= self.min:
            raise Problems([(("max",), _greater_than_min(self.min))])
        problems: list[tuple[Loc, str]] = []
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
        if self.max <= self.min:
            raise Problems([(("max",), _greater_than_min(self.min))])
        problems: list[tuple[Loc, str]] = []
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


class SingleChoiceField(_Asked, _Choices):
    type: Literal["single_choice"]
    options: tuple[FieldOption, ...]


class YesNoField(_Asked):
    type: Literal["yes_no"]
    yes: FieldAnswerBlock = FieldAnswerBlock()
    no: FieldAnswerBlock = FieldAnswerBlock()


class TextField(_Asked):
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
        located = ((("fields", i, "key"), field.key) for i, field in enumerate(self.fields))
        problems += repeated(located, _("Feldschlüssel %(key)r kommt doppelt vor"))
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
