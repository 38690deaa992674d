"""Scoring hints and rules: the dimensions and their weights, the level thresholds, the exposure
weighting, the AI Act classes, the recommendations and the knock-out rules."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, model_validator

from .fields import (
    AI_ACT_CLASSES,
    Condition,
    Dimension,
    FactKeys,
    Key,
    Loc,
    NonEmpty,
    Number,
    Points,
    Problems,
    Text,
    _check_share,
    _check_weight,
    _Model,
    _non_empty,
    _raise,
)
from .legal import Procedure, RowFilter
from .messages import _required


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
