"""The catalogue schema: good files load, each kind of bad file fails with a readable message.

The messages come in the active language: German by default (the source text), English when the
admin works in English. Each line starts with the path of the problem in the file.
"""

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from assessments.catalogue import (
    CatalogueDocument,
    CatalogueError,
    default_catalogue_path,
    load_document,
    parse_yaml,
    to_plain,
    validate_document,
)

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
CATALOGUE_CODE = Path(__file__).resolve().parents[2] / "assessments" / "catalogue"
REAL = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"
)


def minimal() -> dict:
    return parse_yaml(FIXTURE.read_text(encoding="utf-8"))


def question(doc: dict, key: str) -> dict:
    for section in doc["sections"]:
        for q in section["questions"]:
            if q["key"] == key:
                return q
    raise KeyError(key)


def messages(doc) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        load_document(doc)
    return info.value.messages


# --- good files ---------------------------------------------------------------------------------


def test_minimal_fixture_loads_from_path_text_and_dict():
    from_path = load_document(FIXTURE)
    from_text = load_document(FIXTURE.read_text(encoding="utf-8"))
    from_dict = load_document(minimal())
    assert isinstance(from_path, CatalogueDocument)
    assert to_plain(from_path) == to_plain(from_text) == to_plain(from_dict)
    assert from_path.key == "minimal"
    assert [q.key for q in from_path.sections[0].questions][:3] == ["services_used", "dpa", "art5"]


def test_plain_form_is_json_and_validates_again_unchanged():
    plain = to_plain(load_document(FIXTURE))
    assert plain["schema"] == 1
    assert plain["ai_act"]["classes"]["high_risk"]["applies_from"] == "2027-12-02"
    assert json.loads(json.dumps(plain)) == plain
    assert validate_document(plain) == plain
    assert "show_if" not in question(plain, "art5")  # unset optional fields are left out


def test_yaml_yes_and_no_stay_strings():
    text = FIXTURE.read_text(encoding="utf-8").replace('"no": {scores: {}}', "no: {scores: {}}")
    text = text.replace('"yes": {scores: {ai_act: 2}', "yes: {scores: {ai_act: 2}")
    doc = load_document(text)
    art5 = doc.sections[0].questions[2]
    assert art5.yes.knockout == "ai_act"
    assert parse_yaml("a: no\nb: yes\nc: true\nd: off") == {
        "a": "no",
        "b": "yes",
        "c": True,
        "d": "off",
    }


# --- YAML level ---------------------------------------------------------------------------------


def test_duplicate_yaml_key_is_rejected_with_both_lines():
    # first, and followed by the document's other problems (here: missing fields)
    found = messages("schema: 1\nkey: a\nversion: '1'\nkey: b\n")
    assert found[0] == "Zeile 4: Schlüssel 'key' kommt doppelt vor (zuerst in Zeile 2)"
    assert "Pflichtfeld 'title' fehlt" in found


def test_yaml_syntax_error_names_line_and_column():
    assert messages("schema: 1\nkey: [unclosed\n") == [
        "YAML: Zeile 3, Spalte 1: did not find expected ',' or ']'"
    ]


def test_document_that_is_not_a_mapping_is_rejected():
    assert messages("- just\n- a list\n") == [
        "der Katalog muss auf oberster Ebene eine Zuordnung (key: value) sein, ist aber list"
    ]


def test_yaml_tags_that_build_python_objects_are_refused():
    with pytest.raises(CatalogueError) as info:
        load_document("schema: !!python/object/apply:os.system ['true']\n")
    assert info.value.messages[0].startswith("YAML: ")


# --- options and scores -------------------------------------------------------------------------


def test_option_without_scores_is_rejected():
    doc = minimal()
    del question(doc, "services_used")["options"][1]["scores"]
    assert messages(doc) == [
        "questions.services_used.options.chatgpt_free: Pflichtfeld 'scores' fehlt"
    ]


def test_option_with_empty_scores_is_a_zero_risk_option():
    doc = load_document(minimal())
    assert doc.sections[0].questions[1].options[0].scores == {}


def test_points_above_ten_are_rejected():
    doc = minimal()
    question(doc, "services_used")["options"][1]["scores"]["gdpr"] = 11
    assert messages(doc) == [
        "questions.services_used.options.chatgpt_free.scores: "
        "die Punkte für 'gdpr' müssen zwischen 0 und 10 liegen, sind aber 11"
    ]


