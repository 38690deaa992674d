"""Writes for leads: store an enquiry, move it along, turn it into a client."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.mail import email_send
from portal.models import Membership, Organization, User
from portal.services import invitation_create

from .models import Lead


@transaction.atomic
def lead_create(
    *, name: str, company: str, email: str, phone: str, message: str, language: str = ""
) -> Lead:
    lead = Lead.objects.create(
        name=name,
        company=company,
        email=email,
        phone=phone,
        message=message,
        consent_at=timezone.now(),
        language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:8],
    )
    audit_record(action="lead.create", target=str(lead.pk))
    lead_url = settings.SITE_URL + reverse("lead_detail", args=[lead.pk])
    transaction.on_commit(
        lambda: email_send(
            template="portal/email/lead_new",
            to=[settings.CONSULTANCY["email"]],
            context={"lead": lead, "lead_url": lead_url},
            language=settings.LANGUAGE_CODE,
            reply_to=[lead.email],
        )
    )
    return lead


def lead_update(*, lead: Lead, actor: User, state: str, notes: str) -> Lead:
    if lead.state == Lead.State.CONVERTED:
        raise ValidationError(_("Diese Anfrage ist bereits Kunde geworden."), code="converted")
    if state not in (Lead.State.NEW, Lead.State.CONTACTED, Lead.State.CLOSED):
        raise ValidationError(_("Unbekannter Status."), code="state")
    previous = lead.state
    lead.state = state
    lead.notes = notes
    lead.handled_by = actor
    lead.save(update_fields=["state", "notes", "handled_by", "updated_at"])
    audit_record(
        action="lead.update",
        actor=actor,
        target=str(lead.pk),
        data={"from": previous, "to": state},
    )
    return lead


@transaction.atomic
def lead_convert(
    *, lead: Lead, actor: User, name: str, industry: str, size_band: str
) -> Organization:
    """Create the client organisation and invite the enquirer as its owner."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.state == Lead.State.CONVERTED:
        raise ValidationError(_("Diese Anfrage ist bereits Kunde geworden."), code="converted")
    organization = Organization.objects.create(
        name=name,
        industry=industry,
        size_band=size_band,
        language=lead.language if lead.language in dict(settings.LANGUAGES) else "de",
        consultant=actor,
    )
    audit_record(
        action="organization.create",
        actor=actor,
        organization=organization,
        target=organization.name,
        data={"lead": str(lead.pk)},
    )
    invitation_create(
        organization=organization,
        email=lead.email,
        role=Membership.Role.OWNER,
        invited_by=actor,
    )
    lead.state = Lead.State.CONVERTED
    lead.organization = organization
    lead.handled_by = actor
    lead.save(update_fields=["state", "organization", "handled_by", "updated_at"])
    audit_record(action="lead.convert", actor=actor, organization=organization, target=str(lead.pk))
    return organization
