"""Reads for the portfolio stress test: scenarios from the catalogue folder, and every visible
client's latest answers re-scored under one of them. Nothing is stored."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..models import QuestionnaireVersion, Result
from ..presentation import dimension_titles
from ..questionnaire import tr
from ..scoring import score
from ..selectors import DIMENSION_FIELDS
from .engine import (
    Scenario,
    scenario_answers,
    scenario_document,
    scenario_problems,
    scenarios_from_data,
    stress_compare,
)

SCENARIOS_FILE = Path(__file__).resolve().parent.parent / "catalogue" / "scenarios.yaml"


@lru_cache(maxsize=4)
def _scenarios(path: str, mtime: float) -> dict[str, Scenario]:
    with open(path, encoding="utf-8") as handle:
        return scenarios_from_data(yaml.safe_load(handle) or {})


def scenarios_all() -> dict[str, Scenario]:
    return _scenarios(str(SCENARIOS_FILE), SCENARIOS_FILE.stat().st_mtime)


@dataclass
class StressRow:
    organization_id: object
    name: str
    consultant: str
    submitted_at: object
    readiness_before: int
    readiness_after: int
    deltas: dict
    risk_delta: int
    moved: list


def stress_run(*, user, scenario: Scenario) -> dict:
    """Every visible client's latest answers under ``scenario``, the most affected first."""
    from ..services import _answers_by_assessment

    latest = list(
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
            "readiness",
            *DIMENSION_FIELDS,
        )
    )
    answers = _answers_by_assessment([row[0] for row in latest])
    documents: dict = {}
    problems: set[str] = set()
    rows = []
    for assessment_id, version_id, org_id, name, first, last, submitted_at, *stored in latest:
        if version_id not in documents:
            document = QuestionnaireVersion.objects.values_list("document", flat=True).get(
                pk=version_id
            )
            problems.update(scenario_problems(scenario, document))
            documents[version_id] = (document, scenario_document(document, scenario))
        document, patched = documents[version_id]
        client_answers = answers[assessment_id]
        stored_readiness, stored_scores = (
            stored[0],
            dict(zip(DIMENSION_FIELDS, stored[1:], strict=True)),
        )
        # The stored result is this engine's score of the same answers (``rescore`` keeps it so),
        # so only clients whose scores move need the second scoring that explains the drivers.
        moved_answers = scenario_answers(client_answers, scenario)
        after = None
        if scenario.option_scores or moved_answers != client_answers:
            after = score(patched, moved_answers)
        if after is None or (
            after.readiness == stored_readiness
            and all(after.scores.get(k) == v for k, v in stored_scores.items())
        ):
            rows.append(
                StressRow(
                    organization_id=org_id,
                    name=name,
                    consultant=" ".join(p for p in (first, last) if p),
                    submitted_at=submitted_at,
                    readiness_before=stored_readiness,
                    readiness_after=stored_readiness,
                    deltas=dict.fromkeys(stored_scores, 0),
                    risk_delta=0,
                    moved=[],
                )
            )
            continue
        outcome = stress_compare(document, patched, client_answers, scenario, after=after)
        rows.append(
            StressRow(
                organization_id=org_id,
                name=name,
                consultant=" ".join(p for p in (first, last) if p),
                submitted_at=submitted_at,
                readiness_before=outcome.before.readiness,
                readiness_after=outcome.after.readiness,
                deltas=outcome.deltas,
                risk_delta=outcome.risk_delta,
                moved=[{**m, "question": tr(m["question"])} for m in outcome.moved[:3]],
            )
        )
    rows.sort(key=lambda r: (-r.risk_delta, r.readiness_after - r.readiness_before, r.name))
    titles = dimension_titles(next(iter(documents.values()))[0]) if documents else {}
    return {"rows": rows, "titles": titles, "problems": sorted(problems)}
