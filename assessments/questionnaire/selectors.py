"""Reads of the questionnaire flow: the parsed catalogue of an assessment, its answers, whether
a person may edit them, and the progress input a save needs."""

from functools import lru_cache

from django.db.models import Case, Exists, F, JSONField, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404

from portal.models import Membership, User

from ..catalogue.text import tr
from ..models import Assessment, QuestionnaireVersion
from .progress import Effort, Questionnaire


@lru_cache(maxsize=32)
def questionnaire_of(version_id: int, sha256: str) -> Questionnaire:
    """The parsed catalogue of the version with this id and checksum (read once per process)."""
    # Published versions never change, so (id, checksum) identifies the document for good.
    document = QuestionnaireVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return Questionnaire(document)


def questionnaire_for(assessment: Assessment) -> Questionnaire:
    version = assessment.questionnaire
    return questionnaire_of(version.pk, version.sha256)


# a catalogue version's document and YAML source: tens of KB each, read per version once per
# process (``questionnaire_for``), never with an assessment
CATALOGUE_TEXT = ("questionnaire__document", "questionnaire__source")


def with_catalogue_document(assessment: Assessment) -> Assessment:
    """``assessment`` (read without ``CATALOGUE_TEXT``) with its version's document, the
    process's parsed copy: a published version never changes (decision 0002), and the scoring
    index and its memos are kept per document object."""
    assessment.questionnaire.document = questionnaire_for(assessment).document
    return assessment


def questionnaire_of_version(version: QuestionnaireVersion) -> Questionnaire:
    return questionnaire_of(version.pk, version.sha256)


def active_questionnaire_effort() -> Effort | None:
    """Number of questions and time estimate of the active catalogue (None: none active)."""
    version = QuestionnaireVersion.objects.active()
    return questionnaire_of_version(version).effort if version else None


def assessment_get_for_saving(*, user: User, assessment_id) -> Assessment:
    """The assessment an answer is saved to, and whether ``user`` may edit it, in one query.

    Without the catalogue's document and source (tens of KB each): ``questionnaire_for`` keeps
    the parsed catalogue per version, so a save never decodes it."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .select_related("questionnaire")
        .defer(*CATALOGUE_TEXT)
        .annotate(
            user_can_edit=Exists(
                Membership.objects.filter(user=user, organization=OuterRef("organization_id"))
            )
        ),
        pk=assessment_id,
    )
    assessment.editable_for = (user.pk, assessment.user_can_edit)
    return assessment


def answers_dict(assessment: Assessment) -> dict:
    return dict(assessment.answers.values_list("question_key", "value"))


def answers_with_meta(assessment: Assessment) -> dict:
    return {
        answer.question_key: answer
        for answer in assessment.answers.select_related("updated_by").all()
    }


def progress_value(questionnaire: Questionnaire, *, also_value_of: str = "") -> Case:
    """A stored answer as the progress sidebar needs it, as SQL, so that a save reads no other
    answer's value: answers some condition reads (and the one ``also_value_of`` names) give
    their value; every other answer gives ``True``, or ``None`` where an empty list or text was
    stored (no answer; rows from before empty values were refused). ``questionnaire.progress``
    gives the same for these as for ``answers_dict``."""
    with_value = questionnaire.condition_keys | ({also_value_of} if also_value_of else set())
    return Case(
        When(question_key__in=sorted(with_value), then=F("value")),
        When(Q(value=[]) | Q(value=""), then=Value(None, output_field=JSONField())),
        default=Value(True, output_field=JSONField()),
        output_field=JSONField(),
    )


def missing_required_questions(assessment: Assessment, answers: dict | None = None) -> list[dict]:
    """The required questions shown for the stored answers (``answers`` when read already)
    that have no answer, readable."""
    questionnaire = questionnaire_for(assessment)
    progress = questionnaire.progress(answers_dict(assessment) if answers is None else answers)
    return [
        {
            "key": key,
            "text": tr(questionnaire.questions[key]["text"]),
            "section_key": section.key,
            "section": tr(section.title),
        }
        for section in progress
        for key in section.missing
    ]


def can_edit_assessment(*, user: User, assessment: Assessment) -> bool:
    """Members of the organisation fill in the questionnaire; consultants only read it."""
    known = getattr(assessment, "editable_for", None)  # set by assessment_get_for_saving
    if known is not None and known[0] == user.pk:
        return known[1]
    return Membership.objects.filter(user=user, organization_id=assessment.organization_id).exists()
