"""Writes of the questionnaire flow: storing one answer of a draft, with its version check, the
audit of overwriting someone else's answer, and the progress input the save reads anyway."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.models import User

from ..models import Answer, Assessment
from .answers import AnswerInvalid, validate_value
from .selectors import can_edit_assessment, progress_value, questionnaire_for


class AssessmentLocked(Exception):
    """The assessment was submitted; its answers no longer change."""


class AnswerConflict(Exception):
    """Someone saved this answer after the page showed it (its version moved on) and stored
    another value; nothing was written. ``current`` is the stored answer now (None: removed)."""

    def __init__(self, *, question_key: str, value, current: Answer | None) -> None:
        super().__init__(question_key)
        self.question_key = question_key
        self.value = value
        self.current = current

    @property
    def version(self) -> int:
        """The version to send back to overwrite what is stored now."""
        return self.current.version if self.current else 0


@dataclass(frozen=True)
class AnswerSaved:
    """A save's outcome: the stored answer (None: removed), and what the progress needs of the
    draft's answers after it (see ``selectors.progress_value``)."""

    answer: Answer | None
    progress_answers: dict


def answer_save(**arguments) -> Answer | None:
    """Store one answer (the arguments of ``answer_save_with_progress``); the stored answer, or
    None when the value removed it."""
    return answer_save_with_progress(**arguments).answer


def answer_save_with_progress(
    *,
    assessment: Assessment,
    user: User,
    question_key: str,
    value,
    expected_version: int | None = None,
    conflict_resolved: bool = False,
) -> AnswerSaved:
    """Store one answer; touches only this question's row. Also gives the draft's progress
    input: the save's one read of the draft's answers serves the version check and the progress
    sidebar alike.

    ``expected_version`` is the version the person's page showed (0: no answer). If another
    write came in between and stored something else, ``AnswerConflict`` is raised and nothing is
    written; ``None`` skips the check (the later write wins). Overwriting another person's answer
    is audited (``answer.overwrite``), with ``conflict_resolved`` when the person saw that
    person's value in a conflict notice and chose their own."""
    if not can_edit_assessment(user=user, assessment=assessment):
        raise PermissionDenied
    questionnaire = questionnaire_for(assessment)
    question = questionnaire.questions.get(question_key)
    if question is None:
        raise AnswerInvalid(_("Diese Frage gibt es in diesem Fragebogen nicht."))
    value = validate_value(question, value)
    with transaction.atomic():
        # Lock the assessment row: a concurrent submit cannot slip between check and write, and
        # saves to one assessment take their versions in turn. The answers are read by the next
        # statement: under READ COMMITTED a statement that waited for the lock still reads other
        # tables as they were when it began, so a join here could miss the write it waited for.
        locked = (
            Assessment.objects.select_for_update()
            .values("status", "previous_id", "removed_answer_version")
            .get(pk=assessment.pk)
        )
        if locked["status"] != Assessment.Status.DRAFT:
            raise AssessmentLocked
        current, highest, progress = _answers_around(assessment, questionnaire, question_key)
        stored_version = current.version if current else 0
        if expected_version is not None and expected_version != stored_version:
            if (current.value if current else None) != value:
                raise AnswerConflict(question_key=question_key, value=value, current=current)
            return AnswerSaved(current, progress)  # the other write stored the same
        version = max(highest, locked["removed_answer_version"]) + 1
        if current is not None and current.value != value:
            _overwrite_audit(
                assessment=assessment,
                user=user,
                question=question,
                current=current,
                value=value,
                version=version,
                conflict_resolved=conflict_resolved,
            )
        if value is None:
            progress.pop(question_key, None)
            if current is not None:
                Answer.objects.filter(pk=current.pk).delete()
                Assessment.objects.filter(pk=assessment.pk).update(
                    removed_answer_version=max(locked["removed_answer_version"], current.version)
                )
            return AnswerSaved(None, progress)
        progress[question_key] = value if question_key in questionnaire.condition_keys else True
        now = timezone.now()
        if current is None:
            answer = Answer.objects.create(
                assessment_id=assessment.pk,
                question_key=question_key,
                value=value,
                updated_by=user,
                updated_at=now,
                version=version,
            )
            return AnswerSaved(answer, progress)
        carry = current.carry
        if carry != Answer.Carry.NEW:
            # Re-assessment: saving last time's value confirms it, anything else changes it.
            before = (
                Answer.objects.filter(
                    assessment_id=locked["previous_id"], question_key=question_key
                )
                .values_list("value", flat=True)
                .first()
            )
            carry = Answer.Carry.CONFIRMED if before == value else Answer.Carry.CHANGED
        Answer.objects.filter(pk=current.pk).update(
            value=value, carry=carry, updated_by=user, updated_at=now, version=version
        )
        current.value, current.carry, current.version = value, carry, version
        current.updated_by, current.updated_at = user, now
        return AnswerSaved(current, progress)


def _answers_around(assessment: Assessment, questionnaire, question_key: str):
    """One query over the draft's answers: this question's stored answer (or None), the highest
    version given, and the progress input. Only this answer's value and the few values some
    condition reads are fetched and decoded; the others count as answered or not."""
    rows = (
        Answer.objects.filter(assessment_id=assessment.pk)
        .annotate(
            progress_value=progress_value(questionnaire, also_value_of=question_key),
        )
        .values_list("question_key", *_CURRENT_FIELDS, "progress_value")
    )
    current, highest, progress = None, 0, {}
    for key, *fields, progress_input in rows:
        stored = dict(zip(_CURRENT_FIELDS, fields, strict=True))
        highest = max(highest, stored["version"])
        progress[key] = progress_input
        if key == question_key:
            current = Answer(
                assessment_id=assessment.pk, question_key=key, value=progress_input, **stored
            )
    return current, highest, progress


# The stored answer's fields the save reads for every row (small: no value) and hands back for
# its own question.
_CURRENT_FIELDS = ("id", "version", "carry", "updated_by_id", "updated_at")


def _overwrite_audit(*, assessment, user, question, current, value, version, conflict_resolved):
    """Who replaced whose answer: only when the value changes and it was someone else's (a
    person correcting their own answer is no event). Free text is recorded by its length only:
    the audit log outlives the answers and must not become a copy of what clients wrote."""
    if current.updated_by_id == user.pk and not conflict_resolved:
        return
    audit_record(
        action="answer.overwrite",
        actor=user,
        organization=assessment.organization,
        target=question["key"],
        data={
            "assessment": str(assessment.pk),
            "question": question["key"],
            "previous_by": current.updated_by_id,
            "previous_version": current.version,
            "version": version,
            "before": _audit_value(question, current.value),
            "after": _audit_value(question, value),
            "conflict_resolved": conflict_resolved,
        },
    )


def _audit_value(question: dict, value):
    if value is None or question["type"] not in ("text", "long_text", "repeat_group"):
        return value
    return {"length": len(str(value))}
