"""The wizard: start an assessment, answer it section by section (autosave per question, or the
plain form without JavaScript), review the answers and submit them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import selectors as portal_selectors
from portal.privacy.audit import client_data

from .. import selectors as assessment_selectors
from .. import services as assessment_services
from ..catalogue.text import tr
from ..models import Assessment
from . import selectors, services
from .answers import AnswerInvalid, parse_answer
from .presentation import (
    conflict_view,
    progress_view,
    question_view,
    review_sections,
    section_views,
)

LOCKED_MESSAGE = gettext_lazy(
    "Diese Bewertung ist abgeschlossen; Antworten lassen sich nicht mehr ändern. "
    "Starten Sie bei Bedarf eine neue Bewertung."
)
STALE_MESSAGE = gettext_lazy(
    "Der Fragebogen passt nicht zu dieser Bewertung. Bitte laden Sie die Seite neu."
)


def _stale_version(request: HttpRequest, assessment: Assessment) -> bool:
    posted = request.POST.get("questionnaire_version")
    return posted is not None and posted != str(assessment.questionnaire_id)


def _save_answer(request: HttpRequest, assessment: Assessment, question: dict):
    """Parse and store one posted question with the version the page showed; an
    ``AnswerSaved``. Raises ``AnswerInvalid``, ``AnswerConflict`` and ``AssessmentLocked``."""
    key = question["key"]
    raw_version = request.POST.get(f"{key}__version", "")
    return services.answer_save_with_progress(
        assessment=assessment,
        user=request.user,
        question_key=key,
        value=parse_answer(question, request.POST),
        expected_version=int(raw_version) if raw_version.isdigit() else None,
        conflict_resolved=request.POST.get(f"{key}__keep") == "mine",
    )


@client_data(None)
@login_required
@require_POST
def assessment_start(request: HttpRequest, organization_id) -> HttpResponse:
    organization = portal_selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if portal_selectors.membership_role(user=request.user, organization=organization) is None:
        raise PermissionDenied
    try:
        result = assessment_services.assessment_start(
            organization=organization,
            user=request.user,
            copy_previous=request.POST.get("copy_previous", "1") == "1",
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("organization_detail", organization_id=organization.pk)
    if result.copied:
        messages.info(
            request,
            _(
                "%(count)s Antworten aus Ihrer letzten Bewertung sind übernommen. Bitte prüfen "
                "und bestätigen Sie sie Abschnitt für Abschnitt."
            )
            % {"count": result.copied},
        )
    first = selectors.questionnaire_for(result.assessment).sections[0]["key"]
    return redirect("assessment_section", assessment_id=result.assessment.pk, section_key=first)


def _section_context(
    request, assessment, section_key, *, errors=None, extra_rows=None, conflicts=None
):
    questionnaire = selectors.questionnaire_for(assessment)
    if section_key not in questionnaire.section_by_key:
        raise Http404
    answer_rows = selectors.answers_with_meta(assessment)
    answers = {key: answer.value for key, answer in answer_rows.items()}
    editable = assessment.is_draft and selectors.can_edit_assessment(
        user=request.user, assessment=assessment
    )
    previous_key, next_key = questionnaire.neighbours(section_key)
    section = questionnaire.section_by_key[section_key]
    questions = section_views(
        questionnaire,
        section_key,
        answers=answers,
        answer_rows=answer_rows,
        errors=errors,
        editable=editable,
        extra_rows=extra_rows,
    )
    for index, view in enumerate(questions):
        conflict = (conflicts or {}).get(view.key)
        if conflict is not None:
            # what the person chose stays on screen, with the other value beside it
            question = questionnaire.questions[view.key]
            view = question_view(question, value=conflict.value, editable=editable)
            view.conflict = conflict_view(question, conflict=conflict, user=request.user)
            view.version = conflict.version  # saving again now keeps this value
            questions[index] = view
    return {
        "assessment": assessment,
        "organization": assessment.organization,
        "section": {
            "key": section_key,
            "title": tr(section["title"]),
            "intro": tr(section.get("intro")),
        },
        "progress": progress_view(questionnaire, answers, current=section_key),
        "questions": questions,
        "editable": editable,
        "previous_key": previous_key,
        "next_key": next_key,
    }


@client_data("answers")
@login_required
@require_http_methods(["GET", "POST"])
def assessment_section(request: HttpRequest, assessment_id, section_key: str) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if request.method == "GET":
        return render(
            request,
            "assessments/section.html",
            _section_context(request, assessment, section_key),
        )
    # Plain-form path (no JavaScript, or "save and continue"): save every question shown.
    if not selectors.can_edit_assessment(user=request.user, assessment=assessment):
        raise PermissionDenied
    if not assessment.is_draft:
        messages.error(request, LOCKED_MESSAGE)
        return redirect("assessment_review", assessment_id=assessment.pk)
    if _stale_version(request, assessment):
        return HttpResponse(STALE_MESSAGE, status=409)
    questionnaire = selectors.questionnaire_for(assessment)
    if section_key not in questionnaire.section_by_key:
        raise Http404
    errors, conflicts = {}, {}
    for question in questionnaire.section_by_key[section_key]["questions"]:
        key = question["key"]
        if f"{key}__present" not in request.POST:
            continue  # hidden or not rendered: leave the stored answer alone
        if request.POST.get(f"{key}__keep") == "theirs":
            continue  # after a conflict: the person keeps what the other one stored
        try:
            _save_answer(request, assessment, question)
        except AnswerInvalid as error:
            errors[key] = error.message
        except services.AnswerConflict as conflict:
            conflicts[key] = conflict
        except services.AssessmentLocked:
            messages.error(request, LOCKED_MESSAGE)
            return redirect("assessment_review", assessment_id=assessment.pk)
    add_row = request.POST.get("add_row")
    if errors or conflicts or add_row:
        context = _section_context(
            request,
            assessment,
            section_key,
            errors=errors,
            extra_rows={add_row} if add_row else None,
            conflicts=conflicts,
        )
        if errors:
            messages.error(
                request,
                _("Bitte prüfen Sie die markierten Antworten. Alle anderen sind gespeichert."),
            )
        if conflicts:
            messages.warning(
                request,
                _(
                    "Jemand hat markierte Antworten geändert, während Sie diese Seite offen "
                    "hatten. Bitte entscheiden Sie dort, welche Antwort gilt; alle anderen sind "
                    "gespeichert."
                ),
            )
        status = 409 if conflicts else 400 if errors else 200
        return render(request, "assessments/section.html", context, status=status)
    target = request.POST.get("go")
    if target is None and any(
        name.endswith("__keep") and request.POST.get(name) for name in request.POST
    ):
        target = "stay"  # a conflict's choice (without JavaScript): back to the same questions
    previous_key, following = questionnaire.neighbours(section_key)
    if target == "previous" and previous_key:
        return redirect("assessment_section", assessment_id=assessment.pk, section_key=previous_key)
    if target == "next" and following:
        return redirect("assessment_section", assessment_id=assessment.pk, section_key=following)
    if target == "stay":
        messages.success(request, _("Gespeichert."))
        return redirect("assessment_section", assessment_id=assessment.pk, section_key=section_key)
    return redirect("assessment_review", assessment_id=assessment.pk)


@client_data(None)
@login_required
@require_POST
def answer_save(request: HttpRequest, assessment_id, question_key: str) -> HttpResponse:
    """Autosave of one question (htmx). Answers with a status fragment; 4xx on bad input, 409
    when someone else saved this answer since the page showed it."""
    assessment = selectors.assessment_get_for_saving(user=request.user, assessment_id=assessment_id)
    if not selectors.can_edit_assessment(user=request.user, assessment=assessment):
        raise PermissionDenied
    if not assessment.is_draft:
        return _status(question_key, error=LOCKED_MESSAGE, status=409)
    if _stale_version(request, assessment):
        return _status(question_key, error=STALE_MESSAGE, status=409)
    questionnaire = selectors.questionnaire_for(assessment)
    question = questionnaire.questions.get(question_key)
    if question is None:
        return _status(
            question_key, error=_("Diese Frage gibt es in diesem Fragebogen nicht."), status=400
        )
    try:
        saved = _save_answer(request, assessment, question)
    except AnswerInvalid as error:
        return _status(question_key, error=error.message, status=400)
    except services.AnswerConflict as conflict:
        view = conflict_view(question, conflict=conflict, user=request.user)
        return _status(question_key, conflict=view, assessment=assessment, status=409)
    except services.AssessmentLocked:
        return _status(question_key, error=LOCKED_MESSAGE, status=409)
    body = _status(question_key, answer=saved.answer, saved=True).content.decode()
    # Questions on this page whose condition depends on this answer are re-rendered out of band.
    section = questionnaire.section_of[question_key]
    dependents = {
        key
        for key in questionnaire.dependents.get(question_key, set())
        if questionnaire.section_of[key] == section
    }
    if dependents:
        answer_rows = selectors.answers_with_meta(assessment)
        answers = {key: row.value for key, row in answer_rows.items()}
    else:
        # the sidebar needs which questions are answered and the values of the few that
        # conditions read, which the save read anyway: no other answer is read or decoded
        answers = saved.progress_answers
    body += _progress_oob(request, assessment, questionnaire, answers, section)
    if dependents:
        visible = questionnaire.visible(answers)
        for key in sorted(dependents):
            view = question_view(
                questionnaire.questions[key],
                value=answers.get(key),
                answer=answer_rows.get(key),
                visible=key in visible,
            )
            body += render_to_string(
                "assessments/_question.html",
                {"q": view, "assessment": assessment, "oob": True},
                request=request,
            )
    return HttpResponse(body)


def _progress_oob(request, assessment, questionnaire, answers: dict, section_key: str) -> str:
    """The sidebar (progress and section ticks), swapped in out of band with each save."""
    return render_to_string(
        "assessments/_progress.html",
        {
            "assessment": assessment,
            "progress": progress_view(questionnaire, answers, current=section_key),
            "oob": True,
        },
        request=request,
    )


def _status(
    question_key: str,
    *,
    answer=None,
    saved: bool = False,
    error: str = "",
    conflict=None,
    assessment=None,
    status: int = 200,
) -> HttpResponse:
    """The save status of one question; after a save also its new version, out of band."""
    html = render_to_string(
        "assessments/_save_status.html",
        {
            "key": question_key,
            "answer": answer,
            "saved": saved,
            "error": error,
            "conflict": conflict,
            "assessment": assessment,
        },
    )
    return HttpResponse(html, status=status)


@client_data(None)
@login_required
@require_POST
def repeat_row_add(request: HttpRequest, assessment_id, question_key: str) -> HttpResponse:
    """Save the group as posted and return it with one more empty row (htmx)."""
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    if not selectors.can_edit_assessment(user=request.user, assessment=assessment):
        raise PermissionDenied
    questionnaire = selectors.questionnaire_for(assessment)
    question = questionnaire.questions.get(question_key)
    if question is None or question["type"] != "repeat_group":
        raise Http404
    if not assessment.is_draft:
        return _status(question_key, error=LOCKED_MESSAGE, status=409)
    error, conflict, progress = "", None, {}
    try:
        saved = _save_answer(request, assessment, question)
        answer, progress = saved.answer, saved.progress_answers
        value = answer.value if answer else None
    except AnswerInvalid as invalid:
        error, answer, value = invalid.message, None, None
    except services.AnswerConflict as raised:
        conflict, answer, value = raised, None, raised.value
    except services.AssessmentLocked:
        return _status(question_key, error=LOCKED_MESSAGE, status=409)
    view = question_view(
        question,
        value=value,
        answer=answer,
        error=error,
        extra_row=not (error or conflict),
    )
    if conflict is not None:
        view.conflict = conflict_view(question, conflict=conflict, user=request.user)
    body = render_to_string(
        "assessments/_question.html", {"q": view, "assessment": assessment}, request=request
    )
    if not (error or conflict):
        body += _progress_oob(
            request, assessment, questionnaire, progress, questionnaire.section_of[question_key]
        )
    return HttpResponse(body, status=409 if conflict else 400 if error else 200)


@client_data("answers")
@login_required
@require_GET
def assessment_review(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    questionnaire = selectors.questionnaire_for(assessment)
    answers = selectors.answers_dict(assessment)
    missing = selectors.missing_required_questions(assessment)
    unconfirmed = assessment.answers.filter(carry="copied").count()
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "organization": assessment.organization,
            "missing": missing,
            "unconfirmed": unconfirmed,
            "sections": review_sections(questionnaire, answers),
            "editable": assessment.is_draft
            and selectors.can_edit_assessment(user=request.user, assessment=assessment),
        },
    )


@client_data(None)
@login_required
@require_POST
def assessment_submit(request: HttpRequest, assessment_id) -> HttpResponse:
    assessment = assessment_selectors.assessment_get_for_user(
        user=request.user, assessment_id=assessment_id
    )
    try:
        assessment_services.assessment_submit(assessment=assessment, user=request.user)
    except services.AssessmentLocked:
        messages.info(request, _("Diese Bewertung ist bereits abgeschlossen."))
        return redirect("assessment_done", assessment_id=assessment.pk)
    except assessment_services.EmailNotVerified:
        message = _(
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer "
            "E-Mail; danach können Sie die Antworten absenden."
        )
    except assessment_services.AssessmentIncomplete as incomplete:
        message = _("Es fehlen noch %(count)s Pflichtantworten. Die Liste unten führt Sie hin.") % {
            "count": len(incomplete.missing)
        }
    else:
        messages.success(request, _("Vielen Dank! Ihre Antworten sind abgeschickt."))
        return redirect("assessment_done", assessment_id=assessment.pk)
    messages.error(request, message)
    response = redirect("assessment_review", assessment_id=assessment.pk)
    response.status_code = 303
    return response
