"""The new question types (score, statement, signature) and what a filled assessment or consent form maps to."""

import base64

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.form_mappings import (
    assessment_fields,
    consent_fields,
    consent_text_version,
    prakriti_score,
)
from clinicdesk.domain.intake_forms import (
    DefinitionError,
    FormPurpose,
    QuestionType,
    answer_text,
    parse_definition,
    tallies,
    validate_answers,
)
from clinicdesk.domain.prakriti import Dosha, score_answers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
DOSHA_CHOICES = [{"value": "vata", "label": "Thin"}, {"value": "pitta", "label": "Medium"},
                 {"value": "kapha", "label": "Large"}]


def _assessment(version: int, prefix: str) -> dict:
    """A made-up assessment version whose question keys differ: only the fields tie answers to the record."""
    def score(item: str, tally: str) -> dict:
        return {"key": f"{prefix}{tally[0]}_{item}", "label": item, "type": "score", "tally": tally,
                "field": f"{tally}.{item}", "choices": DOSHA_CHOICES}
    return {"key": "ayurvedic_assessment", "version": version, "title": "Assessment", "purpose": "assessment",
            "sections": [{"title": "Prakriti", "columns": 2,
                          "questions": [score(i, "prakriti") for i in ("frame", "skin", "hair")]},
                         {"title": "Vikriti", "questions": [score("skin", "vikriti")]},
                         {"title": "Findings", "questions": [
                             {"key": f"{prefix}agni", "label": "Agni", "type": "single", "field": "agni",
                              "choices": [{"value": "manda (slow)", "label": "Manda"}, "sama (balanced)"]},
                             {"key": f"{prefix}notes", "label": "Notes", "type": "text", "field": "notes"}]}]}


CONSENT = parse_definition({"key": "registration_consents", "version": 3, "title": "Consents", "purpose": "consent",
                            "sections": [{"title": "Statements", "questions": [
                                {"key": "treat", "label": "I agree to be treated here.", "type": "statement",
                                 "required": True, "field": "consent.treatment", "short_label": "Treatment"},
                                {"key": "sms", "label": "Messages by SMS.", "type": "statement",
                                 "field": "consent.contact_sms"},
                                {"key": "mail", "label": "Messages by email.", "type": "statement",
                                 "field": "consent.contact_email"},
                                {"key": "how", "label": "How", "type": "single", "field": "method",
                                 "choices": ["signed", "verbal"]},
                                {"key": "sign", "label": "Signature", "type": "signature", "field": "signature"}]}]})


def test_two_versions_with_different_keys_map_to_the_same_assessment():
    old, new = parse_definition(_assessment(1, "")), parse_definition(_assessment(2, "v2_"))
    assert old.purpose is FormPurpose.ASSESSMENT and old.sections[0].columns == 2
    old_answers = {"p_frame": "vata", "p_skin": "pitta", "v_skin": "kapha", "agni": "manda (slow)", "notes": "Dry"}
    new_answers = {f"v2_{k}": v for k, v in old_answers.items()}
    mapped = assessment_fields(old, validate_answers(old, old_answers))
    assert mapped == assessment_fields(new, validate_answers(new, new_answers))
    assert (mapped.prakriti_answers, mapped.vikriti_answers, mapped.agni, mapped.notes, mapped.sleep) == (
        {"frame": "vata", "skin": "pitta"}, {"skin": "kapha"}, "manda (slow)", "Dry", "")
    assert prakriti_score(old, old_answers) == score_answers({"frame": Dosha.VATA, "skin": Dosha.PITTA})
    assert prakriti_score(old, {"p_frame": None, "p_skin": "kapha"}).kapha == 1  # live, unanswered left out


