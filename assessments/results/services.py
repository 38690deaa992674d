"""Stored results: computing a result row, storing it on submit, keeping "latest" right, and
recomputing all of them (``manage.py rescore``)."""

import functools
import gc
import json
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from portal.models import Organization
from portal.portfolio.summary import client_summaries_refresh

from ..models import Answer, Assessment, QuestionnaireVersion, Result
from ..questionnaire.selectors import answers_dict
from ..scoring import score_and_missing, score_figures
from ..scoring.stamp import result_stamp

logger = logging.getLogger(__name__)


def _result_fields(card, *, incomplete_answers: bool) -> dict:
    """The stored fields of a ScoreCard or of its ``Figures``: the numbers, levels and keys the
    lists filter, sort and show. The card itself is not stored: ``Result.scorecard()`` scores
    the frozen answers again when a page needs its texts (decision 0047)."""
    scores = card.scores
    order = ("low", "medium", "high", "critical")
    return {
        "lock_in": scores.get("lock_in", 0),
        "gdpr": scores.get("gdpr", 0),
        "ai_act": scores.get("ai_act", 0),
        "continuity": scores.get("continuity", 0),
        "governance": scores.get("governance", 0),
        "readiness": card.readiness,
        "worst_level": max(card.levels.values(), key=order.index, default="low"),
        "exposure": card.exposure,
        "vendor_exposure": dict(card.vendor_exposure),
        "catalogue_version": f"{card.catalogue_key} {card.catalogue_version}",
        "scoring_version": card.scoring_version,
        "incomplete_answers": incomplete_answers,
        "lock_in_drivers": top_drivers(card, "lock_in"),
    }


TOP_DRIVERS = 3


def top_drivers(card, dimension: str) -> list[list]:
    """``[question key, answer]`` of the ``dimension``'s first drivers (the card lists them
    most points first)."""
    return [[d.question_key, d.answer] for d in card.drivers_of(dimension)[:TOP_DRIVERS]]


# the dimensions whose drivers a stored result keeps (``top_drivers`` in ``_result_fields``)
STORED_DRIVERS = ("lock_in",)


def result_fields(*, document: dict, answers: dict) -> dict:
    """Every stored field of the Result of ``answers`` scored against ``document``.

    The one place that computes a result row: submit, rescore, the load seed and the benchmark
    all go through it, so ``computed_with`` (the stamp of the code and catalogue version that
    computed the result) means the same everywhere. One walk over the shown questions gives the
    scores and the incomplete flag. The action plan and the texts are not stored, so only the
    card's figures are computed (``score_figures``); ``scored_result`` gives the same fields
    with the whole card.
    """
    figures, missing = score_figures(document, answers, drivers_of=STORED_DRIVERS)
    return _stored_row(figures, missing, document)


def scored_result(*, document: dict, answers: dict) -> tuple:
    """(the ScoreCard, the stored fields) of ``answers``: ``result_fields`` with the card."""
    card, missing = score_and_missing(document, answers)
    return card, _stored_row(card, missing, document)


def _stored_row(card, missing: tuple, document: dict) -> dict:
    """Every stored field of a card or its figures with the missing answers it was scored with."""
    return {
        **_result_fields(card, incomplete_answers=bool(missing)),
        "computed_with": result_stamp(document),
    }


def result_store(*, assessment: Assessment, summary: bool = True) -> Result:
    """Score the submitted answers (pure, well under a millisecond) and store the result.

    ``summary=False``: the caller refreshes the client's portfolio summary itself, later in the
    same transaction (``assessment_submit``, once its action plan and review state exist)."""
    document = assessment.questionnaire.document
    card, fields = scored_result(document=document, answers=answers_dict(assessment))
    result, _created = Result.objects.update_or_create(
        assessment=assessment,
        defaults={
            "organization_id": assessment.organization_id,
            "computed_at": timezone.now(),
            **fields,
        },
    )
    result.__dict__["_scorecard"] = card  # what Result.scorecard() would score again
    latest_results_refresh(organization_ids=[assessment.organization_id], summary=summary)
    return result


