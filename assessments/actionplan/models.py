import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Organization, sees_every_client

from ..catalogue.text import tr


class ActionQuerySet(models.QuerySet):
    def current_open(self) -> "ActionQuerySet":
        """Open actions of every client's current plan (its latest submitted assessment's): the
        task list and the reminders.

        "Current" is a semi-join with the clients' latest results, which PostgreSQL estimates
        well (one per client): a page of the task list walks the open actions' due-date index
        and stops. As a comparison of the action's assessment with its client's latest result
        across the join, it guessed one row and sorted every open action (0.7 s at 20,000
        clients)."""
        return self.filter(
            state__in=OPEN_STATES,
            assessment_id__in=Organization.objects.filter(latest_result__isnull=False).values(
                "latest_result_id"
            ),
        )

    def visible_to(self, user) -> "ActionQuerySet":
        # Assessment.objects through the foreign key: assessments/models.py imports this module
        # to register its models, so this module does not import that one back
        if sees_every_client(user):
            return self.all()
        assessments = self.model._meta.get_field("assessment").related_model.objects
        return self.filter(assessment__in=assessments.visible_to(user))


class Action(models.Model):
    """One line of an assessment's action plan, worked on by the client and the consultant.

    Generated actions keep the catalogue's recommendation (both languages) in ``catalogue``;
    ``title`` and ``text`` stay empty until a consultant rewrites them, so an untouched action
    follows the reader's language.
    """

    class State(models.TextChoices):
        OPEN = "open", _("offen")
        IN_PROGRESS = "in_progress", _("in Arbeit")
        DONE = "done", _("erledigt")
        NOT_RELEVANT = "not_relevant", _("nicht relevant")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="actions"
    )
    key = models.CharField(_("Empfehlung"), max_length=64, blank=True)
    catalogue = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("Titel"), max_length=200, blank=True)
    text = models.TextField(_("Beschreibung"), max_length=4000, blank=True)
    priority = models.PositiveSmallIntegerField(_("Priorität"), default=2)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verantwortlich"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    due_date = models.DateField(_("fällig am"), null=True, blank=True)
    state = models.CharField(
        _("Stand"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    state_reason = models.CharField(_("Begründung"), max_length=500, blank=True)
    internal_note = models.TextField(
        _("interne Notiz"),
        max_length=4000,
        blank=True,
        help_text=_("Nur für Berater/innen; erscheint nie beim Kunden, im PDF oder im Export."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["priority", "created_at", "pk"]
        indexes = [
            # the task list and the reminders: open actions by due date
            models.Index(fields=["state", "due_date"], name="action_state_due"),
            # the task list's default order (due date, NULLs last, then priority) over the open
            # actions alone: a page walks it and stops after its rows
            models.Index(
                fields=["due_date", "priority", "id"],
                condition=models.Q(state__in=["open", "in_progress"]),
                name="action_open_by_due",
            ),
            # its other orders: the overdue ones, then the rest, each walking one of these
            models.Index(
                fields=["priority", "due_date", "id"],
                condition=models.Q(state__in=["open", "in_progress"]),
                name="action_open_by_priority",
            ),
            models.Index(
                fields=["-updated_at", "id"],
                condition=models.Q(state__in=["open", "in_progress"]),
                name="action_open_by_update",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key"],
                condition=~models.Q(key=""),
                name="one_action_per_recommendation",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_own(self) -> bool:
        """Added by a consultant rather than generated from the catalogue."""
        return not self.key

    @property
    def display_title(self) -> str:
        return action_title(self.title, self.catalogue)

    @property
    def display_text(self) -> str:
        return action_text(self.text, self.catalogue)

    @property
    def effort(self) -> str:
        return self.catalogue.get("effort", "")

    @property
    def dimension(self) -> str:
        return self.catalogue.get("dimension", "")


def action_title(title: str, catalogue: dict, language: str | None = None) -> str:
    """An action's title: the consultant's own, else the catalogue's in ``language`` (by
    default the active one)."""
    return title or tr(catalogue.get("title"), language) or "–"


def action_text(text: str, catalogue: dict, language: str | None = None) -> str:
    return text or tr(catalogue.get("text"), language)


# what "open" means for the task list, the reminders and the index of open actions by due date
OPEN_STATES = (Action.State.OPEN, Action.State.IN_PROGRESS)


def calendar_token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class CalendarSubscriptionQuerySet(models.QuerySet):
    def active(self) -> "CalendarSubscriptionQuerySet":
        return self.filter(revoked_at__isnull=True)


class CalendarSubscription(models.Model):
    """A person's secret calendar address for one client's action plan.

    Calendar apps fetch it without a session, so the token in the URL is the only key: it is
    stored hashed (shown once, when made), belongs to one person and one organisation, and is
    revoked by its owner, by a new address, or when the person no longer sees the organisation.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)
    last_used_at = models.DateTimeField(_("zuletzt abgerufen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    objects = CalendarSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kalender-Abonnement")
        verbose_name_plural = _("Kalender-Abonnements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_calendar_per_person_and_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization}"


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class Evidence(models.Model):
    """A file that shows an action is done (a signed contract, a training list), kept in
    private storage and served only by a permission-checked, audited view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=_private_storage, upload_to="evidence/", max_length=200)
    name = models.CharField(_("Dateiname"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Nachweis")
        verbose_name_plural = _("Nachweise")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ActionComment(models.Model):
    """A message between client and consultant about one action (never internal)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("Kommentar"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Kommentar zur Maßnahme")
        verbose_name_plural = _("Kommentare zu Maßnahmen")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
