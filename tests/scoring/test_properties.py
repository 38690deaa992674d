"""Property tests of the scoring engine (hypothesis).

Catalogues are generated with options ordered best to worst (each dimension's points never fall
along the option list, a knockout only on the worst option) and without ``show_if``: only then is
"an earlier option never raises a risk" a law. Showing or hiding a question moves the denominator,
so it is deliberately excluded.
"""

import copy
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.scoring import ScoreCard, score
from tests.scoring.test_engine import make_catalogue

DIMS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
REAL_CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def t(text):
    return {"de": text, "en": text}


@st.composite
def ascending_scores(draw, count):
    """``count`` score dicts whose points per dimension never decrease."""
    dims = draw(st.lists(st.sampled_from(DIMS), min_size=0, max_size=3, unique=True))
    columns = {
        dim: sorted(draw(st.lists(st.integers(0, 10), min_size=count, max_size=count)))
        for dim in dims
    }
    return [{dim: columns[dim][i] for dim in dims} for i in range(count)]


@st.composite
def questions(draw, key):
    qtype = draw(st.sampled_from(["single_choice", "multi_choice", "yes_no", "scale", "number"]))
    q = {
        "key": key,
        "type": qtype,
        "text": t(key),
        "help": t("h"),
        "allow_unknown": draw(st.booleans()),
        "allow_na": draw(st.booleans()),
    }
    knockout = draw(st.one_of(st.none(), st.sampled_from(DIMS)))
    if qtype == "single_choice":
        count = draw(st.integers(2, 4))
        scores = draw(ascending_scores(count))
        q["options"] = [
            {"key": f"o{i}", "label": t(f"o{i}"), "scores": scores[i], "vendors": ["acme"]}
            for i in range(count)
        ]
        if knockout:
            q["options"][-1]["knockout"] = knockout
    elif qtype == "multi_choice":
        count = draw(st.integers(2, 4))
        q["options"] = [
            {
                "key": f"o{i}",
                "label": t(f"o{i}"),
                "scores": draw(
                    st.dictionaries(st.sampled_from(DIMS), st.integers(0, 10), max_size=3)
                ),
                "vendors": draw(st.lists(st.sampled_from(["acme", "mega"]), unique=True)),
            }
            for i in range(count)
        ]
        q["max_points"] = draw(
            st.dictionaries(st.sampled_from(DIMS), st.integers(1, 12), max_size=2)
        )
        if knockout:
            q["options"][-1]["knockout"] = knockout
    elif qtype == "yes_no":
        best, worst = draw(ascending_scores(2))
        q["yes"] = {"scores": best}
        q["no"] = {"scores": worst, "vendors": ["mega"]}
        if knockout:
            q["no"]["knockout"] = knockout
    elif qtype == "scale":
        steps = draw(st.integers(2, 5))
        scores = draw(ascending_scores(steps))
        q["min"], q["max"] = 1, steps
        q["scores"] = {dim: [s[dim] for s in scores] for dim in scores[0]}
    else:
        uptos = sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True)))
        scores = draw(ascending_scores(len(uptos) + 1))
        q["min"], q["max"] = 0, 100
        q["bands"] = [{"upto": u, "scores": s} for u, s in zip(uptos, scores, strict=False)]
        q["bands"].append({"upto": None, "scores": scores[-1]})
    if q["allow_unknown"] and draw(st.booleans()):
        q["unknown_scores"] = draw(
            st.dictionaries(st.sampled_from(DIMS), st.integers(0, 10), max_size=2)
        )
    return q