def test_negative_points_are_rejected():
    doc = minimal()
    question(doc, "dpa")["options"][1]["scores"]["gdpr"] = -1
    assert messages(doc) == [
        "questions.dpa.options.none.scores: "
        "die Punkte für 'gdpr' müssen zwischen 0 und 10 liegen, sind aber -1"
    ]


def test_scores_for_an_unknown_dimension_are_rejected():
    doc = minimal()
    question(doc, "dpa")["options"][1]["scores"] = {"privacy": 2}
    assert messages(doc) == [
        "questions.dpa.options.none.scores: unbekannte Dimension 'privacy' "
        "(erlaubt: lock_in, gdpr, ai_act, continuity, governance)"
    ]


def test_duplicate_option_key_is_rejected():
    doc = minimal()
    question(doc, "dpa")["options"][1]["key"] = "all"
    assert messages(doc) == [
        "questions.dpa.options[1].key: Optionsschlüssel 'all' kommt doppelt vor"
    ]


@pytest.mark.parametrize(("key", "flag"), [("unknown", "allow_unknown"), ("na", "allow_na")])
def test_reserved_option_keys_are_rejected(key, flag):
    doc = minimal()
    question(doc, "dpa")["options"][1]["key"] = key
    assert messages(doc) == [
        f"questions.dpa.options.{key}.key: "
        f"der Optionsschlüssel {key!r} ist reserviert; bitte '{flag}: true' verwenden"
    ]


def test_choice_question_needs_two_options():
    doc = minimal()
    del question(doc, "dpa")["options"][1]
    assert messages(doc) == ["questions.dpa.options: es sind mindestens 2 Optionen nötig"]


def test_unknown_vendor_tag_is_rejected():
    doc = minimal()
    question(doc, "services_used")["options"][0]["vendors"] = ["ibm"]
    assert messages(doc) == [
        "questions.services_used.options.m365_copilot.vendors: unbekannter Anbieter 'ibm'"
    ]


def test_knockout_on_unknown_dimension_is_rejected():
    doc = minimal()
    question(doc, "art5")["yes"]["knockout"] = "legal"
    assert messages(doc) == [
        "questions.art5.yes.knockout: muss einer dieser Werte sein: 'lock_in', 'gdpr', 'ai_act', "
        "'continuity' oder 'governance'; ist aber 'legal'"
    ]


def test_yes_no_question_needs_both_blocks():
    doc = minimal()
    del question(doc, "art5")["yes"]
    assert messages(doc) == ["questions.art5: Pflichtfeld 'yes' fehlt"]


def test_unknown_scores_without_allow_unknown_are_rejected():
    doc = minimal()
    question(doc, "art5")["unknown_scores"] = {"ai_act": 2}
    assert messages(doc) == ["questions.art5.unknown_scores: braucht 'allow_unknown: true'"]


# --- texts --------------------------------------------------------------------------------------


def test_missing_english_text_is_rejected():
    doc = minimal()
    del question(doc, "dpa")["text"]["en"]
    assert messages(doc) == ["questions.dpa.text: Pflichtfeld 'en' fehlt"]


def test_blank_german_text_is_rejected():
    doc = minimal()
    question(doc, "dpa")["help"]["de"] = "   "
    assert messages(doc) == ["questions.dpa.help.de: darf nicht leer sein"]


def test_missing_help_is_rejected():
    doc = minimal()
    del question(doc, "notes")["help"]
    assert messages(doc) == ["questions.notes: Pflichtfeld 'help' fehlt"]


def test_several_problems_are_reported_together():
    doc = minimal()
    del question(doc, "dpa")["text"]["en"]
    question(doc, "notes")["colour"] = "red"
    assert messages(doc) == [
        "questions.dpa.text: Pflichtfeld 'en' fehlt",
        "questions.notes: unbekanntes Feld 'colour'",
    ]


# --- question types -----------------------------------------------------------------------------


def test_unsupported_question_type_is_rejected():
    doc = minimal()
    question(doc, "notes")["type"] = "essay"
    assert messages(doc) == [
        "questions.notes: nicht unterstützter Fragetyp 'essay' (erlaubt: 'single_choice', "
        "'multi_choice', 'yes_no', 'scale', 'number', 'text', 'long_text', 'repeat_group')"
    ]


def test_question_without_type_is_rejected():
    doc = minimal()
    del question(doc, "notes")["type"]
    assert messages(doc) == ["questions.notes: Pflichtfeld 'type' fehlt"]


def test_field_of_another_type_is_rejected_as_unknown_field():
    doc = minimal()
    question(doc, "notes")["options"] = []
    assert messages(doc) == ["questions.notes: unbekanntes Feld 'options'"]


