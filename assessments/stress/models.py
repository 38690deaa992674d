import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StressJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StressJobQuerySet":
        """A job is the consultant's own: only who started it sees it (the result lists the
        clients that consultant could see; the page filters them again by today's scope)."""
        if not user.is_authenticated or not user.is_active or not user.is_consultant:
            return self.none()
        return self.filter(created_by=user)


class StressJob(models.Model):
    """A stress test run in the background for a portfolio too large for the request.

    A row, not a cache entry: it survives a worker or Redis restart and a cache eviction, the
    page can tell "waiting", "running", "failed" and "stuck" apart from it, and the consultant
    finds the result again the next day. The view creates it, the task fills it
    (``services.stress_job_execute``), ``result`` holds ``StressResult.to_data()``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet auf den Start")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    class Failure(models.TextChoices):
        BROKER = "broker", _("Die Warteschlange war nicht erreichbar.")
        SCENARIO = "scenario", _("Das Szenario gibt es nicht mehr.")
        TIMEOUT = "timeout", _("Die Berechnung hat zu lange gedauert und wurde abgebrochen.")
        STUCK = "stuck", _("Die Berechnung kam nicht voran und wurde abgebrochen.")
        ERROR = "error", _("Bei der Berechnung ist ein Fehler aufgetreten.")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.CharField(_("Szenario"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stress_jobs"
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(_("Kunden"), default=0)
    done = models.PositiveIntegerField(_("berechnet"), default=0)
    result = models.JSONField(null=True, blank=True)
    failure = models.CharField(max_length=16, choices=Failure.choices, blank=True)
    error = models.TextField(blank=True)  # the technical detail, for the log and the admin
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every chunk of clients: a running job whose heartbeat is older than
    # STRESS_JOB_STALE_SECONDS is reported as stuck.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = StressJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("Stresstest-Berechnung")
        verbose_name_plural = _("Stresstest-Berechnungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def is_stuck(self, now=None) -> bool:
        """Queued and no worker took it, or running without progress, for too long."""
        if not self.is_pending:
            return False
        now = now or timezone.now()
        last = self.progress_at or self.started_at or self.created_at
        return now - last > timedelta(seconds=settings.STRESS_JOB_STALE_SECONDS)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
