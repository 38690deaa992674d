from celery import shared_task

from . import services


@shared_task(name="portal.tasks.invitations_expire")
def invitations_expire() -> int:
    """Remove invitations that expired long ago; expired ones are refused on accept anyway."""
    return services.invitations_purge()
