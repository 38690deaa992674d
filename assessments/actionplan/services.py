"""Writes for the action plan: generate it from the scores, add, edit and tick off actions."""

import secrets
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.models import Organization, User
from portal.portfolio.summary import client_summaries_refresh

from .models import Action, CalendarSubscription, calendar_token_hash
from .selectors import can_work_on_plan, owner_candidates

CLIENT_FIELDS = frozenset({"owner", "due_date", "state", "state_reason"})
CONSULTANT_FIELDS = CLIENT_FIELDS | {"title", "text", "priority", "internal_note"}


# Generated actions sort by (priority, created_at): a catalogue with a legal date gives the legal
# urgency as the priority (issue 19), so the plan keeps the card's order within each band.
URGENCY_PRIORITY = {"stop": 1, "in_force": 1, "deadline": 2, "risk": 3}
CATALOGUE_FIELDS = (
    "title",
    "text",
    "effort",
    "dimension",
    "urgent",
    "urgency",
    "due",
    "first",
    "use_cases",
)


def action_rows(*, assessment, card: dict, existing=(), now=None) -> list[Action]:
    """The unsaved actions of the score card's recommendations not in ``existing`` (keys); a
    deadline's legal date becomes the action's due date."""
    now = now or timezone.now()
    rows = []
    for i, rec in enumerate(card.get("recommendations", [])):
        if rec["key"] in existing:
            continue
        urgency = rec.get("urgency") or ""
        if urgency in URGENCY_PRIORITY:
            priority = URGENCY_PRIORITY[urgency]
        else:
            # a fix for a knock-out driver or a critical area ("urgent", issue 9) is a
            # priority-1 action; the card lists those first, so they are also created first
            priority = 1 if rec.get("urgent") else rec.get("priority", 2)
        due = rec.get("due") if urgency == "deadline" else None
        rows.append(
            Action(
                assessment=assessment,
                key=rec["key"],
                # keep the card's order within a priority even where the clock would give
                # equal timestamps
                created_at=now + timedelta(microseconds=i),
                priority=priority,
                due_date=date.fromisoformat(due) if due else None,
                catalogue={name: rec.get(name) for name in CATALOGUE_FIELDS},
            )
        )
    return rows


def actions_generate(*, assessment, card: dict) -> int:
    """One action per recommendation of the score card; safe to run twice (returns how many
    were new). The caller (``assessment_submit``) refreshes the portfolio summary."""
    existing = set(assessment.actions.values_list("key", flat=True))
    rows = action_rows(assessment=assessment, card=card, existing=existing)
    # ignore_conflicts: a concurrent run may have inserted the same keys meanwhile.
    Action.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def action_create(
    *,
    assessment,
    actor: User,
    title: str,
    text: str = "",
    priority: int = 2,
    owner: User | None = None,
    due_date: date | None = None,
    internal_note: str = "",
) -> Action:
    """A consultant's own action."""
    if not actor.is_consultant or not can_work_on_plan(user=actor, assessment=assessment):
        raise PermissionDenied
    if assessment.is_draft:
        raise ValidationError(_("Maßnahmen gibt es erst nach dem Absenden der Antworten."))
    _check_owner(assessment, owner)
    with transaction.atomic():
        action = Action.objects.create(
            assessment=assessment,
            title=title,
            text=text,
            priority=priority,
            owner=owner,
            due_date=due_date,
            internal_note=internal_note,
            created_by=actor,
            updated_by=actor,
        )
        audit_record(
            action="action.create", actor=actor, organization=assessment.organization, target=title
        )
        client_summaries_refresh(organization_ids=[assessment.organization_id])
    return action


