"""Writes for accounts, organisations, memberships and invitations."""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .auditlog import audit_record
from .clients.services import organization_signup_notify
from .mail import email_send
from .models import (
    AuditLog,
    Invitation,
    Membership,
    Organization,
    User,
    invitation_token_hash,
)


@dataclass(frozen=True)
class SignupResult:
    user: User
    organization: Organization


EMAIL_VERIFY_SALT = "portal.email-verify"


def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    organization_name: str,
    industry: str,
    size_band: str,
) -> SignupResult | None:
    """The free self-check: a new user, their company and their owner membership in one go.

    An address that already has an account gets an e-mail saying so and nothing is created; the
    caller answers both cases alike, so sign-up does not tell who is registered. Returns None then.
    """
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # the same work as a real sign-up: no timing difference either
        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(
            lambda: email_send(
                template="portal/email/account_exists",
                to=[existing.email],
                context={
                    "login_url": settings.SITE_URL + reverse("login"),
                    "reset_url": settings.SITE_URL + reverse("password_reset"),
                },
                language=language,
            )
        )
        audit_record(action="user.signup_existing", target=existing.email)
        return None
    with transaction.atomic():
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
        transaction.on_commit(lambda: organization_signup_notify(organization_id=organization.pk))
    email_verification_send(user=user)
    return SignupResult(user=user, organization=organization)


def email_verification_send(*, user: User) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_VERIFY_SALT)
    verify_url = settings.SITE_URL + reverse("email_verify", args=[token])
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: email_send(
            template="portal/email/verify",
            to=[user.email],
            context={"verify_url": verify_url, "valid_days": settings.EMAIL_VERIFY_VALID_DAYS},
            language=language,
        )
    )


def email_verify(*, token: str) -> User | None:
    """Mark the address in ``token`` as confirmed; None if the link is forged or too old."""
    try:
        data = signing.loads(
            token, salt=EMAIL_VERIFY_SALT, max_age=settings.EMAIL_VERIFY_VALID_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(action="user.email_verified", actor=user, target=user.email)
    return user


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


class InvitationLimitReached(ValidationError):
    pass


def invitations_sent_today(*, organization: Organization) -> int:
    # Counted from the audit log: replaced or revoked invitations count as well.
    since = timezone.now() - timezone.timedelta(days=1)
    return AuditLog.objects.filter(
        organization=organization, action="invitation.create", created_at__gte=since
    ).count()


def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User
) -> Invitation:
    if not can_manage_members(user=invited_by, organization=organization):
        raise PermissionDenied
    if not invited_by.is_consultant and not invited_by.email_verified:
        raise ValidationError(
            _(
                "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer "
                "E-Mail; danach können Sie Personen einladen."
            ),
            code="email_unverified",
        )
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s ist bereits Mitglied dieser Organisation.") % {"email": email},
            code="already_member",
        )
    with transaction.atomic():
        # Lock the organisation so that parallel requests cannot pass the daily limit together.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        limit = settings.INVITATIONS_PER_ORGANIZATION_PER_DAY
        if (
            not invited_by.is_consultant
            and invitations_sent_today(organization=organization) >= limit
        ):
            raise InvitationLimitReached(
                _(
                    "Für heute sind genug Einladungen verschickt (höchstens %(n)s pro Tag). "
                    "Bitte versuchen Sie es morgen wieder oder wenden Sie sich an Ihre Beratung."
                )
                % {"n": limit},
                code="limit",
            )
        # A new invitation replaces any open one for the same address.
        organization.invitations.pending().filter(email__iexact=email).delete()
        raw_token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            invited_by=invited_by,
            token=invitation_token_hash(raw_token),
        )
        audit_record(
            action="invitation.create",
            actor=invited_by,
            organization=organization,
            target=email,
        )
    accept_url = settings.SITE_URL + reverse("invitation_accept", args=[raw_token])
    transaction.on_commit(
        lambda: email_send(
            template="portal/email/invitation",
            to=[email],
            context={
                "invitation": invitation,
                "organization_name": unlinkable(organization.name),
                "accept_url": accept_url,
            },
            language=organization.language,
        )
    )
    return invitation


def unlinkable(text: str, *, max_length: int = 80) -> str:
    """Client-typed text for an e-mail that no mail program turns into a link.

    The company name is the only free text in an invitation. Mail programs make links of
    ``https://…``, ``www.…``, ``name.tld`` and ``a@b``; the look-alike characters below keep the
    name readable but break that recognition, so the portal cannot relay a phishing link.
    """
    text = " ".join(text.split())[:max_length]
    text = re.sub(r"(?<=\w)\.(?=\w)", "\u2024", text)  # one dot leader
    return text.replace("://", "\u2236//").replace("@", "\uff20")


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if not can_manage_members(user=actor, organization=invitation.organization):
        raise PermissionDenied
    audit_record(
        action="invitation.revoke",
        actor=actor,
        organization=invitation.organization,
        target=invitation.email,
    )
    invitation.delete()


class LastOwner(ValidationError):
    pass


def _ensure_other_owner(membership: Membership) -> None:
    others = Membership.objects.filter(
        organization=membership.organization, role=Membership.Role.OWNER
    ).exclude(pk=membership.pk)
    if membership.role == Membership.Role.OWNER and not others.exists():
        raise LastOwner(
            _("Die Organisation braucht mindestens eine Inhaberin oder einen Inhaber."),
            code="last_owner",
        )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: User) -> Membership:
    if not can_manage_members(user=actor, organization=membership.organization):
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role not in Membership.Role.values:
        raise ValidationError(_("Unbekannte Rolle."), code="role")
    if role != Membership.Role.OWNER:
        _ensure_other_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role",
        actor=actor,
        organization=membership.organization,
        target=membership.user.email,
        data={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    if not can_manage_members(user=actor, organization=membership.organization):
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _ensure_other_owner(membership)
    audit_record(
        action="membership.remove",
        actor=actor,
        organization=membership.organization,
        target=membership.user.email,
    )
    membership.delete()


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
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            # The link came by e-mail to this address: that confirms it.
            email_verified_at=timezone.now(),
        )
    elif user.email.lower() != invitation.email.lower():
        raise InvitationInvalid(
            _("Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dieser Adresse an.")
            % {"email": invitation.email}
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
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
