"""Retention periods, enforced daily by beat (``portal.tasks.privacy_daily``), as the privacy
page states them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.leads.models import Lead
from portal.models import AuditLog, UserSession

from .append_only import audit_maintenance
from .erasure import audit_pseudonymise


def _before(days: int):
    return timezone.now() - timezone.timedelta(days=days)


def retention_enforce() -> dict[str, int]:
    from axes.models import AccessAttempt, AccessLog

    from assessments.models import Assessment

    counts = {}
    with audit_maintenance("retention"):
        counts["audit"] = AuditLog.objects.filter(
            created_at__lt=_before(settings.AUDIT_RETENTION_DAYS)
        ).delete()[0]
    counts["enquiries"] = enquiries_expire()
    session_cutoff = _before(settings.SESSION_RETENTION_DAYS)
    counts["sessions"] = UserSession.objects.filter(last_seen_at__lt=session_cutoff).delete()[0]
    counts["login_log"] = AccessLog.objects.filter(attempt_time__lt=session_cutoff).delete()[0]
    AccessAttempt.objects.filter(attempt_time__lt=session_cutoff).delete()
    import_string(settings.SESSION_ENGINE + ".SessionStore").clear_expired()
    stale_drafts = (
        Assessment.objects.filter(status=Assessment.Status.DRAFT)
        .annotate(
            touched=Greatest("created_at", Coalesce(Max("answers__updated_at"), "created_at"))
        )
        .filter(touched__lt=_before(settings.DRAFT_RETENTION_DAYS))
        .values_list("pk", flat=True)
    )
    counts["drafts"] = Assessment.objects.filter(pk__in=list(stale_drafts)).delete()[0]
    return counts


def enquiries_expire() -> int:
    """Enquiries from the contact form: deleted ``LEAD_RETENTION_DAYS`` after they were last
    handled once done (closed, or turned into a client, whose data then lives on as the client's),
    and ``LEAD_OPEN_RETENTION_DAYS`` after the last change while nobody closed them. Their audit
    entries are pseudonymised."""
    done = Q(
        state__in=(Lead.State.CLOSED, Lead.State.CONVERTED),
        updated_at__lt=_before(settings.LEAD_RETENTION_DAYS),
    )
    stale = Q(
        state__in=(Lead.State.NEW, Lead.State.CONTACTED),
        updated_at__lt=_before(settings.LEAD_OPEN_RETENTION_DAYS),
    )
    expired = list(Lead.objects.filter(done | stale).values_list("pk", "company", "email"))
    if not expired:
        return 0
    with transaction.atomic():
        for pk, company, email in expired:
            audit_pseudonymise(
                mentions=Q(target__in={str(pk), company, email}),
                texts=set(),
                pseudonym="lead-" + hashlib.sha256(str(pk).encode()).hexdigest()[:12],
                reason="retention",
            )
        Lead.objects.filter(pk__in=[pk for pk, _company, _email in expired]).delete()
    return len(expired)
