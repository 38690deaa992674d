"""The reminder digest: one e-mail per person with their due and overdue actions.

Run daily by beat. Only actions of each client's current plan count (the plan of the latest
submitted assessment; older plans are history), open or in progress, due within
``REMINDER_DUE_SOON_DAYS`` or overdue. An action goes to its owner; an action nobody owns goes to
the client's owners. A person is reminded as often as they chose; a digest is claimed with a
conditional UPDATE before it is sent, so two beats or a task run twice never send it twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.mail import email_send
from portal.models import Membership, User

from ..actionplan.models import Action
from .models import Frequency, ReminderDigest, ReminderEntry, ReminderSetting

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "assessments.reminders.unsubscribe"

# what ``reminders_send`` reads of each action for ``digest_send`` (title, due date, client and
# language); who is reminded of it ``due_by_person`` decided already
DIGEST_FIELDS = (
    "key",
    "catalogue",
    "title",
    "priority",
    "due_date",
    "assessment__organization__name",
    "assessment__organization__language",
)


def frequency_of(user: User) -> str:
    setting = ReminderSetting.objects.filter(user=user).values_list("frequency", flat=True).first()
    return setting or Frequency.WEEKLY


def reminder_setting_save(*, user: User, frequency: str) -> ReminderSetting:
    setting, _ = ReminderSetting.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "updated_at": timezone.now()}
    )
    return setting


def unsubscribe_token(user: User) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk})


def unsubscribe(*, token: str) -> User | None:
    """Turn the digest off for the person the link was sent to (no sign-in needed)."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is not None:
        reminder_setting_save(user=user, frequency=Frequency.NEVER)
    return user


def _period_start(frequency: str, now: datetime) -> datetime:
    today = timezone.localdate(now)
    if frequency == Frequency.WEEKLY:
        today -= timedelta(days=today.weekday())
    return timezone.make_aware(datetime.combine(today, time.min))


def _claim(user: User, frequency: str, now: datetime) -> bool:
    """Mark the digest of this period as sent; False if it was sent already (or is off)."""
    if frequency == Frequency.NEVER:
        return False
    ReminderSetting.objects.get_or_create(user=user)
    start = _period_start(frequency, now)
    return (
        ReminderSetting.objects.filter(user=user, frequency=frequency)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=start))
        .update(last_sent_at=now)
        == 1
    )


def due_by_person(*, today) -> dict[int, list]:
    """Due and overdue actions of the current plans, by the person to remind: each person's
    action ids in the order of the run (due date, priority). Only ids and who owns them: the
    actions themselves are read a batch of people at a time (``reminders_send``)."""
    horizon = today + timedelta(days=settings.REMINDER_DUE_SOON_DAYS)
    rows = list(
        Action.objects.current_open()  # of every client's current plan
        .filter(due_date__lte=horizon)
        .order_by("due_date", "priority", "pk")
        .values_list("pk", "owner_id", "owner__is_active", "assessment__organization_id")
    )
    unowned = {organization_id for _pk, owner, active, organization_id in rows if not active}
    owners = defaultdict(list)
    for organization_id, user_id in Membership.objects.filter(
        organization_id__in=unowned, role=Membership.Role.OWNER, user__is_active=True
    ).values_list("organization_id", "user_id"):
        owners[organization_id].append(user_id)
    result: dict[int, list] = defaultdict(list)
    for pk, owner, active, organization_id in rows:
        for user_id in [owner] if active else owners[organization_id]:
            result[user_id].append(pk)
    return result