def latest_results_refresh(*, organization_ids=None, summary: bool = True) -> int:
    """Point each organisation at the result of its most recently submitted assessment, and
    (``summary``) bring their portfolio summary rows along in the same transaction.

    One UPDATE with a subquery per call; ``None`` refreshes every organisation (after a rescore,
    a migration or a bulk load). Returns the number of organisations updated.
    """
    newest = Result.objects.filter(organization=OuterRef("pk")).newest_first().values("pk")[:1]
    organizations = Organization.objects.all()
    if organization_ids is not None:
        organization_ids = list(organization_ids)
        organizations = organizations.filter(pk__in=organization_ids)
    with transaction.atomic():
        updated = organizations.update(latest_result=Subquery(newest))
        if summary:
            client_summaries_refresh(organization_ids=organization_ids)
    return updated


RESCORE_FIELDS = (
    "lock_in",
    "gdpr",
    "ai_act",
    "continuity",
    "governance",
    "readiness",
    "worst_level",
    "exposure",
    "vendor_exposure",
    "catalogue_version",
    "scoring_version",
    "incomplete_answers",
    "lock_in_drivers",
    "computed_with",
    "computed_at",
)


# What a rescore compares with the stored row (everything it writes but the time stamp).
COMPARED_FIELDS = tuple(
    name for name in RESCORE_FIELDS if name not in ("computed_at", "computed_with")
)


@dataclass(frozen=True)
class RescoreOutcome:
    """``stale`` results carried another stamp (``computed_with``) than their catalogue version
    gives now; ``rescored`` were recomputed (the stale ones by default, every result with
    ``all_results``). Of the recomputed ones, ``written`` had a stored field that differed from
    the new result and were written in full (with ``computed_at = now``); ``stamps`` had equal
    fields and another stamp, and only the stamp was written; the rest were not written.
    ``processes`` did the work (``rescore --jobs``)."""

    stale: int
    rescored: int
    written: int = 0
    stamps: int = 0
    processes: int = 1


def version_stamps() -> dict[int, tuple[dict, str]]:
    """Each catalogue version that has results: its document and the stamp a result scored
    against it by this code carries (one query; the few documents are read and checksummed)."""
    versions = QuestionnaireVersion.objects.filter(
        Exists(Result.objects.filter(assessment__questionnaire=OuterRef("pk")))
    ).values_list("pk", "document")
    return {pk: (document, result_stamp(document)) for pk, document in versions}


def stale_results(stamps: dict[int, tuple[dict, str]]) -> Q:
    """The results whose stamp differs from their catalogue version's current one, in SQL
    (``stamps`` from ``version_stamps``; nothing when it is empty)."""
    condition = Q(pk__in=())
    for version_id, (_document, stamp) in stamps.items():
        condition |= Q(assessment__questionnaire_id=version_id) & ~Q(computed_with=stamp)
    return condition


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for one batch of a rescore.

    Scoring a batch allocates hundreds of thousands of small objects (answer dicts, cards,
    packed parts) and frees them by reference count; they form no cycles. The collector's
    passes over everything alive (Django, the catalogue indexes, the packer's memos) still ran
    about 660 times in a rescore of 10,000 results, 0.4-0.5 s inside the collector alone
    (gc.callbacks). Collection resumes after the batch, so any cycle made meanwhile is freed.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _InPlace:
    """``database_worker`` without a thread: each call runs when it is submitted."""

    @staticmethod
    def submit(function, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(function(*args))
        except BaseException as error:  # handed to whoever asks for the result
            future.set_exception(error)
        return future


class _Worker:
    """A thread with a database connection of its own that runs what is submitted, in order."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore-db")
        self.futures: list[Future] = []

    def submit(self, function, *args) -> Future:
        future = self.pool.submit(function, *args)
        self.futures.append(future)
        return future

    def close(self, *, cancel: bool) -> None:
        if cancel:  # after an error: what has not started yet does not start
            for future in self.futures:
                future.cancel()
        closing = self.pool.submit(connections.close_all)  # the thread's own connections
        self.pool.shutdown(wait=True)
        if closing.exception() is not None:  # the run's outcome stands; the operator hears of it
            logger.warning(
                "rescore: could not close the database thread's connection",
                exc_info=closing.exception(),
            )


# How often the interpreter lets another thread run while a rescore's database thread works
# (Python's default: every 5 ms). The thread reads a batch's answers in many small network
# reads and waits for its turn after each one: at 5 ms the scoring thread ended up waiting for
# it (measured: 10,000 results in 1.5-1.7 s, at 0.5 ms 1.2-1.35 s).
RESCORE_SWITCH_INTERVAL = 0.0005


@contextmanager
def database_worker():
    """Where a rescore runs its queries. On PostgreSQL outside a transaction: a thread with a
    connection of its own, so that the database reads the next batch (and writes the last one)
    while this thread scores; its statements run in the order submitted, as they would here.
    Inside a transaction (the caller's, a test's) another connection could not see its rows,
    and SQLite has one writer: there each query runs in place, when it is submitted.

    On leaving, the thread finishes what was submitted (after an error, only what has
    started) and closes its connection."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield _InPlace()
        return
    worker = _Worker()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, RESCORE_SWITCH_INTERVAL))
    failed = True
    try:
        yield worker
        failed = False
    finally:
        try:
            worker.close(cancel=failed)
        finally:
            sys.setswitchinterval(interval)


