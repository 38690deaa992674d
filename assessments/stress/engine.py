"""The stress test engine: a scenario applied to a catalogue document and to one client's answers.

Pure Python like the scoring engine (no Django, no I/O): ``scenario_document`` patches a copy of
the document once per scenario (the scoring index memoises per document object, so all clients
share one), ``scenario_answers`` moves one client's answers, ``stress_compare`` scores both and
says which drivers moved.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date

from ..scoring import ScoreCard, score


@dataclass(frozen=True)
class Scenario:
    key: str
    title: dict
    description: dict
    source: str
    as_of: date
    answers: tuple[dict, ...] = ()
    option_scores: tuple[dict, ...] = ()


class ScenarioError(ValueError):
    pass


def scenarios_from_data(data: dict) -> dict[str, Scenario]:
    """Scenarios from the YAML data, checked for the fields every scenario needs."""
    result: dict[str, Scenario] = {}
    for number, raw in enumerate(data.get("scenarios") or []):
        missing = [k for k in ("key", "title", "description", "source", "as_of") if not raw.get(k)]
        if missing:
            raise ScenarioError(f"scenarios[{number}]: missing {', '.join(missing)}")
        if raw["key"] in result:
            raise ScenarioError(f"scenarios[{number}]: duplicate key {raw['key']}")
        as_of = raw["as_of"]
        result[raw["key"]] = Scenario(
            key=raw["key"],
            title=raw["title"],
            description=raw["description"],
            source=raw["source"],
            as_of=as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)),
            answers=tuple(raw.get("answers") or ()),
            option_scores=tuple(raw.get("option_scores") or ()),
        )
    return result


def _questions(document: dict) -> dict[str, dict]:
    return {q["key"]: q for section in document["sections"] for q in section["questions"]}


def scenario_problems(scenario: Scenario, document: dict) -> list[str]:
    """References to questions or options the catalogue does not have."""
    questions = _questions(document)
    problems = []

    def check(question: str, options) -> None:
        if question not in questions:
            problems.append(f"{scenario.key}: unknown question {question}")
            return
        known = {o["key"] for o in questions[question].get("options", ())}
        problems.extend(
            f"{scenario.key}: {question} has no option {o}" for o in options if o not in known
        )

    for rule in scenario.option_scores:
        check(rule["question"], [rule["option"]])
    for rule in scenario.answers:
        check(rule["question"], [*rule["map"], *rule["map"].values()])
        if rule.get("when"):
            check(rule["when"]["question"], rule["when"]["any"])
    return problems


def scenario_document(document: dict, scenario: Scenario) -> dict:
    """A copy of ``document`` with the scenario's option points; build it once per scenario."""
    patched = copy.deepcopy(document)
    questions = _questions(patched)
    for rule in scenario.option_scores:
        question = questions.get(rule["question"])
        if question is None:
            continue
        for option in question.get("options", ()):
            if option["key"] == rule["option"]:
                option["scores"] = dict(rule["scores"])
    return patched


def _matches(answers: dict, when: dict | None) -> bool:
    if not when:
        return True
    value = answers.get(when["question"])
    values = value if isinstance(value, list) else [value]
    return any(v in when["any"] for v in values)


def scenario_answers(answers: dict, scenario: Scenario) -> dict:
    moved = dict(answers)
    for rule in scenario.answers:
        if not _matches(answers, rule.get("when")):
            continue
        value = moved.get(rule["question"])
        mapping = rule["map"]
        if isinstance(value, list):
            moved[rule["question"]] = [mapping.get(v, v) for v in value]
        elif value in mapping:
            moved[rule["question"]] = mapping[value]
    return moved


@dataclass
class StressOutcome:
    before: ScoreCard
    after: ScoreCard
    deltas: dict[str, int] = field(default_factory=dict)
    readiness_delta: int = 0
    moved: list[dict] = field(default_factory=list)

    @property
    def risk_delta(self) -> int:
        """The largest rise of any dimension's risk (falls count as 0): what the list sorts by."""
        return max([0, *self.deltas.values()])


def stress_compare(
    document: dict,
    patched_document: dict,
    answers: dict,
    scenario: Scenario,
    *,
    after: ScoreCard | None = None,
) -> StressOutcome:
    before = score(document, answers)
    if after is None:
        after = score(patched_document, scenario_answers(answers, scenario))
    deltas = {key: after.scores[key] - before.scores.get(key, 0) for key in after.scores}
    old_points = {
        (d.question_key, dim.key): d.points for dim in before.dimensions for d in dim.drivers
    }
    texts = {d.question_key: d.question_text for dim in before.dimensions for d in dim.drivers}
    new_points = {}
    for dim in after.dimensions:
        for driver in dim.drivers:
            new_points[(driver.question_key, dim.key)] = driver.points
            texts[driver.question_key] = driver.question_text
    moved = [
        {
            "question_key": question_key,
            "question": texts[question_key],
            "dimension": dimension,
            "points": new_points.get((question_key, dimension), 0)
            - old_points.get((question_key, dimension), 0),
        }
        for question_key, dimension in {*old_points, *new_points}
        if new_points.get((question_key, dimension), 0)
        != old_points.get((question_key, dimension), 0)
    ]
    moved.sort(key=lambda m: (-m["points"], m["question_key"], m["dimension"]))
    return StressOutcome(
        before=before,
        after=after,
        deltas=deltas,
        readiness_delta=after.readiness - before.readiness,
        moved=moved,
    )
