"""Writes for news: telling affected clients about an article."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.exposure import ClientExposure, clients_exposed_to, vendor_names
from portal.models import Membership, Organization, User
from portal.services import audit_record, email_send

from .models import Article, ClientFollowUp
from .selectors import article_vendor_keys


@dataclass
class FollowUpOutcome:
    informed: list[str] = field(default_factory=list)  # organisation names
    emailed: list[str] = field(default_factory=list)
    without_recipients: list[str] = field(default_factory=list)


def _recipients(organization: Organization) -> list[str]:
    """The owners; where a company has none, every member."""
    memberships = Membership.objects.filter(organization=organization, user__is_active=True)
    owners = [m.user.email for m in memberships.select_related("user") if m.role == "owner"]
    return owners or [m.user.email for m in memberships.select_related("user")]


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
                recipients = _recipients(organization)
                if recipients:
                    _queue_followup_email(
                        article=article,
                        article_url=article_url,
                        organization=organization,
                        exposure=exposure,
                        consultant=actor,
                        recipients=recipients,
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
    recipients: list[str],
) -> None:
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
    transaction.on_commit(
        lambda: email_send(
            template="news/email/client_followup",
            to=recipients,
            context=context,
            language=organization.language,
            reply_to=[consultant.email],
        )
    )
