from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewState(models.TextChoices):
    """Where a submitted assessment stands in the consultancy's review, in this order."""

    SUBMITTED = "submitted", _("eingereicht")
    IN_REVIEW = "in_review", _("in Prüfung")
    DISCUSSED = "discussed", _("besprochen")
    CLOSED = "closed", _("abgeschlossen")


REVIEW_ORDER = [state.value for state in ReviewState]


class ReviewStep(models.Model):
    """One move of an assessment between review states: who, when, and why when going back."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="review_steps"
    )
    from_state = models.CharField(_("von"), max_length=16, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(_("nach"), max_length=16, choices=ReviewState.choices)
    reason = models.TextField(_("Begründung"), max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Prüfschritt")
        verbose_name_plural = _("Prüfschritte")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '–'} → {self.to_state}"

    @property
    def is_backwards(self) -> bool:
        return bool(self.from_state) and REVIEW_ORDER.index(self.to_state) < REVIEW_ORDER.index(
            self.from_state
        )
