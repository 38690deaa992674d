"""Writes for accounts, organisations, memberships and invitations."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AuditLog, Invitation, Membership, Organization, User


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organization: Organization | None = None,
    target: str = "",
    data: dict | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=organization,
        target=target[:200],
        data=data or {},
    )


def email_send(
    *,
    template: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Send the triplet ``<template>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    context = {"consultancy": settings.CONSULTANCY, "site_url": settings.SITE_URL, **context}
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}_body.txt", context)
        html = render_to_string(f"{template}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()


@dataclass(frozen=True)
class SignupResult:
    user: User
    organization: Organization


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    organization_name: str,
    industry: str,
    size_band: str,
) -> SignupResult:
    """The free self-check: a new user, their company and their owner membership in one go."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    organization = Organization.objects.create(
        name=organization_name,
        industry=industry,
        size_band=size_band,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    audit_record(action="user.signup", actor=user, organization=organization, target=user.email)
    from .clients.services import organization_signup_notify

    transaction.on_commit(lambda: organization_signup_notify(organization_id=organization.pk))
    return SignupResult(user=user, organization=organization)


def organization_update(*, organization: Organization, actor: User, fields: dict) -> Organization:
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save(update_fields=list(fields))
    audit_record(
        action="organization.update",
        actor=actor,
        organization=organization,
        target=organization.name,
        data={"fields": sorted(fields)},
    )
    return organization


def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User
) -> Invitation:
    if not can_manage_members(user=invited_by, organization=organization):
        raise PermissionDenied
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s ist bereits Mitglied dieser Organisation.") % {"email": email},
            code="already_member",
        )
    with transaction.atomic():
        # A new invitation replaces any open one for the same address.
        organization.invitations.pending().filter(email__iexact=email).delete()
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, invited_by=invited_by
        )
        audit_record(
            action="invitation.create",
            actor=invited_by,
            organization=organization,
            target=email,
        )
    accept_url = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    transaction.on_commit(
        lambda: email_send(
            template="portal/email/invitation",
            to=[email],
            context={"invitation": invitation, "accept_url": accept_url},
            language=organization.language,
        )
    )
    return invitation


class InvitationInvalid(Exception):
    """The invitation cannot be accepted; ``str(exc)`` is a message for the person."""


def invitation_check(invitation: Invitation) -> None:
    if invitation.is_accepted:
        raise InvitationInvalid(_("Diese Einladung wurde bereits angenommen."))
    if invitation.is_expired:
        raise InvitationInvalid(
            _(
                "Diese Einladung ist abgelaufen. Bitten Sie die Person, die Sie eingeladen hat, "
                "um eine neue Einladung."
            )
        )


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Accept for a logged-in user, or create the invited person's account with ``password``."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation)
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationInvalid(
                _("Für diese E-Mail-Adresse gibt es schon ein Konto. Bitte melden Sie sich an.")
            )
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
    elif user.email.lower() != invitation.email.lower():
        raise InvitationInvalid(
            _("Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dieser Adresse an.")
            % {"email": invitation.email}
        )
    Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action="invitation.accept",
        actor=user,
        organization=invitation.organization,
        target=user.email,
    )
    return user


def invitations_purge(*, older_than_days: int = 90) -> int:
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted, _details = Invitation.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def can_manage_members(*, user: User, organization: Organization) -> bool:
    if user.is_consultant:
        return True
    return Membership.objects.filter(
        user=user, organization=organization, role=Membership.Role.OWNER
    ).exists()