@st.composite
def catalogues(draw):
    count = draw(st.integers(1, 7))
    qs = [draw(questions(f"q{i}")) for i in range(count)]
    catalogue = make_catalogue()
    catalogue["key"] = "generated"
    catalogue["sections"] = [{"key": "s", "title": t("s"), "questions": qs}]
    catalogue["recommendations"] = []
    catalogue["vendors"] = {"acme": t("Acme"), "mega": t("Mega")}
    catalogue["levels"] = dict(
        zip(
            ("medium", "high", "critical"),
            sorted(draw(st.lists(st.integers(1, 99), min_size=3, max_size=3, unique=True))),
            strict=True,
        )
    )
    weights = draw(
        st.dictionaries(st.sampled_from([q["key"] for q in qs]), st.floats(0.1, 1.0), max_size=3)
    )
    catalogue["exposure"] = {
        "question_weights": weights,
        "min_factor": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    }
    for dim in DIMS:
        catalogue["dimensions"][dim]["weight"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
    return catalogue


def answer_values(q):
    """A strategy for one question's answer value (including sentinels)."""
    qtype = q["type"]
    if qtype == "single_choice":
        base = st.sampled_from([o["key"] for o in q["options"]])
    elif qtype == "multi_choice":
        # at least one: an empty list is no answer (scored like a missing one)
        base = st.lists(st.sampled_from([o["key"] for o in q["options"]]), unique=True, min_size=1)
    elif qtype == "yes_no":
        base = st.sampled_from(["yes", "no"])
    elif qtype == "scale":
        base = st.integers(q.get("min", 1), q.get("max", 5))
    elif qtype == "number":
        base = st.integers(q["min"], q["max"])
    elif qtype == "repeat_group":
        row = st.fixed_dictionaries(
            {f["key"]: field_values(f) for f in q["fields"] if f["type"] != "text"},
        )
        base = st.lists(row, max_size=4)
    else:
        base = st.text(max_size=20)
    extra = []
    if q.get("allow_unknown"):
        extra.append(st.just("unknown"))
    if q.get("allow_na"):
        extra.append(st.just("na"))
    return st.one_of(base, *extra) if extra else base


def field_values(f):
    if f["type"] == "yes_no":
        return st.sampled_from(["yes", "no", "unknown"])
    return st.sampled_from([o["key"] for o in f["options"]] + ["unknown"])


@st.composite
def answer_sets(draw, catalogue):
    answers = {}
    for section in catalogue["sections"]:
        for q in section["questions"]:
            if draw(st.integers(0, 9)) == 0:
                continue  # unanswered
            answers[q["key"]] = draw(answer_values(q))
    return answers


def all_questions(catalogue):
    return [q for section in catalogue["sections"] for q in section["questions"]]


def better_value(draw, q, value):
    """An answer at least as good as ``value`` for options ordered best to worst."""
    qtype = q["type"]
    if qtype == "single_choice":
        keys = [o["key"] for o in q["options"]]
        return keys[draw(st.integers(0, keys.index(value)))]
    if qtype == "multi_choice":
        return [k for k in value if draw(st.booleans())] or value[:1]
    if qtype == "yes_no":
        return draw(st.sampled_from(["yes", value]))
    if qtype in {"scale", "number"}:
        return draw(st.integers(q["min"], value))
    raise AssertionError(qtype)


def assert_bounds(card: ScoreCard, catalogue: dict):
    critical = catalogue["levels"]["critical"]
    assert 0 <= card.readiness <= 100
    assert 0.0 <= card.exposure <= 1.0
    for dim in card.dimensions:
        assert 0 <= dim.score <= 100
        assert 0 <= dim.points <= dim.max_points or dim.max_points == 0 == dim.points
        assert dim.level in {"low", "medium", "high", "critical"}
        if dim.knockout:
            assert dim.level == "critical"
            assert dim.score >= critical
        # knock-out drivers first (issue 9), then by points
        order = [(not d.knockout, -d.points) for d in dim.drivers]
        assert order == sorted(order)
        assert all(d.points > 0 or d.knockout for d in dim.drivers)
    if card.knockouts:
        assert card.readiness <= 100 - critical
        assert card.readiness_level == "critical"
    assert list(card.vendor_exposure) == sorted(card.vendor_exposure)
    assert all(0 <= v <= 100 for v in card.vendor_exposure.values())


@PROPERTY_SETTINGS
@given(data=st.data())
def test_deterministic_bounded_and_round_trips(data):
    catalogue = data.draw(catalogues())
    answers = data.draw(answer_sets(catalogue))
    card = score(catalogue, answers)
    assert_bounds(card, catalogue)
    again = score(copy.deepcopy(catalogue), copy.deepcopy(answers))  # a fresh index, too
    assert again == card
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(card.to_dict(), sort_keys=True)
    assert ScoreCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_better_answer_never_raises_a_risk(data):
    catalogue = data.draw(catalogues())
    answers = data.draw(answer_sets(catalogue))
    answered = [
        q
        for q in all_questions(catalogue)
        if q["key"] in answers and answers[q["key"]] not in ("unknown", "na")
    ]
    if not answered:
        return
    q = data.draw(st.sampled_from(answered))
    improved = {**answers, q["key"]: better_value(data.draw, q, answers[q["key"]])}
    before, after = score(catalogue, answers), score(catalogue, improved)
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert new.score <= old.score, (q["key"], old.key)
        assert new.raw_score <= old.raw_score
    assert after.readiness >= before.readiness
    assert after.exposure <= before.exposure
    assert len(after.knockouts) <= len(before.knockouts)


def worst_value(q):
    qtype = q["type"]
    if qtype == "single_choice":
        return q["options"][-1]["key"]
    if qtype == "multi_choice":
        return [o["key"] for o in q["options"]]
    if qtype == "yes_no":
        return "no"
    return q["max"]


@PROPERTY_SETTINGS
@given(data=st.data())
def test_na_never_scores_worse_than_the_worst_answer_or_default_unknown(data):
    catalogue = data.draw(catalogues())
    answers = data.draw(answer_sets(catalogue))
    q = data.draw(st.sampled_from(all_questions(catalogue)))
    q["allow_na"] = True
    q.pop("unknown_scores", None)  # unknown then scores the max, like the worst answer
    with_na = score(catalogue, {**answers, q["key"]: "na"})
    for other in (worst_value(q), "unknown"):
        compared = score(catalogue, {**answers, q["key"]: other})
        for na_dim, other_dim in zip(with_na.dimensions, compared.dimensions, strict=True):
            assert na_dim.score <= other_dim.score, (q["key"], other, na_dim.key)
        assert with_na.readiness >= compared.readiness


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_chosen_knockout_makes_its_dimension_critical(data):
    catalogue = data.draw(catalogues())
    answers = data.draw(answer_sets(catalogue))
    q = data.draw(st.sampled_from(all_questions(catalogue)))
    if q["type"] not in {"single_choice", "multi_choice", "yes_no"}:
        return
    dim = data.draw(st.sampled_from(DIMS))
    if q["type"] == "yes_no":
        q["no"]["knockout"] = dim
        value = "no"
    else:
        q["options"][-1]["knockout"] = dim
        value = worst_value(q)
    card = score(catalogue, {**answers, q["key"]: value})
    assert card.dimension(dim).level == "critical"
    assert card.dimension(dim).score >= catalogue["levels"]["critical"]
    assert card.readiness <= 100 - catalogue["levels"]["critical"]
    assert any(k.question_key == q["key"] and k.dimension == dim for k in card.knockouts)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_use_cases_on_the_inline_catalogue(data):
    catalogue = make_catalogue()
    answers = data.draw(answer_sets(catalogue))
    card = score(catalogue, answers)
    assert_bounds(card, catalogue)
    rows = answers.get("use_cases")
    if isinstance(rows, list):
        assert len(card.use_cases) == len(rows)
        for use_case, row in zip(card.use_cases, rows, strict=True):
            if row.get("area") == "emotion":
                assert use_case.ai_act_class == "prohibited"
                assert card.dimension("ai_act").level == "critical"
            elif row.get("area") == "hr":
                assert use_case.ai_act_class == "high_risk"
            elif row.get("area") in {"other", "unknown"}:
                assert use_case.ai_act_class == "unclear"
            else:  # marketing: minimal unless the audience raises it or is unknown
                expected = {"internal": "minimal", "customers": "transparency"}
                assert use_case.ai_act_class == expected.get(row.get("audience"), "unclear")
    else:
        assert card.use_cases == ()


@pytest.fixture(scope="module")
def real_catalogue():
    if not REAL_CATALOGUE.exists():
        pytest.skip("the real catalogue is not there yet")
    with REAL_CATALOGUE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_real_catalogue_random_answers(real_catalogue, data):
    answers = data.draw(answer_sets(real_catalogue))
    card = score(real_catalogue, answers)
    assert_bounds(card, real_catalogue)
    assert score(real_catalogue, answers) == card
    assert ScoreCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


# --- compiled conditions agree with the reference ``evaluate`` --------------------------------

SCALARS = st.one_of(
    st.sampled_from(["", " ", "a", "b", "unknown", "na", "yes"]),
    st.integers(-2, 3),
    st.sampled_from([0.5, 1.0, 2.5]),
    st.booleans(),
)
ROWS = st.lists(
    st.dictionaries(st.sampled_from(["f", "g"]), st.one_of(SCALARS, st.none())), max_size=3
)
ANSWER_VALUES = st.one_of(
    st.none(), SCALARS, st.lists(st.sampled_from(["a", "b", "c"]), max_size=3), ROWS
)


def leaf_conditions(subject, names):
    def leaf(op, expected):
        return st.builds(lambda name, value: {subject: name, op: value}, names, expected)

    return st.one_of(
        leaf("equals", SCALARS),
        leaf("in", st.lists(SCALARS, max_size=3)),
        leaf("includes", st.sampled_from(["a", "b"])),
        leaf("answered", st.booleans()),
        *(
            leaf(op, st.one_of(st.integers(-1, 3), st.just(1.5)))
            for op in ("gte", "gt", "lte", "lt")
        ),
    )


def combined(leaves):
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(children, max_size=3)),
            st.builds(lambda xs: {"any": xs}, st.lists(children, max_size=3)),
            st.builds(lambda x: {"not": x}, children),
        ),
        max_leaves=6,
    )


