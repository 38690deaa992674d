"""Conditions: every operator, unanswered and hidden questions, visibility chains."""

from pathlib import Path

import pytest

from assessments.catalogue import load_document
from assessments.catalogue.conditions import (
    effective_answers,
    evaluate,
    is_answered,
    row_matches,
    visible_questions,
)

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"

ANSWERS = {
    "services": ["m365_copilot", "chatgpt_free"],
    "dpa": "none",
    "staff": 12,
    "maturity": 3,
    "notes": "Bäckerei in Singen",
    "use_cases": [
        {"name": "Angebote", "area": "office_text", "published": "no"},
        {"name": "Bewerbungen", "area": "hr", "published": "yes"},
    ],
    "flag": True,
}


# --- operators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"q": "dpa", "equals": "none"}, True),
        ({"q": "dpa", "equals": "all"}, False),
        ({"q": "staff", "equals": 12}, True),
        ({"q": "staff", "equals": 12.0}, True),
        ({"q": "dpa", "in": ["some", "none"]}, True),
        ({"q": "dpa", "in": ["all", "unknown"]}, False),
        ({"q": "services", "includes": "chatgpt_free"}, True),
        ({"q": "services", "includes": "azure_openai"}, False),
        ({"q": "staff", "gte": 12}, True),
        ({"q": "staff", "gte": 13}, False),
        ({"q": "staff", "gt": 11}, True),
        ({"q": "staff", "gt": 12}, False),
        ({"q": "staff", "lte": 12}, True),
        ({"q": "staff", "lte": 11}, False),
        ({"q": "staff", "lt": 13}, True),
        ({"q": "staff", "lt": 12}, False),
        ({"q": "maturity", "gte": 3}, True),
        ({"q": "use_cases", "any_row": {"field": "area", "equals": "hr"}}, True),
        ({"q": "use_cases", "any_row": {"field": "area", "in": ["credit", "hr"]}}, True),
        ({"q": "use_cases", "any_row": {"field": "area", "equals": "credit"}}, False),
        ({"q": "dpa", "answered": True}, True),
        ({"q": "dpa", "answered": False}, False),
        ({"q": "missing", "answered": False}, True),
    ],
)
def test_each_operator_compares_the_answer(cond, expected):
    assert evaluate(cond, ANSWERS) is expected


def test_any_row_matches_a_combination_within_one_row():
    same_row = {
        "q": "use_cases",
        "any_row": {
            "all": [{"field": "area", "equals": "hr"}, {"field": "published", "equals": "yes"}]
        },
    }
    across_rows = {
        "q": "use_cases",
        "any_row": {
            "all": [
                {"field": "area", "equals": "office_text"},
                {"field": "published", "equals": "yes"},
            ]
        },
    }
    assert evaluate(same_row, ANSWERS) is True
    assert evaluate(across_rows, ANSWERS) is False


def test_row_condition_on_an_empty_field_is_false():
    row = {"name": "x", "area": ""}
    assert row_matches({"field": "area", "equals": ""}, row) is False
    assert row_matches({"field": "area", "answered": False}, row) is True
    assert row_matches({"not": {"field": "published", "equals": "yes"}}, row) is True


def test_any_row_on_an_empty_list_is_false():
    assert (
        evaluate(
            {"q": "use_cases", "any_row": {"field": "area", "equals": "hr"}}, {"use_cases": []}
        )
        is False
    )


def test_all_any_not_combine():
    yes = {"q": "dpa", "equals": "none"}
    no = {"q": "dpa", "equals": "all"}
    assert evaluate({"all": [yes, yes]}, ANSWERS) is True
    assert evaluate({"all": [yes, no]}, ANSWERS) is False
    assert evaluate({"any": [no, yes]}, ANSWERS) is True
    assert evaluate({"any": [no, no]}, ANSWERS) is False
    assert evaluate({"not": no}, ANSWERS) is True
    assert evaluate({"not": {"any": [no, yes]}}, ANSWERS) is False


def test_sentinel_answers_can_be_compared_but_never_ordered():
    answers = {"dpa": "unknown", "staff": "unknown", "maturity": "na"}
    assert evaluate({"q": "dpa", "equals": "unknown"}, answers) is True
    assert evaluate({"q": "dpa", "in": ["none", "unknown"]}, answers) is True
    assert evaluate({"q": "staff", "gte": 0}, answers) is False
    assert evaluate({"q": "staff", "lt": 10**9}, answers) is False
    assert evaluate({"q": "maturity", "equals": "na"}, answers) is True


def test_booleans_do_not_match_numbers():
    assert evaluate({"q": "flag", "equals": 1}, ANSWERS) is False
    assert evaluate({"q": "staff", "equals": True}, {"staff": 1}) is False
    assert evaluate({"q": "flag", "gte": 0}, ANSWERS) is False


def test_equals_on_a_list_answer_is_false():
    assert evaluate({"q": "services", "equals": "chatgpt_free"}, ANSWERS) is False
    assert evaluate({"q": "services", "in": ["chatgpt_free"]}, ANSWERS) is False


