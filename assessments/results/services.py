"""Stored results: computing a result row, storing it on submit, keeping "latest" right, and
recomputing all of them (``manage.py rescore``)."""

import json
import multiprocessing
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from portal.models import Organization

from ..models import Answer, Assessment, QuestionnaireVersion, Result
from ..scoring import score_and_missing
from ..scoring.compact import card_pack, card_pack_jsonb
from ..scoring.fingerprint import result_fingerprint
from ..selectors import answers_dict


def _result_fields(
    card, document: dict, *, incomplete_answers: bool, card_json: bool = False
) -> dict:
    """The stored fields of a ScoreCard (``card_json``: the card as the JSON text PostgreSQL
    prints for it, for rescore's comparison and COPY)."""
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
        # keys and numbers; texts are references into the (immutable) catalogue version
        "card": card_pack_jsonb(card, document) if card_json else card_pack(card, document),
        "catalogue_version": f"{card.catalogue_key} {card.catalogue_version}",
        "scoring_version": card.scoring_version,
        "incomplete_answers": incomplete_answers,
    }


def result_fields(
    *, document: dict, answers: dict, card_json: bool = False, fingerprint: str | None = None
) -> dict:
    """Every stored field of the Result of ``answers`` scored against ``document``.

    The one place that computes a result row: submit, rescore, the load seed and the benchmark
    all go through it, so ``fingerprint`` (what the result was computed from) means the same
    everywhere. One walk over the shown questions gives the scores and the incomplete flag.
    """
    card, missing = score_and_missing(document, answers)
    return {
        **_result_fields(card, document, incomplete_answers=bool(missing), card_json=card_json),
        "fingerprint": fingerprint or result_fingerprint(document, answers),
    }


def result_store(*, assessment: Assessment) -> Result:
    """Score the submitted answers (pure, well under a millisecond) and store the result."""
    document = assessment.questionnaire.document
    result, _created = Result.objects.update_or_create(
        assessment=assessment,
        defaults={
            "organization_id": assessment.organization_id,
            "computed_at": timezone.now(),
            **result_fields(document=document, answers=answers_dict(assessment)),
        },
    )
    latest_results_refresh(organization_ids=[assessment.organization_id])
    return result


def latest_results_refresh(*, organization_ids=None) -> int:
    """Point each organisation at the result of its most recently submitted assessment.

    One UPDATE with a subquery per call; ``None`` refreshes every organisation (after a rescore,
    a migration or a bulk load). Returns the number of organisations updated.
    """
    newest = Result.objects.filter(organization=OuterRef("pk")).newest_first().values("pk")[:1]
    organizations = Organization.objects.all()
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=organization_ids)
    return organizations.update(latest_result=Subquery(newest))


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
    "card",
    "catalogue_version",
    "scoring_version",
    "incomplete_answers",
    "fingerprint",
    "computed_at",
)


# What a rescore compares with the stored row (everything it writes but the time stamp).
COMPARED_FIELDS = tuple(
    name for name in RESCORE_FIELDS if name not in ("computed_at", "fingerprint")
)


@dataclass(frozen=True)
class RescoreOutcome:
    """``rescored`` results were computed; ``skipped`` were not, because their fingerprint
    showed unchanged inputs (only with ``skip_unchanged``). Of the computed ones, ``written``
    rows had a stored field that differed from the new result and were written in full;
    ``fingerprints`` had equal fields and only a new fingerprint, which alone was written; the
    rest were equal in every field and not written at all."""

    rescored: int
    skipped: int
    written: int = 0
    fingerprints: int = 0

    @property
    def total(self) -> int:
        return self.rescored + self.skipped


