"""Celery tasks of the action plan: thin wrappers that call a service."""

from celery import shared_task


@shared_task(name="assessments.actionplan.evidence_orphans")
def evidence_orphans() -> int:
    from .evidence import evidence_orphans_delete

    return evidence_orphans_delete()
