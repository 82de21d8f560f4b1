"""Form definitions read from data, and answers checked against them question by question."""

import json
from datetime import date

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.intake_forms import (
    DefinitionError,
    QuestionType,
    answer_text,
    parse_definition,
    validate_answers,
)
from clinicdesk.resources import resource_path

FORM = parse_definition({"key": "test_form", "version": 2, "title": "Test form", "sections": [{
    "title": "All kinds", "questions": [
        {"key": "name", "label": "Name", "type": "text", "required": True, "max_length": 20},
        {"key": "mobile", "label": "Mobile", "type": "text", "pattern": "[6-9][0-9]{9}",
         "pattern_hint": "a 10-digit mobile number"},
        {"key": "weight", "label": "Weight", "type": "number", "min": 2, "max": 300},
        {"key": "since", "label": "Since", "type": "date"},
        {"key": "diet", "label": "Diet", "type": "single", "choices": ["Veg", "Non-veg"]},
        {"key": "goals", "label": "Goals", "type": "multiple", "choices": ["Sleep", "Pain", "Skin"]},
        {"key": "diabetic", "label": "Diabetic", "type": "yes_no", "required": True},
        {"key": "pain", "label": "Pain", "type": "scale", "min": 0, "max": 10}]}]})


def test_valid_answers_are_cleaned_for_storage():
    clean = validate_answers(FORM, {"name": " Asha ", "mobile": "9847012345", "weight": "61.5",
                                    "since": date(2026, 1, 5), "diet": "Veg", "goals": ["Skin", "Sleep"],
                                    "diabetic": False, "pain": "7"})
    assert clean == {"name": "Asha", "mobile": "9847012345", "weight": "61.5", "since": "2026-01-05",
                     "diet": "Veg", "goals": ["Sleep", "Skin"], "diabetic": False, "pain": "7"}


def test_unknown_key_is_refused():
    with pytest.raises(ValidationError, match="Empty optional is not a question of Test form version 2"):
        validate_answers(FORM, {"name": "Asha", "diabetic": True, "empty_optional": "x"})


@pytest.mark.parametrize(("answers", "field", "message"), [
    ({"name": "  "}, "name", "Name is required"),
    ({"name": "x" * 21}, "name", "at most 20 characters"),
    ({"mobile": "12345"}, "mobile", "Mobile must be a 10-digit mobile number"),
    ({"weight": "heavy"}, "weight", "Weight must be a number"),
    ({"weight": "400"}, "weight", "Weight must be between 2 and 300"),
    ({"since": "5/1/2026"}, "since", "Since must be a date written as YYYY-MM-DD"),
    ({"diet": "Vegan"}, "diet", "Diet must be one of the choices"),
    ({"goals": ["Sleep", "Wealth"]}, "goals", "Goals may only use the listed choices"),
    ({"diabetic": "maybe"}, "diabetic", "Diabetic must be yes or no"),
    ({"pain": "7.5"}, "pain", "Pain must be a whole number"),
    ({"pain": "11"}, "pain", "Pain must be between 0 and 10"),
])
def test_each_rule_names_its_question(answers, field, message):
    base = {"name": "Asha", "diabetic": True}
    with pytest.raises(ValidationError) as caught:
        validate_answers(FORM, base | answers)
    assert field in caught.value.problems
    assert message in str(caught.value)


@pytest.mark.parametrize(("broken", "message"), [
    ({"key": "Bad Key"}, "lower-case"),
    ({"version": 0}, "version must be a whole number"),
    ({"sections": [{"questions": [{"key": "a", "type": "colour"}]}]}, "type must be one of"),
    ({"sections": [{"questions": [{"key": "a", "type": "single", "choices": ["x"]}]}]}, "at least two choices"),
    ({"sections": [{"questions": [{"key": "a", "type": "scale"}]}]}, "a scale needs min and max"),
    ({"sections": [{"questions": [{"key": "a", "type": "text"}, {"key": "a", "type": "text"}]}]}, "used twice"),
    ({"sections": [{"questions": [{"key": "a", "type": "text", "pattern": "("}]}]}, "not a valid regular"),
    ({"sections": []}, "at least one question"),
])
def test_broken_definitions_say_what_is_wrong(broken, message):
    good = {"key": "f", "version": 1, "title": "F", "sections": [{"questions": [{"key": "a", "type": "text"}]}]}
    with pytest.raises(DefinitionError, match=message):
        parse_definition(good | broken)


def test_the_starter_forms_parse_and_cover_every_question_type():
    kinds = set()
    for path in sorted(resource_path("intake_forms").glob("*.json")):
        form = parse_definition(json.loads(path.read_text(encoding="utf-8")))
        assert path.name == f"{form.key}.v{form.version}.json"
        kinds |= {q.type for q in form.questions()}
    assert kinds == set(QuestionType)


def test_answer_text_reads_like_a_person_wrote_it():
    questions = {q.key: q for q in FORM.questions()}
    assert answer_text(questions["diabetic"], True) == "Yes"
    assert answer_text(questions["goals"], ["Sleep", "Skin"]) == "Sleep, Skin"
    assert answer_text(questions["pain"], "7") == "7 / 10"
    assert answer_text(questions["name"], None) == ""