def results_rescore(
    *,
    batch_size: int = 1000,
    skip_unchanged: bool = False,
    pk_range: tuple | None = None,
    refresh_latest: bool = True,
) -> RescoreOutcome:
    """Recompute the stored results (after a catalogue fix or a new scoring version), in bulk.

    By default every result is recomputed: that also repairs a hand-edited row and picks up an
    engine fix that forgot to raise the scoring version. ``skip_unchanged`` is the cheap second
    lever: a result whose fingerprint (catalogue checksum, scoring and storage version, scoring
    code, answers) equals the one it was computed with is skipped, because a rescore would write
    exactly what it has. ``pk_range`` (``(after, upto)``, either None for open) limits the run
    to results with ``after < pk <= upto`` (``rescore --jobs``); each batch is written in its
    own transaction.
    """
    documents: dict[int, dict] = {}
    rescored = skipped = written = fingerprints = 0
    after, upto = pk_range or (None, None)
    card_json = connection.vendor == "postgresql"  # COPY takes the card as JSON text
    while True:
        page = Result.objects.order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        if upto is not None:
            page = page.filter(pk__lte=upto)
        # the stored fields too: a row whose new fields equal them is not written
        if card_json:
            # the JSON fields as PostgreSQL prints them: compared as text, not decoded (decoding
            # every stored card cost about as much as packing a new one)
            page = page.annotate(
                **{f"{name}_text": Cast(name, TextField()) for name in _JSON_FIELDS}
            )
            compared = [
                f"{name}_text" if name in _JSON_FIELDS else name for name in COMPARED_FIELDS
            ]
        else:
            compared = COMPARED_FIELDS
        batch = list(
            page.values_list("pk", "assessment__questionnaire_id", "fingerprint", *compared)[
                :batch_size
            ]
        )
        if not batch:
            break
        after = batch[-1][0]
        answers = _answers_by_assessment([row[0] for row in batch])
        now = timezone.now()
        rows = []
        new_fingerprints = []
        for pk, version_id, stored_fingerprint, *stored in batch:
            document = documents.get(version_id)
            if document is None:
                document = documents[version_id] = QuestionnaireVersion.objects.values_list(
                    "document", flat=True
                ).get(pk=version_id)
            fingerprint = result_fingerprint(document, answers[pk])
            if skip_unchanged and stored_fingerprint == fingerprint:
                skipped += 1
                continue
            rescored += 1
            fields = result_fields(
                document=document, answers=answers[pk], card_json=card_json, fingerprint=fingerprint
            )
            if card_json:
                fields["vendor_exposure"] = jsonb_text(fields["vendor_exposure"])
            pairs = zip(COMPARED_FIELDS, stored, strict=True)
            if any(fields[name] != value for name, value in pairs):
                rows.append({"assessment_id": pk, "computed_at": now, **fields})
            elif stored_fingerprint != fingerprint:
                # the same result from changed inputs (say, a code change that did not change
                # any result): record the new fingerprint, so that --skip-unchanged skips it
                # next time; the stored result and its computed_at stay as they are
                new_fingerprints.append((pk, fingerprint))
        if rows:
            _results_write(rows)
        if new_fingerprints:
            _fingerprints_write(new_fingerprints)
        written += len(rows)
        fingerprints += len(new_fingerprints)
        if len(batch) < batch_size:
            break
    if refresh_latest:
        # A rescore never changes which result is the latest; refreshing heals a reference that
        # a manual data fix may have left behind, at the cost of one UPDATE.
        latest_results_refresh()
    return RescoreOutcome(
        rescored=rescored, skipped=skipped, written=written, fingerprints=fingerprints
    )


