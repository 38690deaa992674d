import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .text import single_line


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in with an e-mail address.

    Consultants are the consultancy's staff who work the portfolio dashboard; they see every
    organisation. Everybody else sees only the organisations they are a member of.
    """

    username = None
    first_name = models.CharField(_("Vorname"), max_length=150, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    is_consultant = models.BooleanField(
        _("Berater/in"),
        default=False,
        help_text=_("Berater/innen sehen alle Kundenorganisationen und das Portfolio-Dashboard."),
    )
    email_verified_at = models.DateTimeField(
        _("E-Mail-Adresse bestätigt am"),
        null=True,
        blank=True,
        help_text=_("Erst danach kann das Konto einladen und Antworten absenden."),
    )

    is_lead_consultant = models.BooleanField(
        _("leitende/r Berater/in"),
        default=False,
        help_text=_("Darf Kunden anderen Berater/innen zuordnen und sieht immer alle Kunden."),
    )
    notify_new_clients = models.BooleanField(
        _("über neue Kunden benachrichtigen"),
        default=False,
        help_text=_("E-Mail bei jeder neuen Registrierung und jeder abgeschickten Bewertung."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("Benutzer/in")
        verbose_name_plural = _("Benutzer/innen")
        ordering = ["email"]
        indexes = [
            # the consultants among tens of thousands of client members (filters, assignment)
            models.Index(
                fields=["is_consultant"],
                condition=models.Q(is_consultant=True),
                name="user_consultants",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    # what ``display_name`` reads: a list that names a person beside each row loads only these
    # (``select_related(…).only(…)``), not the password hash and the dates of every person
    NAME_FIELDS = ("first_name", "last_name", "email")

    @classmethod
    def name_fields(cls, relation: str) -> tuple[str, ...]:
        """``NAME_FIELDS`` across ``relation`` (``"owner"`` → ``"owner__first_name"`` …)."""
        return tuple(f"{relation}__{name}" for name in cls.NAME_FIELDS)

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.email)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def sees_all_clients(self) -> bool:
        """Under ``CONSULTANT_SCOPE=assigned`` only leads and admins keep the whole portfolio."""
        if not self.is_consultant:
            return False
        return settings.CONSULTANT_SCOPE == "all" or self.is_lead_consultant or self.is_superuser

    @property
    def can_assign_clients(self) -> bool:
        return self.is_consultant and (self.is_lead_consultant or self.is_superuser)


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Maschinen- und Anlagenbau, Industrie")
    CRAFT = "craft", _("Handwerk")
    RETAIL = "retail", _("Handel und E-Commerce")
    PROFESSIONAL = "professional", _("Steuerberatung, Recht, Wirtschaftsprüfung")
    AGENCY = "agency", _("Marketing, Medien, Agentur")
    IT = "it", _("IT und Software")
    HEALTH = "health", _("Gesundheit und Pflege")
    FINANCE = "finance", _("Finanzen und Versicherung")
    LOGISTICS = "logistics", _("Logistik und Transport")
    HOSPITALITY = "hospitality", _("Tourismus und Gastronomie")
    PUBLIC = "public", _("Öffentlicher Sektor, Verbände")
    OTHER = "other", _("Sonstige Branche")


class SizeBand(models.TextChoices):
    """Employee bands of the EU SME definition (Recommendation 2003/361/EC)."""

    MICRO = "micro", _("1–9 Beschäftigte (Kleinstunternehmen)")
    SMALL = "small", _("10–49 Beschäftigte (kleines Unternehmen)")
    MEDIUM = "medium", _("50–249 Beschäftigte (mittleres Unternehmen)")
    LARGE = "large", _("250 und mehr Beschäftigte")


def person_name(first: str | None, last: str | None, email: str | None) -> str:
    """How the portal names a person: the full name (as Django's ``get_full_name``), else the
    e-mail address. ``User.display_name`` uses it, and so do rows read as plain values
    (``User.NAME_FIELDS``; a relation without a person has None in all three: "", never
    "None None")."""
    return f"{first or ''} {last or ''}".strip() or email or ""


def sees_every_client(user) -> bool:
    """Whether ``Organization.objects.visible_to(user)`` keeps every organisation: the querysets of
    client data then leave out the organisation filter, which would keep every row and still cost
    the database a join to plan (as ``Report.objects.visible_to`` always did)."""
    return user.is_authenticated and user.is_active and user.sees_all_clients


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        """Members see their companies; consultants all of them, or only their own ones under
        ``CONSULTANT_SCOPE=assigned`` (leads and admins still see all)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_consultant:
            return self if user.sees_all_clients else self.filter(consultant=user)
        return self.filter(memberships__user=user).distinct()

    def unassigned(self) -> "OrganizationQuerySet":
        return self.filter(consultant__isnull=True)


class Organization(models.Model):
    """A client company of the consultancy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("Firmenname"), max_length=200)
    industry = models.CharField(_("Branche"), max_length=32, choices=Industry.choices)
    size_band = models.CharField(_("Unternehmensgröße"), max_length=16, choices=SizeBand.choices)
    language = models.CharField(
        _("Sprache für Berichte"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="de",
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zuständige/r Berater/in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consulted_organizations",
        limit_choices_to={"is_consultant": True},
    )
    assigned_at = models.DateTimeField(_("zugeordnet am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)
    # The result of the most recently *submitted* assessment (never "most recently computed":
    # a rescore touches every result). Maintained by
    # assessments.results.services.latest_results_refresh; the dashboard joins it once instead of
    # looking it up per column.
    latest_result = models.ForeignKey(
        "assessments.Result",
        verbose_name=_("letztes Ergebnis"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        indexes = [
            # the portfolio's default order (name, then id): a page is an index walk, not a sort
            models.Index(fields=["name", "id"], name="organization_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A pasted line break would otherwise reach e-mail subjects and bodies, file names and
        # the report's page headers: a company name is always one line.
        self.name = single_line(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("membership role", "Inhaber/in")
        MEMBER = "member", pgettext_lazy("membership role", "Mitglied")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("seit"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")
        ]
        ordering = ["organization__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"


def _invitation_token() -> str:
    # Only a placeholder that no link can match: services store the hash of the token they mail.
    return secrets.token_urlsafe(32)


def invitation_token_hash(raw: str) -> str:
    """Invitation tokens are stored hashed: a copy of the database opens no invitation."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    role = models.CharField(
        _("Rolle"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    # SHA-256 of the token in the invitation link (see invitation_token_hash).
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("eingeladen von"),
    )
    created_at = models.DateTimeField(_("eingeladen am"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("gültig bis"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("angenommen am"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class AuditLog(models.Model):
    """Who did what to which client's data: sign-ups, invitations, submissions, downloads, and
    the consultancy's reads of it.

    Append-only in the database (``portal.privacy.append_only``). So that deleting a person or an
    organisation cannot rewrite it either, both references are protected: deactivate a person
    instead, and remove a client through the erasure, which pseudonymises its entries first.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Heartbeat(models.Model):
    """A background process says it is alive: Celery workers and beat write one row each."""

    name = models.CharField(max_length=200, primary_key=True)  # "worker:<hostname>", "beat:<host>"
    kind = models.CharField(max_length=16, db_index=True)  # "worker" or "beat"
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Lebenszeichen")
        verbose_name_plural = _("Lebenszeichen")

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """One sign-in of a person: what the "active sessions" page lists and ends.

    Rows stay (with ``ended_at``) for the retention period so that a sign-in from a browser not
    seen before can be told apart and reported by e-mail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=64, db_index=True)
    user_agent = models.CharField(_("Browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-Adresse"), null=True, blank=True)
    created_at = models.DateTimeField(_("angemeldet am"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("zuletzt aktiv"), default=timezone.now)
    ended_at = models.DateTimeField(_("beendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anmeldesitzung")
        verbose_name_plural = _("Anmeldesitzungen")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class ErasureRequest(models.Model):
    """An owner's request to erase their organisation, carried out after a grace period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="erasure_requests",
    )
    # What is left to refer to the organisation once it is gone.
    pseudonym = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    scheduled_for = models.DateTimeField(_("Löschung am"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Löschauftrag")
        verbose_name_plural = _("Löschaufträge")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.pseudonym} {self.scheduled_for:%Y-%m-%d}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None


class PortfolioGeneration(models.Model):
    """A counter of committed writes to what the portfolio dashboard shows.

    Database triggers (``portal.portfolio.generation``) raise it in the same transaction as the
    write, so a cached dashboard fragment keyed by the sum of all shards can never outlive the
    data it was built from, whichever code path wrote: ORM saves, ``QuerySet.update()``, raw SQL.
    Several shards (one per PostgreSQL backend) keep concurrent writers off a single row."""

    shard = models.PositiveSmallIntegerField(primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("Portfolio-Änderungszähler")
        verbose_name_plural = _("Portfolio-Änderungszähler")

    def __str__(self) -> str:
        return f"{self.shard}: {self.value}"


from .leads.models import Lead  # noqa: E402, F401 - the contact-form model lives in its package
from .portfolio.models import ClientSummary, ClientSummaryChange, PortfolioFigure  # noqa: E402, F401 - stored figures
