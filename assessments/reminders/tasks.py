"""Celery task of the reminders: a thin wrapper around the service."""

from celery import shared_task


@shared_task(name="assessments.reminders.send_digests")
def send_digests() -> int:
    from .services import reminders_send

    return reminders_send()