def results_rescore_parallel(
    *, jobs: int, batch_size: int = 1000, skip_unchanged: bool = False
) -> RescoreOutcome:
    """``results_rescore`` in ``jobs`` processes over contiguous ranges of result ids, each with
    its own database connection (PostgreSQL only: SQLite has a single writer)."""
    if jobs < 2:
        return results_rescore(batch_size=batch_size, skip_unchanged=skip_unchanged)
    if connection.vendor != "postgresql":
        raise ValueError("parallel rescore needs PostgreSQL (SQLite allows one writer at a time)")
    if connection.in_atomic_block:
        raise ValueError(
            "parallel rescore cannot run inside a transaction (the other processes would not "
            "see its rows)"
        )
    pks = list(Result.objects.order_by("pk").values_list("pk", flat=True))
    if not pks:
        return RescoreOutcome(rescored=0, skipped=0)
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
        outcomes = pool.starmap(_rescore_range, [(r, batch_size, skip_unchanged) for r in ranges])
    latest_results_refresh()
    return RescoreOutcome(
        rescored=sum(o.rescored for o in outcomes),
        skipped=sum(o.skipped for o in outcomes),
        written=sum(o.written for o in outcomes),
        fingerprints=sum(o.fingerprints for o in outcomes),
    )


def _rescore_range(pk_range: tuple, batch_size: int, skip_unchanged: bool) -> RescoreOutcome:
    # A forked child must never use (or close: the socket is shared) a connection object it
    # inherited; the parent closed its own before forking, this also drops any other one.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    try:
        return results_rescore(
            batch_size=batch_size,
            skip_unchanged=skip_unchanged,
            pk_range=pk_range,
            refresh_latest=False,
        )
    finally:
        connections.close_all()


def _answers_by_assessment(assessment_ids: list) -> dict:
    answers: dict = {pk: {} for pk in assessment_ids}
    if connection.vendor == "postgresql":
        # One JSON object per assessment instead of one decoded JSON value per answer row; json
        # (not jsonb) aggregation about halves the server's work (keys are unique per assessment,
        # and nothing depends on their order).
        table = connection.ops.quote_name(Answer._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT assessment_id, json_object_agg(question_key, value) FROM {table} "  # noqa: S608 - table name from model meta
                "WHERE assessment_id = ANY(%s) GROUP BY assessment_id",
                [assessment_ids],
            )
            for assessment_id, values in cursor.fetchall():
                # text or already decoded, depending on the driver's loaders
                answers[assessment_id] = json.loads(values) if isinstance(values, str) else values
        return answers
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=assessment_ids
    ).values_list("assessment_id", "question_key", "value"):
        answers[assessment_id][key] = value
    return answers


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


def _fingerprints_write(pairs: list[tuple]) -> None:
    """Write only the fingerprints of results whose stored fields were already right."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Result._meta.db_table)
        key = connection.ops.quote_name(Result._meta.pk.column)
        key_type = Result._meta.pk.db_type(connection)  # the assessment's key (uuid)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET fingerprint = new.fingerprint "  # noqa: S608 - names from model meta
                f"FROM unnest(%s::{key_type}[], %s::text[]) AS new(id, fingerprint) "
                f"WHERE {table}.{key} = new.id",
                [[pk for pk, _f in pairs], [f for _pk, f in pairs]],
            )
        return
    with transaction.atomic():
        Result.objects.bulk_update(
            [Result(assessment_id=pk, fingerprint=f) for pk, f in pairs],
            ["fingerprint"],
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
        # lz4 compresses the large score cards several times faster than the default pglz.
        cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
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


_JSON_FIELDS = ("vendor_exposure", "card")


def _jsonb_key(key: str) -> tuple:
    encoded = key.encode()
    return len(encoded), encoded


def jsonb_text(value) -> str:
    """``value`` as JSON text the way PostgreSQL prints a jsonb value (``::text``): ", " and
    ": " between items, UTF-8 rather than escapes, and an object's keys shorter first, then
    bytewise. Only the outer object is reordered: the objects inside a packed card are already
    in that order (texts are ``{de, en}``, the vendor mapping is written so, answers come from
    jsonb). Where it still differs from PostgreSQL's text (say, a float PostgreSQL prints in
    another notation) the row only counts as changed and is written again: never skipped
    wrongly."""
    if isinstance(value, dict):
        value = {key: value[key] for key in sorted(value, key=_jsonb_key)}
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _json_text(value) -> str:
    """JSON text for COPY; the card arrives as text already (``card_pack_jsonb``)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