def results_rescore(
    *,
    batch_size: int = 1000,
    all_results: bool = False,
    pk_range: tuple | None = None,
    refresh_latest: bool | None = None,
) -> RescoreOutcome:
    """Recompute stored results in bulk (after a catalogue fix or a new scoring version).

    By default only the stale results are recomputed: those whose ``computed_with`` differs from
    the stamp of the scoring code and their catalogue version now, selected in SQL per version.
    A result belongs to a submitted assessment with frozen answers, so nothing else can make it
    stale, except a hand edit of the row: ``all_results`` recomputes every result and writes
    whatever differs, which repairs that. With nothing stale, the run is one query on the
    versions and one on the results, and writes nothing.

    A recomputed result is compared with the stored row: a row with a differing field is
    written in full; one with equal fields and only another stamp gets just the new stamp
    (its ``computed_at`` stays); an equal row is not written. ``pk_range`` (``(after, upto)``,
    either None for open) limits the run to results with ``after < pk <= upto`` (``rescore
    --jobs``); each batch is written in its own transaction. ``refresh_latest`` (default: with
    ``all_results``) refreshes every organisation's latest-result reference afterwards.
    """
    stamps = version_stamps()
    if refresh_latest is None:
        refresh_latest = all_results
    stale = rescored = written = new_stamp_count = 0
    if not stamps:
        if refresh_latest:
            latest_results_refresh()
        return RescoreOutcome(stale=0, rescored=0)
    after, upto = pk_range or (None, None)
    json_text = connection.vendor == "postgresql"  # compare the JSON fields as text
    results = Result.objects.order_by("pk")
    if not all_results:
        results = results.filter(stale_results(stamps))
    if upto is not None:
        results = results.filter(pk__lte=upto)
    if json_text:
        # the JSON fields as PostgreSQL prints them: compared as text, not decoded
        results = results.annotate(
            **{f"{name}_text": Cast(name, TextField()) for name in _JSON_FIELDS}
        )
        compared = [f"{name}_text" if name in _JSON_FIELDS else name for name in COMPARED_FIELDS]
    else:
        compared = COMPARED_FIELDS
    results = results.values_list("pk", "assessment__questionnaire_id", "computed_with", *compared)

    def fetch(after):
        """The next batch of results after ``after`` and their answers."""
        page = results if after is None else results.filter(pk__gt=after)
        batch = list(page[:batch_size])
        if not batch:
            return batch, {}
        return batch, _answers_by_assessment([row[0] for row in batch], decode=not json_text)

    def write(rows, new_stamps):
        if rows:
            with transaction.atomic():
                _results_write(rows)
                # the portfolio rows of the clients whose latest result changed, with it
                client_summaries_refresh(
                    organization_ids=_organizations_whose_latest_is(
                        [row["assessment_id"] for row in rows]
                    )
                )
        if new_stamps:
            _stamps_write(new_stamps)

    with database_worker() as worker:
        pending = worker.submit(fetch, after)
        writes = []
        while True:
            batch, answers = pending.result()
            if not batch:
                break
            after = batch[-1][0]
            last = len(batch) < batch_size
            if not last:
                # the database reads the next batch while this one is scored
                pending = worker.submit(fetch, after)
            with cyclic_gc_paused():
                now = timezone.now()
                rows = []
                new_stamps = []
                for pk, version_id, stored_stamp, *stored in batch:
                    entry = stamps.get(version_id)
                    if entry is None:  # a version whose first result arrived during the run
                        document = QuestionnaireVersion.objects.values_list(
                            "document", flat=True
                        ).get(pk=version_id)
                        entry = stamps[version_id] = (document, result_stamp(document))
                    document, stamp = entry
                    stale += stored_stamp != stamp
                    rescored += 1
                    given = answers[pk]
                    if json_text:  # read as text by the database thread (PostgreSQL)
                        given = json.loads(given)
                    fields = result_fields(document=document, answers=given)
                    if json_text:
                        fields["vendor_exposure"] = jsonb_text(fields["vendor_exposure"])
                        fields["lock_in_drivers"] = jsonb_text(fields["lock_in_drivers"])
                    pairs = zip(COMPARED_FIELDS, stored, strict=True)
                    if any(fields[name] != value for name, value in pairs):
                        rows.append({"assessment_id": pk, "computed_at": now, **fields})
                    elif stored_stamp != stamp:
                        # the same result from another code or catalogue state (say, a
                        # refactoring): record the new stamp, so that it is not stale next
                        # time; the stored result and its computed_at stay as they are
                        new_stamps.append((pk, stamp))
            if rows or new_stamps:
                writes.append(worker.submit(write, rows, new_stamps))
            written += len(rows)
            new_stamp_count += len(new_stamps)
            while writes and writes[0].done():
                writes.pop(0).result()  # a failed write stops the run here
            if last:
                break
        for done in writes:
            done.result()
    if refresh_latest:
        # A rescore never changes which result is the latest; refreshing heals a reference that
        # a manual data fix may have left behind, at the cost of one UPDATE.
        latest_results_refresh()
    return RescoreOutcome(stale=stale, rescored=rescored, written=written, stamps=new_stamp_count)


