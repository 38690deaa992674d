"""The whole catalogue document and the entry points that validate one (docs/catalogue-format.md).

The models are split by concern: ``questions`` (questions, options, sections), ``rules``
(dimensions, levels, exposure, AI Act classes, recommendations, knock-outs), ``facts`` (facts,
glossary, DPIA screening, crosswalk), ``legal`` (the AI Act procedure). Each checks its own
fields; what needs the whole document (duplicate keys, references between questions, conditions
that must fit the question they read, facts and vendors that must exist) is checked here, in
``CatalogueDocument``'s validator. Validators report *all* problems they find at once by raising
``Problems``, a ``ValueError`` that carries ``(relative location, message)`` pairs;
``messages.format_errors`` turns them and pydantic's own errors into readable ``path: message``
lines.

No I/O. Messages go through Django's ``gettext`` when a problem is found, so they come in the
active language (in the admin's upload view, the admin's); the path in front of each message stays
as written in the file.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from .condition_checks import _unknown_question, check_condition, check_row_condition
from .facts import Crosswalk, DpiaScreening, Fact, GlossaryEntry
from .fields import (
    AI_ACT_CLASSES,
    DIMENSIONS,
    CatalogueError,
    Key,
    Loc,
    Problems,
    Text,
    _check_family,
    _check_version,
    _Model,
    _non_empty,
    _raise,
    _unknown_dimension,
    repeated,
)
from .legal import procedure_problems, row_filter_problems
from .messages import _at, format_errors
from .questions import Option, Section, YesNoQuestion
from .rules import AiAct, DimensionSpec, Exposure, KnockoutRule, Levels, Recommendation


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
        def located(items, *path):
            return (((*path, i, "key"), item.key) for i, item in enumerate(items))

        questions = [((*loc, "key"), question.key) for loc, question in self.questions()]
        return [
            *repeated(
                located(self.sections, "sections"),
                _("Abschnittsschlüssel %(key)r kommt doppelt vor"),
            ),
            *repeated(questions, _("Fragenschlüssel %(key)r kommt doppelt vor")),
            *repeated(
                located(self.recommendations, "recommendations"),
                _("Empfehlungsschlüssel %(key)r kommt doppelt vor"),
            ),
            # the rule's key stands in for a question key in the drivers
            *repeated(
                located(self.knockouts, "knockouts"),
                _("der K.-o.-Schlüssel %(key)r ist schon vergeben"),
                taken={key for _loc, key in questions},
            ),
        ]

    def answer_blocks(self) -> list[tuple[Loc, Any]]:
        """Every option and yes/no block of the questions (not of repeat-group fields), with its
        location: what carries scores, vendors and facts."""
        blocks: list[tuple[Loc, Any]] = []
        for loc, question in self.questions():
            for o, option in enumerate(getattr(question, "options", ()) or ()):
                if isinstance(option, Option):
                    blocks.append(((*loc, "options", o), option))
            if isinstance(question, YesNoQuestion):
                blocks += [((*loc, "yes"), question.yes), ((*loc, "no"), question.no)]
        return blocks

    def _fact_problems(self) -> list[tuple[Loc, str]]:
        problems = repeated(
            ((("facts", f, "key"), fact.key) for f, fact in enumerate(self.facts)),
            _("Faktenschlüssel %(key)r kommt doppelt vor"),
        )
        citing: list[tuple[Loc, tuple[str, ...]]] = [
            *((loc, question.facts) for loc, question in self.questions()),
            *((loc, block.facts) for loc, block in self.answer_blocks()),
            *(
                (("ai_act", "classes", name), getattr(self.ai_act.classes, name).facts)
                for name in AI_ACT_CLASSES
            ),
            *((("recommendations", r), rec.facts) for r, rec in enumerate(self.recommendations)),
            *((("knockouts", k), rule.facts) for k, rule in enumerate(self.knockouts)),
        ]
        if self.ai_act.procedure is not None:
            citing += [
                (("ai_act", "procedure", "elements", key), element.facts)
                for key, element in self.ai_act.procedure.elements.items()
            ]
        if self.dpia_screening is not None:
            citing.append((("dpia_screening",), self.dpia_screening.facts))
            citing += [
                (("dpia_screening", "criteria", c), criterion.facts)
                for c, criterion in enumerate(self.dpia_screening.criteria)
            ]
        if self.crosswalk is not None:
            citing += [
                (("crosswalk", "frameworks", f), framework.facts)
                for f, framework in enumerate(self.crosswalk.frameworks)
            ]
        known = {fact.key for fact in self.facts}
        return problems + _unknown(citing, known, "facts", _("unbekannter Fakt %(key)r"))

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
        criteria = [
            (("dpia_screening", "criteria", c), criterion)
            for c, criterion in enumerate(screening.criteria)
        ]
        problems += repeated(
            (((*loc, "key"), criterion.key) for loc, criterion in criteria),
            _("Kriterienschlüssel %(key)r kommt doppelt vor"),
        )
        for loc, criterion in criteria:
            problems += check_row_condition(criterion.when, (*loc, "when"), fields, group)
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
            problems += repeated(
                (
                    ((*loc, "controls", c, "id"), control.id)
                    for c, control in enumerate(framework.controls)
                ),
                _("Maßnahme %(id)r kommt doppelt vor"),
                taken=set(ids),
            )
            ids.update(control.id for control in framework.controls)
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
        naming = [(loc, block.vendors) for loc, block in self.answer_blocks()]
        return _unknown(naming, self.vendors, "vendors", _("unbekannter Anbieter %(key)r"))

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
            return procedure_problems(self.ai_act.procedure, questions[key], questions)
        return []


def _unknown(
    located: list[tuple[Loc, tuple[str, ...]]], known, field: str, message: str
) -> list[tuple[Loc, str]]:
    """A problem for each key (a fact, a vendor) that ``known`` lacks, at ``location.field``."""
    return [
        ((*loc, field), message % {"key": key})
        for loc, keys in located
        for key in keys
        if key not in known
    ]


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