# --- unanswered and hidden ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cond",
    [
        {"q": "x", "equals": "none"},
        {"q": "x", "in": ["none"]},
        {"q": "x", "includes": "none"},
        {"q": "x", "gte": 0},
        {"q": "x", "gt": -1},
        {"q": "x", "lte": 100},
        {"q": "x", "lt": 100},
        {"q": "x", "any_row": {"field": "area", "answered": False}},
        {"q": "x", "answered": True},
    ],
    ids=lambda cond: next(k for k in cond if k != "q"),
)
@pytest.mark.parametrize("value", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_unanswered_question_makes_every_operator_false(cond, value):
    answers = {} if value is None else {"x": value}
    assert evaluate(cond, answers) is False
    assert evaluate({"not": cond}, answers) is True


def test_empty_list_is_no_answer():
    assert is_answered([]) is False
    assert evaluate({"q": "services", "answered": True}, {"services": []}) is False
    assert evaluate({"q": "services", "answered": False}, {"services": []}) is True
    assert evaluate({"q": "services", "includes": "none"}, {"services": []}) is False


def test_hidden_question_makes_conditions_false_even_when_answered():
    cond = {"q": "dpa", "equals": "none"}
    assert evaluate(cond, ANSWERS, visible={"dpa"}) is True
    assert evaluate(cond, ANSWERS, visible={"services"}) is False
    assert evaluate({"not": cond}, ANSWERS, visible=set()) is True
    assert evaluate({"q": "dpa", "answered": False}, ANSWERS, visible=set()) is True


def test_malformed_condition_raises():
    with pytest.raises(ValueError, match="malformed condition"):
        evaluate({"q": "dpa"}, ANSWERS)
    with pytest.raises(ValueError, match="malformed condition"):
        evaluate({"q": "dpa", "equals": "none", "in": ["none"]}, ANSWERS)
    with pytest.raises(ValueError, match="unknown operator"):
        evaluate({"q": "dpa", "contains": "none"}, ANSWERS)
    with pytest.raises(ValueError, match="must be a mapping"):
        evaluate({"all": ["dpa"]}, ANSWERS)


# --- visibility ---------------------------------------------------------------------------------


def _doc(*questions: dict) -> dict:
    return {"sections": [{"key": "s", "questions": list(questions)}]}


CHAIN = _doc(
    {"key": "a", "type": "yes_no"},
    {"key": "b", "type": "yes_no", "show_if": {"q": "a", "equals": "yes"}},
    {"key": "c", "type": "yes_no", "show_if": {"q": "b", "equals": "yes"}},
    {"key": "d", "type": "yes_no", "show_if": {"not": {"q": "b", "equals": "yes"}}},
    {"key": "e", "type": "text"},
)


def test_visible_questions_keep_catalogue_order():
    answers = {"a": "yes", "b": "yes"}
    assert visible_questions(CHAIN, answers) == ["a", "b", "c", "e"]


def test_question_depending_on_a_hidden_question_is_hidden_too():
    # b was answered "yes" earlier, but a now says "no": b is hidden, so c must be hidden as well.
    answers = {"a": "no", "b": "yes", "c": "yes"}
    assert visible_questions(CHAIN, answers) == ["a", "d", "e"]


def test_not_of_a_hidden_question_is_true():
    assert "d" in visible_questions(CHAIN, {"a": "no", "b": "yes"})
    assert "d" not in visible_questions(CHAIN, {"a": "yes", "b": "yes"})


def test_unanswered_questions_hide_their_dependants():
    assert visible_questions(CHAIN, {}) == ["a", "d", "e"]


def test_effective_answers_drop_hidden_answers():
    answers = {"a": "no", "b": "yes", "c": "yes", "d": "no", "e": "Hallo"}
    assert effective_answers(CHAIN, answers) == {"a": "no", "d": "no", "e": "Hallo"}


def test_visibility_works_on_the_validated_model_and_its_plain_form():
    doc = load_document(FIXTURE)
    with_copilot = {"services_used": ["m365_copilot"], "dpa": "none"}
    without = {"services_used": ["chatgpt_free"], "dpa": "none"}
    assert "dpa" in visible_questions(doc, with_copilot)
    assert "dpa" not in visible_questions(doc, without)
    assert effective_answers(doc, without) == {"services_used": ["chatgpt_free"]}
    plain = doc.model_dump(mode="json")
    assert visible_questions(plain, without) == visible_questions(doc, without)


def test_visible_questions_of_the_real_catalogue_follow_the_answers():
    from assessments.catalogue import default_catalogue_path

    doc = load_document(default_catalogue_path())
    none = visible_questions(doc, {"services_used": ["none"], "own_apps": "none"})
    assert "oversharing" not in none
    assert "abstraction" not in none
    assert "human_oversight" not in none
    copilot = visible_questions(
        doc,
        {
            "services_used": ["m365_copilot"],
            "own_apps": "customer_facing",
            "use_cases": [
                {"name": "Bewerbungen", "area": "hr_screening", "output_use": "assesses_people"}
            ],
        },
    )
    for key in (
        "oversharing",
        "flex_routing_reviewed",
        "abstraction",
        "chatbot_disclosure",
        "human_oversight",
        "logs_kept",
    ):
        assert key in copilot, key
