"""The four measurements of ``bench/run.py``. Import only after ``django.setup()``.

Each ``bench_*`` function returns a ``Section``: its figures (value, baseline, ratio, target) or
the reason it was skipped. Times are wall-clock medians measured in this process, on this machine.
"""

from __future__ import annotations

import gc
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import timeit
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from answers import (
    CATALOGUE,
    baseline_index,
    load_catalogue,
    mid_answers,
    rich_answers,
    trivial_score,
    varied_answers,
)
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, ConsultantNote, Report, Result
from assessments.questionnaire.services import answer_save
from assessments.results import services as result_services
from assessments.results import services as results_services
from assessments.scoring import SCORING_VERSION, score, stamp
from assessments.scoring.index import build_index
from portal.models import Industry, Membership, Organization, SizeBand, User

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    label: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str = ""
    summary: list[str] = field(default_factory=list)  # lines for the issue note
    extra: dict = field(default_factory=dict)  # figures other sections reuse

    def skip(self, reason: str) -> Section:
        self.skipped = reason
        self.summary.append(f"{self.title}: skipped ({reason})")
        return self


def yes_no(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- 1. scoring --------------------------------------------------------------------------------


def _pin_one_core():
    """Run on one core (the last allowed one); returns the previous affinity to restore."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(before)})
    return before


def _other_catalogue_seconds(repeat: int) -> list[tuple[str, float]]:
    """CPU seconds per score() of the middle answer set on every other shipped catalogue (the
    newest classifies its use cases by the AI Act procedure), oldest first."""
    out = []
    for path in sorted((ROOT / "assessments" / "catalogue").glob("ki-readiness-*.yaml")):
        if path != CATALOGUE:
            document = load_catalogue(path)
            out.append((document["version"], _seconds_per_score(document, repeat)))
    return out


def _seconds_per_score(document: dict, repeat: int) -> float:
    answers = mid_answers(document)
    score(document, answers)
    previous_affinity = _pin_one_core()
    try:
        timer = timeit.Timer(lambda: score(document, answers), timer=time.process_time)
        number, _ = timer.autorange()
        return statistics.median(timer.repeat(repeat=repeat, number=number)) / number
    finally:
        if previous_affinity is not None:
            os.sched_setaffinity(0, previous_affinity)


def bench_scoring(*, repeat: int = 7) -> Section:
    section = Section("1. Scoring throughput (one core)")
    document = load_catalogue()
    answers = mid_answers(document)
    index = baseline_index(document)

    started = time.perf_counter()
    build_index(document)
    build_ms = (time.perf_counter() - started) * 1000

    previous_affinity = _pin_one_core()
    try:
        card = score(document, answers)  # builds and memoises the index
        trivial_score(index, answers)
        engine = timeit.Timer(lambda: score(document, answers), timer=time.process_time)
        number, _ = engine.autorange()
        engine_runs = engine.repeat(repeat=repeat, number=number)
        trivial = timeit.Timer(lambda: trivial_score(index, answers), timer=time.process_time)
        trivial_number, _ = trivial.autorange()
        trivial_runs = trivial.repeat(repeat=repeat, number=trivial_number)
        # what a rescore computes per result: the stored fields, from the card's figures only
        stored = timeit.Timer(
            lambda: result_services.result_fields(document=document, answers=answers),
            timer=time.process_time,
        )
        stored_number, _ = stored.autorange()
        stored_runs = stored.repeat(repeat=repeat, number=stored_number)
    finally:
        if previous_affinity is not None:
            os.sched_setaffinity(0, previous_affinity)

    engine_s = statistics.median(engine_runs) / number
    trivial_s = statistics.median(trivial_runs) / trivial_number
    per_second = 1 / engine_s
    met = per_second >= 5000
    questions = sum(len(s["questions"]) for s in document["sections"])
    section.figures.append(
        Figure(
            "score() per second",
            f"{per_second:,.0f}/s ({engine_s * 1e6:.0f} µs)",
            f"{1 / trivial_s:,.0f}/s ({trivial_s * 1e6:.1f} µs)",
            f"{engine_s / trivial_s:.1f}× the baseline's time",
            "≥ 5,000/s",
            met,
        )
    )
    section.summary.append(
        f"Scoring: {per_second:,.0f} scorings/s on one core ({engine_s * 1e6:.0f} µs each); "
        f"trivial loop {1 / trivial_s:,.0f}/s → engine costs {engine_s / trivial_s:.1f}× the "
        f"trivial loop. Target ≥ 5,000/s: {yes_no(met)}"
    )
    stored_s = statistics.median(stored_runs) / stored_number
    section.figures.append(
        Figure(
            "result_fields() per second (a stored result: the figures, no action plan)",
            f"{1 / stored_s:,.0f}/s ({stored_s * 1e6:.0f} µs)",
            f"{1 / trivial_s:,.0f}/s ({trivial_s * 1e6:.1f} µs)",
            f"{stored_s / trivial_s:.1f}× the baseline's time",
        )
    )
    section.figures.append(Figure("index build (once per catalogue)", f"{build_ms:.1f} ms"))
    others = _other_catalogue_seconds(repeat)
    for position, (version, seconds) in enumerate(others, start=1):
        newest = position == len(others)
        section.figures.append(
            Figure(
                f"score() per second, {'newest ' if newest else ''}catalogue {version}",
                f"{1 / seconds:,.0f}/s ({seconds * 1e6:.0f} µs)",
                f"{1 / trivial_s:,.0f}/s ({trivial_s * 1e6:.1f} µs)",
                f"{seconds / trivial_s:.1f}× the baseline's time",
                "≥ 5,000/s",
                1 / seconds >= 5000,
            )
        )
        section.summary.append(
            f"Scoring on {'the newest ' if newest else ''}catalogue {version}"
            f"{' (AI Act procedure per use case)' if newest else ''}: {1 / seconds:,.0f}/s "
            f"({seconds * 1e6:.0f} µs each, {seconds / trivial_s:.1f}× the trivial loop). "
            f"Target ≥ 5,000/s: {yes_no(1 / seconds >= 5000)}"
        )
    section.notes.append(
        f"catalogue {document['key']} {document['version']}, {questions} questions, "
        f"{len(answers)} answers incl. {len(answers.get('use_cases', []))} use cases; "
        f"scoring {SCORING_VERSION}; readiness {card.readiness}, "
        f"{len(card.recommendations)} recommendations; median of {repeat} × {number}, "
        "CPU time of this process pinned to one core (robust against other load)"
    )
    section.notes.append(
        "baseline: one plain loop over the same answers summing the chosen options' points"
    )
    section.extra["fields_seconds"] = stored_s  # the rescore section reuses it
    return section


# --- shared fixtures ---------------------------------------------------------------------------


@dataclass
class Fixture:
    questionnaire: object
    document: dict
    organization: Organization
    owner: User
    consultant: User
    assessment: Assessment | None = None  # the rich, submitted one


def fixture_create(document: dict) -> Fixture:
    """The active real catalogue, a consultant, one client company with its owner."""
    source = (ROOT / "assessments/catalogue/ki-readiness-2026.11.yaml").read_text(encoding="utf-8")
    version = services.questionnaire_load(source=source)
    services.questionnaire_publish(version=version)
    services.questionnaire_activate(version=version)
    consultant = User.objects.create_user(
        email="berater@bench.example",
        password=None,
        first_name="Julia",
        last_name="Brenner",
        is_consultant=True,
    )
    owner = User.objects.create_user(
        email="inhaber@bench.example",
        password=None,
        first_name="Thomas",
        last_name="Maier",
        email_verified_at=timezone.now(),  # only verified members may submit
    )
    organization = Organization.objects.create(
        name="Seetal Maschinenbau GmbH",
        industry=Industry.MANUFACTURING,
        size_band=SizeBand.MEDIUM,
        consultant=consultant,
    )
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    version.refresh_from_db()
    return Fixture(version, version.document, organization, owner, consultant)


def _fill_and_submit(fixture: Fixture, answers: dict) -> Assessment:
    assessment = services.assessment_start(
        organization=fixture.organization, user=fixture.owner
    ).assessment
    for key, value in answers.items():
        answer_save(assessment=assessment, user=fixture.owner, question_key=key, value=value)
    return services.assessment_submit(assessment=assessment, user=fixture.owner)


def rich_assessment(fixture: Fixture) -> Assessment:
    """A re-assessment (so the report compares with last time) with every question visible."""
    _fill_and_submit(fixture, varied_answers(fixture.document, seed=7))
    assessment = _fill_and_submit(fixture, rich_answers(fixture.document))
    notes = [
        (ConsultantNote.Kind.NOTE, "Zum Gespräch am 12. März", "Die Geschäftsführung " * 20, 1),
        (ConsultantNote.Kind.NOTE, "Betriebsrat", "Bitte die Betriebsvereinbarung prüfen. " * 6, 2),
        (ConsultantNote.Kind.RECOMMENDATION, "Copilot-Freigaben prüfen", "Berechtigungen " * 30, 1),
        (ConsultantNote.Kind.RECOMMENDATION, "Zweiten Anbieter testen", "Mistral testen. " * 10, 2),
        (ConsultantNote.Kind.INTERNAL, "Intern", "Angebot für Workshop vorbereiten.", 3),
    ]
    for kind, title, text, priority in notes:
        services.consultant_note_create(
            assessment=assessment,
            author=fixture.consultant,
            data={"kind": kind, "title": title, "text": text.strip(), "priority": priority},
        )
    fixture.assessment = assessment
    return assessment


# --- 2. rescore --------------------------------------------------------------------------------


def _copy(table: str, columns: list[str], rows) -> None:
    """COPY ``rows`` into ``table`` (PostgreSQL): the fast path for the big tables."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _bulk_load(fixture: Fixture, count: int, variants: int = 24, chunk: int = 1000) -> int:
    """``count`` submitted assessments (answers drift between ``variants`` sets) with results.

    Assessments with ``bulk_create``; their 50-odd answers and their result row with
    COPY, each JSON value serialised once per variant, which keeps loading well under a minute.
    """
    document = fixture.document
    sets = [varied_answers(document, seed) for seed in range(variants)]
    answer_rows = [[(key, json.dumps(value)) for key, value in s.items()] for s in sets]
    results = []
    for answers in sets:
        fields = result_services.result_fields(document=document, answers=answers)
        results.append(
            [
                json.dumps(value, separators=(",", ":"))
                if name in ("vendor_exposure", "lock_in_drivers")
                else value
                for name, value in fields.items()
            ]
        )
    result_columns = list(result_services.result_fields(document=document, answers=sets[0]))
    organization = Organization.objects.create(
        name="Bench Massendaten GmbH", industry=Industry.CRAFT, size_band=SizeBand.SMALL
    )
    now = timezone.now()
    answers_total = 0
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        with transaction.atomic():
            assessments = Assessment.objects.bulk_create(
                Assessment(
                    organization=organization,
                    questionnaire=fixture.questionnaire,
                    status=Assessment.Status.SUBMITTED,
                    submitted_at=now,
                    submitted_by=fixture.owner,
                )
                for _ in range(size)
            )
            variant = [(a.pk, (start + offset) % variants) for offset, a in enumerate(assessments)]
            _copy(
                Answer._meta.db_table,
                ["assessment_id", "question_key", "value", "carry", "updated_at", "version"],
                (
                    (pk, key, value, "", now, 1)
                    for pk, v in variant
                    for key, value in answer_rows[v]
                ),
            )
            answers_total += sum(len(answer_rows[v]) for _pk, v in variant)
            _copy(
                Result._meta.db_table,
                ["assessment_id", "organization_id", "computed_at", *result_columns],
                ((pk, organization.pk, now, *results[v]) for pk, v in variant),
            )
    return answers_total


def _plain_read(*, with_answers: bool = False) -> float:
    """Seconds to read every result row's stored fields (what rescore writes), by pk;
    ``with_answers``: and, per 1,000 rows, their answers the way rescore reads them (the input
    of a recomputation, since a result stores no card: decision 0047)."""
    started = time.perf_counter()
    rows = Result.objects.order_by("pk").values_list(
        "assessment_id", *result_services.RESCORE_FIELDS
    )
    batch = []
    for row in rows.iterator(chunk_size=1000):
        if with_answers:
            batch.append(row[0])
            if len(batch) == 1000:
                result_services._answers_by_assessment(batch)
                batch = []
    if batch:
        result_services._answers_by_assessment(batch)
    return time.perf_counter() - started


class _SqlTimer:
    """``connection.execute_wrapper`` that sums the time spent in the database per statement;
    ``every_connection()`` also wraps each connection opened meanwhile (rescore's database
    thread has its own)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.count: dict[str, int] = {}

    @contextmanager
    def every_connection(self):
        def wrap(sender, connection, **kwargs):
            connection.execute_wrappers.append(self)

        connection_created.connect(wrap, weak=False)
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            connection_created.disconnect(wrap)

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper()
        if kind == "SELECT" and '"assessments_answer"' in sql.split("WHERE", 1)[0]:
            kind = "SELECT answers"
        elif kind == "SELECT":
            kind = "SELECT results, catalogue"
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - started
            self.count[kind] = self.count.get(kind, 0) + 1


def bench_rescore(fixture: Fixture, *, count: int, fields_seconds: float | None) -> Section:
    section = Section(f"2. rescore of {count:,} stored assessments (PostgreSQL)")
    if connection.vendor != "postgresql":
        return section.skip("needs PostgreSQL: set DATABASE_URL=postgres://… or pass --pg")

    started = time.perf_counter()
    answers_total = _bulk_load(fixture, count)
    with connection.cursor() as cursor:  # a steady-state table: visibility map and statistics
        for table in ("assessments_assessment", "assessments_answer", "assessments_result"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - fixed table names
        cursor.execute("SELECT pg_total_relation_size('assessments_result')")
        result_bytes = cursor.fetchone()[0]
    load_s = time.perf_counter() - started
    rows = Result.objects.count()

    gc.collect()
    _plain_read()  # warm the cache: every variant below reads next to it

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
    jobs = min(2, cores)
    runs: list[tuple[str, object, float, float]] = []  # (label, outcome, seconds, read seconds)

    def measure(label, run, *, timer=None):
        gc.collect()
        # the baselines, next to each variant: the result rows, and the rows with their answers
        read = (_plain_read(), _plain_read(with_answers=True))
        gc.collect()
        started = time.perf_counter()
        if timer is not None:
            with timer.every_connection():
                outcome = run()
        else:
            outcome = run()
        seconds = time.perf_counter() - started
        runs.append((label, outcome, seconds, read))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE assessments_result")
        return outcome, seconds, read

    def command(*args):
        out = io.StringIO()
        call_command("rescore", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue().strip()

    # (i) `manage.py rescore` (the default) right after the data was scored: nothing is stale.
    # This is the scenario (the command on freshly scored data).
    rescore = result_services.results_rescore  # one process (--jobs 1)
    # what the command calls without --jobs: a process per core for enough results
    default = result_services.results_rescore_parallel
    outcome_i, default_s, read_i = measure("default", lambda: default())
    command_out = command()  # and through the command itself, for its printed line

    # (ii) the deploy case: the scoring code changed (another RESULT_FORMAT), so every result is
    # stale and recomputed; the results come out equal, so only the stamps are written.
    original_format = stamp.RESULT_FORMAT
    timer = _SqlTimer()
    try:
        stamp.RESULT_FORMAT = original_format + " (bench deploy 1)"
        deploy, deploy_s, read_deploy = measure("deploy", lambda: rescore(), timer=timer)
        parallel_s = None
        if jobs > 1:
            stamp.RESULT_FORMAT = original_format + " (bench deploy 2)"
            parallel, parallel_s, read_parallel = measure(
                "deploy --jobs", lambda: default(jobs=jobs)
            )
        # `rescore` without --jobs: a process per idle core (cores less the load average)
        stamp.RESULT_FORMAT = original_format + " (bench deploy 4)"
        idle_cores = results_services.idle_cores()
        auto, auto_s, read_auto = measure("deploy default", lambda: default())
        # the same deploy when every stored row differs from its new result (a new scoring
        # version that changes results): every row is written in full
        stamp.RESULT_FORMAT = original_format + " (bench deploy 3)"
        with connection.cursor() as cursor:
            cursor.execute("UPDATE assessments_result SET scoring_version = 'older'")
            cursor.execute("VACUUM ANALYZE assessments_result")
        changed, changed_s, read_changed = measure("deploy, all different", lambda: rescore())
    finally:
        stamp.RESULT_FORMAT = original_format
    # back to the stamps of this code (the rows are equal to their results: stamps only)
    result_services.results_rescore()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assessments_result")

    # (iii) --all: every result recomputed and compared (repairs hand edits); nothing differs
    forced, forced_s, read_forced = measure(
        "--all", lambda: result_services.results_rescore(all_results=True)
    )
    rescored = forced.rescored

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(pg_column_size(r.*)), max(pg_column_size(r.*)) FROM assessments_result r"
        )
        row_avg, row_max = cursor.fetchone()

    def ratio_of(seconds, read):
        """Against reading the result rows and their answers (what a recomputation reads)."""
        return seconds / read[1]

    def base(read):
        return f"{read[1]:.2f} s (results + answers; the rows alone {read[0]:.2f} s)"

    def ratios(seconds, read):
        return f"{seconds / read[1]:.2f}× ({seconds / read[0]:.1f}× the rows alone)"

    ratio = default_s / read_i[0]
    section.figures.append(
        Figure(
            f"(i) rescore (default) right after scoring, nothing stale: {outcome_i.stale} stale, "
            f"{outcome_i.rescored} recomputed, {outcome_i.written} written  [issue 14's target "
            "scenario]",
            f"{default_s:.3f} s",
            f"{read_i[0]:.2f} s (plain read of the result rows)",
            f"{ratio:.2f}× the read",
            "≤ 1.5× the read; < 20 s",
            ratio <= 1.5 and default_s < 20,
        )
    )
    deploy_ratio = ratio_of(deploy_s, read_deploy)
    section.figures.append(
        Figure(
            f"(ii) deploy: scoring code changed, all {deploy.stale:,} stale, recomputed with "
            f"--jobs 1 ({deploy.written:,} written in full, {deploy.stamps:,} only a new stamp)",
            f"{deploy_s:.2f} s ({deploy.rescored / deploy_s:,.0f}/s)",
            base(read_deploy),
            ratios(deploy_s, read_deploy),
            "≤ 2× the read",
            deploy_ratio <= 2,
        )
    )
    if parallel_s is not None:
        section.figures.append(
            Figure(
                f"(ii) the same deploy with --jobs {jobs} ({parallel.rescored:,} recomputed)",
                f"{parallel_s:.2f} s ({parallel.rescored / parallel_s:,.0f}/s)",
                base(read_parallel),
                ratios(parallel_s, read_parallel),
                "≤ 2× the read",
                ratio_of(parallel_s, read_parallel) <= 2,
            )
        )
    section.figures.append(
        Figure(
            f"(ii) the same deploy, `rescore` default: {auto.processes} process(es) (idle cores "
            f"at its start: {idle_cores} of {cores})",
            f"{auto_s:.2f} s ({auto.rescored / auto_s:,.0f}/s)",
            base(read_auto),
            ratios(auto_s, read_auto),
            "≤ 2× the read",
            ratio_of(auto_s, read_auto) <= 2,
        )
    )
    section.figures.append(
        Figure(
            f"(ii) deploy, every stored row different, --jobs 1 ({changed.written:,} written "
            "in full)",
            f"{changed_s:.2f} s ({changed.rescored / changed_s:,.0f}/s)",
            base(read_changed),
            ratios(changed_s, read_changed),
            "≤ 2× the read",
            ratio_of(changed_s, read_changed) <= 2,
        )
    )
    section.figures.append(
        Figure(
            f"(iii) rescore --all --jobs 1 ({forced.rescored:,} recomputed, {forced.written:,} "
            f"written, {forced.stamps:,} new stamps)",
            f"{forced_s:.2f} s ({forced.rescored / forced_s:,.0f}/s)",
            base(read_forced),
            ratios(forced_s, read_forced),
        )
    )
    section.figures.append(
        Figure(
            "stored result row (no card: decision 0047)",
            f"avg {row_avg:,.0f} B, max {row_max:,.0f} B",
        )
    )
    for kind in sorted(timer.seconds, key=timer.seconds.get, reverse=True):
        seconds = timer.seconds[kind]
        section.figures.append(
            Figure(
                f"  (ii) execute() {kind} ({timer.count[kind]}×, in the database thread)",
                f"{seconds:.2f} s ({seconds / deploy_s:.0%} of the run, beside the scoring)",
            )
        )
    if fields_seconds:
        scoring_s = fields_seconds * deploy.rescored
        section.figures.append(
            Figure(
                "  (ii) result_fields() (estimate from section 1)",
                f"≈ {scoring_s:.2f} s ({scoring_s / deploy_s:.0%})",
            )
        )
        rest = deploy_s - scoring_s
        section.figures.append(
            Figure(
                "  (ii) rest: waiting for the database thread, answers JSON, comparing",
                f"≈ {rest:.2f} s ({rest / deploy_s:.0%})",
            )
        )
    section.notes.append(
        f"{rows:,} results ({result_bytes / 2**20:,.0f} MiB incl. TOAST), {answers_total:,} "
        f"answers from 24 drifting answer sets; loaded (bulk_create, COPY, VACUUM ANALYZE) in "
        f"{load_s:.1f} s"
    )
    section.notes.append(
        f"baselines: Result.objects.order_by('pk').values_list(pk + the "
        f"{len(result_services.RESCORE_FIELDS)} fields rescore writes).iterator() over the "
        "same rows "
        '("the rows alone"), and the same with their answers read per 1,000 rows as rescore '
        'reads them ("results + answers"): a result stores no card, so its answers are what a '
        "recomputation reads (decision 0047); both measured again right before each variant; "
        "execute() = time inside cursor.execute (database round trip and psycopg's parameter "
        "adaptation); a rescore runs its queries in a thread of its own while it scores "
        "(results.services.database_worker), so these overlap the scoring; --jobs 1 is one "
        "process scoring, with that thread"
    )
    section.notes.append(
        "(i) is issue 14's scenario: `manage.py rescore` on results that were just scored; it "
        "now recomputes only stale results (computed_with differs from the code and catalogue "
        "version now) and finds none. When the issue was filed the command recomputed every "
        "result, which is (iii) now. (ii) is the deploy of changed scoring code: every result is "
        "stale and recomputed; that is the real cost of a rescore after a change"
    )
    section.notes.append(f"the command printed: {command_out}")

    def short(seconds, read):
        return (
            f"{seconds:.2f} s vs {read[1]:.2f} s → {ratio_of(seconds, read):.2f}× "
            f"({seconds / read[0]:.1f}× the rows alone)"
        )

    section.summary.append(
        f"Rescore on PostgreSQL, {rows:,} results, each against a plain read of the same result "
        f"rows with their answers (and of the rows alone) measured right before it: (i) "
        f"`rescore` default right after scoring (nothing stale, {outcome_i.written} written) "
        f"{default_s:.3f} s vs {read_i[0]:.2f} s (rows alone) → {ratio:.2f}× (target ≤ 1.5×: "
        f"{yes_no(ratio <= 1.5)}); (ii) deploy with changed scoring code, all "
        f"{deploy.stale:,} stale, --jobs 1: {short(deploy_s, read_deploy)} (≤ 2×: "
        f"{yes_no(deploy_ratio <= 2)}; {deploy.written:,} written, {deploy.stamps:,} stamps only)"
        + (f", --jobs {jobs} {short(parallel_s, read_parallel)}" if parallel_s is not None else "")
        + f", `rescore` default ({auto.processes} process(es)) {short(auto_s, read_auto)}"
        f", every row different {short(changed_s, read_changed)} ({changed.written:,} written); "
        f"(iii) --all --jobs 1 {short(forced_s, read_forced)} ({forced.written:,} written). "
        f"Stored result row avg {row_avg:,.0f} B, max {row_max:,.0f} B (no card)"
    )
    if rescored != rows or deploy.rescored != rows:
        section.notes.append(
            f"WARNING: --all recomputed {rescored}, the deploy {deploy.rescored} of {rows}"
        )
    return section


# --- 3. report rendering -----------------------------------------------------------------------


def _fresh_report(report_id) -> Report:
    """As the worker loads it, so every render pays for its own queries."""
    return Report.objects.select_related("assessment__organization").get(pk=report_id)


def bench_report(fixture: Fixture, *, repeat: int = 5) -> Section:
    from assessments.reports.pdf import html_to_pdf
    from assessments.reports.render import report_html, report_pdf

    section = Section("3. Report rendering (WeasyPrint)")
    assessment = fixture.assessment or rich_assessment(fixture)
    report = Report.objects.create(assessment=assessment, language="de", requested_by=fixture.owner)

    started = time.perf_counter()
    first = report_pdf(_fresh_report(report.pk))  # fonts, stylesheets, template compilation
    cold_s = time.perf_counter() - started
    html_to_pdf("<p>Hallo</p>")

    full, ours, weasy, minimal, full_cpu, weasy_cpu = [], [], [], [], [], []
    for _ in range(repeat):
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        result = report_pdf(_fresh_report(report.pk))
        full.append(time.perf_counter() - started)
        full_cpu.append(time.process_time() - cpu)

        started = time.perf_counter()
        html = report_html(_fresh_report(report.pk))
        ours.append(time.perf_counter() - started)

        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        html_to_pdf(html)
        weasy.append(time.perf_counter() - started)
        weasy_cpu.append(time.process_time() - cpu)

        started = time.perf_counter()
        html_to_pdf("<p>Hallo</p>")
        minimal.append(time.perf_counter() - started)

    full_ms, ours_ms = _median_ms(full), _median_ms(ours)
    weasy_ms, minimal_ms = _median_ms(weasy), _median_ms(minimal)
    full_cpu_ms, weasy_cpu_ms = _median_ms(full_cpu), _median_ms(weasy_cpu)
    share = ours_ms / full_ms
    full_met, share_met = full_ms <= 2000, share <= 0.25
    section.figures += [
        Figure(
            "full report: report_pdf()",
            f"{full_ms:,.0f} ms",
            f"{weasy_ms:,.0f} ms (WeasyPrint only)",
            f"{full_ms / weasy_ms:.2f}×",
            "≤ 2,000 ms",
            full_met,
        ),
        Figure(
            "WeasyPrint only: html_to_pdf(html)",
            f"{weasy_ms:,.0f} ms",
            f"{minimal_ms:,.0f} ms (1-page PDF)",
            f"{weasy_ms / minimal_ms:.1f}×",
        ),
        Figure(
            "our part: report_html() (template+charts)",
            f"{ours_ms:,.0f} ms",
            f"{full_ms:,.0f} ms (full report)",
            f"{share:.0%} of the whole",
            "≤ 25 %",
            share_met,
        ),
        Figure("minimal PDF: html_to_pdf('<p>Hallo</p>')", f"{minimal_ms:,.0f} ms"),
        Figure(
            "CPU time of this process: full report",
            f"{full_cpu_ms:,.0f} ms",
            f"{weasy_cpu_ms:,.0f} ms (WeasyPrint only)",
            f"{full_cpu_ms / weasy_cpu_ms:.2f}×",
        ),
        Figure("first render in this process (cold)", f"{cold_s * 1000:,.0f} ms"),
        Figure("report", f"{result.pages} pages, {len(result.pdf) / 1024:,.0f} KiB"),
    ]
    section.notes.append(
        f"re-assessment with all {len(rich_answers(fixture.document))} questions visible, "
        f"5 use cases, previous result for comparison, 4 consultant notes + 1 internal; "
        f"median of {repeat}; full − WeasyPrint-only = {full_ms - weasy_ms:,.0f} ms "
        f"({(full_ms - weasy_ms) / full_ms:.0%})"
    )
    if first.refused:
        section.notes.append(f"WARNING: the fetcher refused {len(first.refused)} URLs")
    section.summary.append(
        f"Report: full report {full_ms:,.0f} ms median ({result.pages} pages); WeasyPrint alone on "
        f"the same HTML {weasy_ms:,.0f} ms ({full_ms / weasy_ms:.2f}×); one-page PDF "
        f"{minimal_ms:,.0f} ms; template + charts {ours_ms:,.0f} ms = {share:.0%} of the whole "
        f"(CPU: full {full_cpu_ms:,.0f} ms, WeasyPrint {weasy_cpu_ms:,.0f} ms). "
        f"Targets ≤ 2 s: {yes_no(full_met)}, ≤ 25 %: {yes_no(share_met)}"
    )
    return section


# --- 4. worker ---------------------------------------------------------------------------------


class Worker:
    """A real ``celery -A portal worker`` subprocess in its own process group."""

    def __init__(self, name: str, *, pool: str, concurrency: int, logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"worker-{name}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-n",
            f"bench-{name}@%h",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=ROOT,
            env=dict(os.environ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.append(self)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited: {self.tail()}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker {self.name} not ready after {timeout:.0f} s: {self.tail()}")

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and VmHWM of the worker's main process (the one that renders with --pool=solo)."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
        return values

    def tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our own process group only
                self.process.wait(timeout=5)
        self._log.close()
        if self in RUNNING:
            RUNNING.remove(self)


RUNNING: list[Worker] = []


def workers_stop_all() -> None:
    for worker in list(RUNNING):
        try:
            worker.stop()
        except Exception as error:  # noqa: BLE001 - cleanup must go on
            print(f"  (could not stop worker {worker.name}: {error})", file=sys.stderr)


def _queue(fixture: Fixture, n: int) -> tuple[list, float]:
    """``n`` reports in one transaction; on_commit sends them. Returns ids and send time."""
    from assessments.reports.services import report_request

    with transaction.atomic():
        ids = [
            report_request(assessment=fixture.assessment, user=fixture.owner, language="de").pk
            for _ in range(n)
        ]
        queued = timezone.now()
    return ids, queued


def _wait(ids: list, timeout: float = 180) -> list[Report]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reports = list(Report.objects.filter(pk__in=ids))
        failed = [r for r in reports if r.status == Report.Status.FAILED]
        if failed:
            raise RuntimeError(f"report failed: {failed[0].last_error[:300]}")
        if all(r.status == Report.Status.READY for r in reports):
            return reports
        time.sleep(0.05)
    raise RuntimeError(f"{len(ids)} reports not ready after {timeout:.0f} s")


def _throughput(fixture: Fixture, worker: Worker, n: int, warmup: int) -> tuple[float, float]:
    """Reports per second for ``n`` reports after ``warmup`` untimed ones, and median render s."""
    worker.wait_ready()
    _wait(_queue(fixture, warmup)[0])
    ids, queued = _queue(fixture, n)
    reports = _wait(ids)
    elapsed = (max(r.finished_at for r in reports) - queued).total_seconds()
    render = statistics.median((r.finished_at - r.started_at).total_seconds() for r in reports)
    return n / elapsed, render


def bench_worker(
    fixture: Fixture, *, n: int, logdir: Path, broker: str | None, redis_url: str
) -> Section:
    section = Section(f"4. Worker: memory and throughput ({n} reports)")
    if connection.vendor != "postgresql":
        return section.skip("needs PostgreSQL (workers and this process share the database)")
    if not broker:
        return section.skip(f"needs Redis: none answered at {redis_url} (--redis)")
    from portal.celery import app

    app.control.purge()  # leftovers of an interrupted run
    if fixture.assessment is None:
        rich_assessment(fixture)

    # Memory: one solo worker renders in its main process; one report at a time.
    worker = Worker("solo", pool="solo", concurrency=1, logdir=logdir)
    try:
        worker.wait_ready()
        samples = []
        for _ in range(n):
            _wait(_queue(fixture, 1)[0])
            samples.append(worker.memory_kib())
    finally:
        worker.stop()
    rss = [s["VmRSS"] / 1024 for s in samples]
    hwm = samples[-1]["VmHWM"] / 1024
    growth = rss[-1] - rss[0]
    per_report = (rss[-1] - rss[1]) / (len(rss) - 2) if len(rss) > 2 else 0.0
    half = len(rss) // 2  # the second half should be flat once caches are warm
    late_growth = rss[-1] - rss[half - 1]
    flat = late_growth <= 2.0

    # Throughput: prefork with one and with two processes, each warmed up first.
    worker = Worker("c1", pool="prefork", concurrency=1, logdir=logdir)
    try:
        one, render_one = _throughput(fixture, worker, n, warmup=1)
    finally:
        worker.stop()
    worker = Worker("c2", pool="prefork", concurrency=2, logdir=logdir)
    try:
        two, render_two = _throughput(fixture, worker, n, warmup=2)
    finally:
        worker.stop()
    scale = two / one
    met = scale >= 1.7
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    section.figures += [
        Figure("RSS after report 1 (--pool=solo)", f"{rss[0]:,.0f} MiB"),
        Figure(
            f"RSS after report {n}",
            f"{rss[-1]:,.0f} MiB",
            f"{rss[0]:,.0f} MiB (after 1)",
            f"{growth:+.1f} MiB ({per_report:+.2f} MiB/report from 2 on)",
            "",
            None,
        ),
        Figure(
            f"RSS growth from report {half} to {n}",
            f"{late_growth:+.1f} MiB",
            "",
            "",
            "flat: ≤ 2 MiB",
            flat,
        ),
        Figure(f"peak RSS (VmHWM) after {n}", f"{hwm:,.0f} MiB"),
        Figure("throughput, 1 process (prefork -c1)", f"{one:.2f} reports/s"),
        Figure(
            "throughput, 2 processes (prefork -c2)",
            f"{two:.2f} reports/s",
            f"{one:.2f}/s (1 process)",
            f"{scale:.2f}×",
            "≥ 1.7×",
            met,
        ),
        Figure(
            "render time per report in the worker",
            f"{render_two * 1000:,.0f} ms (-c2)",
            f"{render_one * 1000:,.0f} ms (-c1)",
            f"{render_two / render_one:.2f}×",
        ),
    ]
    section.notes.append(
        f"{cores} cores; RSS of the solo worker's process after each report: "
        + ", ".join(f"{v:.0f}" for v in rss)
        + " MiB"
    )
    section.notes.append(
        f"throughput = reports / (last finished_at − commit of the {n} requests), after a "
        f"warm-up of one report per process; worker logs in {logdir} (kept with --keep)"
    )
    section.summary.append(
        f"Worker: RSS {rss[0]:,.0f} MiB after report 1, {rss[-1]:,.0f} MiB after report {n} "
        f"({growth:+.1f} MiB; {late_growth:+.1f} MiB from report {half} on, flat ≤ 2 MiB: "
        f"{yes_no(flat)}), peak {hwm:,.0f} MiB (solo pool); throughput {one:.2f} reports/s "
        f"with 1 process vs {two:.2f}/s with 2 = {scale:.2f}× on {cores} cores. "
        f"Target ≥ 1.7×: {yes_no(met)}"
    )
    return section
