"""Retention periods, enforced daily by beat (``portal.tasks.privacy_daily``)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.models import AuditLog, UserSession


def _before(days: int):
    return timezone.now() - timezone.timedelta(days=days)


def retention_enforce() -> dict[str, int]:
    from axes.models import AccessAttempt, AccessLog

    from assessments.models import Assessment

    counts = {}
    counts["audit"] = AuditLog.objects.filter(
        created_at__lt=_before(settings.AUDIT_RETENTION_DAYS)
    ).delete()[0]
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
