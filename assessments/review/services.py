"""Writes for the review workflow: submitted → in review → discussed → closed.

Forward one step at a time; back to any earlier state with a reason. Every move is a
``ReviewStep`` row (who, when, why), and the move itself is a conditional UPDATE so two
consultants clicking at once cannot both move the assessment from the same state.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.auditlog import audit_record
from portal.models import User
from portal.portfolio.summary import client_summaries_refresh

from .models import REVIEW_ORDER, ReviewState, ReviewStep


def review_start(*, assessment, actor: User) -> ReviewStep:
    """The first step, written when the client submits (``assessment_submit`` refreshes the
    portfolio summary afterwards)."""
    return ReviewStep.objects.create(
        assessment=assessment, from_state="", to_state=ReviewState.SUBMITTED, actor=actor
    )


def review_transition(*, assessment, to_state: str, actor: User, reason: str = "") -> ReviewStep:
    from ..models import Assessment

    if (
        not actor.is_consultant
        or not Assessment.objects.visible_to(actor).filter(pk=assessment.pk).exists()
    ):
        raise PermissionDenied
    if to_state not in REVIEW_ORDER:
        raise ValidationError(_("Diesen Prüfstand gibt es nicht."), code="state")
    current = assessment.review_state
    if assessment.is_draft or current not in REVIEW_ORDER:
        raise ValidationError(_("Erst abgeschickte Bewertungen werden geprüft."), code="draft")
    step = REVIEW_ORDER.index(to_state) - REVIEW_ORDER.index(current)
    reason = reason.strip()
    if step == 0:
        raise ValidationError(_("Die Bewertung hat diesen Stand bereits."), code="same")
    if step > 1:
        raise ValidationError(
            _("Bitte einen Schritt nach dem anderen: als Nächstes kommt „%(next)s“.")
            % {"next": ReviewState(REVIEW_ORDER[REVIEW_ORDER.index(current) + 1]).label},
            code="skip",
        )
    if step < 0 and not reason:
        raise ValidationError(_("Zurück geht es nur mit einer Begründung."), code="reason_required")
    with transaction.atomic():
        moved = Assessment.objects.filter(pk=assessment.pk, review_state=current).update(
            review_state=to_state
        )
        if not moved:
            raise ValidationError(
                _("Jemand anderes hat den Stand gerade geändert. Bitte laden Sie die Seite neu."),
                code="conflict",
            )
        record = ReviewStep.objects.create(
            assessment=assessment,
            from_state=current,
            to_state=to_state,
            reason=reason,
            actor=actor,
        )
        audit_record(
            action="assessment.review",
            actor=actor,
            organization=assessment.organization,
            target=str(assessment.pk),
            data={"from": current, "to": to_state},
        )
        client_summaries_refresh(organization_ids=[assessment.organization_id])
    assessment.review_state = to_state
    return record
