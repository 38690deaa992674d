from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.privacy.audit import client_data

from .. import selectors as assessment_selectors
from . import services
from .models import ReviewState
from .selectors import review_history, review_options


def review_context(user, assessment) -> dict:
    """For the results page: consultants get the controls and the history, clients the state."""
    context = {
        "review_state": ReviewState(assessment.review_state).label
        if assessment.review_state
        else ""
    }
    if user.is_consultant:
        context["review"] = review_options(assessment=assessment)
        context["review_history"] = review_history(assessment=assessment)
    return context


@client_data(None)
@login_required
@require_POST
def review_transition(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if not request.user.is_consultant:
        raise Http404
    try:
        services.review_transition(
            assessment=assessment,
            to_state=request.POST.get("to_state", ""),
            actor=request.user,
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        response = redirect("assessment_done", assessment_id=assessment.pk)
        response.status_code = 303
        return response
    messages.success(
        request,
        _("Neuer Stand: %(state)s.") % {"state": ReviewState(assessment.review_state).label},
    )
    return redirect("assessment_done", assessment_id=assessment.pk)
