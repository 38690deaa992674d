"""The stored card: keys, numbers and text references that read back to the same ScoreCard."""

import json
import random
from pathlib import Path

import pytest

from assessments.catalogue import CATALOGUE_DIR, default_catalogue_path, load_document, to_plain
from assessments.demo import profile_answers
from assessments.scoring import ScoreCard, compact, score
from assessments.scoring.compact import card_pack, card_unpack


@pytest.fixture(scope="module")
def document():
    return to_plain(load_document(default_catalogue_path().read_text(encoding="utf-8")))


def _answer_sets(document, count=30):
    rng = random.Random(14)
    sets = []
    for number in range(count):
        answers = profile_answers(document, number / (count - 1), {})
        for section in document["sections"]:
            for question in section["questions"]:
                if question["type"] == "multi_choice":
                    # an exclusive option ("none of these") is never ticked with others
                    options = [
                        o["key"] for o in question.get("options", ()) if not o.get("exclusive")
                    ]
                    answers[question["key"]] = rng.sample(options, k=min(3, len(options)))
        sets.append(answers)
    return sets


def _stored(data):
    return json.loads(json.dumps(data, separators=(",", ":")))


def _text_size(data) -> int:
    """Bytes of ``card::text`` on PostgreSQL: jsonb prints UTF-8 (no \\u escapes) with ", " and
    ": " between items (the benchmark measures ``octet_length(card::text)``)."""
    return len(json.dumps(data, ensure_ascii=False, separators=(", ", ": ")).encode())


def _all_worst(document) -> dict:
    """The riskiest answer to every question: the worst option of each single choice, the
    riskier of yes/no, the lowest scale step, and every option of each multi-choice question
    (each chosen vendor adds drivers, labels and reasons; an exclusive "none of these" is left
    out, as the questionnaire never takes it with others)."""
    answers = profile_answers(document, 1.0, {})
    for section in document["sections"]:
        for question in section["questions"]:
            if question["type"] == "multi_choice":
                answers[question["key"]] = [
                    o["key"] for o in question.get("options", ()) if not o.get("exclusive")
                ]
    return answers


def test_stored_card_reads_back_equal_and_stays_small(document):
    """≤ 5,000 bytes as PostgreSQL prints it for every answer set, the careless ones too."""
    for answers in _answer_sets(document):
        card = score(document, answers)
        data = _stored(card_pack(card, document))

        assert card_unpack(data, document) == card
        assert _text_size(data) <= 5000


def test_the_all_worst_card_stays_under_5_kb(document):
    """The largest card the newest catalogue gives: 80-odd drivers, among them several per chosen
    vendor, 38 recommendations. Schema 2 stored it in about 10 KB (question texts, the joined
    reasons of a multi-choice answer inline, every option key of the answer as text in each
    driver); the question and recommendation texts now come from the catalogue, joined reasons
    are references, option keys string references."""
    assert document["version"] == "2027.01"
    card = score(document, _all_worst(document))
    assert sum(len(d.drivers) for d in card.dimensions) > 75  # really the large one
    data = _stored(card_pack(card, document))

    assert _text_size(data) <= 5000
    assert card_unpack(data, document) == card
    # card_pack_json and card_pack_jsonb (what rescore compares and sends) are the same card
    assert json.loads(compact.card_pack_json(card, document)) == data
    assert json.loads(compact.card_pack_jsonb(card, document)) == data


def test_jsonb_text_is_the_card_as_postgresql_prints_it(document):
    """Rescore compares ``card_pack_jsonb`` with ``card::text``: jsonb prints ", " and ": ",
    UTF-8 instead of escapes, and an object's keys shorter first, then bytewise (so "card",
    "walk", "format", "schema"). tests/results checks the same against PostgreSQL itself."""
    from assessments.results.services import jsonb_text

    rng = random.Random(5)
    for _ in range(20):
        card = score(document, _random_answers(document, rng))
        text = compact.card_pack_jsonb(card, document)

        assert text.startswith('{"card": ["')
        assert text == jsonb_text(card_pack(card, document))


