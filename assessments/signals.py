"""Keeps ``Organization.latest_result`` right when a result disappears (admin delete)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Result


@receiver(post_delete, sender=Result, dispatch_uid="assessments.result_deleted")
def result_deleted(sender, instance: Result, **kwargs) -> None:
    from .results.services import latest_results_refresh

    organization_id = instance.organization_id
    # After commit: inside a cascade the organisation may be on its way out too.
    transaction.on_commit(lambda: latest_results_refresh(organization_ids=[organization_id]))