def test_scale_scores_need_one_number_per_step():
    doc = minimal()
    question(doc, "maturity")["scores"]["governance"] = [4, 3, 2]
    assert messages(doc) == [
        "questions.maturity.scores.governance: "
        "braucht 5 Punktwerte (einen je Stufe 1..5), hat aber 3"
    ]


def test_scale_label_outside_the_range_is_rejected():
    doc = minimal()
    question(doc, "maturity")["labels"][7] = {"de": "toll", "en": "great"}
    assert messages(doc) == ["questions.maturity.labels.7: Stufe 7 liegt außerhalb von 1..5"]


def test_number_bands_must_reach_the_maximum():
    doc = minimal()
    question(doc, "staff")["bands"][-1]["upto"] = 500
    assert messages(doc) == [
        "questions.staff.bands: decken den Wertebereich nicht ab: "
        "der letzte Bereich muss max (1000) erreichen oder 'upto: null' sein"
    ]


def test_number_bands_must_rise():
    doc = minimal()
    question(doc, "staff")["bands"] = [
        {"upto": 10, "scores": {}},
        {"upto": 10, "scores": {}},
        {"upto": None, "scores": {}},
    ]
    assert messages(doc) == [
        "questions.staff.bands[1].upto: muss größer sein als beim vorigen Bereich (10)"
    ]


def test_only_the_last_band_may_be_open():
    doc = minimal()
    question(doc, "staff")["bands"] = [{"upto": None, "scores": {}}, {"upto": 1000, "scores": {}}]
    assert messages(doc) == [
        "questions.staff.bands[0].upto: nur der letzte Bereich darf nach oben offen sein (null)"
    ]


def test_number_question_needs_min_and_max():
    doc = minimal()
    del question(doc, "staff")["max"]
    assert messages(doc) == ["questions.staff: Pflichtfeld 'max' fehlt"]


def test_repeat_group_field_with_unsupported_type_is_rejected():
    doc = minimal()
    question(doc, "use_cases")["fields"].append(
        {
            "key": "cost",
            "type": "number",
            "text": {"de": "Kosten", "en": "Cost"},
            "help": {"de": "Euro", "en": "Euro"},
        }
    )
    assert messages(doc) == [
        "questions.use_cases.fields.cost: nicht unterstützter Feldtyp 'number' "
        "(erlaubt: 'single_choice', 'yes_no', 'text')"
    ]


def test_repeat_group_field_may_not_have_show_if():
    doc = minimal()
    question(doc, "use_cases")["fields"][0]["show_if"] = {"q": "staff", "gte": 1}
    assert messages(doc) == ["questions.use_cases.fields.name: unbekanntes Feld 'show_if'"]


def test_repeat_group_field_options_are_not_scored():
    doc = minimal()
    question(doc, "use_cases")["fields"][1]["options"][0]["scores"] = {"ai_act": 2}
    assert messages(doc) == [
        "questions.use_cases.fields.area.options.code.scores: "
        "Felder einer repeat_group werden nicht bewertet; bitte ai_act_class verwenden"
    ]


def test_annex_iii_needs_the_high_risk_class():
    doc = minimal()
    question(doc, "use_cases")["fields"][1]["options"][0]["annex_iii"] = "Anhang III Nr. 4"
    assert messages(doc) == [
        "questions.use_cases.fields.area.options.code.annex_iii: "
        "nur zusammen mit 'ai_act_class: high_risk' erlaubt"
    ]


def test_ai_act_class_outside_repeat_groups_is_rejected():
    doc = minimal()
    question(doc, "dpa")["options"][0]["ai_act_class"] = "minimal"
    assert messages(doc) == ["questions.dpa.options.all: unbekanntes Feld 'ai_act_class'"]


# --- keys ---------------------------------------------------------------------------------------


def test_duplicate_question_key_is_rejected_by_position():
    doc = minimal()
    doc["sections"][0]["questions"].append(copy.deepcopy(question(doc, "notes")))
    assert messages(doc) == [
        "sections[0].questions[7].key: Fragenschlüssel 'notes' kommt doppelt vor"
    ]


def test_duplicate_question_key_across_sections_is_rejected():
    doc = minimal()
    moved = doc["sections"][0]["questions"].pop()
    doc["sections"].append(
        {"key": "more", "title": {"de": "Mehr", "en": "More"}, "questions": [moved]}
    )
    doc["sections"][1]["questions"].append(copy.deepcopy(question(doc, "art5")))
    assert messages(doc) == [
        "sections[1].questions[1].key: Fragenschlüssel 'art5' kommt doppelt vor"
    ]


