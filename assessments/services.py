"""Writes for questionnaires, assessments and answers."""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clients.services import assessment_submission_notify
from portal.models import Organization, User
from portal.services import audit_record

from .actionplan.services import action_create, actions_generate
from .answers import AnswerInvalid, validate_value
from .catalogue import CatalogueError, load_document, to_plain
from .models import Answer, Assessment, ConsultantNote, QuestionnaireVersion, Result
from .questionnaire import Questionnaire
from .review.models import ReviewState
from .review.services import review_start
from .scoring import score
from .scoring.compact import card_pack
from .selectors import answers_dict, can_edit_assessment, questionnaire_for


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
    QuestionnaireVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    QuestionnaireVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.refresh_from_db()
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
            value = validate_value(question, answer.value)
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


def answer_save(*, assessment: Assessment, user: User, question_key: str, value) -> Answer | None:
    """Store one answer. Touches only this question's row; the later edit of it wins."""
    if not can_edit_assessment(user=user, assessment=assessment):
        raise PermissionDenied
    question = questionnaire_for(assessment).questions.get(question_key)
    if question is None:
        raise AnswerInvalid(_("Diese Frage gibt es in diesem Fragebogen nicht."))
    value = validate_value(question, value)
    with transaction.atomic():
        # Lock the assessment row so a concurrent submit cannot slip between check and write.
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_draft:
            raise AssessmentLocked
        existing = Answer.objects.filter(assessment=locked, question_key=question_key).first()
        if value is None:
            if existing:
                existing.delete()
            return None
        if existing is None:
            return Answer.objects.create(
                assessment=locked, question_key=question_key, value=value, updated_by=user
            )
        carry = existing.carry
        if carry != Answer.Carry.NEW:
            # Re-assessment: saving last time's value confirms it, anything else changes it.
            before = Answer.objects.filter(
                assessment_id=locked.previous_id, question_key=question_key
            ).first()
            same = before is not None and before.value == value
            carry = Answer.Carry.CONFIRMED if same else Answer.Carry.CHANGED
        existing.value = value
        existing.carry = carry
        existing.updated_by = user
        existing.updated_at = timezone.now()
        existing.save(update_fields=["value", "carry", "updated_by", "updated_at"])
        return existing


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
        result = result_store(assessment=locked)
        # the stored card holds text references; the plan wants the readable form
        actions_generate(assessment=locked, card=result.scorecard().to_dict())
        review_start(assessment=locked, actor=user)
        audit_record(
            action="assessment.submit",
            actor=user,
            organization=locked.organization,
            target=str(locked.pk),
        )
        transaction.on_commit(lambda: assessment_submission_notify(assessment_id=locked.pk))
    return locked


# --- results ---------------------------------------------------------------------------------


def _result_fields(card, document: dict, *, incomplete_answers: bool) -> dict:
    scores = card.scores
    order = ("low", "medium", "high", "critical")
    return {
        "lock_in": scores.get("lock_in", 0),
        "gdpr": scores.get("gdpr", 0),
        "ai_act": scores.get("ai_act", 0),
        "continuity": scores.get("continuity", 0),
        "governance": scores.get("governance", 0),
        "readiness": card.readiness,
        "worst_level": max(card.levels.values(), key=order.index, default="low"),
        "exposure": card.exposure,
        "vendor_exposure": dict(card.vendor_exposure),
        # keys and numbers; texts are references into the (immutable) catalogue version
        "card": card_pack(card, document),
        "catalogue_version": f"{card.catalogue_key} {card.catalogue_version}",
        "scoring_version": card.scoring_version,
        "incomplete_answers": incomplete_answers,
    }


def result_store(*, assessment: Assessment) -> Result:
    """Score the submitted answers (pure, well under a millisecond) and store the result."""
    document = assessment.questionnaire.document
    answers = answers_dict(assessment)
    card = score(document, answers)
    incomplete = bool(questionnaire_for(assessment).missing(answers))
    result, _created = Result.objects.update_or_create(
        assessment=assessment,
        defaults={
            "organization_id": assessment.organization_id,
            "computed_at": timezone.now(),
            **_result_fields(card, document, incomplete_answers=incomplete),
        },
    )
    latest_results_refresh(organization_ids=[assessment.organization_id])
    return result


def latest_results_refresh(*, organization_ids=None) -> int:
    """Point each organisation at the result of its most recently submitted assessment.

    One UPDATE with a subquery per call; ``None`` refreshes every organisation (after a rescore,
    a migration or a bulk load). Returns the number of organisations updated.
    """
    newest = Result.objects.filter(organization=OuterRef("pk")).newest_first().values("pk")[:1]
    organizations = Organization.objects.all()
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=organization_ids)
    return organizations.update(latest_result=Subquery(newest))


