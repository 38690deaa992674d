import math
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.models import Organization

from .markdown import markdown_to_html, markdown_to_text

WORDS_PER_MINUTE = 200
COVER_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
COVER_PREFIX = "news/covers/"


# The consultancy writes its market commentary in German only; pages, feeds and e-mails that
# show an article declare this language, whatever language the reader's interface is in.
ARTICLE_LANGUAGE = "de"


class Tag(models.Model):
    """A topic (``ai-act``) or a vendor; vendor tags use the catalogue's vendor keys as slug."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Thema")
        VENDOR = "vendor", _("Anbieter")

    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices, default=Kind.TOPIC)
    slug = models.SlugField(_("Kürzel"), max_length=64, unique=True)
    name = models.CharField(_("Name"), max_length=100)

    class Meta:
        verbose_name = _("Schlagwort")
        verbose_name_plural = _("Schlagwörter")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from assessments.results.exposure import vendor_names

        if self.kind == self.Kind.VENDOR:
            known = vendor_names()
            if known and self.slug not in known:
                raise ValidationError(
                    {
                        "slug": _(
                            "Anbieter-Schlagwörter verwenden die Anbieter-Kürzel des Fragebogens: "
                            "%(keys)s."
                        )
                        % {"keys": ", ".join(sorted(known))}
                    }
                )


def _cover_upload_to(instance: "Article", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"{COVER_PREFIX}{uuid.uuid4().hex}.{extension}"


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """Public: published or scheduled articles whose publication date has come."""
        return self.exclude(state=Article.State.DRAFT).filter(published_at__lte=timezone.now())

    def visible_to(self, user) -> "ArticleQuerySet":
        """Staff and consultants also see drafts and scheduled articles (with a banner)."""
        if user.is_authenticated and user.is_active and (user.is_staff or user.is_consultant):
            return self.all()
        return self.published()


class Article(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SCHEDULED = "scheduled", _("geplant")
        PUBLISHED = "published", _("veröffentlicht")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("URL-Kürzel"), max_length=200, unique=True)
    teaser = models.TextField(_("Anreißer"), max_length=600)
    body = models.TextField(
        _("Text (Markdown)"),
        help_text=_(
            "Markdown ohne HTML. Bilder nur von diesem Portal (etwa die Adresse eines "
            "Titelbilds, /aktuelles/bilder/…)."
        ),
    )
    cover = models.ImageField(
        _("Titelbild"),
        upload_to=_cover_upload_to,
        blank=True,
        validators=[FileExtensionValidator(COVER_EXTENSIONS)],
    )
    cover_alt = models.CharField(_("Bildbeschreibung"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autor/in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    state = models.CharField(
        _("Status"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("Veröffentlichung"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Geplante Artikel erscheinen automatisch zu diesem Zeitpunkt."),
    )
    topics = models.ManyToManyField(
        Tag,
        verbose_name=_("Themen"),
        blank=True,
        related_name="topic_articles",
        limit_choices_to={"kind": Tag.Kind.TOPIC},
    )
    vendors = models.ManyToManyField(
        Tag,
        verbose_name=_("Anbieter"),
        blank=True,
        related_name="vendor_articles",
        limit_choices_to={"kind": Tag.Kind.VENDOR},
        help_text=_("Für „Welche Kunden betrifft das?“: Kunden mit Abhängigkeit davon."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("Artikel")
        verbose_name_plural = _("Artikel")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", args=[self.slug])

    def clean(self) -> None:
        if self.state != self.State.DRAFT and not self.published_at:
            raise ValidationError(
                {"published_at": _("Geplante und veröffentlichte Artikel brauchen ein Datum.")}
            )
        if self.state == self.State.SCHEDULED and self.published_at <= timezone.now():
            raise ValidationError(
                {"published_at": _("Ein geplanter Artikel braucht ein Datum in der Zukunft.")}
            )

    @property
    def is_public(self) -> bool:
        return (
            self.state != self.State.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def cover_url(self) -> str:
        """Served by ``news:cover`` from the project's own storage (no public media folder)."""
        if not self.cover:
            return ""
        return reverse("news:cover", args=[self.cover.name.removeprefix(COVER_PREFIX)])

    @cached_property
    def body_html(self) -> str:
        return markdown_to_html(self.body)

    @property
    def reading_minutes(self) -> int:
        words = len(markdown_to_text(self.body).split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class ClientFollowUp(models.Model):
    """A consultant told a client about an article: who, when, and whether by e-mail."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="followups")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="news_followups"
    )
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("informiert von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    informed_at = models.DateTimeField(_("informiert am"), default=timezone.now)
    emailed_to = models.JSONField(_("E-Mail an"), default=list, blank=True)
    exposure = models.PositiveSmallIntegerField(_("Abhängigkeit zum Zeitpunkt"), default=0)

    class Meta:
        verbose_name = _("Kundeninformation")
        verbose_name_plural = _("Kundeninformationen")
        ordering = ["-informed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "organization"], name="one_followup_per_article_and_client"
            )
        ]
        indexes = [models.Index(fields=["organization", "-informed_at"])]

    def __str__(self) -> str:
        return f"{self.article} → {self.organization}"

    @property
    def by_email(self) -> bool:
        return bool(self.emailed_to)


class AffectedClient(models.Model):
    """A client the article concerns: its latest result shows exposure (> 0) to at least one of
    the article's vendor tags. Kept by ``news.impact`` when the article's vendor tags change and
    when a client's latest exposure changes, so "Welche Kunden betrifft das?" pages through
    stored rows instead of reading every client's result."""

    # no index of their own: the unique constraint leads with the article, affected_by_client
    # serves the client
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="affected", db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="news_affected", db_index=False
    )
    exposure = models.PositiveSmallIntegerField(default=0)  # highest among the article's vendors
    exposure_sum = models.PositiveIntegerField(default=0)  # over the article's vendors (ties)
    # What the page sorts and filters by, copied from the client's summary row (``ClientSummary``)
    # in the transaction that changes it, and from the follow-ups: each sort and filter walks an
    # index of the article's rows and stops after the page.
    lock_in = models.PositiveSmallIntegerField(default=0)
    lock_in_level = models.CharField(max_length=16, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    informed = models.BooleanField(default=False)  # a ClientFollowUp of this article and client

    class Meta:
        verbose_name = _("betroffener Kunde")
        verbose_name_plural = _("betroffene Kunden")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "organization"], name="one_affected_row_per_article_and_client"
            )
        ]
        # the page's sorts (``news.selectors.AFFECTED_SORTS``) as index orders, also within a
        # lock-in level; "Stand" (the submission, newest first with none last) has PostgreSQL
        # indexes of migration news/0004, as SQLite cannot index NULLS LAST; "Kunde: A–Z" walks
        # the clients' name index
        indexes = [
            models.Index(
                fields=["article", "-exposure", "-exposure_sum", "-lock_in"],
                name="affected_by_exposure",
            ),
            models.Index(fields=["article", "-lock_in", "-exposure"], name="affected_by_lock_in"),
            models.Index(
                fields=["article", "lock_in_level", "-exposure", "-exposure_sum", "-lock_in"],
                name="affected_by_level",
            ),
            models.Index(
                fields=["article", "lock_in_level", "-lock_in", "-exposure"],
                name="affected_by_level_lock_in",
            ),
            models.Index(
                fields=["article", "-exposure", "-exposure_sum", "-lock_in"],
                condition=models.Q(informed=True),
                name="affected_informed",
            ),
            models.Index(fields=["organization"], name="affected_by_client"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.organization_id} ({self.exposure})"


class ArticleReach(models.Model):
    """How many clients an article concerns (the rows of ``AffectedClient``), stored with them,
    and the article's vendor tags the rows were built from (``[[slug, name], …]``, in the tags'
    order): what "Welche Kunden betrifft das?" reads with the article."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="reach"
    )
    clients = models.PositiveIntegerField(default=0)
    vendors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("Reichweite")
        verbose_name_plural = _("Reichweiten")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.clients}"


class FollowUpOptOut(models.Model):
    """A person who asked for no more news e-mails from consultants (``List-Unsubscribe``).

    The follow-up mailing skips them; the link in each such e-mail can undo it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_opt_out"
    )
    created_at = models.DateTimeField(_("abbestellt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Abbestellung der Kundeninformationen")
        verbose_name_plural = _("Abbestellungen der Kundeninformationen")

    def __str__(self) -> str:
        return str(self.user)