def test_duplicate_section_key_is_rejected():
    doc = minimal()
    moved = doc["sections"][0]["questions"].pop()
    doc["sections"].append(
        {"key": "inventory", "title": {"de": "Mehr", "en": "More"}, "questions": [moved]}
    )
    assert messages(doc) == ["sections[1].key: Abschnittsschlüssel 'inventory' kommt doppelt vor"]


def test_duplicate_recommendation_key_is_rejected():
    doc = minimal()
    doc["recommendations"].append(copy.deepcopy(doc["recommendations"][0]))
    assert messages(doc) == [
        "recommendations[1].key: Empfehlungsschlüssel 'sign_dpa' kommt doppelt vor"
    ]


def test_key_with_capitals_is_rejected():
    doc = minimal()
    question(doc, "notes")["key"] = "Notes"
    assert messages(doc) == [
        "questions.Notes.key: muss dem Muster [a-z][a-z0-9_]* entsprechen, ist aber 'Notes'"
    ]


def test_empty_section_is_rejected():
    doc = minimal()
    doc["sections"].append(
        {"key": "empty", "title": {"de": "Leer", "en": "Empty"}, "questions": []}
    )
    assert messages(doc) == ["sections.empty.questions: darf nicht leer sein"]


def test_unquoted_version_number_is_rejected():
    doc = minimal()
    doc["version"] = 2026.11
    assert messages(doc) == [
        'version: muss ein Text in Anführungszeichen sein, etwa "2026.11", ist aber 2026.11'
    ]


# --- conditions ---------------------------------------------------------------------------------


def test_show_if_on_unknown_question_is_rejected():
    doc = minimal()
    question(doc, "dpa")["show_if"] = {"q": "foo", "equals": "x"}
    assert messages(doc) == ["questions.dpa.show_if: unbekannte Frage 'foo'"]


def test_show_if_on_later_question_is_rejected():
    doc = minimal()
    question(doc, "dpa")["show_if"] = {"q": "art5", "equals": "yes"}
    assert messages(doc) == ["questions.dpa.show_if: Frage 'art5' kommt nicht vorher"]


def test_show_if_on_the_question_itself_is_rejected():
    doc = minimal()
    question(doc, "dpa")["show_if"] = {"q": "dpa", "equals": "all"}
    assert messages(doc) == ["questions.dpa.show_if: Frage 'dpa' kommt nicht vorher"]


def test_includes_on_a_single_choice_question_is_rejected():
    doc = minimal()
    question(doc, "art5")["show_if"] = {"q": "dpa", "includes": "all"}
    assert messages(doc) == [
        "questions.art5.show_if.includes: 'includes' braucht eine Frage vom Typ multi_choice; "
        "'dpa' ist single_choice"
    ]


def test_includes_of_a_missing_option_is_rejected():
    doc = minimal()
    question(doc, "art5")["show_if"] = {"q": "services_used", "includes": "gemini"}
    assert messages(doc) == [
        "questions.art5.show_if.includes: 'gemini' ist keine Option von 'services_used'"
    ]


def test_equals_with_a_missing_option_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "equals": "some"}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.equals: 'some' ist keine Option von 'dpa'"
    ]


def test_in_with_a_missing_option_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "art5", "in": ["yes", "maybe"]}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.in: 'maybe' ist keine Option von 'art5'"
    ]


def test_unknown_in_condition_needs_allow_unknown():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "art5", "equals": "unknown"}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.equals: 'art5' lässt 'unknown' nicht zu"
    ]


def test_comparison_on_a_choice_question_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "gte": 3}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.gte: 'gte' braucht eine Frage vom Typ number oder scale; "
        "'dpa' ist single_choice"
    ]


def test_equals_outside_a_number_range_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "maturity", "equals": 9}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.equals: "
        "9 liegt außerhalb des Wertebereichs von 'maturity' (1..5)"
    ]


def test_equals_on_multi_choice_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "services_used", "equals": "m365_copilot"}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.equals: 'services_used' ist multi_choice: "
        "bitte 'includes' verwenden (oder mit 'unknown'/'na' vergleichen)"
    ]


def test_any_row_on_an_unknown_field_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {
        "q": "use_cases",
        "any_row": {"field": "sector", "equals": "hr"},
    }
    assert messages(doc) == [
        "recommendations.sign_dpa.when.any_row: "
        "unbekanntes Feld 'sector' in der repeat_group 'use_cases'"
    ]