def action_update(*, action: Action, actor: User, fields: dict) -> Action:
    """Change an action. Clients set owner, due date and state; consultants also the wording,
    the priority and their internal note. Setting "not relevant" needs a reason."""
    assessment = action.assessment
    if not can_work_on_plan(user=actor, assessment=assessment):
        raise PermissionDenied
    allowed = CONSULTANT_FIELDS if actor.is_consultant else CLIENT_FIELDS
    if set(fields) - allowed:
        raise PermissionDenied
    if "owner" in fields:
        _check_owner(assessment, fields["owner"])
    state = fields.get("state", action.state)
    reason = fields.get("state_reason", action.state_reason).strip()
    if state == Action.State.NOT_RELEVANT and not reason:
        raise ValidationError(
            _("Bitte begründen Sie, warum die Maßnahme nicht relevant ist."), code="reason"
        )
    if state != Action.State.NOT_RELEVANT:
        reason = ""
    if "state" in fields or "state_reason" in fields:
        fields = {**fields, "state_reason": reason}
    changed = sorted(name for name, value in fields.items() if getattr(action, name) != value)
    for name in changed:
        setattr(action, name, fields[name])
    if not changed:
        return action
    action.updated_by = actor
    action.updated_at = timezone.now()
    with transaction.atomic():
        action.save(update_fields=[*changed, "updated_by", "updated_at"])
        audit_record(
            action="action.update",
            actor=actor,
            organization=assessment.organization,
            target=action.display_title,
            # Names only: the internal note must not be copied where clients' data is shown.
            data={"fields": changed, "state": action.state},
        )
        if {"state", "due_date"} & set(changed):  # what the portfolio shows of the plan
            client_summaries_refresh(organization_ids=[assessment.organization_id])
    return action


def _check_owner(assessment, owner: User | None) -> None:
    if owner is not None and owner not in owner_candidates(assessment=assessment):
        raise ValidationError(
            _("Verantwortlich kann nur ein Mitglied des Unternehmens oder sein Berater sein."),
            code="owner",
        )


# --- calendar subscriptions -----------------------------------------------------------------


@transaction.atomic
def calendar_subscribe(*, user: User, organization: Organization) -> str:
    """A new secret calendar address for ``user`` and ``organization``; returns its token.

    Any earlier address of the same person for the same client stops working. Only people who
    see the organisation get one.
    """
    if not Organization.objects.visible_to(user).filter(pk=organization.pk).exists():
        raise PermissionDenied
    now = timezone.now()
    CalendarSubscription.objects.active().filter(user=user, organization=organization).update(
        revoked_at=now
    )
    raw_token = secrets.token_urlsafe(32)
    subscription = CalendarSubscription.objects.create(
        user=user, organization=organization, token_hash=calendar_token_hash(raw_token)
    )
    audit_record(
        action="calendar.subscribe",
        actor=user,
        organization=organization,
        target=str(subscription.pk),
    )
    return raw_token


def calendar_revoke(*, user: User, organization: Organization) -> int:
    """End the person's calendar address for ``organization`` (idempotent)."""
    revoked = (
        CalendarSubscription.objects.active()
        .filter(user=user, organization=organization)
        .update(revoked_at=timezone.now())
    )
    if revoked:
        audit_record(action="calendar.revoke", actor=user, organization=organization)
    return revoked


def calendar_fetched(*, subscription: CalendarSubscription) -> None:
    """Note the fetch. A consultant's fetch is a read of client data: the view declares it, and
    the audit of reads records it (``portal.privacy.audit``), never with the token."""
    now = timezone.now()
    CalendarSubscription.objects.filter(pk=subscription.pk).update(last_used_at=now)


def comment_add(*, action: Action, actor: User, text: str):
    """A message on an action between the client and the consultant."""
    from .models import ActionComment

    if not can_work_on_plan(user=actor, assessment=action.assessment):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError(_("Bitte schreiben Sie einen Kommentar."), code="empty")
    comment = ActionComment.objects.create(action=action, author=actor, text=text[:4000])
    audit_record(
        action="action.comment",
        actor=actor,
        organization=action.assessment.organization,
        target=action.display_title,
    )
    return comment
