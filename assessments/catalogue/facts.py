"""What the catalogue states beside its questions: facts with their source and the date they
were checked, the glossary, and what the drafted documents read (the DPIA screening criteria,
the crosswalk of recommendations to certification controls)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from .fields import (
    Condition,
    FactKeys,
    Key,
    NonEmpty,
    Text,
    _Model,
    _non_empty,
)


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