ROW_CONDITIONS = combined(leaf_conditions("field", st.sampled_from(["f", "g"])))
QUESTION_LEAVES = st.one_of(
    leaf_conditions("q", st.sampled_from(["a", "b", "c"])),
    st.builds(
        lambda name, row: {"q": name, "any_row": row}, st.sampled_from(["a", "b"]), ROW_CONDITIONS
    ),
)
CONDITIONS = combined(QUESTION_LEAVES)


@settings(max_examples=400, deadline=None)
@given(
    cond=CONDITIONS,
    answers=st.dictionaries(st.sampled_from(["a", "b", "c"]), ANSWER_VALUES),
    visible=st.one_of(st.none(), st.frozensets(st.sampled_from(["a", "b", "c"]))),
)
def test_compiled_conditions_match_evaluate(cond, answers, visible):
    from assessments.catalogue.conditions import evaluate
    from assessments.scoring.compiled import compile_condition

    assert compile_condition(cond)(answers, visible) == evaluate(cond, answers, visible)


@settings(max_examples=300, deadline=None)
@given(
    conds=st.lists(CONDITIONS, min_size=1, max_size=4),
    answers=st.dictionaries(st.sampled_from(["a", "b", "c"]), ANSWER_VALUES),
)
def test_conditions_sharing_their_row_parts_match_evaluate(conds, answers):
    # the index compiles row-walking parts once and memoises them per answers object
    from assessments.catalogue.conditions import evaluate
    from assessments.scoring.index import _Conditions

    compiler = _Conditions()
    compiled = [compiler(cond) for cond in conds]
    for _ in range(2):  # the second round answers from the memo
        assert [f(answers) for f in compiled] == [evaluate(c, answers) for c in conds]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_real_catalogue_conditions_match_evaluate(real_catalogue, data):
    from assessments.catalogue.conditions import evaluate
    from assessments.scoring.compiled import compile_condition

    answers = data.draw(answer_sets(real_catalogue))
    conditions = [q["show_if"] for q in all_questions(real_catalogue) if q.get("show_if")]
    conditions += [r["when"] for r in real_catalogue.get("recommendations") or ()]
    for cond in conditions:
        compiled = compile_condition(cond)
        assert compiled.__name__ != "fallback", cond  # the fast path covers every condition
        assert compiled(answers) == evaluate(cond, answers), cond