def test_any_row_with_a_missing_option_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {
        "q": "use_cases",
        "any_row": {"field": "area", "in": ["hr", "credit"]},
    }
    assert messages(doc) == [
        "recommendations.sign_dpa.when.any_row.in: 'credit' ist keine Option von 'use_cases.area'"
    ]


def test_any_row_on_a_choice_question_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "any_row": {"field": "area", "equals": "hr"}}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.any_row: 'any_row' braucht eine Frage vom Typ repeat_group; "
        "'dpa' ist single_choice"
    ]


def test_unknown_operator_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "contains": "all"}
    assert messages(doc) == [
        "recommendations.sign_dpa.when: unbekannter Operator 'contains' "
        "(erlaubt: equals, in, includes, gte, gt, lte, lt, any_row, answered)"
    ]


def test_two_operators_in_one_condition_are_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "equals": "all", "in": ["none"]}
    assert messages(doc) == [
        "recommendations.sign_dpa.when: nur ein Operator je Bedingung, gefunden: 'equals', 'in'"
    ]


def test_nested_condition_problems_name_their_position():
    doc = minimal()
    doc["recommendations"][0]["when"] = {
        "all": [{"q": "dpa", "equals": "none"}, {"not": {"q": "nope", "answered": True}}]
    }
    assert messages(doc) == ["recommendations.sign_dpa.when.all[1].not: unbekannte Frage 'nope'"]


def test_combinator_mixed_with_a_leaf_is_rejected():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "any": [{"q": "dpa", "equals": "none"}]}
    assert messages(doc) == [
        "recommendations.sign_dpa.when: 'any' lässt sich nicht mit 'q' kombinieren"
    ]


def test_answered_needs_a_boolean():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "dpa", "answered": "yes"}
    assert messages(doc) == [
        "recommendations.sign_dpa.when.answered: muss true oder false sein, ist aber 'yes'"
    ]


def test_recommendation_may_reference_any_question():
    doc = minimal()
    doc["recommendations"][0]["when"] = {"q": "maturity", "lte": 2}
    assert load_document(doc).recommendations[0].when == {"q": "maturity", "lte": 2}


# --- top level ----------------------------------------------------------------------------------


def test_dimension_weight_of_zero_is_rejected():
    doc = minimal()
    doc["dimensions"]["gdpr"]["weight"] = 0
    assert messages(doc) == [
        "dimensions.gdpr.weight: muss größer als 0 und höchstens 5 sein, ist aber 0"
    ]


def test_dimension_weight_above_five_is_rejected():
    doc = minimal()
    doc["dimensions"]["gdpr"]["weight"] = 5.5
    assert messages(doc) == [
        "dimensions.gdpr.weight: muss größer als 0 und höchstens 5 sein, ist aber 5.5"
    ]


def test_missing_dimension_is_rejected():
    doc = minimal()
    del doc["dimensions"]["governance"]
    assert messages(doc) == ["dimensions: Dimension 'governance' fehlt"]


def test_extra_dimension_is_rejected():
    doc = minimal()
    doc["dimensions"]["ethics"] = {"title": {"de": "Ethik", "en": "Ethics"}}
    assert messages(doc) == [
        "dimensions.ethics: unbekannte Dimension 'ethics' "
        "(erlaubt: lock_in, gdpr, ai_act, continuity, governance)"
    ]


def test_exposure_weights_must_sum_to_one():
    doc = minimal()
    doc["exposure"]["question_weights"]["staff"] = 0.3
    assert messages(doc) == [
        "exposure.question_weights: die Gewichte müssen zusammen 1 ergeben, ergeben aber 0.9"
    ]


def test_exposure_on_unknown_question_is_rejected():
    doc = minimal()
    doc["exposure"]["question_weights"] = {"services_used": 0.6, "headcount": 0.4}
    assert messages(doc) == ["exposure.question_weights.headcount: unbekannte Frage 'headcount'"]


def test_exposure_on_a_text_question_is_rejected():
    doc = minimal()
    doc["exposure"]["question_weights"] = {"services_used": 0.6, "notes": 0.4}
    assert messages(doc) == [
        "exposure.question_weights.notes: Frage 'notes' wird nicht bewertet (text)"
    ]


def test_levels_must_rise():
    doc = minimal()
    doc["levels"] = {"medium": 50, "high": 40, "critical": 75}
    assert messages(doc) == [
        "levels: die Schwellen müssen innerhalb von 0..100 steigen: "
        "0 < medium < high < critical < 100"
    ]