# ``jobs=None`` (rescore's default) starts a process per core only with at least this many results
# per process: forking, connecting and loading the catalogue cost a process about 0.1 s.
PARALLEL_MIN_RESULTS = 1000


def _cpu_times() -> tuple[int, int]:
    """(idle, total) clock ticks of all CPUs since boot, from /proc/stat (Linux): idle and
    iowait count as idle; steal (a virtual machine's host took the CPU) does not."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    return fields[3] + fields[4], sum(fields)


def idle_cores(sample_seconds: float = 0.2) -> int:
    """The cores this process may run on that other work leaves idle, measured over
    ``sample_seconds`` (this process sleeps meanwhile), at least one; all of them where that
    cannot be measured. On a shared machine whose cores are busy, more processes than idle
    cores only contend (measured: 2 processes on 2 cores, one of them busy, took 15 % longer
    than one; on an idle machine 1.8 times less). Not the load average: it lags a minute behind
    and counts this process's own work just before."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        idle_before, total_before = _cpu_times()
        time.sleep(sample_seconds)
        idle_after, total_after = _cpu_times()
    except (OSError, ValueError, IndexError):
        return cores
    if total_after <= total_before:
        return cores
    share = (idle_after - idle_before) / (total_after - total_before)  # of all CPUs
    return max(1, min(cores, round(share * (os.cpu_count() or cores))))


