import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("täglich")
    WEEKLY = "weekly", _("wöchentlich (montags)")
    NEVER = "never", _("nie")


class ReminderSetting(models.Model):
    """How often a person wants the digest of their due and overdue actions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_setting"
    )
    frequency = models.CharField(
        _("Erinnerungen"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Erinnerungseinstellung")
        verbose_name_plural = _("Erinnerungseinstellungen")

    def __str__(self) -> str:
        return f"{self.user} {self.frequency}"


class ReminderDigest(models.Model):
    """One digest e-mail as sent (or as it failed), with the actions it named."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    email = models.EmailField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    failed = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("Erinnerung")
        verbose_name_plural = _("Erinnerungen")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.email} {self.sent_at:%Y-%m-%d}"


class ReminderEntry(models.Model):
    """One action named in a digest; the consultant's view of what a client was reminded of."""

    digest = models.ForeignKey(ReminderDigest, on_delete=models.CASCADE, related_name="entries")
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        "assessments.Action", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    overdue = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Erinnerungseintrag")
        verbose_name_plural = _("Erinnerungseinträge")
        indexes = [models.Index(fields=["organization", "digest"], name="reminder_entry_org")]

    def __str__(self) -> str:
        return self.title
