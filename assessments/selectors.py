"""Reads for assessments. Client data is always reached through ``visible_to``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.models import User

from .actionplan.models import Action
from .models import Assessment, QuestionnaireVersion, Report
from .questionnaire.selectors import CATALOGUE_TEXT, with_catalogue_document

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
    """The assessment with its organisation and catalogue version; 404 unless ``user`` may see
    it. (Reading and decoding the version's document and source with it took 15–25 ms.)"""
    return with_catalogue_document(
        get_object_or_404(
            Assessment.objects.visible_to(user)
            .select_related("organization", "questionnaire")
            .defer(*CATALOGUE_TEXT),
            pk=assessment_id,
        )
    )


def assessments_for_organization(*, user: User, organization) -> list[Assessment]:
    """The open draft first, then by submission, newest first."""

    return list(
        Assessment.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("questionnaire", "submitted_by")
        # the list shows the catalogue's version only: its document and YAML source are large
        # (tens of KB each), and 20 assessments would decode them 20 times
        .defer(*CATALOGUE_TEXT)
        .order_by(F("submitted_at").desc(nulls_first=True), "-created_at")
    )


def latest_result_for(*, organization):
    """The result of the organisation's most recently submitted assessment, or ``None``.

    ``organization`` must come from a ``visible_to`` query (the caller checked access)."""
    from .models import Result

    if not organization.latest_result_id:
        return None
    return (
        Result.objects.filter(pk=organization.latest_result_id).select_related("assessment").first()
    )


BENCHMARK_MIN_PEERS = 5
DIMENSION_FIELDS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")


def benchmark_for(*, organization) -> dict | None:
    """Average latest scores of the other clients of the same industry (else size band), from
    the portfolio's stored sums (one small query, whatever the number of clients).

    Shown only with at least five other organisations, so no single client can be inferred.
    ``organization`` with its summary row (``select_related("summary")``) leaves itself out.

    The sums of each group are kept in the shared cache (``BENCHMARK_CACHE_SECONDS`` at most)
    with the time they were read; a change of a group's sums drops its entry
    (``portal.portfolio.summary.figures_add``), and sums read before the client's own latest
    submission are read again, so its own result is always left out exactly."""
    from django.conf import settings
    from django.core.cache import cache

    from portal.portfolio.summary import bench_cache_key, bench_figures

    bases = (
        ("industry", organization.industry, organization.get_industry_display()),
        ("size_band", organization.size_band, organization.get_size_band_display()),
    )
    own = getattr(organization, "summary", None)
    counted = own is not None and own.readiness is not None
    groups = [(basis, value) for basis, value, _label in bases]
    seconds = settings.BENCHMARK_CACHE_SECONDS
    keys = [bench_cache_key(basis, value) for basis, value in groups]
    entries = cache.get_many(keys) if seconds else {}
    own_since = own.submitted_at if counted else None
    if len(entries) == len(keys) and all(
        own_since is None or own_since < read_at for read_at, _sums in entries.values()
    ):
        stored = {k: v for _read_at, sums in entries.values() for k, v in sums.items()}
    else:
        read_at = timezone.now()
        stored = bench_figures(groups=groups)
        if seconds:
            entries = {}
            for basis, value in groups:
                prefix = f"bench:{basis}:{value}:"
                sums = {k: v for k, v in stored.items() if k.startswith(prefix)}
                entries[bench_cache_key(basis, value)] = (read_at, sums)
            cache.set_many(entries, seconds)
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
    summary row) and catalogue version in one query; 404 unless ``user`` may see it.

    The version's document and YAML source are not read with it: the process keeps each
    published document once (``questionnaire_for``), and the scoring index and its memos are kept
    per document object, so the page scores against a warm index (reading and decoding the
    2027.01 document and source took ~25 ms a page, building the index again ~2 ms)."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .select_related(
            "organization__summary",
            "questionnaire",
            "result",
            "submitted_by",
        )
        .only(*RESULTS_PAGE_FIELDS),
        pk=assessment_id,
    )
    return with_catalogue_document(assessment)


# What the results page, its panels and its card read of the assessment and what comes with it
# (the summary: what ``benchmark_for`` leaves out). The whole rows were 85 columns, and building
# the query and the six objects cost more than the page's other queries together; a field
# missing here costs a query of its own on every view (the page's query count is pinned).
RESULTS_PAGE_FIELDS = (
    "organization",
    "questionnaire",
    "previous",
    "status",
    "submitted_at",
    "submitted_by",
    "review_state",
    "organization__name",
    "organization__industry",
    "organization__size_band",
    "organization__summary__submitted_at",
    "organization__summary__readiness",
    *(f"organization__summary__{name}" for name in DIMENSION_FIELDS),
    "questionnaire__key",
    "questionnaire__version",
    "questionnaire__sha256",
    "result__readiness",
    *(f"result__{name}" for name in DIMENSION_FIELDS),
    "result__incomplete_answers",
    "result__computed_with",
    *User.name_fields("submitted_by"),
)


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
        _notes_shown(assessment).exclude(kind=ConsultantNote.Kind.INTERNAL).order_by("-created_at")
    )


def notes_for_panel(*, assessment: Assessment) -> list:
    """Every note of the assessment for the consultants' panel on the results page (the
    notes' own order: priority, then oldest first)."""
    return list(_notes_shown(assessment))


# what a note shows beside its text (the author's name, not the rest of the author's row), and
# its assessment's id, which the related manager compares for every row
NOTE_FIELDS = ("assessment", "kind", "title", "text", "priority", "author", "created_at")


def _notes_shown(assessment: Assessment):
    return assessment.notes.select_related("author").only(*NOTE_FIELDS, *User.name_fields("author"))