def test_ai_act_classes_must_all_be_present():
    doc = minimal()
    del doc["ai_act"]["classes"]["unclear"]
    assert messages(doc) == ["ai_act.classes: Pflichtfeld 'unclear' fehlt"]


def test_ai_act_class_needs_a_date_except_unclear():
    doc = minimal()
    del doc["ai_act"]["classes"]["high_risk"]["applies_from"]
    assert messages(doc) == ["ai_act.classes.high_risk: Pflichtfeld 'applies_from' fehlt"]


def test_use_case_question_must_be_a_repeat_group():
    doc = minimal()
    doc["ai_act"]["use_case_question"] = "dpa"
    assert messages(doc) == [
        "ai_act.use_case_question: Frage 'dpa' muss eine repeat_group sein, nicht single_choice"
    ]


def test_unknown_top_level_key_is_rejected():
    doc = minimal()
    doc["colour"] = "blue"
    assert messages(doc) == ["unbekanntes Feld 'colour'"]


def test_wrong_schema_version_is_rejected():
    doc = minimal()
    doc["schema"] = 2
    assert messages(doc) == ["schema: muss einer dieser Werte sein: 1; ist aber 2"]


# --- all problems at once, in the admin's language ----------------------------------------------


def broken_fields() -> dict:
    """Seven problems found while reading the fields, one of each kind pydantic or we report."""
    doc = minimal()
    question(doc, "services_used")["options"][1]["scores"]["gdpr"] = 11  # our field check
    del question(doc, "dpa")["text"]["en"]  # missing
    question(doc, "art5")["yes"]["knockout"] = "legal"  # a literal with an "or" in its list
    question(doc, "staff")["required"] = "vielleicht"  # not a boolean
    question(doc, "notes")["max_length"] = 0  # below pydantic's bound (ge=1)
    question(doc, "notes")["colour"] = "red"  # unknown field
    question(doc, "use_cases")["fields"][0]["max_length"] = "lang"  # not an integer
    return doc


def broken_references() -> dict:
    """Three problems only the document as a whole shows (its fields are all right)."""
    doc = minimal()
    question(doc, "services_used")["options"][0]["vendors"] = ["ibm"]
    question(doc, "dpa")["show_if"] = {"q": "art5", "equals": "yes"}
    doc["recommendations"][0]["when"] = {"q": "maturity", "equals": 9}
    return doc


# Field errors come in file order (question by question; within one, declared fields before
# unknown ones); the document's checks in the order _cross_references runs them: vendors, then
# conditions (show_if before recommendations).
FIELDS_DE = [
    "questions.services_used.options.chatgpt_free.scores: "
    "die Punkte für 'gdpr' müssen zwischen 0 und 10 liegen, sind aber 11",
    "questions.dpa.text: Pflichtfeld 'en' fehlt",
    "questions.art5.yes.knockout: muss einer dieser Werte sein: 'lock_in', 'gdpr', 'ai_act', "
    "'continuity' oder 'governance'; ist aber 'legal'",
    "questions.staff.required: muss true oder false sein, ist aber 'vielleicht'",
    "questions.notes.max_length: muss mindestens 1 sein, ist aber 0",
    "questions.notes: unbekanntes Feld 'colour'",
    "questions.use_cases.fields.name.max_length: muss eine ganze Zahl sein, ist aber 'lang'",
]
FIELDS_EN = [
    "questions.services_used.options.chatgpt_free.scores: "
    "points for 'gdpr' must be between 0 and 10, got 11",
    "questions.dpa.text: 'en' is required",
    "questions.art5.yes.knockout: must be one of 'lock_in', 'gdpr', 'ai_act', 'continuity' "
    "or 'governance', got 'legal'",
    "questions.staff.required: must be true or false, got 'vielleicht'",
    "questions.notes.max_length: must be at least 1, got 0",
    "questions.notes: unknown field 'colour'",
    "questions.use_cases.fields.name.max_length: must be a whole number, got 'lang'",
]
REFERENCES_DE = [
    "questions.services_used.options.m365_copilot.vendors: unbekannter Anbieter 'ibm'",
    "questions.dpa.show_if: Frage 'art5' kommt nicht vorher",
    "recommendations.sign_dpa.when.equals: "
    "9 liegt außerhalb des Wertebereichs von 'maturity' (1..5)",
]
REFERENCES_EN = [
    "questions.services_used.options.m365_copilot.vendors: unknown vendor 'ibm'",
    "questions.dpa.show_if: question 'art5' does not come earlier",
    "recommendations.sign_dpa.when.equals: 9 is outside 'maturity''s range 1..5",
]


