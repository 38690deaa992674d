"""Reads for assessments. Client data is always reached through ``visible_to``."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Case, Exists, F, JSONField, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404

from portal.models import Membership, User

from .actionplan.models import Action
from .catalogue.text import tr
from .models import Assessment, QuestionnaireVersion, Report
from .questionnaire.progress import Effort, Questionnaire


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


def active_questionnaire_effort() -> Effort | None:
    """Number of questions and time estimate of the active catalogue (None: none active)."""
    version = QuestionnaireVersion.objects.active()
    return questionnaire_of_version(version).effort if version else None


_ORGANIZATION_COLUMNS = {
    "assessment_id": (Assessment, "organization_id"),
    "report_id": (Report, "assessment__organization_id"),
    "action_id": (Action, "assessment__organization_id"),
}


def organization_of(kwarg: str):
    """For the audit of reads: the organisation id of the object a URL kwarg names."""
    model, column = _ORGANIZATION_COLUMNS[kwarg]

    def lookup(value):
        return model.objects.filter(pk=value).values_list(column, flat=True).first()

    return lookup


def assessment_get_for_user(*, user: User, assessment_id) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(user).select_related("organization", "questionnaire"),
        pk=assessment_id,
    )


def assessment_get_for_saving(*, user: User, assessment_id) -> Assessment:
    """The assessment an answer is saved to, and whether ``user`` may edit it, in one query.

    Without the catalogue's document and source (tens of KB each): ``questionnaire_for`` keeps
    the parsed catalogue per version, so a save never decodes it."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .select_related("questionnaire")
        .defer("questionnaire__document", "questionnaire__source")
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


def missing_required_questions(assessment: Assessment) -> list[dict]:
    """The required questions shown for the stored answers that have no answer, readable."""
    questionnaire = questionnaire_for(assessment)
    progress = questionnaire.progress(answers_dict(assessment))
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


def assessments_for_organization(*, user: User, organization) -> list[Assessment]:
    """The open draft first, then by submission, newest first."""
    from django.db.models import F

    return list(
        Assessment.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("questionnaire", "submitted_by")
        # the list shows the catalogue's version only: its document and YAML source are large
        # (tens of KB each), and 20 assessments would decode them 20 times
        .defer("questionnaire__document", "questionnaire__source")
        .order_by(F("submitted_at").desc(nulls_first=True), "-created_at")
    )


def latest_result_for(*, organization):
    """The result of the organisation's most recently submitted assessment, or ``None``.

    ``organization`` must come from a ``visible_to`` query (the caller checked access)."""
    from .models import Result

    if not organization.latest_result_id:
        return None
    return (
        Result.objects.filter(pk=organization.latest_result_id)
        .select_related("assessment")
        .defer("card")
        .first()
    )


BENCHMARK_MIN_PEERS = 5
DIMENSION_FIELDS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")


def benchmark_for(*, organization) -> dict | None:
    """Average latest scores of the other clients of the same industry (else size band), from
    the portfolio's stored sums (one small query, whatever the number of clients).

    Shown only with at least five other organisations, so no single client can be inferred.
    ``organization`` with its summary row (``select_related("summary")``) leaves itself out."""
    from portal.portfolio.summary import bench_figures

    bases = (
        ("industry", organization.industry, organization.get_industry_display()),
        ("size_band", organization.size_band, organization.get_size_band_display()),
    )
    stored = bench_figures(groups=[(basis, value) for basis, value, _label in bases])
    own = getattr(organization, "summary", None)
    counted = own is not None and own.readiness is not None
    for basis, value, label in bases:
        prefix = f"bench:{basis}:{value}:"
        count = stored.get(prefix + "n", 0) - counted
        if count < BENCHMARK_MIN_PEERS:
            continue

        def average(name, prefix=prefix, count=count):
            total = stored.get(prefix + name, 0) - (getattr(own, name) if counted else 0)
            return round(total / count)

        return {
            "basis": basis,
            "label": label,
            "count": count,
            "readiness": average("readiness"),
            "scores": {name: average(name) for name in DIMENSION_FIELDS},
        }
    return None


def assessment_for_results(*, user: User, assessment_id) -> Assessment:
    """The assessment of a results page with its result, organisation (and its consultant and
    summary row) and catalogue version in one query; 404 unless ``user`` may see it."""
    return get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "organization__consultant",
            "organization__summary",
            "questionnaire",
            "result",
            "submitted_by",
        ),
        pk=assessment_id,
    )


def changed_answers(*, assessment: Assessment) -> list[dict]:
    """Questions whose answer differs from the previous assessment, readable."""
    from .questionnaire.answers import answer_label

    if not assessment.previous_id:
        return []
    questionnaire = questionnaire_for(assessment)
    now = answers_dict(assessment)
    before = dict(assessment.previous.answers.values_list("question_key", "value"))
    visible = questionnaire.visible(now)
    rows = []
    for key, question in questionnaire.questions.items():
        if key not in visible or now.get(key) == before.get(key):
            continue
        rows.append(
            {
                "key": key,
                "question": tr(question["text"]),
                "before": answer_label(question, before.get(key)),
                "now": answer_label(question, now.get(key)),
            }
        )
    return rows


@dataclass(frozen=True)
class StaleFact:
    version: QuestionnaireVersion
    key: str
    text: dict
    source: str
    as_of: dt.date
    age_days: int


def catalogue_facts_stale(*, max_age_days: int, today: dt.date) -> list[StaleFact]:
    """Facts of published catalogue versions last checked more than ``max_age_days`` ago,
    oldest first (the active version first among equals). A changed fact is a new version."""
    cutoff = today - dt.timedelta(days=max_age_days)
    stale = []
    for version in QuestionnaireVersion.objects.published().order_by(
        "-is_active", "key", "version"
    ):
        for fact in version.document.get("facts") or ():
            as_of = dt.date.fromisoformat(str(fact["as_of"]))
            if as_of < cutoff:
                stale.append(
                    StaleFact(
                        version=version,
                        key=fact["key"],
                        text=fact["text"],
                        source=fact["source"],
                        as_of=as_of,
                        age_days=(today - as_of).days,
                    )
                )
    return sorted(stale, key=lambda f: (f.as_of, not f.version.is_active, f.key))


def client_notes(*, assessment: Assessment) -> list:
    """The consultant's notes the client reads (in the portal and in the report): every note
    except the internal ones, newest first."""
    from .models import ConsultantNote

    return list(
        assessment.notes.exclude(kind=ConsultantNote.Kind.INTERNAL)
        .select_related("author")
        .order_by("-created_at")
    )
