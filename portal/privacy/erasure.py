"""Erasure of an organisation on its owner's request, after a grace period.

Deleted: the organisation with everything hanging off it (memberships, invitations, assessments,
answers, results, notes, action plan, reports and their files, news follow-ups), the accounts
that belong to no other organisation (with their sessions, devices and login records), the
enquiries it came from or its people sent (contact form), its rows in stored stress-test results,
Django admin log entries about them. Audit entries stay for accountability but are pseudonymised:
no longer linked to the organisation or to an erased account, target and data replaced by the
pseudonym; also entries that name it only in their text (an enquiry's company, a search term).

What is left afterwards is checked by ``tests/privacy/test_erasure_sentinel.py``: a marker planted
in every field is found nowhere in a dump of every table, the storage folder or the logs.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from portal.leads.models import Lead
from portal.models import AuditLog, ErasureRequest, Membership, Organization, User
from portal.portfolio import changes as summary_changes
from portal.portfolio.summary import figures_prune

from .append_only import audit_maintenance
from .audit import ACTION_PREFIX as READ_PREFIX


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
    from portal.mail import email_send

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
    from portal.auditlog import audit_record

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
        from portal.auditlog import audit_record

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
    leads = Lead.objects.filter(Q(organization=organization) | Q(email__in=emails))
    lead_rows = list(leads.values_list("pk", "company", "email"))
    emails |= {email for _pk, _company, email in lead_rows}
    names = {organization.name} | {company for _pk, company, _email in lead_rows}
    files = [
        r.file.name
        for r in Report.objects.filter(assessment__organization=organization).exclude(file="")
    ]
    # Evidence files and document PDFs live in the same private storage.
    from assessments.privacy import organization_files

    files += organization_files(organization=organization)
    with transaction.atomic():
        from portal.security.sessions import sessions_end_others

        for user in leaving:  # first: ending them is audited, and pseudonymised below
            sessions_end_others(user=user, keep_session_key=None)
        audit_pseudonymise(
            mentions=Q(organization=organization)
            | Q(actor__in=leaving)
            | Q(target__in=emails | names | {str(pk) for pk, _c, _e in lead_rows}),
            texts=emails | names,
            words=_distinctive_words(names),
            pseudonym=pseudonym,
            reason="erasure",
            actors=leaving,
        )
        LogEntry.objects.filter(
            Q(object_id=str(organization.pk)) | Q(user__in=leaving) | Q(object_repr__in=emails)
        ).delete()
        LogEntry.objects.filter(object_repr__icontains=organization.name).update(
            object_repr=pseudonym, change_message=""
        )
        _login_records_delete(emails)
        leads.delete()
        _stress_results_forget(organization)
        organization_id = organization.pk
        organization.delete()
        figures_prune()  # figures named after a value only this client had
        summary_changes.client_forget(organization_id)  # its summary rows as they were
        for user in leaving:
            user.delete()
        request.organization = None
        request.completed_at = timezone.now()
        request.save(update_fields=["organization", "completed_at"])
        AuditLog.objects.create(action="erasure.done", target=pseudonym)
    storage = Report._meta.get_field("file").storage
    for name in files:
        storage.delete(name)


# Words of a company name that say nothing about which company it is.
_LEGAL_FORMS = {
    "gmbh", "mbh", "kg", "ag", "ohg", "gbr", "ug", "co", "ek", "e.k.", "kgaa", "se", "eg", "ev",
    "e.v.", "und", "haftungsbeschränkt", "partg", "ltd", "inc", "the", "der", "die", "das",
}  # fmt: skip


def _distinctive_words(names: set[str]) -> set[str]:
    """The words of a company name by which a search or a note could name it: at least four
    letters, no legal form."""
    words = set()
    for name in names:
        for word in re.split(r"[\s,;:()/&+\"'„“”.-]+", name):
            if len(word) >= 4 and word.lower() not in _LEGAL_FORMS:
                words.add(word)
    return words


def _text_variants(texts: set[str]) -> set[str]:
    """How a text can appear in an audit entry: as itself (PostgreSQL's jsonb), JSON-escaped
    (SQLite keeps the JSON text, non-ASCII characters as \\uXXXX) and URL-encoded (the query
    string of a read, e.g. a search for the company)."""
    variants = set()
    for text in texts:
        if text:
            variants |= {text, json.dumps(text)[1:-1], quote(text), quote_plus(text)}
    return variants


def _mentioning(texts: set[str]) -> Q:
    found = Q()
    for text in _text_variants(texts):
        found |= Q(data_text__icontains=text) | Q(target__icontains=text)
    return found


def audit_pseudonymise(
    *,
    mentions: Q,
    texts: set[str],
    pseudonym: str,
    reason: str,
    words: set[str] = frozenset(),
    actors=(),
) -> int:
    """Pseudonymise the audit entries that ``mentions`` select, that contain one of ``texts``
    (names, addresses), or that are reads of a page across clients containing one of ``words``
    (a search for part of the company's name): no organisation, target and data replaced by
    ``pseudonym``. ``actors`` (erased accounts) are removed as actor. Inside
    ``audit_maintenance`` (the log is append-only).

    The text search reads the whole log (no index helps a substring): fine for the daily job
    and the few erasures it runs."""
    selected = mentions
    if texts:
        selected |= _mentioning(texts)
    if words:
        reads_across_clients = Q(organization__isnull=True, action__startswith=READ_PREFIX)
        selected |= reads_across_clients & _mentioning(words)
    entries = AuditLog.objects.annotate(data_text=Cast("data", TextField())).filter(selected)
    with audit_maintenance(reason):
        changed = AuditLog.objects.filter(pk__in=entries.values("pk")).update(
            organization=None, target=pseudonym, data={"pseudonymised": True}
        )
        if actors:
            AuditLog.objects.filter(actor__in=actors).update(actor=None)
    return changed


def _stress_results_forget(organization: Organization) -> None:
    """Stored stress-test results list clients by name: drop the erased one's row."""
    from assessments.stress.models import StressJob

    marker = str(organization.pk)
    jobs = StressJob.objects.annotate(result_text=Cast("result", TextField())).filter(
        result_text__contains=marker
    )
    for job in jobs:
        rows = [row for row in job.result["rows"] if row.get("organization_id") != marker]
        clients = max(job.result["clients"] - (len(job.result["rows"]) - len(rows)), 0)
        job.result = {
            **job.result,
            "rows": rows,
            "clients": clients,
            "scored": min(job.result["scored"], clients),
        }
        job.save(update_fields=["result"])


def _login_records_delete(emails: set[str]) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=emails).delete()
