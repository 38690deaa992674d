"""The catalogue schema: pydantic models plus the cross-references pydantic cannot see.

``validate_document(data)`` returns the validated plain dict or raises ``CatalogueError`` whose
``messages`` each name the key path and what is wrong, e.g.
``sections[2].questions[4].show_if: unknown question 'foo'``.
"""

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DIMENSIONS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
AI_ACT_CLASSES = ("prohibited", "high_risk", "transparency", "minimal", "unclear")
QUESTION_TYPES = (
    "single_choice",
    "multi_choice",
    "yes_no",
    "scale",
    "number",
    "text",
    "long_text",
    "repeat_group",
)
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=64)]
Points = Annotated[float, Field(ge=0, le=10)]
Scores = dict[Literal[DIMENSIONS], Points]  # type: ignore[valid-type]


class CatalogueError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    de: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    @field_validator("de", "en")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Dimension(Strict):
    title: Text
    description: Text | None = None
    weight: Annotated[float, Field(gt=0, le=5)] = 1.0


class Levels(Strict):
    medium: Annotated[int, Field(ge=1, le=100)]
    high: Annotated[int, Field(ge=1, le=100)]
    critical: Annotated[int, Field(ge=1, le=100)]


class Exposure(Strict):
    question_weights: dict[Key, Annotated[float, Field(gt=0, le=1)]]
    min_factor: Annotated[float, Field(ge=0, le=1)] = 0.5


class AiActClass(Strict):
    title: Text
    article: str | None = None
    applies_from: datetime.date | None = None
    duties: list[Text] = []
    points: Points | None = None


class AiAct(Strict):
    classes: dict[Literal[AI_ACT_CLASSES], AiActClass]  # type: ignore[valid-type]
    use_case_question: Key | None = None


class Option(Strict):
    key: Key
    label: Text
    scores: Scores
    vendors: list[Key] = []
    knockout: Literal[DIMENSIONS] | None = None  # type: ignore[valid-type]
    reason: Text | None = None
    ai_act_class: Literal[AI_ACT_CLASSES] | None = None  # type: ignore[valid-type]
    annex_iii: str | None = None


class YesNoBranch(Strict):
    scores: Scores
    vendors: list[Key] = []
    knockout: Literal[DIMENSIONS] | None = None  # type: ignore[valid-type]
    reason: Text | None = None


class Band(Strict):
    upto: int | float | None
    scores: Scores


class Question(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    key: Key
    type: Literal[QUESTION_TYPES]  # type: ignore[valid-type]
    text: Text
    help: Text
    required: bool = True
    allow_unknown: bool = False
    allow_na: bool = False
    unknown_scores: Scores | None = None
    show_if: dict[str, Any] | None = None
    reason: Text | None = None
    options: list[Option] | None = None
    max_points: Scores | None = None
    yes: YesNoBranch | None = Field(default=None, alias="yes")
    no: YesNoBranch | None = Field(default=None, alias="no")
    min: int | float | None = None
    max: int | float | None = None
    unit: Text | None = None
    labels: dict[int, Text] | None = None
    scores: dict[Literal[DIMENSIONS], list[Points]] | None = None  # type: ignore[valid-type]
    bands: list[Band] | None = None
    max_length: Annotated[int, Field(ge=1, le=20000)] | None = None
    fields: list["Question"] | None = None
    max_rows: Annotated[int, Field(ge=1, le=100)] | None = None
    min_rows: Annotated[int, Field(ge=0, le=100)] | None = None


class Section(Strict):
    key: Key
    title: Text
    intro: Text | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Recommendation(Strict):
    key: Key
    when: dict[str, Any]
    dimension: Literal[DIMENSIONS]  # type: ignore[valid-type]
    priority: Annotated[int, Field(ge=1, le=3)]
    effort: Literal["low", "medium", "high"]
    title: Text
    text: Text


class GlossaryEntry(Strict):
    term: Text
    definition: Text


class Catalogue(Strict):
    schema_: Literal[1] = Field(alias="schema")
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    title: Text
    description: Text | None = None
    dimensions: dict[Literal[DIMENSIONS], Dimension]  # type: ignore[valid-type]
    levels: Levels
    exposure: Exposure | None = None
    vendors: dict[Key, Text] = {}
    ai_act: AiAct | None = None
    sections: Annotated[list[Section], Field(min_length=1)]
    recommendations: list[Recommendation] = []
    glossary: list[GlossaryEntry] = []

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _loc(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(document)"


def _pydantic_messages(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        # Drop pydantic's union/literal branch names so the path stays the document's path.
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        message = item["msg"]
        if item["type"] == "missing":
            message = f"'{loc[-1]}' is required" if loc else "required"
            loc = loc[:-1]
        elif item["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            loc = loc[:-1]
        messages.append(f"{_loc(loc)}: {message}")
    return messages


def validate_document(data: Any) -> dict:
    if not isinstance(data, dict):
        raise CatalogueError(["(document): the file must contain a mapping at the top level"])
    try:
        model = Catalogue.model_validate(data)
    except ValidationError as error:
        raise CatalogueError(_pydantic_messages(error)) from None
    document = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    messages = _cross_check(document)
    if messages:
        raise CatalogueError(messages)
    return document


def _cross_check(doc: dict) -> list[str]:
    from .references import check_references

    return check_references(doc)