def _random_answers(document, rng) -> dict:
    """Any answer a stored assessment can hold: options, unknown, N/A, unanswered, values the
    catalogue does not know (old or hand-edited data), use-case rows."""
    answers = {}
    for section in document["sections"]:
        for question in section["questions"]:
            kind = question["type"]
            options = [o["key"] for o in question.get("options", ())]
            roll = rng.random()
            if roll < 0.08:
                continue  # unanswered
            if roll < 0.14 and question.get("allow_unknown"):
                answers[question["key"]] = "unknown"
            elif roll < 0.18 and question.get("allow_na"):
                answers[question["key"]] = "na"
            elif roll < 0.21:
                answers[question["key"]] = rng.choice([7, "gibt es nicht", ["x", 3], None, 2.5])
            elif kind == "single_choice":
                answers[question["key"]] = rng.choice(options)
            elif kind == "multi_choice":
                answers[question["key"]] = rng.sample(options, k=rng.randint(0, len(options)))
            elif kind == "yes_no":
                answers[question["key"]] = rng.choice(["yes", "no"])
            elif kind == "scale":
                answers[question["key"]] = rng.randint(
                    question.get("min", 1), question.get("max", 5)
                )
            elif kind == "number":
                answers[question["key"]] = rng.randint(question["min"], question["max"])
            elif kind == "repeat_group":
                answers[question["key"]] = [
                    {"name": f"Anwendung {n}", **_row(question, rng)}
                    for n in range(rng.randint(0, 3))
                ]
    return answers


def _row(question, rng) -> dict:
    row = {}
    for field in question.get("fields", ()):
        options = [o["key"] for o in field.get("options", ())]
        if field.get("type") == "single_choice" and options:
            row[field["key"]] = rng.choice(options)
        elif field.get("type") == "yes_no":
            row[field["key"]] = rng.choice(["yes", "no"])
    return row


def test_random_cards_render_the_same_texts_as_the_engine(document):
    """For random answer sets the card read back is the engine's ScoreCard: every text the
    results page, the PDF and the exports show (question texts, labels, reasons,
    recommendations, use cases) is the same as the engine gave, through the stored JSON."""
    rng = random.Random(20261130)
    for _ in range(150):
        card = score(document, _random_answers(document, rng))
        data = _stored(card_pack(card, document))
        read = card_unpack(data, document)

        assert read == card
        assert read.to_dict() == card.to_dict()
        assert list(read.vendor_exposure) == list(card.vendor_exposure)  # ties list in this order
        assert _text_size(data) <= 5000


def test_cards_stored_with_schema_2_still_read():
    """Cards written by the previous code (schema 2, before this round) for catalogue 2026.12,
    kept with the full card the engine gave then: they read back to the same card."""
    stored = json.loads((Path(__file__).parent / "card_schema2.json").read_text(encoding="utf-8"))
    document = to_plain(
        load_document((CATALOGUE_DIR / "ki-readiness-2026.12.yaml").read_text(encoding="utf-8"))
    )
    assert stored["catalogue"] == f"{document['key']} {document['version']}"
    for entry in stored["cards"]:
        assert entry["packed"]["schema"] == 2

        assert card_unpack(entry["packed"], document) == ScoreCard.from_dict(entry["full"])


def test_a_choice_answer_the_catalogue_does_not_know_is_kept_as_it_was(document):
    """Schema 3 stores a choice question's option keys as numbers; any other value there (a
    number, a list with a number) must not be read as a reference."""
    answers = _all_worst(document)
    single = next(
        q["key"]
        for s in document["sections"]
        for q in s["questions"]
        if q["type"] == "single_choice"
    )
    multi = next(
        q["key"]
        for s in document["sections"]
        for q in s["questions"]
        if q["type"] == "multi_choice"
    )
    for odd in (3, ["x", 3], 2.5, True, "gibt es nicht"):
        answers[single] = odd
        answers[multi] = odd
        card = score(document, answers)

        assert card_unpack(_stored(card_pack(card, document)), document) == card


def test_texts_come_from_the_catalogue_version_given(document):
    card = score(document, _answer_sets(document)[-1])
    data = _stored(card_pack(card, json.loads(json.dumps(document))))  # jsonb reorders keys
    reordered = json.loads(json.dumps(document, sort_keys=True))

    assert card_unpack(data, reordered) == card
    assert "question_text" not in json.dumps(data)  # no field names, no texts of the catalogue
    first = card.dimensions[0].drivers[0].question_text["de"]
    assert first not in json.dumps(data, ensure_ascii=False)


