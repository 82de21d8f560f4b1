"""The rule-based SOAP drafter: sections, vitals and medicines pulled into fields, every sentence cited or flagged."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.soap_draft import (
    SECTIONS,
    DraftSentence,
    Segment,
    Span,
    classify,
    draft,
    draft_from_dict,
    draft_to_dict,
    extract_medication,
    extract_vitals,
    find_support,
    is_supported,
    split_sentences,
)

VISIT = [
    Segment(0.0, 3.5, "Good morning, please sit down."),
    Segment(3.5, 9.0, "I have pain in my knees and lower back. It started about three years ago."),
    Segment(9.0, 14.0, "The pain is worse in the morning with stiffness for an hour. Sleep is poor."),
    Segment(14.0, 20.0, "BP 130 over 85, pulse 78, temperature 99.1. Weight 72 kg."),
    Segment(20.0, 25.0, "On examination there is tenderness and mild swelling of both knees."),
    Segment(25.0, 29.0, "This looks like sandhivata with vata aggravation."),
    Segment(29.0, 38.0, "Take Yogaraja Guggulu two tablets twice daily after food for 30 days."),
    Segment(38.0, 42.0, "Avoid cold food and curd at night, do gentle yoga."),
    Segment(42.0, 45.0, "Come back for review after two weeks."),
]


def cited(segments, sentence: DraftSentence) -> str:
    return " ".join(segments[s.segment].text[s.start:s.end] for s in sentence.sources)


def test_a_visit_is_sorted_into_soap_sections():
    result = draft(VISIT)
    texts = {name: [s.text for s in result.sections[name]] for name in SECTIONS}
    assert texts == {
        "chief_complaint": ["I have pain in my knees and lower back."],
        "history": ["It started about three years ago."],
        "subjective": ["The pain is worse in the morning with stiffness for an hour.", "Sleep is poor."],
        "objective": ["BP 130/85 mmHg.", "Pulse 78 a minute.", "Temperature 99.1 °F.", "Weight 72 kg.",
                      "On examination there is tenderness and mild swelling of both knees."],
        "assessment": ["This looks like sandhivata with vata aggravation."],
        "plan": ["Avoid cold food and curd at night, do gentle yoga."],
        "medications": ["Take Yogaraja Guggulu two tablets twice daily after food for 30 days."],
        "follow_up": ["Come back for review after two weeks."],
    }
    assert result.flagged() == []


def test_every_drafted_sentence_cites_the_words_it_came_from():
    result = draft(VISIT)
    for name in SECTIONS:
        for sentence in result.sections[name]:
            assert sentence.sources and sentence.supported
            assert is_supported(sentence.text, sentence.sources, VISIT)
    bp = result.sections["objective"][0]
    assert cited(VISIT, bp) == "BP 130 over 85"
    assert cited(VISIT, result.sections["objective"][2]) == "temperature 99.1"
    assert cited(VISIT, result.sections["history"][0]) == "It started about three years ago."


def test_vitals_said_aloud_become_fields():
    result = draft(VISIT)
    assert result.vitals == {"bp_systolic": D(130), "bp_diastolic": D(85), "pulse_bpm": D(78),
                             "temperature_c": D("37.3"), "weight_kg": D(72)}
    weight = result.vital_sources["weight_kg"]
    assert VISIT[3].text[weight.start:weight.end] == "Weight 72 kg"


@pytest.mark.parametrize(("said", "fields"), [
    ("Blood pressure is 142/92 and heart rate 96.", {"bp_systolic": D(142), "bp_diastolic": D(92), "pulse_bpm": D(96)}),
    ("Temperature 38.5 degrees celsius, SpO2 97 percent.", {"temperature_c": D("38.5"), "spo2_percent": D(97)}),
    ("Temperature 101 F and respiratory rate 22.", {"temperature_c": D("38.3"), "respiratory_rate": D(22)}),
    ("Height 162 cm, weighs 58.5 kilos.", {"height_cm": D(162), "weight_kg": D("58.5")}),
    ("Saturation is 94.", {"spo2_percent": D(94)}),
    ("B-130 over 85, pulse 78.", {"bp_systolic": D(130), "bp_diastolic": D(85), "pulse_bpm": D(78)}),  # tiny.en
    ("Review on 12/10/2026, pulse 70.", {"pulse_bpm": D(70)}),  # a date is not a blood pressure
    ("She walks 40 over 20 minutes.", {}),  # not a plausible reading without the label
])
def test_vital_phrasings(said, fields):
    values, sources, lines = extract_vitals(said, Span(0, 0, len(said)))
    assert values == fields
    assert all(is_supported(line.text, line.sources, [Segment(0, 1, said)]) for line in lines)


@pytest.mark.parametrize(("said", "name", "dose", "unit", "frequency", "food", "days", "route"), [
    ("Take Yogaraja Guggulu two tablets twice daily after food for 30 days.", "Yogaraja Guggulu", D(2), "tablet",
     "BD", "after_food", 30, "oral"),
    ("Start tablet Amlodipine 5 mg once daily for 1 month.", "Amlodipine 5 mg", D(1), "tablet", "OD", "", 30, "oral"),
    ("Take Ashwagandha churna 5 grams 1-0-1 before food for 2 weeks.", "Ashwagandha churna", D(5), "g", "1-0-1",
     "before_food", 14, "oral"),
    ("Give Rasnasaptakam kashayam 15 ml thrice daily before food for 21 days.", "Rasnasaptakam kashayam", D(15), "ml",
     "TDS", "before_food", 21, "oral"),
    ("Apply Murivenna oil externally on the knees at bedtime for 2 weeks.", "Murivenna oil", None, "", "HS", "", 14,
     "topical"),
    ("Take paracetamol 650 mg when needed for fever.", "paracetamol 650 mg", D(1), "tablet", "SOS", "", None, "oral"),
])
def test_medicines_said_aloud(said, name, dose, unit, frequency, food, days, route):
    medication = extract_medication(said, Span(0, 0, len(said)))
    assert (medication.name, medication.dose, medication.dose_unit, medication.frequency, medication.food_timing,
            medication.duration_days, medication.route) == (name, dose, unit, frequency, food, days, route)


@pytest.mark.parametrize(("sentence", "section"), [
    ("Good morning, please sit down.", None),
    ("She complains of acidity after meals.", "chief_complaint"),
    ("Known case of diabetes for ten years.", "history"),
    ("The pain started after the tablet she took.", "history"),  # a tablet mentioned, but no prescription
    ("Follow up after one week.", "follow_up"),
    ("Impression is amavata.", "assessment"),
    ("We will start Abhyanga and Swedana for seven days.", "plan"),
])
def test_classification(sentence, section):
    assert classify(sentence) == section


def test_a_sentence_the_transcript_does_not_back_is_flagged():
    assert find_support("Patient has type 2 diabetes on insulin.", VISIT) == DraftSentence(
        "Patient has type 2 diabetes on insulin.", (), False)
    backed = find_support("Pain in knees and lower back.", VISIT)
    assert backed.supported and cited(VISIT, backed) == "I have pain in my knees and lower back."
    # a number that was never said is not supported, even when the words are
    assert not is_supported("BP 150/95 mmHg.", (Span(3, 0, 14),), VISIT)
    assert not is_supported("Weight 72 kg.", (Span(3, 0, 999),), VISIT)  # a span outside the segment
    assert not is_supported("Weight 72 kg.", (), VISIT)


def test_split_keeps_decimals_and_spans_point_at_the_sentence():
    pieces = split_sentences([Segment(0, 1, "Temp 99.1. Pulse 80! Ok")])
    assert [text for text, _ in pieces] == ["Temp 99.1.", "Pulse 80!"]
    assert pieces[1][1] == Span(0, 11, 20)


def test_the_draft_survives_its_json_form():
    result = draft(VISIT)
    assert draft_from_dict(draft_to_dict(result)) == result


@pytest.mark.parametrize(("typed", "supported"), [
    ("Pain in knees and lower back.", True),
    ("Avoid cold food and curd at night.", True),
    ("Start insulin.", False),  # "start" was said ("it started..."), insulin never was
    ("Weight 75 kg.", False),
    ("BP 130/85 mmHg.", True),
])
def test_typed_sentences_need_two_thirds_of_their_words_heard(typed, supported):
    assert find_support(typed, VISIT).supported is supported
