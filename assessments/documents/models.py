import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class DocumentKind(models.TextChoices):
    POLICY = "policy", _("KI-Nutzungsrichtlinie")
    REGISTER = "register", _("KI-Register")
    LITERACY = "literacy", _("Nachweis der KI-Kompetenz (Art. 4 KI-VO)")
    DPIA = "dpia", _("DSFA-Schwellwertprüfung")
    RECORDS = "records", _("Einträge im Verarbeitungsverzeichnis (Art. 30 DSGVO)")
    VENDORS = "vendors", _("Anbieterregister")


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """Consultants see the documents of the clients they see; members only released ones."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        # Assessment.objects through the foreign key: assessments/models.py imports this module
        # to register its models, so this module does not import that one back
        assessments = self.model._meta.get_field("assessment").related_model.objects
        visible = self.filter(assessment__in=assessments.visible_to(user))
        if user.is_consultant:
            return visible
        return visible.filter(released_version__isnull=False)


class Document(models.Model):
    """One document of one assessment; its text lives in its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("Dokument"), max_length=16, choices=DocumentKind.choices)
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    # What the client sees: a version a consultant released (later edits stay internal until
    # they are released in turn).
    released_version = models.ForeignKey(
        "DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("freigegebene Fassung"),
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="one_document_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.assessment}"


class DocumentVersion(models.Model):
    """One saved text of a document: the draft from the answers, then every edit."""

    class Origin(models.TextChoices):
        DRAFT = "draft", _("aus den Antworten entworfen")
        EDIT = "edit", _("bearbeitet")
        REDRAFT = "redraft", _("neu aus den Antworten entworfen")

    class PdfStatus(models.TextChoices):
        NONE = "", _("nicht angefordert")
        QUEUED = "queued", _("in der Warteschlange")
        RENDERING = "rendering", _("wird erstellt")
        READY = "ready", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Fassung"))
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Text (Markdown)"), max_length=200_000)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.DRAFT)
    summary = models.CharField(_("Was geändert wurde"), max_length=300, blank=True)
    # The catalogue facts the text cites ({key, text, source, as_of} in the document's language)
    # and the oldest "as of" among them: the document's legal state ("Rechtsstand").
    facts = models.JSONField(default=list, blank=True)
    legal_state = models.DateField(_("Rechtsstand"), null=True, blank=True)
    catalogue_version = models.CharField(max_length=32, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The PDF, rendered by a worker on request (release or a consultant's preview).
    pdf_status = models.CharField(
        max_length=16, choices=PdfStatus.choices, default=PdfStatus.NONE, blank=True
    )
    pdf_file = models.FileField(storage=_private_storage, upload_to="documents/", blank=True)
    pdf_error = models.TextField(blank=True)
    pdf_requested_at = models.DateTimeField(null=True, blank=True)
    pdf_claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Dokumentfassung")
        verbose_name_plural = _("Dokumentfassungen")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]
        indexes = [
            models.Index(
                fields=["pdf_status", "pdf_requested_at"],
                name="document_pdf_pending",
                condition=Q(pdf_status__in=["queued", "rendering"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.number}"

    @property
    def pdf_pending(self) -> bool:
        return self.pdf_status in (self.PdfStatus.QUEUED, self.PdfStatus.RENDERING)


# What a person records about a literacy measure (form, service, privacy export).
MEASURE_FIELDS = (
    "held_on",
    "title",
    "format",
    "topics",
    "participants",
    "participant_count",
    "trainer",
    "duration_minutes",
)


class LiteracyMeasureQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LiteracyMeasureQuerySet":
        from portal.models import Organization

        return self.filter(organization__in=Organization.objects.visible_to(user))


class LiteracyMeasure(models.Model):
    """An AI-literacy measure (Art. 4 AI Act) the client keeps in the portal: a training, a
    briefing, an e-learning; the Art. 4 record is drafted from these."""

    class Format(models.TextChoices):
        TRAINING = "training", _("Schulung")
        WORKSHOP = "workshop", _("Workshop")
        ELEARNING = "elearning", _("E-Learning")
        BRIEFING = "briefing", _("Unterweisung")
        OTHER = "other", _("Sonstiges")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="literacy_measures"
    )
    held_on = models.DateField(_("Datum"))
    title = models.CharField(_("Thema"), max_length=200)
    format = models.CharField(
        _("Form"), max_length=16, choices=Format.choices, default=Format.TRAINING
    )
    topics = models.TextField(
        _("Inhalte"),
        max_length=2000,
        blank=True,
        help_text=_("Zum Beispiel: Freigegebene Dienste, Datenschutz bei Eingaben, Kennzeichnung."),
    )
    participants = models.TextField(
        _("Teilnehmende"),
        max_length=2000,
        help_text=_("Namen oder Gruppen, z. B. „Vertrieb (8 Personen)“."),
    )
    participant_count = models.PositiveIntegerField(_("Anzahl Teilnehmende"), default=1)
    trainer = models.CharField(_("durchgeführt von"), max_length=200, blank=True)
    duration_minutes = models.PositiveIntegerField(_("Dauer (Minuten)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LiteracyMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("Maßnahme zur KI-Kompetenz")
        verbose_name_plural = _("Maßnahmen zur KI-Kompetenz")
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"
