"""Visibility and progress over one catalogue document (the validated plain dict stored per
version): which questions are shown for the answers so far, which required ones are missing,
and how long the questionnaire takes.

Pure: no ORM, no I/O. Indexes are built once per document object and memoised.
"""

from dataclasses import dataclass
from functools import cached_property

from ..catalogue.conditions import is_answered, visible_questions

# Rough seconds a client needs per question type (reading, thinking, clicking); the one place
# the effort claims on the landing page and the organisation page come from.
SECONDS_PER_QUESTION = {
    "single_choice": 25,
    "yes_no": 20,
    "scale": 25,
    "multi_choice": 45,
    "number": 30,
    "text": 40,
    "long_text": 90,
    "repeat_group": 180,
}


@dataclass(frozen=True)
class Effort:
    """How much a client is asked: the required questions shown before any answer, up to all
    required ones (conditional questions appear only when their condition holds), and the time
    the first take."""

    questions_min: int
    questions_max: int
    sections: int
    minutes: int


@dataclass(frozen=True)
class SectionProgress:
    key: str
    title: dict
    required: int
    answered: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


class Questionnaire:
    """Indexes over one catalogue document."""

    def __init__(self, document: dict) -> None:
        self.document = document

    @cached_property
    def sections(self) -> list[dict]:
        return self.document["sections"]

    @cached_property
    def questions(self) -> dict[str, dict]:
        return {q["key"]: q for s in self.sections for q in s["questions"]}

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {q["key"]: s["key"] for s in self.sections for q in s["questions"]}

    @cached_property
    def section_by_key(self) -> dict[str, dict]:
        return {s["key"]: s for s in self.sections}

    @cached_property
    def dependents(self) -> dict[str, set[str]]:
        """question key → keys of questions whose show_if depends on it, transitively."""
        direct: dict[str, set[str]] = {}
        for question in self.questions.values():
            for ref in _referenced_questions(question.get("show_if")):
                direct.setdefault(ref, set()).add(question["key"])
        closure: dict[str, set[str]] = {}
        for key in self.questions:
            seen: set[str] = set()
            stack = list(direct.get(key, ()))
            while stack:
                current = stack.pop()
                if current not in seen:
                    seen.add(current)
                    stack.extend(direct.get(current, ()))
            closure[key] = seen
        return closure

    @cached_property
    def condition_keys(self) -> frozenset[str]:
        """Questions some ``show_if`` reads: the only answers whose values the progress needs."""
        return frozenset(
            ref
            for question in self.questions.values()
            for ref in _referenced_questions(question.get("show_if"))
        )

    @cached_property
    def vendor_tagged(self) -> tuple[str, ...]:
        """Questions with an option (or a yes/no answer) tagged with vendors, in order: where a
        client's exposure to a vendor comes from."""
        return tuple(
            key
            for key, question in self.questions.items()
            if any(option.get("vendors") for option in question.get("options", ()))
            or any((question.get(b) or {}).get("vendors") for b in ("yes", "no"))
        )

    def visible(self, answers: dict) -> set[str]:
        return set(visible_questions(self.document, answers))

    def progress(self, answers: dict) -> list[SectionProgress]:
        visible = self.visible(answers)
        result = []
        for section in self.sections:
            required = [
                q["key"]
                for q in section["questions"]
                if q["key"] in visible and q.get("required", True)
            ]
            missing = tuple(k for k in required if not is_answered(answers.get(k)))
            result.append(
                SectionProgress(
                    key=section["key"],
                    title=section["title"],
                    required=len(required),
                    answered=len(required) - len(missing),
                    missing=missing,
                )
            )
        return result

    @cached_property
    def effort(self) -> Effort:
        required = [q for q in self.questions.values() if q.get("required", True)]
        shown_first = self.visible({})
        always = [q for q in required if q["key"] in shown_first]
        seconds = sum(SECONDS_PER_QUESTION.get(q["type"], 30) for q in always)
        return Effort(
            questions_min=len(always),
            questions_max=len(required),
            sections=len(self.sections),
            # to the nearest five minutes, at least five
            minutes=max(5, 5 * round(seconds / 300)),
        )

    def missing(self, answers: dict) -> list[str]:
        """Keys of the required questions shown for ``answers`` that have no answer."""
        return [key for section in self.progress(answers) for key in section.missing]

    def neighbours(self, section_key: str) -> tuple[str | None, str | None]:
        keys = [s["key"] for s in self.sections]
        index = keys.index(section_key)
        previous = keys[index - 1] if index > 0 else None
        following = keys[index + 1] if index + 1 < len(keys) else None
        return previous, following


def _referenced_questions(condition) -> set[str]:
    if not condition:
        return set()
    refs: set[str] = set()
    if "q" in condition:
        refs.add(condition["q"])
    for key in ("all", "any"):
        for sub in condition.get(key, ()):
            refs |= _referenced_questions(sub)
    if "not" in condition:
        refs |= _referenced_questions(condition["not"])
    return refs
