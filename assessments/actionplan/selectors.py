"""Reads for the action plan. Nothing here hands out ``internal_note`` to client-facing code:
``plan_rows`` is what the results page, the PDF and the exports show."""

from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import get_language

from portal.models import Membership, Organization, User, person_name
from portal.text import choice_labels

from ..questionnaire.selectors import CATALOGUE_TEXT, with_catalogue_document
from ..results.presentation import EFFORT_LABELS, URGENCY_LABELS, dimension_titles, legal_due_text
from .models import Action, CalendarSubscription, action_text, action_title, calendar_token_hash


def can_work_on_plan(*, user: User, assessment) -> bool:
    """Members of the client and the consultants who see it (``visible_to`` already decided)."""
    from ..models import Assessment

    return Assessment.objects.visible_to(user).filter(pk=assessment.pk).exists()


def actions_for_assessment(*, user: User, assessment) -> list[Action]:
    actions = list(
        Action.objects.visible_to(user)
        .filter(assessment=assessment)
        .select_related("owner", "updated_by")
        .annotate(
            evidence_count=Count("evidence", distinct=True),
            comment_count=Count("comments", distinct=True),
        )
        # an aggregating query drops the model's default order: name it
        .order_by(*Action._meta.ordering)
    )
    for action in actions:
        action.assessment = assessment  # already loaded: no query per action
    return actions


def plan_for_assessment(*, user: User, assessment, dimension_titles: dict) -> list[dict]:
    """``plan_rows`` of an assessment for the results page, read as plain values: one query
    with the owners' names, without the internal notes and the evidence and comment counts the
    plan page shows, and no model objects (a plan of 31 actions read as objects with their
    owners cost about twice as much)."""
    values = (
        Action.objects.visible_to(user)
        .filter(assessment=assessment)
        .values_list(*PLAN_ROW_FIELDS, *User.name_fields("owner"))
    )
    labels = _labels()
    return [
        _row(*columns[:-3], person_name(*columns[-3:]), dimension_titles, labels)
        for columns in values
    ]


# what a plan row shows of an action, in ``_row``'s order (then its owner's ``NAME_FIELDS``)
PLAN_ROW_FIELDS = (
    "id",
    "key",
    "catalogue",
    "title",
    "text",
    "priority",
    "due_date",
    "state",
    "state_reason",
    "updated_at",
)


def action_get_for_user(*, user: User, action_id) -> Action:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Action.objects.visible_to(user).select_related("assessment__organization", "owner"),
        pk=action_id,
    )


def owner_candidates(*, assessment) -> QuerySet[User]:
    """Who may own an action: the client's members and the consultant in charge. (Not every
    consultant: the client's form would list the whole consultancy's staff.)"""
    organization = assessment.organization
    # one id list, then the people by primary key: "a member OR the consultant" across the
    # membership join read every person and membership (40 ms at 20,000 clients)
    people = Membership.objects.filter(organization=organization).order_by().values("user_id")
    if organization.consultant_id:
        consultant = User.objects.filter(pk=organization.consultant_id, is_consultant=True)
        people = people.union(consultant.order_by().values("pk"))
    return User.objects.filter(is_active=True, pk__in=people).order_by(
        "-is_consultant", "first_name", "last_name", "email"
    )


def plan_rows(*, actions: list[Action], dimension_titles: dict) -> list[dict]:
    """The client-facing plan: no internal notes, ever. ``urgency`` is the legal urgency of a
    generated action (stop, in_force, deadline, risk; "" for own actions and older catalogues),
    ``legal_due`` since or by when the law requires it, ``use_cases`` the use cases it is about."""
    labels = _labels()
    return [
        _row(
            *(getattr(a, name) for name in PLAN_ROW_FIELDS),
            a.owner.display_name if a.owner else "",
            dimension_titles,
            labels,
        )
        for a in actions
    ]


def _labels() -> dict:
    # the labels translated once per plan, not once per row (get_state_display hashes every
    # lazy choice label on each call)
    return {
        "effort": choice_labels(EFFORT_LABELS.items()),
        "urgency": choice_labels(URGENCY_LABELS.items()),
        "state": choice_labels(Action.State.choices),
        "legal_due": {},  # (urgency, due) → "seit …" / "bis …", filled by ``_row``
        "language": get_language(),  # of the catalogue's texts
    }


