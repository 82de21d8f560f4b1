"""Possible duplicate patients: two offline registrations of one person are flagged for review."""

import pytest

from clinicdesk.domain.sync.duplicates import possible_duplicate

ASHA = {"given_name": "Asha", "family_name": "Menon", "date_of_birth": "1980-02-01", "phone": "+91 98470 12345"}


@pytest.mark.parametrize(("other", "expected"), [
    ({**ASHA}, True),
    ({**ASHA, "given_name": "ASHA ", "family_name": "menon.", "phone": ""}, True),  # case, spacing, punctuation
    ({**ASHA, "given_name": "Menon", "family_name": "Asha", "phone": ""}, True),  # surname written first
    ({**ASHA, "given_name": "Asha", "family_name": "Ménon", "phone": ""}, True),  # an accent typed on one desk
    ({**ASHA, "given_name": "Ayesha", "phone": "098470-12345"}, True),  # same phone and date of birth
    ({**ASHA, "given_name": "Ayesha", "phone": "9847012346"}, False),
    ({**ASHA, "date_of_birth": "1980-02-02"}, False),  # same name and phone, another person (a twin, a relative)
    ({**ASHA, "date_of_birth": None}, False),
    ({**ASHA, "given_name": "Ayesha", "phone": "12345"}, False),  # too short to be a phone number
])
def test_same_date_of_birth_with_same_name_or_phone_is_a_possible_duplicate(other, expected):
    assert possible_duplicate(ASHA, other) is expected
    assert possible_duplicate(other, ASHA) is expected


def test_local_script_names_match_and_vowel_signs_matter():
    a = {"given_name": "", "name_local": "आशा मेनन", "date_of_birth": "1980-02-01"}
    assert possible_duplicate(a, {**a, "name_local": "मेनन  आशा"})
    assert not possible_duplicate(a, {**a, "name_local": "अश मेनन"})


def test_missing_names_and_phones_never_match_each_other():
    blank = {"given_name": "", "family_name": "", "phone": "", "date_of_birth": "1980-02-01"}
    assert not possible_duplicate(blank, dict(blank))