def test_all_field_problems_of_a_file_are_reported_at_once_in_german():
    assert messages(broken_fields()) == FIELDS_DE


def test_the_same_file_in_english_gives_the_same_problems_in_english():
    with translation.override("en"):
        assert messages(broken_fields()) == FIELDS_EN


def test_all_reference_problems_are_reported_at_once_in_both_languages():
    assert messages(broken_references()) == REFERENCES_DE
    with translation.override("en"):
        assert messages(broken_references()) == REFERENCES_EN


def test_yaml_problems_follow_the_language_too():
    with translation.override("en"):
        assert messages("schema: 1\nkey: a\nversion: '1'\nkey: b\n")[0] == (
            "line 4: duplicate key 'key' (first at line 2)"
        )
        assert messages("schema: 1\nkey: [unclosed\n") == [
            "YAML: line 3, column 1: did not find expected ',' or ']'"
        ]
        assert messages("- just\n- a list\n") == [
            "the catalogue must be a mapping at the top level, got list"
        ]


def test_a_huge_wrong_value_is_cut_short_in_the_message():
    doc = minimal()
    doc["sections"][0]["questions"] = {"not": "a list", "but": "x" * 500}

    (line,) = messages(doc)

    assert line.startswith("sections.inventory.questions: muss eine Liste sein, ist aber {'not'")
    assert line.endswith("…") and len(line) < 160


def test_every_message_of_the_schema_has_an_english_translation():
    # A message without an entry in the English catalogue would reach an English admin in German.
    sources = sorted(CATALOGUE_CODE.glob("*.py"))
    german = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        for literal in re.findall(r"_\(\s*((?:\"[^\"]*\"\s*)+)\)", text):
            german.add("".join(re.findall(r'"([^"]*)"', literal)))
        for literal in re.findall(r"gettext(?:_lazy)?\(\s*((?:\"[^\"]*\"\s*)+)\)", text):
            german.add("".join(re.findall(r'"([^"]*)"', literal)))
    german.discard("YAML: %(problem)s")  # the same in both languages
    assert len(german) > 60
    with translation.override("en"):
        untranslated = sorted(m for m in german if translation.gettext(m) == m)
    assert untranslated == []


# --- the real catalogue -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> CatalogueDocument:
    return load_document(REAL)


@pytest.fixture(scope="module")
def real_plain(real) -> dict:
    return to_plain(real)


def _texts(node, path=""):
    """Every {de, en} object in the raw YAML with its path."""
    if isinstance(node, dict):
        if "de" in node or "en" in node:
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{path}[{i}]")


def test_real_catalogue_still_validates_after_the_newer_version_shipped(real):
    # 2026.11 stays immutable and loadable: assessments bound to it keep scoring the same
    assert (real.key, real.version) == ("ki-readiness", "2026.11")
    assert default_catalogue_path() == REAL.with_name("ki-readiness-2027.01.yaml")


def test_real_catalogue_has_enough_questions_sections_and_recommendations(real_plain):
    questions = [q for s in real_plain["sections"] for q in s["questions"]]
    assert len(questions) >= 40
    assert len(real_plain["sections"]) >= 6
    assert len(real_plain["recommendations"]) >= 20
    assert len(real_plain["glossary"]) >= 10


def test_real_catalogue_every_text_has_german_and_english():
    raw = yaml.safe_load(REAL.read_text(encoding="utf-8"))  # also readable without our loader
    texts = list(_texts(raw))
    assert len(texts) > 400
    for path, text in texts:
        assert set(text) == {"de", "en"}, path
        assert text["de"].strip() and text["en"].strip(), path


def test_real_catalogue_german_uses_umlauts_not_substitutes():
    raw = parse_yaml(REAL.read_text(encoding="utf-8"))
    substitutes = (
        "fuer",
        "ueber",
        "koenn",
        "muess",
        "moeglich",
        "aender",
        "waehl",
        "pruef",
        "Pruef",
        "gehoer",
        "loesung",
        "naechst",
        "groess",
        "massnahm",
        "gemaess",
    )
    for path, text in _texts(raw):
        for bad in substitutes:
            assert bad not in text["de"], (path, bad)


def test_real_catalogue_exposure_and_use_case_group(real_plain):
    assert real_plain["exposure"]["question_weights"] == {
        "services_used": 0.5,
        "staff_share": 0.3,
        "no_fallback": 0.2,
    }
    assert real_plain["ai_act"]["use_case_question"] == "use_cases"
    group = next(
        q for s in real_plain["sections"] for q in s["questions"] if q["key"] == "use_cases"
    )
    assert [f["key"] for f in group["fields"]] == [
        "name",
        "area",
        "purpose",
        "service",
        "affected",
        "published",
    ]


