"""Writes for catalogue versions (load, publish, activate), assessments (start, submit) and
consultant notes. One answer is stored by ``questionnaire.services.answer_save``."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.clients.services import assessment_submission_notify
from portal.models import Organization, User
from portal.portfolio.facts import catalogue_facts, facts_of
from portal.portfolio.summary import client_summaries_refresh

from .actionplan.services import action_create, actions_generate
from .catalogue import CatalogueError, load_document, to_plain
from .models import Answer, Assessment, ConsultantNote, QuestionnaireVersion
from .questionnaire.answers import AnswerInvalid, carry_value
from .questionnaire.progress import Questionnaire
from .questionnaire.selectors import answers_dict, can_edit_assessment, questionnaire_for
from .questionnaire.services import AssessmentLocked
from .results.services import result_store
from .review.models import ReviewState
from .review.services import review_start

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
        # the card result_store scored (kept on the instance), in its readable form
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
