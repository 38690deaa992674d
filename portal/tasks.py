from celery import shared_task

from . import services


@shared_task(name="portal.tasks.invitations_expire")
def invitations_expire() -> int:
    """Remove invitations that expired long ago; expired ones are refused on accept anyway."""
    return services.invitations_purge()


@shared_task(name="portal.tasks.privacy_daily")
def privacy_daily() -> dict:
    """Erasure reminders, erasures whose grace period is over, retention periods."""
    from .privacy import erasure, retention

    return {
        "reminded": erasure.erasure_reminders_send(),
        "erased": erasure.erasures_due_run(),
        **retention.retention_enforce(),
    }


@shared_task(name="portal.tasks.summary_changes_prune")
def summary_changes_prune() -> int:
    """Drop the summary rows' change log older than an hour (``portal.portfolio.changes``):
    the dashboard's kept overviews last a minute."""
    from .portfolio import changes

    return changes.prune()