def results_rescore_parallel(
    *, jobs: int | None = None, batch_size: int = 1000, all_results: bool = False
) -> RescoreOutcome:
    """``results_rescore`` in ``jobs`` processes over contiguous ranges of the results to
    recompute (the stale ones, or all), each with its own database connection (PostgreSQL only:
    SQLite has a single writer). With nothing to recompute no process is started.

    ``jobs=None`` chooses: on PostgreSQL outside a transaction, with at least two times
    ``PARALLEL_MIN_RESULTS`` results to recompute, one process per idle core (``idle_cores``),
    but no more than one per ``PARALLEL_MIN_RESULTS`` results; otherwise one. Scoring is
    CPU-bound Python, so on an otherwise idle machine two processes take about half the time
    (docs/decisions/0007-rescore-processes-per-idle-core.md).
    """
    auto = jobs is None
    if auto:
        usable = connection.vendor == "postgresql" and not connection.in_atomic_block
        jobs = 2 if usable else 1  # decided below, once the number of results is known
    if jobs < 2:
        return results_rescore(batch_size=batch_size, all_results=all_results)
    if connection.vendor != "postgresql":
        raise ValueError("parallel rescore needs PostgreSQL (SQLite allows one writer at a time)")
    if connection.in_atomic_block:
        raise ValueError(
            "parallel rescore cannot run inside a transaction (the other processes would not "
            "see its rows)"
        )
    results = Result.objects.order_by("pk")
    if not all_results:
        stamps = version_stamps()
        if not stamps:
            return RescoreOutcome(stale=0, rescored=0)
        results = results.filter(stale_results(stamps))
    pks = list(results.values_list("pk", flat=True))
    if not pks:
        if all_results:
            latest_results_refresh()
        return RescoreOutcome(stale=0, rescored=0)
    if auto:
        jobs = len(pks) // PARALLEL_MIN_RESULTS
        if jobs >= 2:  # measuring the idle cores takes a moment: only when it matters
            jobs = min(jobs, idle_cores())
        if jobs < 2:
            return results_rescore(batch_size=batch_size, all_results=all_results)
    size = -(-len(pks) // jobs)  # ceiling division
    ranges = []
    after = None
    for start in range(0, len(pks), size):
        upto = pks[min(start + size, len(pks)) - 1]
        ranges.append((after, upto))
        after = upto
    ranges[-1] = (ranges[-1][0], None)  # results added meanwhile are not left out
    connections.close_all()  # forked children must open connections of their own
    context = multiprocessing.get_context("fork")
    with context.Pool(len(ranges)) as pool:
        outcomes = pool.starmap(_rescore_range, [(r, batch_size, all_results) for r in ranges])
    if all_results:
        latest_results_refresh()
    return RescoreOutcome(
        stale=sum(o.stale for o in outcomes),
        rescored=sum(o.rescored for o in outcomes),
        written=sum(o.written for o in outcomes),
        stamps=sum(o.stamps for o in outcomes),
        processes=len(outcomes),
    )


def _rescore_range(pk_range: tuple, batch_size: int, all_results: bool) -> RescoreOutcome:
    # A forked child must never use (or close: the socket is shared) a connection object it
    # inherited; the parent closed its own before forking, this also drops any other one.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    try:
        return results_rescore(
            batch_size=batch_size,
            all_results=all_results,
            pk_range=pk_range,
            refresh_latest=False,
        )
    finally:
        connections.close_all()


def _answers_by_assessment(assessment_ids: list, *, decode: bool = True) -> dict:
    """``{assessment id: {question key: value}}`` of these assessments (each present, maybe
    empty). ``decode=False`` (PostgreSQL): each assessment's answers as one JSON text instead,
    for ``json.loads`` where it suits the caller (a rescore decodes them in its scoring thread,
    not in the thread that reads)."""
    if connection.vendor == "postgresql":
        # One JSON object per assessment instead of one decoded JSON value per answer row; json
        # (not jsonb) aggregation about halves the server's work (keys are unique per assessment,
        # and nothing depends on their order).
        empty = {} if decode else "{}"
        answers: dict = dict.fromkeys(assessment_ids, empty)
        table = connection.ops.quote_name(Answer._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT assessment_id, json_object_agg(question_key, value)::text FROM {table} "  # noqa: S608 - table name from model meta
                "WHERE assessment_id = ANY(%s) GROUP BY assessment_id",
                [assessment_ids],
            )
            if decode:
                for assessment_id, text in cursor.fetchall():
                    answers[assessment_id] = json.loads(text)
            else:
                answers.update(cursor.fetchall())
        return answers
    answers = {pk: {} for pk in assessment_ids}
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=assessment_ids
    ).values_list("assessment_id", "question_key", "value"):
        answers[assessment_id][key] = value
    return answers


