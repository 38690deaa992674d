import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeadQuerySet":
        """Enquiries are the consultancy's business: consultants only. Under
        ``CONSULTANT_SCOPE=assigned`` a consultant sees the open enquiries nobody handles yet
        (to take one up, as with unassigned clients), those they handle, and those that became
        a client of theirs (a converted enquiry follows its client); leads and admins see all."""
        if not (user.is_authenticated and user.is_active and user.is_consultant):
            return self.none()
        if user.sees_all_clients:
            return self.all()
        return self.filter(
            models.Q(handled_by=user, organization__isnull=True)
            | models.Q(organization__consultant=user)
            | models.Q(handled_by__isnull=True, organization__isnull=True)
        )


class Lead(models.Model):
    """An enquiry sent through the contact form."""

    class State(models.TextChoices):
        NEW = "new", _("neu")
        CONTACTED = "contacted", _("kontaktiert")
        CONVERTED = "converted", _("Kunde geworden")
        CLOSED = "closed", _("abgeschlossen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("Name"), max_length=150)
    company = models.CharField(_("Firma"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"))
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    message = models.TextField(_("Nachricht"), max_length=4000)
    consent_at = models.DateTimeField(_("Einwilligung am"))
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    state = models.CharField(
        _("Status"), max_length=16, choices=State.choices, default=State.NEW, db_index=True
    )
    notes = models.TextField(_("interne Notiz"), blank=True, max_length=4000)
    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("Organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bearbeitet von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("eingegangen am"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        app_label = "portal"
        verbose_name = _("Anfrage")
        verbose_name_plural = _("Anfragen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.company} ({self.name})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.NEW, self.State.CONTACTED)
