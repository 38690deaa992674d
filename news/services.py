"""Writes for news: telling affected clients about an article."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.results.exposure import ClientExposure, clients_exposed_to, vendor_names
from portal.auditlog import audit_record
from portal.mail import email_send
from portal.models import Membership, Organization, User

from .models import Article, ClientFollowUp, FollowUpOptOut
from .selectors import article_vendor_keys


@dataclass
class FollowUpOutcome:
    informed: list[str] = field(default_factory=list)  # organisation names
    emailed: list[str] = field(default_factory=list)
    without_recipients: list[str] = field(default_factory=list)


UNSUBSCRIBE_SALT = "news.followup-unsubscribe"


def _recipients(organization: Organization) -> list[User]:
    """The owners; where a company has none, every member; never who opted out of news mail."""
    memberships = list(
        Membership.objects.filter(organization=organization, user__is_active=True)
        .exclude(user__news_opt_out__isnull=False)
        .select_related("user")
        .order_by("user__email")
    )
    owners = [m.user for m in memberships if m.role == Membership.Role.OWNER]
    return owners or [m.user for m in memberships]


def unsubscribe_url(user: User) -> str:
    """The person's own link that stops (and restarts) news e-mails; it never expires."""
    # no timestamp in it: the same person always gets the same link (mail headers, tests)
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": str(user.pk)})
    return settings.SITE_URL + reverse("news:unsubscribe", args=[token])


def unsubscribe_user(*, token: str) -> User | None:
    """The active user a link was made for; None for a forged or foreign link."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("u"), is_active=True).first()


def followups_opt_out(*, user: User) -> None:
    """No more news e-mails for ``user`` (idempotent, audited)."""
    _, created = FollowUpOptOut.objects.get_or_create(user=user)
    if created:
        audit_record(action="news.followup_opt_out", actor=user, target=user.email)


def followups_opt_in(*, user: User) -> None:
    """News e-mails again for ``user`` (idempotent, audited)."""
    deleted, _ = FollowUpOptOut.objects.filter(user=user).delete()
    if deleted:
        audit_record(action="news.followup_opt_in", actor=user, target=user.email)


def clients_inform(
    *,
    article: Article,
    organization_ids: list,
    actor: User,
    send_email: bool,
) -> FollowUpOutcome:
    """Mark the chosen affected clients as informed and, if asked, e-mail each one personally.

    Only organisations that the article affects and ``actor`` may see are touched; a client that
    already got this article's e-mail is not e-mailed twice.
    """
    exposures = {
        e.organization_id: e
        for e in clients_exposed_to(
            user=actor,
            vendors=article_vendor_keys(article),
            organization_ids=organization_ids,
            detailed=True,
        )
    }
    organizations = Organization.objects.visible_to(actor).filter(pk__in=list(exposures))
    outcome = FollowUpOutcome()
    article_url = settings.SITE_URL + article.get_absolute_url()
    with transaction.atomic():
        for organization in organizations.order_by("name"):
            exposure = exposures[organization.pk]
            followup, created = ClientFollowUp.objects.select_for_update().get_or_create(
                article=article,
                organization=organization,
                defaults={"informed_by": actor, "exposure": exposure.exposure},
            )
            recipients = []
            if send_email and not followup.emailed_to:
                people = _recipients(organization)
                recipients = [person.email for person in people]
                if people:
                    _queue_followup_email(
                        article=article,
                        article_url=article_url,
                        organization=organization,
                        exposure=exposure,
                        consultant=actor,
                        people=people,
                    )
                    outcome.emailed.append(organization.name)
                else:
                    outcome.without_recipients.append(organization.name)
            if not created or recipients:
                followup.informed_by = actor
                followup.informed_at = timezone.now()
                followup.exposure = exposure.exposure
                followup.emailed_to = recipients or followup.emailed_to
                followup.save(
                    update_fields=["informed_by", "informed_at", "exposure", "emailed_to"]
                )
            audit_record(
                action="news.client_informed",
                actor=actor,
                organization=organization,
                target=article.slug,
                data={"emailed_to": recipients, "exposure": exposure.exposure},
            )
            outcome.informed.append(organization.name)
    return outcome


def _queue_followup_email(
    *,
    article: Article,
    article_url: str,
    organization: Organization,
    exposure: ClientExposure,
    consultant: User,
    people: list[User],
) -> None:
    """One e-mail per person, each with its own ``List-Unsubscribe`` link (RFC 2369, 8058)."""
    names = vendor_names(language=organization.language)
    vendors = [
        {"name": names.get(key, key), "value": value}
        for key, value in sorted(exposure.vendors.items(), key=lambda kv: -kv[1])
    ]
    context = {
        "article": article,
        "article_url": article_url,
        "organization": organization,
        "exposure": exposure,
        "vendors": vendors,
        "consultant": consultant,
        "contact_url": settings.SITE_URL + reverse("contact"),
    }

    def send() -> None:
        for person in people:
            url = unsubscribe_url(person)
            email_send(
                template="news/email/client_followup",
                to=[person.email],
                context={**context, "unsubscribe_url": url},
                language=organization.language,
                reply_to=[consultant.email],
                headers={
                    "List-Unsubscribe": f"<{url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )

    transaction.on_commit(send)
