"""Reads for reminders: what a client's people were reminded of, what a person was sent."""

from __future__ import annotations

from .models import ReminderDigest, ReminderEntry


def digests_for_organization(*, organization, limit: int = 10) -> list[dict]:
    """What the client's people were reminded of, newest first (for the consultant)."""
    entries = (
        ReminderEntry.objects.filter(organization=organization)
        .select_related("digest")
        .order_by("-digest__sent_at", "due_date")[: limit * 10]
    )
    digests: dict = {}
    for entry in entries:
        digest = digests.setdefault(entry.digest_id, {"digest": entry.digest, "entries": []})
        digest["entries"].append(entry)
    return list(digests.values())[:limit]


def digests_for_user(*, user, limit: int = 10) -> list[ReminderDigest]:
    return list(ReminderDigest.objects.filter(user=user).prefetch_related("entries")[:limit])
