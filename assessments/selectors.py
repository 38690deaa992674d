"""Reads for assessments. Client data is always reached through ``visible_to``."""

from functools import lru_cache

from django.shortcuts import get_object_or_404

from portal.models import Membership, User

from .models import Assessment, QuestionnaireVersion
from .questionnaire import Questionnaire


@lru_cache(maxsize=32)
def _questionnaire(version_id: int, sha256: str) -> Questionnaire:
    # Published versions never change, so (id, checksum) identifies the document for good.
    document = QuestionnaireVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return Questionnaire(document)


def questionnaire_for(assessment: Assessment) -> Questionnaire:
    version = assessment.questionnaire
    return _questionnaire(version.pk, version.sha256)


def questionnaire_of_version(version: QuestionnaireVersion) -> Questionnaire:
    return _questionnaire(version.pk, version.sha256)


def assessment_get_for_user(*, user: User, assessment_id) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(user).select_related("organization", "questionnaire"),
        pk=assessment_id,
    )


def answers_dict(assessment: Assessment) -> dict:
    return dict(assessment.answers.values_list("question_key", "value"))


def answers_with_meta(assessment: Assessment) -> dict:
    return {
        answer.question_key: answer
        for answer in assessment.answers.select_related("updated_by").all()
    }


def can_edit_assessment(*, user: User, assessment: Assessment) -> bool:
    """Members of the organisation fill in the questionnaire; consultants only read it."""
    return Membership.objects.filter(user=user, organization_id=assessment.organization_id).exists()


def assessments_for_organization(*, user: User, organization) -> list[Assessment]:
    return list(
        Assessment.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("questionnaire", "submitted_by")
        .order_by("-created_at")
    )