def _digest_context(user: User, actions: list[Action], today) -> dict:
    groups: dict[str, dict] = {}
    for action in sorted(actions, key=lambda a: (a.due_date, a.priority)):
        organization = action.assessment.organization
        group = groups.setdefault(
            str(organization.pk), {"organization": organization.name, "overdue": [], "due": []}
        )
        item = {
            "title": action.display_title,
            "due_date": action.due_date,
            "days": (today - action.due_date).days,
            "url": settings.SITE_URL + reverse("action_detail", args=[action.pk]),
        }
        group["overdue" if action.due_date < today else "due"].append(item)
    return {
        "name": user.first_name or user.display_name,
        "groups": list(groups.values()),
        "overdue_count": sum(len(g["overdue"]) for g in groups.values()),
        "due_count": sum(len(g["due"]) for g in groups.values()),
        "settings_url": settings.SITE_URL + reverse("reminder_settings"),
        "unsubscribe_url": settings.SITE_URL
        + reverse("reminder_unsubscribe", args=[unsubscribe_token(user)]),
    }


def _language_of(user: User, actions: list[Action]) -> str:
    if user.is_consultant:
        return settings.LANGUAGE_CODE
    return actions[0].assessment.organization.language


def digest_send(*, user: User, actions: list[Action], now: datetime) -> ReminderDigest:
    from django.template.loader import render_to_string
    from django.utils import translation

    today = timezone.localdate(now)
    language = _language_of(user, actions)
    with translation.override(language):  # the catalogue's action titles too
        context = _digest_context(user, actions, today)
        titles = {a.pk: a.display_title for a in actions}  # as sent, for the consultant
        subject = " ".join(
            render_to_string(
                "assessments/email/reminder_digest_subject.txt",
                {**context, "consultancy": settings.CONSULTANCY},
            ).split()
        )
    digest = ReminderDigest.objects.create(
        user=user, email=user.email, subject=subject[:200], sent_at=now
    )
    ReminderEntry.objects.bulk_create(
        ReminderEntry(
            digest=digest,
            organization_id=a.assessment.organization_id,
            action=a,
            title=titles[a.pk][:200],
            due_date=a.due_date,
            overdue=a.due_date < today,
        )
        for a in actions
    )
    try:
        email_send(
            template="assessments/email/reminder_digest",
            to=[user.email],
            context=context,
            language=language,
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    except Exception as error:  # noqa: BLE001 - one bad address must not stop the others
        logger.exception("Reminder digest to %s failed", user.email)
        ReminderDigest.objects.filter(pk=digest.pk).update(
            failed=True, error=f"{error.__class__.__name__}: {error}"[:300]
        )
    return digest


# people whose digests are read and sent together: their actions, users and settings are
# read per batch, so the run's memory does not grow with the portfolio (at 20,000 clients one
# read of every due action with its client took ~370 MB at the peak)
PEOPLE_PER_BATCH = 500


def reminders_send(*, now: datetime | None = None) -> int:
    """Send every digest that is due now; returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = due_by_person(today=today)
    sent = 0
    people_due = list(due.items())
    for start in range(0, len(people_due), PEOPLE_PER_BATCH):
        batch = people_due[start : start + PEOPLE_PER_BATCH]
        people = [user_id for user_id, _ids in batch]
        users = User.objects.in_bulk(people)
        frequencies = dict(
            ReminderSetting.objects.filter(user_id__in=people).values_list("user_id", "frequency")
        )
        actions = (
            Action.objects.select_related("assessment__organization")
            # what a digest names of each action (every column of action, assessment, client
            # and owner: ~0.5 GB at 20,000 clients)
            .only(*DIGEST_FIELDS)
            .in_bulk({pk for _user_id, ids in batch for pk in ids})
        )
        for user_id, ids in batch:
            user = users.get(user_id)
            # an action removed since the ids were read (a client erased meanwhile) is left out
            due_actions = [actions[pk] for pk in ids if pk in actions]
            if user is None or not user.is_active or not due_actions:
                continue
            frequency = frequencies.get(user_id, Frequency.WEEKLY)
            with transaction.atomic():
                if not _claim(user, frequency, now):
                    continue
                digest_send(user=user, actions=due_actions, now=now)
            sent += 1
    logger.info("Reminder digests sent: %s", sent)
    return sent
