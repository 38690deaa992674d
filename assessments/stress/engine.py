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

from ..scoring import ScoreCard, index_for, score


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


MAX_MODES = ("keep", "raise")


def scenarios_from_data(data: dict) -> dict[str, Scenario]:
    """Scenarios from the YAML data, checked for the fields every scenario needs."""
    result: dict[str, Scenario] = {}
    for number, raw in enumerate(data.get("scenarios") or []):
        missing = [k for k in ("key", "title", "description", "source", "as_of") if not raw.get(k)]
        if missing:
            raise ScenarioError(f"scenarios[{number}]: missing {', '.join(missing)}")
        if raw["key"] in result:
            raise ScenarioError(f"scenarios[{number}]: duplicate key {raw['key']}")
        for rule_number, rule in enumerate(raw.get("option_scores") or ()):
            where = f"scenarios[{number}] ({raw['key']}) option_scores[{rule_number}]"
            absent = [k for k in ("question", "option", "scores", "max") if k not in rule]
            if absent:
                raise ScenarioError(f"{where}: missing {', '.join(absent)}")
            if rule["max"] not in MAX_MODES:
                raise ScenarioError(
                    f"{where}: max must be one of {', '.join(MAX_MODES)}, not {rule['max']!r}"
                )
            if not isinstance(rule["scores"], dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
                for v in rule["scores"].values()
            ):
                raise ScenarioError(f"{where}: scores must map dimensions to points >= 0")
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


def _reference_problems(scenario: Scenario, document: dict) -> list[str]:
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


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario fitted to one catalogue document: the patched copy and what did not fit.

    ``scoring`` and ``patched`` have no recommendations: they never feed back into scores,
    readiness or drivers (tests/stress/test_option_scores.py checks it), and skipping their
    conditions makes each of the many scorings of a stress test about a third cheaper.
    """

    document: dict
    scoring: dict
    patched: dict
    problems: tuple[str, ...]


def scenario_prepare(document: dict, scenario: Scenario) -> PreparedScenario:
    """The patched document (build it once per scenario and catalogue version: the scoring
    index memoises per document object, so all clients share one) and the problems found.

    ``option_scores`` merge into the option's points per dimension. With ``max: keep`` the
    question's maximum stays as in the catalogue: points are capped at it (multiple choice: its
    ``max_points`` cap is set to it) and unknown answers keep scoring the maximum, so only the
    clients with that answer move. With ``max: raise`` the catalogue's own rule recomputes the
    maximum from the new points, so the question weighs more and better answers fall a little.
    """
    problems = _reference_problems(scenario, document)
    scoring = {key: value for key, value in document.items() if key != "recommendations"}
    patched = copy.deepcopy(scoring)
    questions = _questions(patched)
    original = {qi.key: qi for qi in index_for(document).questions}
    kept: dict[str, set[str]] = {}
    for rule in scenario.option_scores:
        question = questions.get(rule["question"])
        option = next(
            (o for o in (question or {}).get("options", ()) if o["key"] == rule["option"]), None
        )
        if option is None:
            continue  # reported by _reference_problems
        scores = dict(option.get("scores") or {})
        if rule["max"] == "keep":
            maxima = original[rule["question"]].max_by_dim
            for dim, points in rule["scores"].items():
                limit = maxima.get(dim, 0)
                if points > limit:
                    problems.append(
                        f"{scenario.key}: {rule['question']}.{rule['option']} {dim} {points} "
                        f"is above the question's maximum {limit} (max: keep): counts as {limit}"
                    )
                scores[dim] = min(points, limit)
                kept.setdefault(rule["question"], set()).add(dim)
        else:
            scores.update(rule["scores"])
        option["scores"] = {dim: points for dim, points in scores.items() if points}
    for key, dims in kept.items():
        question = questions[key]
        maxima = original[key].max_by_dim
        if question["type"] == "multi_choice":
            caps = dict(question.get("max_points") or {})
            caps.update({dim: maxima[dim] for dim in dims if dim in maxima})
            question["max_points"] = caps
        elif not question.get("unknown_scores"):
            # Unknown scores the maximum by default; pinned here, the maximum cannot fall when an
            # option is lowered either.
            question["unknown_scores"] = {dim: maxima[dim] for dim in dims if dim in maxima}
    if kept:
        after = {qi.key: qi.max_by_dim for qi in index_for(patched).questions}
        for key, dims in kept.items():
            for dim in sorted(dims):
                if after[key].get(dim, 0) != original[key].max_by_dim.get(dim, 0):
                    problems.append(
                        f"{scenario.key}: {key} {dim} maximum moved from "
                        f"{original[key].max_by_dim.get(dim, 0)} to {after[key].get(dim, 0)} "
                        "although max: keep"
                    )
    return PreparedScenario(
        document=document, scoring=scoring, patched=patched, problems=tuple(problems)
    )


def scenario_problems(scenario: Scenario, document: dict) -> list[str]:
    """References to questions or options the catalogue does not have, and points that cannot
    count as written."""
    return list(scenario_prepare(document, scenario).problems)


def scenario_document(document: dict, scenario: Scenario) -> dict:
    """A copy of ``document`` with the scenario's option points; build it once per scenario."""
    return scenario_prepare(document, scenario).patched


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


def scenario_keys(scenario: Scenario) -> set[str]:
    """The questions whose answers decide whether the scenario can move a client at all."""
    keys = {rule["question"] for rule in scenario.option_scores}
    for rule in scenario.answers:
        keys.add(rule["question"])
        if rule.get("when"):
            keys.add(rule["when"]["question"])
    return keys


def scenario_touches(answers: dict, scenario: Scenario) -> bool:
    """Whether the scenario changes anything for a client with these answers (only the answers
    to ``scenario_keys`` are needed). A ``max: raise`` rule touches everybody: it changes the
    question's maximum, which counts for every answer to it."""
    for rule in scenario.option_scores:
        if rule["max"] == "raise":
            return True
        value = answers.get(rule["question"])
        values = value if isinstance(value, list) else [value]
        if rule["option"] in values:
            return True
    return scenario_answers(answers, scenario) != answers


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
            "before": old_points.get((question_key, dimension), 0),
            "after": new_points.get((question_key, dimension), 0),
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


def drivers_by_question(moved: list[dict], limit: int = 3) -> list[dict]:
    """The moved drivers grouped by question, the question with the largest rise first: each
    with its text and, per dimension it moved in, the change in points (before and after)."""
    grouped: dict[str, dict] = {}
    for m in moved:
        entry = grouped.setdefault(
            m["question_key"],
            {"question_key": m["question_key"], "question": m["question"], "changes": []},
        )
        entry["changes"].append(
            {
                "dimension": m["dimension"],
                "points": m["points"],
                "before": m.get("before"),
                "after": m.get("after"),
            }
        )
    return list(grouped.values())[:limit]
