"""Reads for the portfolio stress test: scenarios from the catalogue folder, and every visible
client's latest answers re-scored under one of them. Nothing is stored here (the background job
in ``services`` stores what this returns).

Speed (2,000 clients in the request): a client can only move if one of the few answers the
scenario looks at says so, so those answers are read first for everybody (a few thousand small
rows), and only the clients the scenario touches get their full answers loaded and scored. The
stored result is the baseline (``rescore`` keeps it equal to this engine's score of the same
answers; a result from another scoring version is scored afresh). A ``max: raise`` rule changes
a question's maximum, which moves every client who sees the question, so with such a rule every
client is scored. The drivers that moved need a second scoring per moved client; the page asks
for them only for the rows it shows (``stress_drivers_fill``), the CSV and the job for all.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from ..models import Answer, QuestionnaireVersion, Result
from ..scoring import SCORING_VERSION, score
from ..selectors import DIMENSION_FIELDS
from .engine import (
    PreparedScenario,
    Scenario,
    drivers_by_question,
    scenario_answers,
    scenario_keys,
    scenario_prepare,
    scenario_touches,
    scenarios_from_data,
    stress_compare,
)

SCENARIOS_FILE = Path(__file__).resolve().parent.parent / "catalogue" / "scenarios.yaml"
DRIVERS_PER_ROW = 3


@lru_cache(maxsize=4)
def _scenarios(path: str, mtime: float) -> dict[str, Scenario]:
    with open(path, encoding="utf-8") as handle:
        return scenarios_from_data(yaml.safe_load(handle) or {})


def scenarios_all() -> dict[str, Scenario]:
    return _scenarios(str(SCENARIOS_FILE), SCENARIOS_FILE.stat().st_mtime)


@dataclass
class StressRow:
    """One client under the scenario. Texts stay as catalogue dicts ({"de": …, "en": …}), so a
    stored job result is shown in the reader's language."""

    organization_id: str
    name: str
    consultant: str
    submitted_at: datetime | None
    readiness_before: int
    readiness_after: int
    deltas: dict[str, int]
    risk_delta: int
    # None: not worked out yet (see stress_drivers_fill); [] for a client that did not move.
    drivers: list[dict] | None = field(default_factory=list)
    assessment_id: str = ""
    version_id: int | None = None

    @property
    def moved(self) -> bool:
        return self.readiness_before != self.readiness_after or any(self.deltas.values())

    def to_data(self) -> dict:
        data = asdict(self)
        data["submitted_at"] = self.submitted_at.isoformat() if self.submitted_at else None
        return data

    @classmethod
    def from_data(cls, data: dict) -> StressRow:
        submitted = data.get("submitted_at")
        return cls(
            **{**data, "submitted_at": datetime.fromisoformat(submitted) if submitted else None}
        )


@dataclass
class StressResult:
    rows: list[StressRow]
    titles: dict[str, dict]  # dimension key -> title as catalogue dict
    problems: list[str]
    clients: int  # clients in the portfolio (visible, with a result)
    scored: int  # clients whose answers the scenario touches (scored again)

    @property
    def moved(self) -> int:
        return sum(1 for row in self.rows if row.moved)

    def to_data(self) -> dict:
        return {
            "rows": [row.to_data() for row in self.rows],
            "titles": self.titles,
            "problems": self.problems,
            "clients": self.clients,
            "scored": self.scored,
        }

    @classmethod
    def from_data(cls, data: dict) -> StressResult:
        return cls(
            rows=[StressRow.from_data(row) for row in data["rows"]],
            titles=data["titles"],
            problems=data["problems"],
            clients=data["clients"],
            scored=data["scored"],
        )


def _latest(user) -> list[tuple]:
    return list(
        Result.objects.visible_to(user)
        .latest_per_organization()
        .values_list(
            "assessment_id",
            "assessment__questionnaire_id",
            "organization_id",
            "organization__name",
            "organization__consultant__first_name",
            "organization__consultant__last_name",
            "assessment__submitted_at",
            "scoring_version",
            "readiness",
            *DIMENSION_FIELDS,
        )
    )


def stress_clients(*, user) -> int:
    """How many clients a stress test for ``user`` would score (visible, with a result)."""
    return Result.objects.visible_to(user).latest_per_organization().count()


# Prepared scenarios per (catalogue version, its checksum, scenario): the patched document and
# the scoring indexes of both documents are built once per process, not once per request.
_prepared_cache: dict[tuple, tuple[Scenario, PreparedScenario]] = {}
_prepared_lock = threading.Lock()
_PREPARED_MAX = 32


