"""The stored card: keys, numbers and text references that read back to the same ScoreCard."""

import json
import random

import pytest

from assessments.catalogue import default_catalogue_path, load_document, to_plain
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
                    options = [o["key"] for o in question.get("options", ())]
                    answers[question["key"]] = rng.sample(options, k=min(3, len(options)))
        sets.append(answers)
    return sets


def _stored(data):
    return json.loads(json.dumps(data, separators=(",", ":")))


def test_stored_card_reads_back_equal_and_stays_small(document):
    """≤ 5 KB for realistic answers; the all-worst profiles of catalogue 2026.12 (75 drivers)
    reach about 7 KB, still a seventh of the old full card."""
    sets = _answer_sets(document)
    for number, answers in enumerate(sets):
        card = score(document, answers)
        data = _stored(card_pack(card, document))
        size = len(json.dumps(data, separators=(",", ":")).encode())

        assert card_unpack(data, document) == card
        assert size <= (5 * 1024 if number < len(sets) * 0.75 else 7 * 1024)


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
