"""Erasure of an organisation on its owner's request, after a grace period.

Deleted: the organisation with everything hanging off it (memberships, invitations, assessments,
answers, results, notes, reports and their files), the accounts that belong to no other
organisation (with their sessions, devices and login records), Django admin log entries about
them. Audit entries stay for accountability but are pseudonymised: actor removed, target and
data replaced by the pseudonym.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import AuditLog, ErasureRequest, Membership, Organization, User


def is_owner(*, user: User, organization: Organization) -> bool:
    return Membership.objects.filter(
        user=user, organization=organization, role=Membership.Role.OWNER
    ).exists()


def pending_request(*, organization: Organization) -> ErasureRequest | None:
    return organization.erasure_requests.filter(
        cancelled_at__isnull=True, completed_at__isnull=True
    ).first()


def _owners_emails(organization: Organization) -> list[str]:
    return list(
        organization.memberships.filter(role=Membership.Role.OWNER).values_list(
            "user__email", flat=True
        )
    )


def _notify(template: str, organization: Organization, request: ErasureRequest) -> None:
    from portal.services import email_send

    to = _owners_emails(organization)
    if to:
        email_send(
            template=template,
            to=to,
            context={"organization_name": organization.name, "erasure": request},
            language=organization.language,
        )


@transaction.atomic
def erasure_request(*, organization: Organization, user: User) -> ErasureRequest:
    if not is_owner(user=user, organization=organization):
        raise PermissionDenied
    existing = pending_request(organization=organization)
    if existing:
        return existing
    request = ErasureRequest.objects.create(
        organization=organization,
        pseudonym="org-" + hashlib.sha256(str(organization.pk).encode()).hexdigest()[:12],
        requested_by=user,
        scheduled_for=timezone.now() + timezone.timedelta(days=settings.ERASURE_GRACE_DAYS),
    )
    from portal.services import audit_record

    audit_record(action="erasure.request", actor=user, organization=organization)
    transaction.on_commit(lambda: _notify("portal/email/erasure_scheduled", organization, request))
    return request


@transaction.atomic
def erasure_cancel(*, organization: Organization, user: User) -> None:
    if not is_owner(user=user, organization=organization):
        raise PermissionDenied
    request = pending_request(organization=organization)
    if request:
        request.cancelled_at = timezone.now()
        request.save(update_fields=["cancelled_at"])
        from portal.services import audit_record

        audit_record(action="erasure.cancel", actor=user, organization=organization)


def erasure_reminders_send() -> int:
    """Remind the owners ``ERASURE_REMINDER_DAYS`` before their organisation is erased."""
    soon = timezone.now() + timezone.timedelta(days=settings.ERASURE_REMINDER_DAYS)
    sent = 0
    for request in ErasureRequest.objects.filter(
        cancelled_at__isnull=True,
        completed_at__isnull=True,
        reminded_at__isnull=True,
        scheduled_for__lte=soon,
        organization__isnull=False,
    ).select_related("organization"):
        _notify("portal/email/erasure_reminder", request.organization, request)
        request.reminded_at = timezone.now()
        request.save(update_fields=["reminded_at"])
        sent += 1
    return sent


def erasures_due_run() -> int:
    done = 0
    for request in ErasureRequest.objects.filter(
        cancelled_at__isnull=True,
        completed_at__isnull=True,
        scheduled_for__lte=timezone.now(),
        organization__isnull=False,
    ).select_related("organization"):
        organization_erase(request=request)
        done += 1
    return done


def organization_erase(*, request: ErasureRequest) -> None:
    from assessments.models import Report

    organization = request.organization
    pseudonym = request.pseudonym
    members = list(User.objects.filter(memberships__organization=organization))
    leaving = [
        u
        for u in members
        if not u.is_consultant
        and not u.is_staff
        and not Membership.objects.filter(user=u).exclude(organization=organization).exists()
    ]
    emails = {u.email for u in leaving} | set(
        organization.invitations.values_list("email", flat=True)
    )
    files = [
        r.file.name
        for r in Report.objects.filter(assessment__organization=organization).exclude(file="")
    ]
    # Evidence files and document PDFs live in the same private storage.
    from assessments.privacy import organization_files

    files += organization_files(organization=organization)
    with transaction.atomic():
        # Audit entries: kept, but no longer say who or what.
        mentions = Q(organization=organization) | Q(actor__in=leaving) | Q(target__in=emails)
        mentions |= Q(target=organization.name)
        AuditLog.objects.filter(mentions).update(target=pseudonym, data={"pseudonymised": True})
        AuditLog.objects.filter(actor__in=leaving).update(actor=None)
        LogEntry.objects.filter(
            Q(object_id=str(organization.pk)) | Q(user__in=leaving) | Q(object_repr__in=emails)
        ).delete()
        LogEntry.objects.filter(object_repr__icontains=organization.name).update(
            object_repr=pseudonym, change_message=""
        )
        _login_records_delete(emails)
        organization.delete()
        from portal.security.sessions import sessions_end_others

        for user in leaving:
            sessions_end_others(user=user, keep_session_key=None)
            user.delete()
        request.organization = None
        request.completed_at = timezone.now()
        request.save(update_fields=["organization", "completed_at"])
        AuditLog.objects.create(action="erasure.done", target=pseudonym)
    storage = Report._meta.get_field("file").storage
    for name in files:
        storage.delete(name)


def _login_records_delete(emails: set[str]) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=emails).delete()