def _prepared(versions: set, scenario: Scenario) -> dict:
    checksums = dict(
        QuestionnaireVersion.objects.filter(pk__in=versions).values_list("pk", "sha256")
    )
    prepared = {}
    missing = []
    for version_id in versions:
        entry = _prepared_cache.get((version_id, checksums.get(version_id), scenario.key))
        if entry is not None and entry[0] is scenario:
            prepared[version_id] = entry[1]
        else:
            missing.append(version_id)
    if missing:
        documents = QuestionnaireVersion.objects.filter(pk__in=missing).values_list(
            "pk", "document"
        )
        for version_id, document in documents:
            prepared[version_id] = scenario_prepare(document, scenario)
            with _prepared_lock:
                while len(_prepared_cache) >= _PREPARED_MAX:
                    _prepared_cache.pop(next(iter(_prepared_cache)))
                _prepared_cache[(version_id, checksums.get(version_id), scenario.key)] = (
                    scenario,
                    prepared[version_id],
                )
    return prepared


def _answers_subset(user, keys: set[str]) -> dict:
    """Only the answers to ``keys`` of every visible latest assessment: what decides whether a
    client can move (a few rows per client)."""
    latest = Result.objects.visible_to(user).latest_per_organization().values("pk")
    subset: dict = {}
    rows = Answer.objects.filter(assessment_id__in=latest, question_key__in=sorted(keys))
    for assessment_id, key, value in rows.values_list("assessment_id", "question_key", "value"):
        subset.setdefault(assessment_id, {})[key] = value
    return subset


def _answers_of(assessment_ids: list) -> dict:
    """All answers of these assessments, one dict each."""
    answers: dict = {pk: {} for pk in assessment_ids}
    if not assessment_ids:
        return answers
    if connection.vendor == "postgresql":
        # One index lookup per assessment: for a few hundred ids out of many, ``= ANY(…)`` made
        # the planner read the whole answer table (4× slower, measured on 2,000 clients).
        table = connection.ops.quote_name(Answer._meta.db_table)
        with connection.cursor() as cursor:
            # The table name comes from the model's meta, the ids are a parameter.
            sql = (
                "SELECT i.id, x.answers FROM unnest(%s::uuid[]) AS i(id) CROSS JOIN LATERAL "  # noqa: S608
                "(SELECT jsonb_object_agg(a.question_key, a.value) AS answers "
                f"FROM {table} a WHERE a.assessment_id = i.id) x"
            )
            cursor.execute(sql, [list(assessment_ids)])
            for assessment_id, values in cursor.fetchall():
                if values is not None:
                    # Django's psycopg setup hands jsonb over as text.
                    if isinstance(values, str):
                        values = json.loads(values)
                    answers[assessment_id] = values
        return answers
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=assessment_ids
    ).values_list("assessment_id", "question_key", "value"):
        answers[assessment_id][key] = value
    return answers


def stress_run(
    *,
    user,
    scenario: Scenario,
    progress: Callable[[int, int], None] | None = None,
    chunk: int | None = None,
    drivers: bool = True,
    cached: bool = False,
) -> StressResult:
    """Every visible client's latest answers under ``scenario``, the most affected first.

    ``progress(done, total)`` is called after each chunk of clients scored (the background job
    saves it for the progress bar). With ``drivers=False`` the moved rows come without their
    drivers (``None``); ``stress_drivers_fill`` adds them for the rows a page shows.

    ``cached=True`` (the page: paging and the CSV after it) reuses a result computed in the
    last STRESS_TEST_CACHE_SECONDS for exactly the same latest results: the key covers every
    visible client's latest assessment, its stored scores and scoring version, the scenario and
    the scenario file, so a new submission, a rescore or another scope is a new key.
    """
    latest = _latest(user)
    key = None
    if cached:
        key = _cache_key(user, scenario, latest)
        hit = cache.get(key)
        if hit is not None:
            return hit
    result = _run(
        latest, user=user, scenario=scenario, progress=progress, chunk=chunk, drivers=drivers
    )
    if key is not None:
        cache.set(key, result, settings.STRESS_TEST_CACHE_SECONDS)
    return result


def _cache_key(user, scenario: Scenario, latest: list[tuple]) -> str:
    digest = hashlib.sha256(repr(latest).encode()).hexdigest()
    mtime = SCENARIOS_FILE.stat().st_mtime
    return f"stress:{user.pk}:{scenario.key}:{mtime}:{SCORING_VERSION}:{digest}"