def test_old_full_cards_still_read(document):
    card = score(document, _answer_sets(document)[3])

    assert card_unpack(_stored(card.to_dict()), document) == card


def test_texts_not_in_the_catalogue_are_kept_inline(document):
    card = score(document, _answer_sets(document)[5])
    dimension = card.dimensions[0]
    odd = {"de": "von Hand, mit, Kommas", "en": "by hand, with, commas"}
    driver = dimension.drivers[0].__class__(
        **{**dimension.drivers[0].__dict__, "answer_label": odd, "reason": "plain"}
    )
    changed = ScoreCard(
        **{
            **card.__dict__,
            "dimensions": (
                dimension.__class__(**{**dimension.__dict__, "drivers": (driver,)}),
                *card.dimensions[1:],
            ),
        }
    )

    assert card_unpack(_stored(card_pack(changed, document)), document) == changed


def test_current_field_lists_are_registered():
    """A result dataclass gained or lost a field: append its field lists to compact.SCHEMAS
    (cards written meanwhile embed their field lists and keep reading)."""
    assert compact.CURRENT_SCHEMA is not None
    assert compact.SCHEMAS[compact.CURRENT_SCHEMA] == compact._SCHEMA


def test_a_card_with_an_unregistered_schema_embeds_and_reads_it(document, monkeypatch):
    card = score(document, _answer_sets(document)[7])
    monkeypatch.setattr(compact, "CURRENT_SCHEMA", None)

    data = _stored(card_pack(card, document))

    assert isinstance(data["schema"], dict)
    assert card_unpack(data, document) == card


def test_unknown_walk_version_is_refused(document):
    data = _stored(card_pack(score(document, _answer_sets(document)[1]), document))
    data["walk"] = 99

    with pytest.raises(ValueError, match="walk"):
        card_unpack(data, document)


def test_joined_labels_that_contain_commas_are_stored_as_references():
    """The engine joins the labels of several chosen options with ", "; a label with a comma of
    its own ("ChatGPT Free, Plus oder Pro") used to make the whole joined label inline text."""
    from tests.scoring.test_properties import REAL_CATALOGUE

    document = to_plain(load_document(REAL_CATALOGUE.read_text(encoding="utf-8")))
    chosen = ["mistral", "chatgpt_free", "openai_api"]
    card = score(document, {"services_used": chosen})
    labels = {
        tuple(d.answer_label.values())
        for dim in card.dimensions
        for d in dim.drivers
        if d.question_key == "services_used" and isinstance(d.answer_label, dict)
    }
    assert any("ChatGPT Free, Plus oder Pro" in label[0] for label in labels)  # joined, commas

    packed = card_pack(card, document)

    assert "ChatGPT Free" not in json.dumps(packed, ensure_ascii=False)
    assert card_unpack(_stored(packed), document) == card


def test_compiled_text_packers_write_the_generic_packers_text(document):
    """``card_pack_json``/``card_pack_jsonb`` run per record class code compiled from the plan;
    on random cards (each packed twice: fresh and from the memo of shared drivers) it writes
    byte for byte the text of the generic packer, and the JSON it writes is ``card_pack``."""
    rng = random.Random(1411)
    generic = compact._Packer(compact.text_table(document))
    for _ in range(200):
        card = score(document, _random_answers(document, rng))
        packer = compact._packer(document)
        for _twice in range(2):
            assert packer.record_jsonb(card) == generic._record_text(
                card, generic.jsonb_memo, ", ", compact._jsonb
            )
            assert packer.record_json(card) == generic._record_text(
                card, generic.json_memo, ",", compact._json
            )
        assert json.loads(compact.card_pack_json(card, document)) == _stored(
            card_pack(card, document)
        )


@pytest.mark.parametrize(
    "value",
    [
        [],
        [1, -6, 0],
        ["a", 'Ä\u2028"x"', 3],
        [[1, 2], ["b"], []],
        [1.5, 1e-07, True, False, None, {"v": [2, "ü"]}],
        ("tuple", 1),
        {"de": "ä", "en": "a"},
        [float("inf")],
    ],
)
def test_the_scalar_first_encoders_write_what_json_writes(value):
    assert compact._json(value) == json.dumps(value, separators=(",", ":"))
    assert compact._jsonb(value) == json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
