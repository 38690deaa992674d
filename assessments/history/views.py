from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal import selectors as portal_selectors
from portal.privacy.audit import client_data

from .selectors import answer_diff, comparable_assessments


@client_data("answers")
@login_required
@require_GET
def assessment_compare(request: HttpRequest, organization_id) -> HttpResponse:
    """Two submitted assessments of a client side by side: which answers changed and which
    scores moved because of them (``?von=<id>&mit=<id>``; default: the last two)."""
    organization = portal_selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    assessments = comparable_assessments(user=request.user, organization=organization)
    if len(assessments) < 2:
        raise Http404
    by_id = {str(a.pk): a for a in assessments}
    after = by_id.get(request.GET.get("mit", ""), assessments[0])
    before = by_id.get(request.GET.get("von", ""))
    if before is None or before.pk == after.pk:
        older = [a for a in assessments if a.submitted_at < after.submitted_at]
        before = older[0] if older else assessments[1]
    if before.submitted_at > after.submitted_at:
        before, after = after, before
    return render(
        request,
        "assessments/compare.html",
        {
            "organization": organization,
            "assessments": assessments,
            "diff": answer_diff(before=before, after=after),
        },
    )