def _organizations_whose_latest_is(result_ids: list) -> list:
    """The organisations whose latest result is one of ``result_ids``. On PostgreSQL one array
    parameter: an ``IN`` list of 1,000 keys cost 13 ms to send and plan, the array 3 ms."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Organization._meta.db_table)
        column = connection.ops.quote_name(Organization._meta.get_field("latest_result").column)
        key = connection.ops.quote_name(Organization._meta.pk.column)
        key_type = Result._meta.pk.db_type(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key} FROM {table} WHERE {column} = ANY(%s::{key_type}[])",  # noqa: S608 - names from model meta
                [result_ids],
            )
            return [row[0] for row in cursor.fetchall()]
    return list(
        Organization.objects.filter(latest_result_id__in=result_ids).values_list("pk", flat=True)
    )


def _results_write(rows: list[dict]) -> None:
    """Write one batch of recomputed results: only the columns a rescore computes, in one
    transaction."""
    if connection.vendor == "postgresql":
        _results_write_postgresql(rows)
        return
    with transaction.atomic():
        Result.objects.bulk_update(
            [Result(**row) for row in rows], RESCORE_FIELDS, batch_size=RESCORE_WRITE_BATCH
        )


def _stamps_write(pairs: list[tuple]) -> None:
    """Write only the stamps of results whose stored fields were already right."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Result._meta.db_table)
        key = connection.ops.quote_name(Result._meta.pk.column)
        key_type = Result._meta.pk.db_type(connection)  # the assessment's key (uuid)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET computed_with = new.stamp "  # noqa: S608 - names from model meta
                f"FROM unnest(%s::{key_type}[], %s::text[]) AS new(id, stamp) "
                f"WHERE {table}.{key} = new.id",
                [[pk for pk, _f in pairs], [f for _pk, f in pairs]],
            )
        return
    with transaction.atomic():
        Result.objects.bulk_update(
            [Result(assessment_id=pk, computed_with=stamp) for pk, stamp in pairs],
            ["computed_with"],
            batch_size=RESCORE_WRITE_BATCH,
        )


# SQLite allows 999 (older builds) to 32,766 variables per statement; bulk_update's CASE needs
# two per row and column plus the keys.
RESCORE_WRITE_BATCH = 200


def _results_write_postgresql(rows: list[dict]) -> None:
    """COPY into a temporary table and one UPDATE … FROM: bulk_update's CASE per column and row
    spent most of a 10,000-result rescore building and sending SQL."""
    table = connection.ops.quote_name(Result._meta.db_table)
    columns = [Result._meta.get_field(name).column for name in ("assessment", *RESCORE_FIELDS)]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE rescore_rows ON COMMIT DROP AS SELECT {quoted} FROM {table} "  # noqa: S608 - names from model meta
            "WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY rescore_rows ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [row["assessment_id"]]
                    + [
                        _json_text(row[name]) if name in _JSON_FIELDS else row[name]
                        for name in RESCORE_FIELDS
                    ]
                )
        assignments = ", ".join(
            f"{connection.ops.quote_name(c)} = rescore_rows.{connection.ops.quote_name(c)}"
            for c in columns[1:]
        )
        key = connection.ops.quote_name(columns[0])
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM rescore_rows "  # noqa: S608 - names from model meta
            f"WHERE {table}.{key} = rescore_rows.{key}"
        )
        # ON COMMIT DROP is not enough when the caller holds an outer transaction (the next
        # batch would find the table still there)
        cursor.execute("DROP TABLE rescore_rows")


_JSON_FIELDS = ("vendor_exposure", "lock_in_drivers")


def _jsonb_key(key: str) -> tuple:
    encoded = key.encode()
    return len(encoded), encoded


@functools.lru_cache(maxsize=256)
def _jsonb_order(keys: tuple) -> tuple:
    """``keys`` in jsonb's order (every result has the same vendor keys: sorted once)."""
    return tuple(sorted(keys, key=_jsonb_key))


def jsonb_text(value) -> str:
    """``value`` as JSON text the way PostgreSQL prints a jsonb value (``::text``): ", " and
    ": " between items, UTF-8 rather than escapes, and an object's keys shorter first, then
    bytewise. Only the outer object is reordered: the objects inside are already in that order
    (the vendor mapping is written so, answers come from jsonb).
    Where it still differs from PostgreSQL's text (say, a float PostgreSQL prints in
    another notation) the row only counts as changed and is written again: never skipped
    wrongly."""
    if isinstance(value, dict):
        value = {key: value[key] for key in _jsonb_order(tuple(value))}
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _json_text(value) -> str:
    """JSON text for COPY (rescore hands the JSON fields over as PostgreSQL's text already)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
