"""Prescription presets and patterns, food timing, quantity arithmetic and allergy matching, table-driven."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.prescriptions import (
    PRESETS,
    allergy_matches,
    describe,
    parse_food_timing,
    parse_frequency,
    quantity_needed,
)


@pytest.mark.parametrize(("text", "code", "per_day"), [
    ("OD", "OD", 1), ("bd", "BD", 2), (" TDS ", "TDS", 3), ("QID", "QID", 4), ("HS", "HS", 1), ("SOS", "SOS", 0),
    ("BID", "BD", 2), ("tid", "TDS", 3), ("prn", "SOS", 0), ("qds", "QID", 4),
    ("1-0-1", "1-0-1", 2), ("1-1-1", "1-1-1", 3), ("0-0-1", "0-0-1", 1), ("2-0-2", "2-0-2", 4),
    ("1 - 0 - 1", "1-0-1", 2), ("½-0-½", "½-0-½", 1), ("1/2-1/2-1/2", "1/2-1/2-1/2", D("1.5")),
    ("1-1-1-1", "1-1-1-1", 4),
])
def test_frequency_codes_and_patterns(text, code, per_day):
    frequency = parse_frequency(text)
    assert (frequency.code, frequency.doses_per_day) == (code, D(per_day))


def test_pattern_label_says_when():
    assert parse_frequency("1-0-1").label == "1 at morning, 1 at night"
    assert PRESETS["SOS"].as_needed


@pytest.mark.parametrize("text", ["", "twice-ish", "0-0-0", "1-0", "1-0-1-1-1", "X"])
def test_unknown_frequency_is_refused_with_the_choices(text):
    with pytest.raises(ValidationError, match="use OD, BD, TDS, QID, HS, SOS or a pattern such as 1-0-1"):
        parse_frequency(text)


@pytest.mark.parametrize(("text", "timing"), [
    ("after food", "after_food"), ("PC", "after_food"), ("before_food", "before_food"), ("AC", "before_food"),
    ("with meals", "with_food"), ("Empty stomach", "empty_stomach"), ("", ""),
])
def test_food_timing(text, timing):
    assert parse_food_timing(text) == timing


def test_unknown_food_timing_is_refused():
    with pytest.raises(ValidationError, match="Food timing must be before food"):
        parse_food_timing("at lunch-ish")


@pytest.mark.parametrize(("dose", "unit", "frequency", "days", "quantity"), [
    (D(1), "tablet", "BD", 5, D(10)),
    (D(1), "tablet", "1-0-1", 7, D(14)),
    (D(2), "capsule", "TDS", 10, D(60)),
    (D("0.5"), "tablet", "BD", 5, D(5)),
    (D("0.5"), "tablet", "TDS", 5, D(8)),  # 7.5 tablets: a half cannot be dispensed, round up
    (D(15), "ml", "BD", 14, D(420)),  # kashayam
    (D(5), "g", "HS", 30, D(150)),  # churna at bedtime
    (D(1), "tablet", "QID", 3, D(12)),
])
def test_quantity_arithmetic(dose, unit, frequency, days, quantity):
    assert quantity_needed(dose, unit, parse_frequency(frequency), days) == quantity


def test_sos_needs_an_explicit_quantity():
    with pytest.raises(ValidationError, match="Quantity must be given for a medicine taken only when needed"):
        quantity_needed(D(1), "tablet", PRESETS["SOS"], 5)


def test_describe_reads_like_a_prescription():
    assert describe(D(1), "tablet", parse_frequency("1-0-1"), "after_food", 5) == \
        "1 tablet 1-0-1 (1 at morning, 1 at night) after food for 5 days"
    assert describe(D(15), "ml", PRESETS["BD"], "", 1) == "15 ml BD (twice a day (morning and night)) for 1 day"


@pytest.mark.parametrize(("drug", "allergies", "expected"), [
    ("Amoxicillin 500 mg", ["Penicillin"], [("Penicillin", "amoxicillin belongs to the penicillin group")]),
    ("Tab. Augmentin 625", ["penicillins"], [("penicillins", "augmentin belongs to the penicillin group")]),
    ("Ibuprofen 400", ["NSAIDs (rash)"], [("NSAIDs (rash)", "ibuprofen belongs to the nsaid group")]),
    ("Cotrimoxazole DS", ["Sulpha drugs"], [("Sulpha drugs", "cotrimoxazole belongs to the sulfa group")]),
    ("Ksheerabala Taila", ["Milk"], [("Milk", "ksheerabala belongs to the milk group")]),
    ("Mahatiktaka Ghrita", ["Ghee"], [("Ghee", "ghrita belongs to the dairy group")]),
    ("Dhanwantharam Tailam", ["Dust", "Pollen"], []),
    ("Ashwagandha churna", ["Ashwagandha"], [("Ashwagandha", "both name ashwagandha")]),
    ("Paracetamol 650", ["Penicillin", "Paracetamol"], [("Paracetamol", "both name paracetamol")]),
    ("Triphala churna", [], []),
])
def test_allergy_matching(drug, allergies, expected):
    assert [(m.allergy, m.reason) for m in allergy_matches(drug, allergies)] == expected
