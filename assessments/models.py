import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Organization, sees_every_client

from .review.models import ReviewState, ReviewStep  # noqa: F401 - registers the model


class QuestionnaireVersionQuerySet(models.QuerySet):
    def published(self) -> "QuestionnaireVersionQuerySet":
        return self.filter(status=QuestionnaireVersion.Status.PUBLISHED)

    def active(self) -> "QuestionnaireVersion | None":
        return self.published().filter(is_active=True).first()


class QuestionnaireVersion(models.Model):
    """One version of the questionnaire catalogue, loaded from YAML. Immutable once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")

    key = models.SlugField(_("Katalog"), max_length=64)
    version = models.CharField(_("Version"), max_length=32)
    title = models.CharField(_("Titel"), max_length=200)
    document = models.JSONField(_("Katalog (geprüft)"))
    source = models.TextField(_("YAML-Quelltext"))
    sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    is_active = models.BooleanField(
        _("aktiv"), default=False, help_text=_("Neue Bewertungen starten mit dieser Version.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("hochgeladen am"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Fragebogen-Version")
        verbose_name_plural = _("Fragebogen-Versionen")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="unique_catalogue_version"),
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_questionnaire"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        if sees_every_client(user):
            return self.all()
        return self.filter(organization__in=Organization.objects.visible_to(user))


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("in Bearbeitung")
        SUBMITTED = "submitted", _("abgeschlossen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="assessments"
    )
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("vorherige Bewertung"),
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("begonnen am"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("abgeschlossen von"),
    )
    # Empty while a draft; the history of moves is in ReviewStep (assessments/review/).
    review_state = models.CharField(
        _("Prüfstand"), max_length=16, choices=ReviewState.choices, blank=True, db_index=True
    )
    # The highest version of an answer that was removed (cleared). A save gives its answer a
    # version above this and above every stored answer's, so a cleared and re-created answer
    # never gets a version a page showed before (see Answer.version).
    removed_answer_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="draft"),
                name="one_draft_assessment_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.created_at:%d.%m.%Y}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Answer(models.Model):
    """One answer to one question: stored per question so parallel editors never collide."""

    class Carry(models.TextChoices):
        NEW = "", _("neu")
        COPIED = "copied", _("aus letzter Bewertung übernommen")
        CONFIRMED = "confirmed", _("bestätigt")
        CHANGED = "changed", _("geändert")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=64)
    value = models.JSONField()
    carry = models.CharField(max_length=16, choices=Carry.choices, default=Carry.NEW, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Raised by every write (answers copied or bulk-loaded: 1), unique within the assessment. A
    # page sends the versions it showed, so a save over someone else's newer answer is a
    # conflict instead of a silent overwrite.
    version = models.PositiveBigIntegerField(_("Version"), default=1, editable=False)

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_key"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_key}={self.value!r}"


class ResultQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ResultQuerySet":
        if sees_every_client(user):
            return self.all()
        return self.filter(organization__in=Organization.objects.visible_to(user))

    def newest_first(self) -> "ResultQuerySet":
        """By the assessment's submission, newest first: what "latest" means everywhere.

        Never by ``computed_at``: a rescore recomputes old and new results alike.
        """
        return self.order_by(*LATEST_ORDER)

    def latest_per_organization(self) -> "ResultQuerySet":
        """Each organisation's result of its most recently submitted assessment."""
        return self.filter(
            pk__in=Organization.objects.filter(latest_result__isnull=False).values("latest_result")
        )


LATEST_ORDER = ("-assessment__submitted_at", "-assessment__created_at", "-pk")