def test_real_catalogue_classifies_use_case_areas(real_plain):
    group = next(
        q for s in real_plain["sections"] for q in s["questions"] if q["key"] == "use_cases"
    )
    area = {o["key"]: o for o in group["fields"][1]["options"]}
    assert (area["hr_screening"]["ai_act_class"], area["hr_screening"]["annex_iii"]) == (
        "high_risk",
        "Anhang III Nr. 4",
    )
    assert area["credit"]["annex_iii"] == "Anhang III Nr. 5 Buchst. b"
    assert {
        k: area[k]["ai_act_class"]
        for k in (
            "customer_chatbot",
            "marketing_text",
            "code",
            "office_text",
            "emotion_workplace",
            "other",
        )
    } == {
        "customer_chatbot": "transparency",
        "marketing_text": "transparency",
        "code": "minimal",
        "office_text": "minimal",
        "emotion_workplace": "prohibited",
        "other": "unclear",
    }


def test_real_catalogue_ai_act_dates(real):
    classes = real.ai_act.classes
    assert classes.prohibited.applies_from == dt.date(2025, 2, 2)
    assert classes.transparency.applies_from == dt.date(2026, 8, 2)
    assert classes.high_risk.applies_from == dt.date(2027, 12, 2)
    assert classes.minimal.applies_from == dt.date(2025, 2, 2)


def test_real_catalogue_vendors_and_github_copilot(real_plain):
    assert set(real_plain["vendors"]) == {
        "microsoft",
        "openai",
        "github",
        "google",
        "anthropic",
        "mistral",
        "other",
    }
    services = real_plain["sections"][0]["questions"][0]
    github = next(o for o in services["options"] if o["key"] == "github_copilot")
    assert set(github["vendors"]) == {"github", "microsoft"}


def test_real_catalogue_single_choice_options_run_from_best_to_worst(real_plain):
    for section in real_plain["sections"]:
        for q in section["questions"]:
            if q["type"] != "single_choice":
                continue
            totals = [sum(o["scores"].values()) for o in q["options"]]
            assert totals == sorted(totals), q["key"]
            assert totals[0] == 0, q["key"]


def test_real_catalogue_art5_yes_is_a_knockout(real_plain):
    art5 = next(
        q for s in real_plain["sections"] for q in s["questions"] if q["key"] == "art5_practice"
    )
    assert art5["yes"]["knockout"] == "ai_act"


def test_real_catalogue_scores_with_the_engine(real_plain):
    from assessments.scoring import score

    card = score(real_plain, {"art5_practice": "yes", "services_used": ["chatgpt_free"]})
    assert card.dimension("ai_act").level == "critical"
    assert "replace_chatgpt_free" in [r.key for r in card.recommendations]
    rows = [
        {
            "name": "Bewerbungen",
            "area": "hr_screening",
            "service": "openai",
            "affected": "applicants_employees",
            "published": "no",
        }
    ]
    card = score(real_plain, {"use_cases": rows})
    assert (card.use_cases[0].ai_act_class, card.use_cases[0].annex_iii) == (
        "high_risk",
        "Anhang III Nr. 4",
    )


def test_every_error_of_a_file_is_reported_at_once_not_stage_by_stage():
    from pathlib import Path

    from assessments.catalogue import CatalogueError, load_document

    text = (Path(__file__).parents[1] / "wizard" / "fixtures" / "wizard.yaml").read_text()
    text = text.replace(
        "show_if: {q: services, includes: chatgpt_free}",
        "show_if: {q: servicez, includes: chatgpt_free}",
        1,
    )
    text = text.replace("type: number", "type: numbr", 1)  # a field error
    text = text.replace("key: staff", "key: staff\n        key: mitarbeitende", 1)  # YAML
    with pytest.raises(CatalogueError) as caught:
        load_document(text)
    messages = caught.value.messages
    assert any("kommt doppelt vor" in m for m in messages)  # the YAML stage
    assert any("nicht unterstützter Fragetyp 'numbr'" in m for m in messages)  # fields
    assert "questions.chatgpt_data.show_if: unbekannte Frage 'servicez'" in messages  # references
    # leaving the broken question out of the second pass adds no made-up problems about it
    assert not any("'mitarbeitende'" in m and "unbekannt" in m for m in messages)