RESCORE_FIELDS = (
    "lock_in",
    "gdpr",
    "ai_act",
    "continuity",
    "governance",
    "readiness",
    "worst_level",
    "exposure",
    "vendor_exposure",
    "card",
    "catalogue_version",
    "scoring_version",
    "incomplete_answers",
    "computed_at",
)


def results_rescore(*, batch_size: int = 1000) -> int:
    """Recompute every stored result (after a catalogue fix or a new scoring version), in bulk."""
    documents: dict[int, dict] = {}
    questionnaires: dict[int, Questionnaire] = {}
    total = 0
    last_pk = None
    while True:
        page = Result.objects.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        batch = list(page.values_list("pk", "assessment__questionnaire_id")[:batch_size])
        if not batch:
            break
        last_pk = batch[-1][0]
        answers = _answers_by_assessment([pk for pk, _version in batch])
        now = timezone.now()
        rows = []
        for pk, version_id in batch:
            if version_id not in documents:
                documents[version_id] = QuestionnaireVersion.objects.values_list(
                    "document", flat=True
                ).get(pk=version_id)
                questionnaires[version_id] = Questionnaire(documents[version_id])
            card = score(documents[version_id], answers[pk])
            incomplete = bool(questionnaires[version_id].missing(answers[pk]))
            rows.append(
                {
                    "assessment_id": pk,
                    "computed_at": now,
                    **_result_fields(card, documents[version_id], incomplete_answers=incomplete),
                }
            )
        _results_write(rows)
        total += len(rows)
        if len(batch) < batch_size:
            break
    # A rescore never changes which result is the latest; refreshing heals a reference that a
    # manual data fix may have left behind, at the cost of one UPDATE.
    latest_results_refresh()
    return total


def _answers_by_assessment(assessment_ids: list) -> dict:
    answers: dict = {pk: {} for pk in assessment_ids}
    if connection.vendor == "postgresql":
        # One JSON object per assessment instead of one decoded JSON value per answer row.
        table = connection.ops.quote_name(Answer._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT assessment_id, jsonb_object_agg(question_key, value) FROM {table} "  # noqa: S608 - table name from model meta
                "WHERE assessment_id = ANY(%s) GROUP BY assessment_id",
                [assessment_ids],
            )
            for assessment_id, values in cursor.fetchall():
                # Django's psycopg setup hands jsonb over as text.
                answers[assessment_id] = json.loads(values) if isinstance(values, str) else values
        return answers
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=assessment_ids
    ).values_list("assessment_id", "question_key", "value"):
        answers[assessment_id][key] = value
    return answers


def _results_write(rows: list[dict]) -> None:
    if connection.vendor == "postgresql":
        _results_write_postgresql(rows)
    else:
        Result.objects.bulk_update([Result(**row) for row in rows], RESCORE_FIELDS)


def _results_write_postgresql(rows: list[dict]) -> None:
    """COPY into a temporary table and one UPDATE … FROM: bulk_update's CASE per column and row
    spent most of a 10,000-result rescore building and sending SQL."""
    table = connection.ops.quote_name(Result._meta.db_table)
    columns = [Result._meta.get_field(name).column for name in ("assessment", *RESCORE_FIELDS)]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    json_fields = {"vendor_exposure", "card"}
    with transaction.atomic(), connection.cursor() as cursor:
        # lz4 compresses the large score cards several times faster than the default pglz.
        cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        cursor.execute(
            f"CREATE TEMP TABLE rescore_rows ON COMMIT DROP AS SELECT {quoted} FROM {table} "  # noqa: S608 - names from model meta
            "WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY rescore_rows ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [row["assessment_id"]]
                    + [
                        json.dumps(row[name], separators=(",", ":"))
                        if name in json_fields
                        else row[name]
                        for name in RESCORE_FIELDS
                    ]
                )
        assignments = ", ".join(
            f"{connection.ops.quote_name(c)} = rescore_rows.{connection.ops.quote_name(c)}"
            for c in columns[1:]
        )
        key = connection.ops.quote_name(columns[0])
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM rescore_rows "  # noqa: S608 - names from model meta
            f"WHERE {table}.{key} = rescore_rows.{key}"
        )
        # ON COMMIT DROP is not enough when the caller holds an outer transaction (the next
        # batch would find the table still there)
        cursor.execute("DROP TABLE rescore_rows")


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
