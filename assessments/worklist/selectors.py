"""Reads for the task list. One query for a page of tasks (LIMIT page + 1, no count over every
client), one capped count of the overdue ones; both through ``Organization.visible_to``."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal.models import Organization, User
from portal.portfolio.rows import url_maker
from portal.text import choice_labels

from ..actionplan.models import Action
from .filters import PAGE_SIZE, TaskFilter
from .models import SavedFilter

# what a row of the list shows (its owner: ``User.NAME_FIELDS``)
ROW_FIELDS = (
    "key",
    "catalogue",
    "title",
    "priority",
    "due_date",
    "state",
    "owner",
    "assessment__organization__name",
)
OVERDUE_CAP = 1000


def _base(*, user: User) -> QuerySet[Action]:
    """Open actions of the current plans (latest submitted assessment) of visible clients."""
    actions = Action.objects.current_open()
    if not user.sees_all_clients:
        actions = actions.filter(assessment__organization__in=Organization.objects.visible_to(user))
    return actions


def tasks_filtered(*, user: User, filters: TaskFilter, today=None) -> QuerySet[Action]:
    today = today or timezone.localdate()
    actions = _base(user=user)
    if filters.q:
        actions = actions.filter(
            Q(title__icontains=filters.q)
            | Q(assessment__organization__name__icontains=filters.q)
            | Q(key__icontains=filters.q)
        )
    if filters.due == "overdue":
        actions = actions.filter(due_date__lt=today)
    elif filters.due == "week":
        actions = actions.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
    elif filters.due == "month":
        actions = actions.filter(due_date__gte=today, due_date__lte=today + timedelta(days=30))
    elif filters.due == "none":
        actions = actions.filter(due_date__isnull=True)
    if filters.state:
        actions = actions.filter(state=filters.state)
    if filters.priority:
        actions = actions.filter(priority=int(filters.priority))
    if filters.owner == "me":
        actions = actions.filter(owner=user)
    elif filters.owner == "client":
        actions = actions.filter(owner__isnull=False, owner__is_consultant=False)
    elif filters.owner == "nobody":
        actions = actions.filter(owner__isnull=True)
    if filters.mine:
        actions = actions.filter(assessment__organization__consultant=user)
    return actions


def tasks_page(*, user: User, filters: TaskFilter, today=None) -> tuple[list[Action], bool]:
    """One page of tasks, overdue first, then by the chosen sort; and whether a next exists."""
    today = today or timezone.localdate()
    order = {
        "due": [F("due_date").asc(nulls_last=True), "priority"],
        "priority": ["priority", F("due_date").asc(nulls_last=True)],
        "client": ["assessment__organization__name", "priority"],
        "updated": ["-updated_at"],
    }[filters.sort]
    filtered = tasks_filtered(user=user, filters=filters, today=today)
    start = (filters.page - 1) * PAGE_SIZE
    if filters.sort == "due":
        # the overdue ones come first anyway (earlier than any other date, and NULLs last):
        # that order is the open actions' index, which a page walks from its start and stops
        # (at 20,000 clients the sort of every open action by an "overdue" flag took 0.8 s)
        ids = list(
            filtered.order_by(*order, "pk").values_list("pk", flat=True)[
                start : start + PAGE_SIZE + 1
            ]
        )
    else:
        ids = _overdue_then_rest(filtered, order, today=today, start=start, size=PAGE_SIZE + 1)
    # then those rows with their client and owner
    found = (
        Action.objects.select_related("assessment__organization", "owner")
        .only(*ROW_FIELDS, *User.name_fields("owner"))
        .in_bulk(ids)
    )
    rows = [found[pk] for pk in ids if pk in found]
    states = choice_labels(Action.State.choices)
    # each URL reversed once per page, not twice per row
    detail_url, client_url = url_maker("action_detail"), url_maker("organization_detail")
    for action in rows:
        action.is_overdue = bool(action.due_date and action.due_date < today)
        action.state_label = states.get(action.state, action.state)
        action.detail_url = detail_url(action.pk)
        action.client_url = client_url(action.assessment.organization_id)
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _overdue_then_rest(filtered, order, *, today, start: int, size: int) -> list:
    """``size`` ids from ``start`` on of "overdue first, then ``order``", as two walks in that
    order: the overdue ones, then the rest. Only a page that starts after the last overdue one
    counts them (to know where the rest begins).

    Each walk stops after the page: by priority and by last change it walks a partial index of
    the open actions of its own (``action_open_by_priority``, ``action_open_by_update``); by
    client, the clients' name index, each client's current plan by its assessment, sorting only
    the actions of one client at a time. (One sort with an "overdue" flag ahead of the order
    sorted every open action: 0.15 s by client at 20,000 clients, 0.9 s by priority.)"""
    overdue = filtered.filter(due_date__lt=today)
    ids = list(overdue.order_by(*order, "pk").values_list("pk", flat=True)[start : start + size])
    if len(ids) == size:
        return ids
    # this page holds the last overdue ones, or starts after them
    before = start + len(ids) if ids else overdue.order_by().count()
    skip = start + len(ids) - before
    rest = filtered.exclude(due_date__lt=today).order_by(*order, "pk")
    return ids + list(rest.values_list("pk", flat=True)[skip : skip + size - len(ids)])


def overdue_count(*, user: User, filters: TaskFilter, today=None) -> tuple[int, bool]:
    """How many of the filtered tasks are overdue, counted up to a cap (True when capped)."""
    today = today or timezone.localdate()
    count = (  # any OVERDUE_CAP + 1 of them, counted around the LIMIT: no order, so the scan
        # stops there
        tasks_filtered(user=user, filters=filters, today=today)
        .filter(due_date__lt=today)
        .order_by()
        .values("pk")[: OVERDUE_CAP + 1]
        .count()
    )
    return min(count, OVERDUE_CAP), count > OVERDUE_CAP


def saved_filters(*, user: User, page: str) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=user, page=page))
