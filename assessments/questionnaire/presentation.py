"""Presentation of catalogue questions for the wizard templates (no business rules here)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..catalogue.conditions import is_answered
from ..catalogue.text import tr
from ..models import Answer
from .answers import DEFAULT_MAX_LENGTH, answer_label, option_keys
from .progress import Questionnaire


@dataclass
class OptionView:
    key: str
    label: str
    checked: bool
    group: str = ""  # a select field's option group (<optgroup>), in catalogue order


@dataclass
class RowView:
    index: int
    fields: list


@dataclass
class QuestionView:
    key: str
    type: str
    text: str
    help: str
    required: bool
    visible: bool
    value: object
    options: list[OptionView] = field(default_factory=list)
    special: str = ""
    allow_unknown: bool = False
    allow_na: bool = False
    min: object = None
    max: object = None
    unit: str = ""
    max_length: int | None = None
    scale_labels: dict = field(default_factory=dict)
    rows: list[RowView] = field(default_factory=list)
    max_rows: int = 20
    carry: str = ""
    updated_by: str = ""
    updated_at: object = None
    error: str = ""
    editable: bool = True
    version: int = 0  # the stored answer's version (0: none); sent back with every save
    conflict: object = None  # a ConflictView when someone else saved this answer meanwhile

    @property
    def text_value(self) -> str:
        if self.value is None or self.special:
            return ""
        return str(self.value)

    @property
    def needs_confirmation(self) -> bool:
        return self.carry == Answer.Carry.COPIED


def _yes_no_labels() -> dict[str, str]:
    return {"yes": _("Ja"), "no": _("Nein")}


def _options(question: dict, value) -> list[OptionView]:
    chosen = value if isinstance(value, list) else [value]
    if question["type"] == "yes_no":
        labels = _yes_no_labels()
        return [OptionView(k, labels[k], k in chosen) for k in option_keys(question)]
    return [
        OptionView(
            option["key"], tr(option["label"]), option["key"] in chosen, tr(option.get("group"))
        )
        for option in question.get("options", ())
    ]


def question_view(
    question: dict,
    *,
    value=None,
    answer: Answer | None = None,
    visible: bool = True,
    error: str = "",
    editable: bool = True,
    extra_row: bool = False,
) -> QuestionView:
    special = value if isinstance(value, str) and value in ("unknown", "na") else ""
    view = QuestionView(
        key=question["key"],
        type=question["type"],
        text=tr(question["text"]),
        help=tr(question.get("help")),
        required=question.get("required", True),
        visible=visible,
        value=value,
        special=special,
        allow_unknown=bool(question.get("allow_unknown")),
        allow_na=bool(question.get("allow_na")),
        min=question.get("min", 1 if question["type"] == "scale" else None),
        max=question.get("max", 5 if question["type"] == "scale" else None),
        unit=tr(question.get("unit")),
        max_length=question.get("max_length", DEFAULT_MAX_LENGTH.get(question["type"])),
        scale_labels={int(k): tr(v) for k, v in (question.get("labels") or {}).items()},
        max_rows=question.get("max_rows", 20),
        carry=answer.carry if answer else "",
        updated_by=answer.updated_by.display_name if answer and answer.updated_by else "",
        updated_at=answer.updated_at if answer else None,
        error=error,
        editable=editable,
        version=answer.version if answer else 0,
    )
    if question["type"] in {"single_choice", "multi_choice", "yes_no"}:
        view.options = _options(question, value)
    if question["type"] == "scale":
        view.options = [
            OptionView(str(n), view.scale_labels.get(n, str(n)), value == n)
            for n in range(view.min, view.max + 1)
        ]
    if question["type"] == "repeat_group":
        rows = value if isinstance(value, list) else []
        count = len(rows) + (1 if (extra_row or not rows) and len(rows) < view.max_rows else 0)
        for index in range(count):
            row = rows[index] if index < len(rows) else {}
            view.rows.append(
                RowView(
                    index=index,
                    fields=[
                        question_view(
                            {**f, "key": f"{question['key']}-{index}-{f['key']}"},
                            value=row.get(f["key"]),
                            editable=editable,
                        )
                        for f in question["fields"]
                    ],
                )
            )
    return view


@dataclass
class ConflictView:
    """Someone else saved this question after the page showed it: what is stored now, and the
    question rendered with it (for "keep theirs")."""

    key: str
    who: str
    by_me: bool  # the same person, in another tab or window
    when: object
    theirs: str  # readable stored value ("" when they removed the answer)
    mine: str
    version: int
    question: QuestionView


def conflict_view(question: dict, *, conflict, user, editable: bool = True) -> ConflictView:
    current = conflict.current
    return ConflictView(
        key=question["key"],
        by_me=bool(current and current.updated_by_id == user.pk),
        who=current.updated_by.display_name if current and current.updated_by else "",
        when=current.updated_at if current else None,
        theirs=answer_label(question, current.value) if current else "",
        mine=answer_label(question, conflict.value),
        version=conflict.version,
        question=question_view(
            question, value=current.value if current else None, answer=current, editable=editable
        ),
    )


@dataclass
class ProgressView:
    """The wizard's sidebar: required questions answered, per section and in total."""

    answered: int
    required: int
    percent: int
    sections: list[dict]
    current: str


def progress_view(questionnaire: Questionnaire, answers: dict, *, current: str) -> ProgressView:
    progress = questionnaire.progress(answers)
    required = sum(p.required for p in progress)
    answered = sum(p.answered for p in progress)
    return ProgressView(
        answered=answered,
        required=required,
        # floor, so that 100 % means every required question is answered
        percent=(100 * answered // required) if required else 100,
        sections=[
            {"key": p.key, "title": tr(p.title), "complete": p.complete, "missing": len(p.missing)}
            for p in progress
        ],
        current=current,
    )


def section_views(
    questionnaire: Questionnaire,
    section_key: str,
    *,
    answers: dict,
    answer_rows: dict,
    errors: dict | None = None,
    editable: bool = True,
    extra_rows: set[str] | None = None,
) -> list[QuestionView]:
    visible = questionnaire.visible(answers)
    errors = errors or {}
    return [
        question_view(
            question,
            value=answers.get(question["key"]),
            answer=answer_rows.get(question["key"]),
            visible=question["key"] in visible,
            error=errors.get(question["key"], ""),
            editable=editable,
            extra_row=question["key"] in (extra_rows or ()),
        )
        for question in questionnaire.section_by_key[section_key]["questions"]
    ]


@dataclass
class ReviewAnswer:
    key: str
    text: str
    answer: str
    required: bool
    missing: bool


@dataclass
class ReviewSection:
    key: str
    title: str
    answers: list[ReviewAnswer]

    @property
    def missing(self) -> int:
        return sum(1 for a in self.answers if a.missing)


def review_sections(questionnaire: Questionnaire, answers: dict) -> list[ReviewSection]:
    """Every question shown for ``answers``, with its readable answer, section by section."""
    visible = questionnaire.visible(answers)
    sections = []
    for section in questionnaire.sections:
        rows = []
        for question in section["questions"]:
            key = question["key"]
            if key not in visible:
                continue
            value = answers.get(key)
            answered = is_answered(value)
            required = question.get("required", True)
            rows.append(
                ReviewAnswer(
                    key=key,
                    text=tr(question["text"]),
                    answer=answer_label(question, value) if answered else "",
                    required=required,
                    missing=required and not answered,
                )
            )
        sections.append(ReviewSection(key=section["key"], title=tr(section["title"]), answers=rows))
    return sections