def test_score_questions_keep_values_show_labels_and_tally():
    form = parse_definition(_assessment(1, ""))
    frame = form.questions()[0]
    assert frame.type is QuestionType.SCORE and frame.choices == ("vata", "pitta", "kapha")
    assert answer_text(frame, "pitta") == "Medium"
    agni = next(q for q in form.questions() if q.key == "agni")
    assert agni.choice_labels == ("Manda", "sama (balanced)") and answer_text(agni, "sama (balanced)") == \
        "sama (balanced)"
    assert tallies(form, {"p_frame": "vata", "p_skin": "vata", "p_hair": "kapha"}) == {
        "prakriti": {"vata": 2, "pitta": 0, "kapha": 1}, "vikriti": {"vata": 0, "pitta": 0, "kapha": 0}}
    with pytest.raises(ValidationError, match="frame must be one of the choices"):
        validate_answers(form, {"p_frame": "Thin"})  # the wording is not the stored value


def test_a_required_statement_must_be_ticked_and_optional_ones_may_be_left():
    with pytest.raises(ValidationError) as refused:
        validate_answers(CONSENT, {"treat": False, "sms": True})
    assert refused.value.messages() == ["Treatment must be ticked: the patient has to agree to this statement"]
    clean = validate_answers(CONSENT, {"treat": True, "sms": False, "mail": True, "how": "verbal"})
    assert clean == {"treat": True, "sms": False, "mail": True, "how": "verbal"}
    fields = consent_fields(CONSENT, clean)
    assert (fields.given, fields.method, fields.signature) == (("treatment", "contact_email"), "verbal", "")
    assert answer_text(CONSENT.questions()[1], False) == "Not agreed"
    assert consent_text_version(CONSENT) == "reg-3"
    with pytest.raises(ValidationError, match="must be ticked or left unticked"):
        validate_answers(CONSENT, {"treat": "yes"})


def test_a_signature_is_kept_as_base64_png_and_anything_else_is_refused():
    clean = validate_answers(CONSENT, {"treat": True, "sign": PNG})
    assert base64.b64decode(clean["sign"]) == PNG and consent_fields(CONSENT, clean).signature == clean["sign"]
    assert validate_answers(CONSENT, {"treat": True, "sign": clean["sign"]}) == clean  # stored text reads back
    assert answer_text(CONSENT.questions()[4], clean["sign"]) == "Signed"
    for bad, problem in ((b"GIF89a", "must be a PNG image"), ("not base64!", "must be a drawn signature"),
                         (PNG + b"\x00" * (2 * 1024 * 1024), "is larger than 2 MB")):
        with pytest.raises(ValidationError, match=problem):
            validate_answers(CONSENT, {"treat": True, "sign": bad})
    required = parse_definition({"key": "c", "version": 1, "title": "C", "sections": [{"title": "S", "questions": [
        {"key": "sign", "label": "Signature", "type": "signature", "required": True}]}]})
    with pytest.raises(ValidationError, match="Signature is missing: ask the patient to sign in the box"):
        validate_answers(required, {"sign": b""})


@pytest.mark.parametrize("change, problem", [
    ({"purpose": "billing"}, "purpose must be one of intake, assessment, consent"),
    ({"sections": [{"title": "S", "columns": 4, "questions": [{"key": "a", "type": "text"}]}]},
     "columns must be 1 to 3"),
    ({"sections": [{"title": "S", "questions": [{"key": "a", "type": "score", "choices": [{"label": "x"}, "y"]}]}]},
     "a choice written as an object needs a value"),
    ({"sections": [{"title": "S", "questions": [{"key": "a", "type": "score", "choices": ["x", "x"]}]}]},
     "a choice value is used twice"),
    ({"sections": [{"title": "S", "questions": [{"key": "a", "type": "score", "choices": ["x"]}]}]},
     "needs at least two choices"),
])
def test_malformed_new_parts_of_a_definition_are_named(change, problem):
    with pytest.raises(DefinitionError, match=problem):
        parse_definition({"key": "f", "version": 1, "title": "F",
                          "sections": [{"title": "S", "questions": [{"key": "a", "type": "text"}]}]} | change)
