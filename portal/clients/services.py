"""Writes for looking after clients: claim, assign, and telling the consultancy about news."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..auditlog import audit_record
from ..mail import email_send
from ..models import Organization, User
from ..portfolio.summary import client_summaries_refresh
from .selectors import consultancy_recipients

logger = logging.getLogger(__name__)


def _announce(*, template: str, to: list[str], context: dict) -> None:
    """Tell the consultancy. Runs after the client's own commit: a mail server hiccup is logged
    for the operator and must not turn the client's sign-up or submission into an error page."""
    if not to:
        return
    try:
        email_send(template=template, to=to, context=context, language=settings.LANGUAGE_CODE)
    except OSError:
        logger.exception("Could not send %s to %s", template, to)


def organization_claim(*, organization: Organization, user: User) -> Organization:
    """A consultant takes an unassigned client. Only one of two racing claims wins."""
    if not user.is_consultant:
        raise PermissionDenied
    with transaction.atomic():  # the summary row (its copy of the consultant) commits with it
        updated = Organization.objects.filter(pk=organization.pk, consultant__isnull=True).update(
            consultant=user, assigned_at=timezone.now()
        )
        if updated:
            client_summaries_refresh(organization_ids=[organization.pk])
    organization.refresh_from_db()
    if not updated:
        if organization.consultant_id == user.pk:
            return organization
        raise ValidationError(
            _("%(name)s wird bereits von %(who)s betreut.")
            % {"name": organization.name, "who": organization.consultant.display_name}
        )
    audit_record(
        action="organization.claim", actor=user, organization=organization, target=user.email
    )
    return organization


def organization_assign(
    *, organization: Organization, consultant: User | None, actor: User
) -> Organization:
    """A lead consultant or admin hands a client to a consultant (or back to nobody)."""
    if not actor.can_assign_clients:
        raise PermissionDenied
    if consultant is not None and not (consultant.is_consultant and consultant.is_active):
        raise ValidationError(_("Nur aktive Berater/innen können Kunden betreuen."))
    previous = organization.consultant
    organization.consultant = consultant
    organization.assigned_at = timezone.now() if consultant else None
    organization.save(update_fields=["consultant", "assigned_at"])
    audit_record(
        action="organization.assign",
        actor=actor,
        organization=organization,
        target=consultant.email if consultant else "",
        data={"previous": previous.email if previous else ""},
    )
    if consultant is not None and consultant != actor and consultant.email:
        to = [consultant.email]
        transaction.on_commit(
            lambda: email_send(
                template="portal/email/client_assigned",
                to=to,
                context={"organization": organization, "actor": actor},
                language=settings.LANGUAGE_CODE,
            )
        )
    return organization


def organization_signup_notify(*, organization_id) -> None:
    organization = Organization.objects.get(pk=organization_id)
    _announce(
        template="portal/email/new_client",
        to=consultancy_recipients(),
        context={"organization": organization},
    )


def assessment_submission_notify(*, assessment_id) -> None:
    from assessments.models import Assessment

    assessment = Assessment.objects.select_related("organization__consultant", "submitted_by").get(
        pk=assessment_id
    )
    organization = assessment.organization
    _announce(
        template="portal/email/new_submission",
        to=consultancy_recipients(also=organization.consultant),
        context={"organization": organization, "assessment": assessment},
    )
