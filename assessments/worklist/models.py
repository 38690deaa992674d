from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named query string of the task list or the portfolio, kept per consultant."""

    class Page(models.TextChoices):
        TASKS = "tasks", _("Aufgaben")
        PORTFOLIO = "portfolio", _("Portfolio")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    page = models.CharField(max_length=16, choices=Page.choices)
    name = models.CharField(_("Name"), max_length=80)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("gespeicherter Filter")
        verbose_name_plural = _("gespeicherte Filter")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="unique_saved_filter")
        ]

    def __str__(self) -> str:
        return self.name