def _run(
    latest: list[tuple],
    *,
    user,
    scenario: Scenario,
    progress: Callable[[int, int], None] | None,
    chunk: int | None,
    drivers: bool,
) -> StressResult:
    chunk = chunk or max(len(latest), 1)
    prepared = _prepared({row[1] for row in latest}, scenario)
    rows: list[StressRow] = []
    candidates = latest
    if not any(rule["max"] == "raise" for rule in scenario.option_scores):
        subset = _answers_subset(user, scenario_keys(scenario))
        candidates = [row for row in latest if scenario_touches(subset.get(row[0], {}), scenario)]
    touched = {row[0] for row in candidates}
    for row in latest:
        if row[0] not in touched:
            rows.append(_unchanged(row))
    done = len(rows)
    if progress is not None:
        progress(done, len(latest))
    for start in range(0, len(candidates), chunk):
        part = candidates[start : start + chunk]
        answers = _answers_of([row[0] for row in part])
        for row in part:
            rows.append(_scored(row, answers[row[0]], prepared[row[1]], scenario, drivers))
        done += len(part)
        if progress is not None:
            progress(done, len(latest))
    rows.sort(key=lambda r: (-r.risk_delta, r.readiness_after - r.readiness_before, r.name))
    problems = sorted({p for item in prepared.values() for p in item.problems})
    titles = {}
    if prepared:
        document = next(iter(prepared.values())).document
        titles = {key: value["title"] for key, value in document["dimensions"].items()}
    return StressResult(
        rows=rows, titles=titles, problems=problems, clients=len(latest), scored=len(candidates)
    )


def stress_drivers_fill(*, rows: list[StressRow], scenario: Scenario) -> None:
    """Work out the drivers of the rows that have none yet (one query, two scorings each)."""
    todo = [row for row in rows if row.drivers is None]
    if not todo:
        return
    answers = _answers_of([uuid.UUID(row.assessment_id) for row in todo])
    prepared = _prepared({row.version_id for row in todo}, scenario)
    for row in todo:
        item = prepared[row.version_id]
        client = answers[uuid.UUID(row.assessment_id)]
        outcome = stress_compare(item.scoring, item.patched, client, scenario)
        row.drivers = drivers_by_question(outcome.moved, limit=DRIVERS_PER_ROW)


def _consultant(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)


def _unchanged(row: tuple) -> StressRow:
    assessment_id, version_id, org_id, name, first, last, submitted_at, _v, readiness, *_s = row
    return StressRow(
        organization_id=str(org_id),
        name=name,
        consultant=_consultant(first, last),
        submitted_at=submitted_at,
        readiness_before=readiness,
        readiness_after=readiness,
        deltas=dict.fromkeys(DIMENSION_FIELDS, 0),
        risk_delta=0,
        assessment_id=str(assessment_id),
        version_id=version_id,
    )


def _scored(
    row: tuple, answers: dict, prepared: PreparedScenario, scenario: Scenario, drivers: bool
) -> StressRow:
    assessment_id, version_id, org_id, name, first, last, submitted_at, version, *stored = row
    after = score(prepared.patched, scenario_answers(answers, scenario))
    if version == SCORING_VERSION:
        readiness_before = stored[0]
        before = dict(zip(DIMENSION_FIELDS, stored[1:], strict=True))
    else:
        # Scored by another engine version: its stored scores are no baseline for this one.
        card = score(prepared.scoring, answers)
        readiness_before = card.readiness
        before = {key: card.scores.get(key, 0) for key in DIMENSION_FIELDS}
    deltas = {key: after.scores.get(key, 0) - before[key] for key in DIMENSION_FIELDS}
    if after.readiness == readiness_before and not any(deltas.values()):
        return _unchanged(row)
    moved = None
    if drivers:
        # The second scoring, only for the clients that move: which drivers moved.
        outcome = stress_compare(prepared.scoring, prepared.patched, answers, scenario, after=after)
        moved = drivers_by_question(outcome.moved, limit=DRIVERS_PER_ROW)
    return StressRow(
        organization_id=str(org_id),
        name=name,
        consultant=_consultant(first, last),
        submitted_at=submitted_at,
        readiness_before=readiness_before,
        readiness_after=after.readiness,
        deltas=deltas,
        risk_delta=max([0, *deltas.values()]),
        drivers=moved,
        assessment_id=str(assessment_id),
        version_id=version_id,
    )
