"""The results page of a submitted assessment, and the what-if sandbox beside it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.privacy.audit import audit_subject, client_data

from .. import selectors
from ..actionplan.selectors import plan_for_assessment
from ..catalogue.text import tr
from ..history.selectors import dimension_trend, previous_scores, trend_rows
from ..questionnaire import selectors as questionnaire_selectors
from ..questionnaire.answers import AnswerInvalid, parse_answer
from ..questionnaire.presentation import question_view
from ..reports.views import panel_context
from ..review.views import review_context
from ..scoring import score
from .fragments import card_fragments, plan_fragment
from .presentation import SCALE_NOTE, card_view, dimension_titles


# Lazy: module constants are built at import, the language is only known per request.
@client_data("results")
@login_required
@require_GET
def assessment_done(request: HttpRequest, assessment_id) -> HttpResponse:
    """The results page: scores, drivers, AI Act table, action plan, comparison, reports."""
    assessment = selectors.assessment_for_results(user=request.user, assessment_id=assessment_id)
    if assessment.is_draft:
        return redirect(reverse("assessment_review", args=[assessment.pk]))
    result = assessment.result
    organization = assessment.organization
    audit_subject(request, organization=organization)  # read already: no lookup for the audit
    # the client's results up to this one: the trend, and the previous one's scores
    history = trend_rows(user=request.user, assessment=assessment)
    previous = previous_scores(history, assessment)
    card = card_fragments(
        assessment=assessment, previous=previous, consultant=request.user.is_consultant
    )
    benchmark = selectors.benchmark_for(organization=organization)
    dimensions = card["dimensions"]
    if benchmark:
        dimensions = [{**d, "benchmark": benchmark["scores"].get(d["key"])} for d in dimensions]
    plan = plan_for_assessment(
        user=request.user,
        assessment=assessment,
        dimension_titles=dimension_titles(assessment.questionnaire.document),
    )
    return render(
        request,
        "assessments/results.html",
        {
            "assessment": assessment,
            "organization": organization,
            "result": result,
            "card": card,
            "dimensions": dimensions,
            "scale_note": SCALE_NOTE,
            "previous": previous,
            "incomplete": card["incomplete"],
            "trend": dimension_trend(
                user=request.user,
                assessment=assessment,
                levels={d["key"]: d["level"] for d in dimensions},
                rows=history,
            ),
            "benchmark": benchmark,
            # members read the consultant's notes here (consultants see them in the panel)
            "client_notes": (
                [] if request.user.is_consultant else selectors.client_notes(assessment=assessment)
            ),
            "plan": plan,
            "plan_table": plan_fragment(rows=plan),
            **review_context(request.user, assessment),
            **panel_context(request.user, assessment),
        },
    )


@client_data("answers", methods=("GET", "POST"))
@login_required
@require_http_methods(["GET", "POST"])
def assessment_whatif(request: HttpRequest, assessment_id) -> HttpResponse:
    """Change answers in a sandbox and see the scores at once; nothing is stored."""
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=assessment_id)
    if assessment.is_draft:
        raise Http404
    questionnaire = questionnaire_selectors.questionnaire_for(assessment)
    stored = questionnaire_selectors.answers_dict(assessment)
    sandbox = dict(stored)
    errors = {}
    if request.method == "POST":
        for key, question in questionnaire.questions.items():
            if f"{key}__present" not in request.POST:
                continue
            try:
                sandbox[key] = parse_answer(question, request.POST)
            except AnswerInvalid as error:
                errors[key] = error.message
    document = assessment.questionnaire.document
    original = score(document, stored)  # the stored result's card (Result.scorecard)
    view = card_view(score(document, sandbox), document, previous=original)
    context = {
        "assessment": assessment,
        "organization": assessment.organization,
        "view": view,
        "readiness_delta": view["readiness"] - original.readiness,
        "errors": errors,
        "changed": sum(1 for k in sandbox if sandbox.get(k) != stored.get(k)),
    }
    if request.method == "POST":
        # the scores card and, out of band, the phone's summary beside the questions
        return render(request, "assessments/_whatif_update.html", context)
    visible = questionnaire.visible(stored)
    context["sections"] = [
        {
            "title": tr(section["title"]),
            "questions": [
                question_view(q, value=stored.get(q["key"]), visible=q["key"] in visible)
                for q in section["questions"]
                if q["type"] != "long_text" and q["type"] != "text"
            ],
        }
        for section in questionnaire.sections
    ]
    return render(request, "assessments/whatif.html", context)