def _row(
    pk,
    key: str,
    catalogue: dict | None,
    title: str,
    text: str,
    priority: int,
    due_date,
    state: str,
    state_reason: str,
    updated_at,
    owner: str,
    dimension_titles: dict,
    labels: dict,
) -> dict:
    """One plan row from an action's ``PLAN_ROW_FIELDS`` and its owner's name."""
    catalogue = catalogue or {}
    urgency = catalogue.get("urgency") or ""
    due = catalogue.get("due")
    legal_due = labels["legal_due"].get((urgency, due))
    if legal_due is None:  # a plan's actions share a few legal dates: each is written once
        try:
            legal_date = date.fromisoformat(due) if due else None
        except ValueError:
            legal_date = None
        legal_due = labels["legal_due"][urgency, due] = legal_due_text(urgency, legal_date)
    effort = catalogue.get("effort", "")
    dimension = catalogue.get("dimension", "")
    return {
        "id": pk,
        "key": key,
        "title": action_title(title, catalogue, labels["language"]),
        "text": action_text(text, catalogue, labels["language"]),
        "priority": priority,
        "effort": labels["effort"].get(effort, effort) if effort else "",
        "dimension": dimension_titles.get(dimension, dimension),
        "own": not key,
        "urgent": bool(catalogue.get("urgent")),
        "urgency": urgency,
        "urgency_label": labels["urgency"].get(urgency, ""),
        "legal_due": legal_due,
        "use_cases": list(catalogue.get("use_cases") or ()),
        "owner": owner,
        "due_date": due_date,
        "state": state,
        "state_label": labels["state"].get(state, state),
        "state_reason": state_reason,
        "updated_at": updated_at,
    }


def is_member(*, user: User, organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization).exists()


def calendar_subscription_for_token(*, token: str) -> CalendarSubscription | None:
    """The active subscription of ``token``, while its owner still sees the organisation."""
    subscription = (
        CalendarSubscription.objects.active()
        .select_related("user", "organization")
        .filter(token_hash=calendar_token_hash(token), user__is_active=True)
        .first()
    )
    if subscription is None:
        return None
    visible = Organization.objects.visible_to(subscription.user)
    if not visible.filter(pk=subscription.organization_id).exists():
        return None
    return subscription


def calendar_subscription_active(*, user: User, organization) -> CalendarSubscription | None:
    subscriptions = CalendarSubscription.objects.active()
    return subscriptions.filter(user=user, organization=organization).first()


def calendar_rows(*, subscription: CalendarSubscription) -> list[dict]:
    """The plan of the organisation's latest submitted assessment, as its owner sees it."""
    from ..models import Assessment

    assessment = (
        Assessment.objects.visible_to(subscription.user)
        .filter(organization=subscription.organization, submitted_at__isnull=False)
        .select_related("questionnaire")
        .defer(*CATALOGUE_TEXT)
        .order_by("-submitted_at")
        .first()
    )
    if assessment is None:
        return []
    with_catalogue_document(assessment)
    actions = actions_for_assessment(user=subscription.user, assessment=assessment)
    return plan_rows(
        actions=actions, dimension_titles=dimension_titles(assessment.questionnaire.document)
    )


def crosswalk_for(*, document: dict, key: str) -> list[dict]:
    """The certification controls an action (by its recommendation key) serves, per framework:
    ``[{"key", "title", "controls": [{"id", "title"}]}]``; empty for own actions and for
    catalogues without a crosswalk."""
    from ..catalogue.text import tr

    crosswalk = document.get("crosswalk") or {}
    mapping = (crosswalk.get("recommendations") or {}).get(key) if key else None
    if not mapping:
        return []
    result = []
    language = get_language()
    for framework in crosswalk.get("frameworks", ()):
        ids = mapping.get(framework["key"]) or ()
        if not ids:
            continue
        # only the controls named are translated (a framework lists dozens; the plan page asks
        # once per action)
        titles = {c["id"]: c["title"] for c in framework.get("controls", ())}
        result.append(
            {
                "key": framework["key"],
                "title": tr(framework["title"], language),
                "controls": [{"id": i, "title": tr(titles.get(i), language)} for i in ids],
            }
        )
    return result


def crosswalk_label(*, document: dict, key: str, framework: str) -> str:
    """One framework's control ids for an action as one line ("A.2.2, A.9.2"), for exports."""
    for entry in crosswalk_for(document=document, key=key):
        if entry["key"] == framework:
            return ", ".join(c["id"] for c in entry["controls"])
    return ""


def action_details(*, action: Action) -> dict:
    """Evidence and comments of one action, for its page."""
    return {
        "evidence": list(action.evidence.select_related("uploaded_by")),
        "comments": list(action.comments.select_related("author")),
    }
