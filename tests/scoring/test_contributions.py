"""The engine's memo per answer and per use-case rows gives the reference results, whatever was
scored before with the same document.

``test_fast_path.py`` scores each random answer set once; here the same rows come back with other
company-level answers, with the group hidden, and with look-alike values (1, 1.0, True), in an
order that exercises the memo both ways (filled by one answer set, read by another).
"""

import json
import random
from pathlib import Path

import pytest

from assessments.catalogue import load_document, to_plain
from assessments.scoring import score
from tests.scoring import reference_engine

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "assessments" / "catalogue"


def _document(version: str) -> dict:
    path = CATALOGUE_DIR / f"ki-readiness-{version}.yaml"
    return to_plain(load_document(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def newest():
    return _document("2027.01")


def _text(card) -> str:
    return json.dumps(card.to_dict(), sort_keys=True)


def _same_as_reference(document: dict, answers: dict) -> None:
    card = score(document, answers)
    expected = reference_engine.score(document, answers)
    assert card == expected
    assert _text(card) == _text(expected)


def _questions(document: dict) -> dict:
    return {q["key"]: q for section in document["sections"] for q in section["questions"]}


def _options(question: dict) -> list[str]:
    return [option["key"] for option in question.get("options", ())]


def _row(group: dict, rng: random.Random, **fixed) -> dict:
    row = {}
    for field in group["fields"]:
        if field["type"] == "text":
            row[field["key"]] = rng.choice(["Chatbot", "Bewerbungen sortieren"])
        elif field["type"] == "yes_no":
            row[field["key"]] = rng.choice(["yes", "no"])
        else:
            row[field["key"]] = rng.choice(_options(field))
    row.update(fixed)
    return row


def _base_answers(document: dict, rng: random.Random) -> dict:
    answers = {}
    for question in _questions(document).values():
        kind = question["type"]
        if kind in ("single_choice", "yes_no"):
            keys = _options(question) if kind == "single_choice" else ["yes", "no"]
            answers[question["key"]] = rng.choice(keys)
        elif kind == "multi_choice":
            keys = [k for k in _options(question) if k != "none"]
            answers[question["key"]] = rng.sample(keys, k=rng.randint(1, 3))
        elif kind == "number":
            answers[question["key"]] = rng.choice([5, 40, 350, 2400])
        elif kind == "scale":
            answers[question["key"]] = rng.randint(question.get("min", 1), question.get("max", 5))
        elif kind in ("text", "long_text"):
            answers[question["key"]] = "Text"
    return answers


def test_the_same_rows_follow_the_company_role(newest):
    """Rows without a role of their own take the company's: the same rows give other classes and
    duties when only the company-level answer changes (and the memo must not hide that)."""
    questions = _questions(newest)
    group = questions["use_cases"]
    rng = random.Random("rows and company role")
    rows = [_row(group, rng, role="unknown"), _row(group, rng, role="unknown", area="hr_screening")]
    answers = _base_answers(newest, rng)
    answers["use_cases"] = rows
    roles = [*_options(questions["role"]), "unknown", None]
    for role in roles + roles[::-1]:
        varied = dict(answers)
        if role is None:
            varied.pop("role", None)
        else:
            varied["role"] = role
        _same_as_reference(newest, varied)
    classes = set()
    for role in _options(questions["role"]):
        card = score(newest, {**answers, "role": role})
        classes.add(tuple((u.role, u.ai_act_class) for u in card.use_cases))
    assert len(classes) > 1  # the company's role decides something for these rows


def test_rows_of_a_hidden_group_count_for_nothing_after_they_counted(newest):
    rng = random.Random("hidden group")
    group = _questions(newest)["use_cases"]
    answers = _base_answers(newest, rng)
    answers["use_cases"] = [_row(group, rng, area="customer_chatbot", personal_data="special")]
    _same_as_reference(newest, answers)
    hidden = {**answers, "services_used": ["none"]}  # "no AI": the group is not asked
    _same_as_reference(newest, hidden)
    assert score(newest, hidden).use_cases == ()
    _same_as_reference(newest, answers)


@pytest.mark.parametrize("version", ["2026.11", "2026.12", "2027.01"])
def test_memoised_results_do_not_depend_on_what_was_scored_before(version):
    """Answer sets that share rows and answers in many combinations, scored in two orders."""
    document = _document(version)
    group = next(q for q in _questions(document).values() if q["type"] == "repeat_group")
    rng = random.Random(f"memo order {version}")
    pool = [_row(group, rng) for _ in range(6)]
    sets = []
    for _ in range(60):
        answers = _base_answers(document, rng)
        answers[group["key"]] = rng.sample(pool, k=rng.randint(1, 3))
        sets.append(answers)
    for answers in sets + sets[::-1]:
        _same_as_reference(document, answers)


def test_look_alike_values_are_not_taken_for_each_other(newest):
    """1, 1.0 and True are equal in Python and hash alike; as answers they differ (a number, a
    float, a boolean), so a memo keyed by them would hand back the wrong answer's result."""
    rng = random.Random("look-alikes")
    questions = _questions(newest)
    group = questions["use_cases"]
    answers = _base_answers(newest, rng)
    number_question = next(q["key"] for q in questions.values() if q["type"] == "number")
    multi = next(q["key"] for q in questions.values() if q["type"] == "multi_choice")
    row = _row(group, rng, role="unknown", area="hr_screening")
    for value in (1, 1.0, True, "1", 1, True):
        rows = [{**row, "safety_purpose": value}]
        _same_as_reference(newest, {**answers, "use_cases": rows, number_question: value})
        _same_as_reference(newest, {**answers, multi: [value, "mistral"]})


def test_a_full_rows_memo_starts_again(newest, monkeypatch):
    from assessments.scoring import contributions, index_for

    monkeypatch.setattr(contributions, "ROWS_MEMO_LIMIT", 3)
    rng = random.Random("full memo")
    group = _questions(newest)["use_cases"]
    memo = next(q for q in index_for(newest).questions if q.kind == "use_cases").rows_memo
    memo.clear()
    answers = _base_answers(newest, rng)
    sizes = []
    for number in range(8):
        rows = [_row(group, rng, name=f"Anwendungsfall {number}")]
        _same_as_reference(newest, {**answers, "use_cases": rows})
        sizes.append(len(memo))
    assert max(sizes) == 3 and sizes[-1] < 3  # bounded, and it took new rows after it was full