class Result(models.Model):
    """Scores of a submitted assessment, stored so dashboards can sort and filter by them."""

    assessment = models.OneToOneField(
        Assessment, primary_key=True, on_delete=models.CASCADE, related_name="result"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="results")
    lock_in = models.PositiveSmallIntegerField(_("Anbieterabhängigkeit"), db_index=True)
    gdpr = models.PositiveSmallIntegerField(_("Datenschutz (DSGVO)"), db_index=True)
    ai_act = models.PositiveSmallIntegerField(_("EU AI Act"), db_index=True)
    continuity = models.PositiveSmallIntegerField(_("Kontinuität und Kosten"), db_index=True)
    governance = models.PositiveSmallIntegerField(_("Governance und Kompetenz"), db_index=True)
    readiness = models.PositiveSmallIntegerField(_("KI-Readiness"), db_index=True)
    worst_level = models.CharField(_("höchste Risikostufe"), max_length=16, db_index=True)
    exposure = models.FloatField(default=0)
    vendor_exposure = models.JSONField(default=dict)
    catalogue_version = models.CharField(max_length=64)
    scoring_version = models.CharField(max_length=16)
    # A required question shown to the client was unanswered when scored (e.g. an empty list
    # stored before empty lists counted as unanswered): the scores rest on missing answers.
    incomplete_answers = models.BooleanField(_("unvollständig beantwortet"), default=False)
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What the result was computed with (scoring.stamp.result_stamp: the scoring code and format
    # and the catalogue version's document checksum). ``rescore`` recomputes only results whose
    # stamp differs from the one their catalogue version gives now; empty (results stored before
    # it existed) always differs. Not indexed: the stale query compares it per version with
    # "<>", which no index serves better than the scan of the join.
    computed_with = models.CharField(max_length=32, blank=True, default="", editable=False)
    # The lock-in dimension's top drivers as ``[question key, answer]`` pairs (texts come from
    # the catalogue version): what "Welche Kunden betrifft das?" shows per client without
    # reading the stored card. Empty for results stored before it existed (``rescore`` fills it).
    lock_in_drivers = models.JSONField(default=list, blank=True, editable=False)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ergebnis")
        verbose_name_plural = _("Ergebnisse")
        # "latest" as everywhere else: by the assessment's submission, never by computed_at
        ordering = list(LATEST_ORDER)

    def __str__(self) -> str:
        return f"{self.assessment} · {self.readiness}"

    def scorecard(self, answers: dict | None = None):
        """The ScoreCard with its texts: the stored answers scored against the catalogue version
        of the assessment (a published version never changes and a submitted assessment's
        answers are frozen, so this is the card the stored numbers were computed from; after a
        change of the scoring code ``rescore`` brings the numbers along). Scored once per
        instance (well under a millisecond, plus one query for the answers unless the caller read
        them already: ``answers``)."""
        card = self.__dict__.get("_scorecard")
        if card is None:
            from .scoring import score

            assessment = self.assessment
            if answers is None:
                answers = dict(assessment.answers.values_list("question_key", "value"))
            card = score(assessment.questionnaire.document, answers)
            self.__dict__["_scorecard"] = card
        return card


def _report_storage():
    from django.core.files.storage import storages

    return storages["private"]


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Consultants see every report; members see their organisation's released ones."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_consultant:
            if user.sees_all_clients:
                return self.all()
            return self.filter(assessment__organization__consultant=user)
        return self.filter(
            assessment__organization__memberships__user=user, released=True
        ).distinct()


class Report(models.Model):
    """A PDF risk report: the view creates the row, a worker fills it, a checked view serves it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in der Warteschlange")
        RENDERING = "rendering", _("wird erstellt")
        READY = "ready", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    class DelayReason(models.TextChoices):
        BROKER = "broker", _("Warteschlangendienst nicht erreichbar")
        STORAGE = "storage", _("Berichtsspeicher nicht beschreibbar")
        DATABASE = "database", _("Datenbank kurz nicht erreichbar")
        CRASH = "crash", _("Erstellung abgebrochen, wird wiederholt")
        FILE_MISSING = "file_missing", _("PDF-Datei fehlte, wird neu erstellt")

    class FailureKind(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("Infrastruktur")
        DATA = "data", _("Daten")
        ATTEMPTS = "attempts", _("zu viele Abbrüche")
        TIMEOUT = "timeout", _("Zeitüberschreitung")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reports")
    # the assessment's client, copied when the report is created (an assessment never moves):
    # the dashboard finds the clients of failing reports without a lookup per report
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    file = models.FileField(storage=_report_storage, upload_to="reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released = models.BooleanField(_("für den Kunden freigegeben"), default=False)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Reliability (see assessments/reports/services.py): the Celery task id that holds the render,
    # a lease its worker renews while rendering, why the report is late or failed, when the
    # current round of attempts began (retry budget, "verzögert", admin alert) and when the
    # admins were told.
    task_id = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    delay_reason = models.CharField(max_length=16, choices=DelayReason.choices, blank=True)
    failure_kind = models.CharField(max_length=16, choices=FailureKind.choices, blank=True)
    cycle_started_at = models.DateTimeField(default=timezone.now)
    alerted_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if self.organization_id is None and self.assessment_id is not None:
            self.organization_id = self.assessment.organization_id
        super().save(*args, **kwargs)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)


class ConsultantNote(models.Model):
    """What the consultant writes for the client: notes and own recommendations for the report."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Notiz für den Kunden")
        RECOMMENDATION = "recommendation", _("eigene Empfehlung")
        INTERNAL = "internal", _("interne Notiz")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices, default=Kind.NOTE)
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Text"), max_length=4000)
    priority = models.PositiveSmallIntegerField(_("Priorität"), default=2)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Beraternotiz")
        verbose_name_plural = _("Beraternotizen")
        ordering = ["priority", "created_at"]

    def __str__(self) -> str:
        return self.title


from .actionplan.models import (  # noqa: E402, F401 - registers the models
    Action,
    ActionComment,
    CalendarSubscription,
    Evidence,
)
from .documents.models import Document, DocumentVersion, LiteracyMeasure  # noqa: E402, F401
from .reminders.models import ReminderDigest, ReminderEntry, ReminderSetting  # noqa: E402, F401
from .stress.models import StressJob  # noqa: E402, F401 - registers the model
from .worklist.models import SavedFilter  # noqa: E402, F401 - registers the model
