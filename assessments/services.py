"""Writes for questionnaires, assessments and answers."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clients.services import assessment_submission_notify
from portal.models import Organization, User
from portal.portfolio.facts import catalogue_facts, facts_of
from portal.portfolio.summary import client_summaries_refresh
from portal.services import audit_record

from .actionplan.services import action_create, actions_generate
from .catalogue import CatalogueError, load_document, to_plain
from .models import Answer, Assessment, ConsultantNote, QuestionnaireVersion
from .questionnaire.answers import AnswerInvalid, carry_value, validate_value
from .questionnaire.progress import Questionnaire
from .results.services import (  # noqa: F401 - the results' writes are part of this API
    RESCORE_FIELDS,
    RescoreOutcome,
    _answers_by_assessment,
    _result_fields,
    latest_results_refresh,
    result_fields,
    result_store,
    results_rescore,
    results_rescore_parallel,
)
from .review.models import ReviewState
from .review.services import review_start
from .selectors import answers_dict, can_edit_assessment, progress_value, questionnaire_for


class AssessmentLocked(Exception):
    """The assessment was submitted; its answers no longer change."""


# --- questionnaire versions -------------------------------------------------------------------


def questionnaire_load(*, source: str, uploaded_by: User | None = None) -> QuestionnaireVersion:
    """Validate YAML and store it as a draft version. Raises ``CatalogueError`` with messages."""
    data = to_plain(load_document(source))
    if QuestionnaireVersion.objects.filter(key=data["key"], version=data["version"]).exists():
        message = _(
            "version: %(key)s %(version)s gibt es schon; eine Änderung braucht eine neue "
            "Versionsnummer"
        )
        raise CatalogueError([message % {"key": data["key"], "version": data["version"]}])
    return QuestionnaireVersion.objects.create(
        key=data["key"],
        version=data["version"],
        title=data["title"]["de"],
        document=data,
        source=source,
        sha256=hashlib.sha256(source.encode()).hexdigest(),
        uploaded_by=uploaded_by,
    )


def questionnaire_publish(*, version: QuestionnaireVersion, actor: User | None = None) -> None:
    updated = QuestionnaireVersion.objects.filter(
        pk=version.pk, status=QuestionnaireVersion.Status.DRAFT
    ).update(status=QuestionnaireVersion.Status.PUBLISHED, published_at=timezone.now())
    if updated:
        audit_record(action="questionnaire.publish", actor=actor, target=str(version))
    version.refresh_from_db()


@transaction.atomic
def questionnaire_activate(*, version: QuestionnaireVersion, actor: User | None = None) -> None:
    if not version.is_published:
        raise ValidationError(_("Nur veröffentlichte Versionen können aktiv sein."))
    before = catalogue_facts().thresholds
    QuestionnaireVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    QuestionnaireVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.refresh_from_db()
    if facts_of(version.document).thresholds != before:
        # the portfolio's dimension levels follow the active catalogue's thresholds
        client_summaries_refresh()
    audit_record(action="questionnaire.activate", actor=actor, target=str(version))


# --- assessments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartResult:
    assessment: Assessment
    created: bool
    copied: int


def assessment_start(
    *, organization: Organization, user: User, copy_previous: bool = True
) -> StartResult:
    """Start an assessment bound to the active questionnaire, or return the open draft."""
    existing = organization.assessments.filter(status=Assessment.Status.DRAFT).first()
    if existing:
        return StartResult(existing, created=False, copied=0)
    questionnaire = QuestionnaireVersion.objects.active()
    if questionnaire is None:
        raise ValidationError(
            _("Der Fragebogen ist noch nicht freigeschaltet. Bitte versuchen Sie es später.")
        )
    previous = (
        organization.assessments.filter(status=Assessment.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organization=organization,
                questionnaire=questionnaire,
                previous=previous,
                started_by=user,
            )
            copied = _copy_answers(previous, assessment, user) if previous and copy_previous else 0
    except IntegrityError:
        # Two members clicked "start" at once: the other request's draft wins.
        existing = organization.assessments.get(status=Assessment.Status.DRAFT)
        return StartResult(existing, created=False, copied=0)
    audit_record(
        action="assessment.start",
        actor=user,
        organization=organization,
        target=str(assessment.pk),
        data={"copied": copied, "questionnaire": str(questionnaire)},
    )
    return StartResult(assessment, created=True, copied=copied)


def _copy_answers(previous: Assessment, assessment: Assessment, user: User) -> int:
    """Copy last time's answers where the question still exists and the value still fits."""
    questions = Questionnaire(assessment.questionnaire.document).questions
    rows = []
    for answer in previous.answers.all():
        question = questions.get(answer.question_key)
        if question is None:
            continue
        try:
            value = carry_value(question, answer.value)
        except AnswerInvalid:
            continue
        if value is None:
            continue
        rows.append(
            Answer(
                assessment=assessment,
                question_key=answer.question_key,
                value=value,
                carry=Answer.Carry.COPIED,
                updated_by=user,
            )
        )
    Answer.objects.bulk_create(rows)
    return len(rows)


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


class AssessmentIncomplete(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(missing)
        self.missing = missing


class EmailNotVerified(Exception):
    """A client whose e-mail address is not confirmed yet may answer but not submit."""


def assessment_submit(*, assessment: Assessment, user: User) -> Assessment:
    if not can_edit_assessment(user=user, assessment=assessment):
        raise PermissionDenied
    if not user.is_consultant and not user.email_verified:
        raise EmailNotVerified
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_draft:
            raise AssessmentLocked
        questionnaire = questionnaire_for(locked)
        answers = answers_dict(locked)
        missing = questionnaire.missing(answers)
        if missing:
            raise AssessmentIncomplete(missing)
        locked.status = Assessment.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.review_state = ReviewState.SUBMITTED
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "review_state"])
        result = result_store(assessment=locked, summary=False)
        # the stored card holds text references; the plan wants the readable form
        actions_generate(assessment=locked, card=result.scorecard().to_dict())
        review_start(assessment=locked, actor=user)
        # the portfolio's row of this client: new result, plan and review state at once
        client_summaries_refresh(organization_ids=[locked.organization_id])
        audit_record(
            action="assessment.submit",
            actor=user,
            organization=locked.organization,
            target=str(locked.pk),
        )
        transaction.on_commit(lambda: assessment_submission_notify(assessment_id=locked.pk))
    return locked


def consultant_note_create(*, assessment: Assessment, author: User, data: dict):
    if not author.is_consultant:
        raise PermissionDenied
    if data.get("kind") == ConsultantNote.Kind.RECOMMENDATION:
        # Own recommendations are actions now, so the client's plan, the PDF and the exports
        # show them alike.
        return action_create(
            assessment=assessment,
            actor=author,
            title=data["title"],
            text=data["text"],
            priority=data.get("priority", 2),
        )
    note = ConsultantNote.objects.create(assessment=assessment, author=author, **data)
    audit_record(
        action="note.create",
        actor=author,
        organization=assessment.organization,
        target=note.title,
        data={"kind": note.kind},
    )
    return note
