"""validate_patient: each field refused on its own with a message that names it; valid drafts come back normalised."""

from dataclasses import fields, replace
from datetime import date

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.patients import FIELD_LABELS, PatientDraft, age_on, format_uhid, validate_patient

TODAY = date(2026, 11, 26)
BASE = PatientDraft(given_name="Asha", family_name="Menon", date_of_birth=date(1985, 4, 12), sex="female",
                    phone="98470 12345")

# (field, bad value, words the message must contain)
INVALID = [
    ("given_name", "", "is required"),
    ("given_name", "   ", "is required"),
    ("given_name", "A" * 101, "at most 100"),
    ("given_name", "Asha2", "must not contain digits"),
    ("given_name", "Asha३", "must not contain digits"),
    ("given_name", "Asha!", "letters"),
    ("given_name", "Asha_Menon", "letters"),
    ("given_name", "Asha@home", "letters"),
    ("family_name", "Menon7", "must not contain digits"),
    ("family_name", "M" * 101, "at most 100"),
    ("name_local", "आ" * 101, "at most 100"),
    ("date_of_birth", None, "is required"),
    ("date_of_birth", date(2026, 11, 27), "cannot be in the future"),
    ("date_of_birth", date(1905, 11, 26), "over 120 years"),
    ("sex", "", "female, male or other"),
    ("sex", "unknown", "female, male or other"),
    ("blood_group", "C+", "must be one of"),
    ("blood_group", "A", "must be one of"),
    ("phone", "", "is required"),
    ("phone", "12345", "10-digit"),
    ("alt_phone", "0000", "10-digit"),
    ("email", "asha@", "email address"),
    ("address_line", "x" * 301, "at most 300"),
    ("city", "x" * 81, "at most 80"),
    ("state", "x" * 81, "at most 80"),
    ("pincode", "012345", "6-digit PIN"),
    ("aadhaar", "2345 6789 0123", "check digit"),
    ("aadhaar", "2345", "12 digits"),
    ("abha_number", "1234", "14 digits"),
    ("abha_address", "asha@gmail.com", "name@abdm"),
    ("emergency_contact_name", "Ravi9", "must not contain digits"),
    ("emergency_contact_relation", "x" * 61, "at most 60"),
    ("emergency_contact_phone", "123", "10-digit"),
    ("occupation", "x" * 121, "at most 120"),
    ("preferred_language", "ta", "English, Hindi or Malayalam"),
    ("medical_history", "x" * 4001, "at most 4000"),
    ("family_history", "x" * 2001, "at most 2000"),
    ("lifestyle", "x" * 2001, "at most 2000"),
    ("diet", "x" * 2001, "at most 2000"),
]


def test_every_form_field_has_an_invalid_case_and_a_label():
    form_fields = {f.name for f in fields(PatientDraft)} - {"extra"}
    assert {name for name, _, _ in INVALID} == form_fields
    assert set(FIELD_LABELS) == form_fields


@pytest.mark.parametrize(("name", "value", "words"), INVALID, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INVALID)])
def test_one_bad_field_is_refused_naming_that_field(name, value, words):
    extra = {"emergency_contact_phone": "9847011111"} if name == "emergency_contact_name" else {}
    with pytest.raises(ValidationError) as caught:
        validate_patient(replace(BASE, **{name: value}, **extra), today=TODAY)
    assert set(caught.value.problems) == {name}
    [sentence] = caught.value.messages()
    assert sentence.startswith(FIELD_LABELS[name] + " ")
    assert words in sentence
    assert FIELD_LABELS[name] in str(caught.value)


def test_emergency_contact_named_without_a_phone_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_patient(replace(BASE, emergency_contact_name="Ravi Menon"), today=TODAY)
    assert caught.value.problems.keys() == {"emergency_contact_phone"}
    assert caught.value.messages() == ["Emergency contact phone is required when an emergency contact is named"]


def test_several_bad_fields_are_all_reported():
    draft = replace(BASE, given_name="", phone="1", email="x", sex="?")
    with pytest.raises(ValidationError) as caught:
        validate_patient(draft, today=TODAY)
    assert set(caught.value.problems) == {"given_name", "phone", "email", "sex"}
    assert len(caught.value.messages()) == 4


def test_valid_draft_is_normalised():
    draft = replace(BASE, given_name="  Asha ", blood_group="ab+", alt_phone="+91-94470-00001",
                    emergency_contact_name="Ravi Menon", emergency_contact_phone="0484 2345678",
                    email=" Asha@Example.IN ", pincode="682 016", aadhaar="2345 6789 0124",
                    abha_number="91234567890123", abha_address="Asha.Menon@ABDM", preferred_language="ml")
    clean = validate_patient(draft, today=TODAY)
    assert clean.given_name == "Asha"
    assert clean.phone == "+919847012345"
    assert clean.alt_phone == "+919447000001"
    assert clean.emergency_contact_phone == "+914842345678"
    assert clean.blood_group == "AB+"
    assert clean.email == "asha@example.in"
    assert clean.pincode == "682016"
    assert clean.aadhaar == "234567890124"
    assert clean.abha_number == "91-2345-6789-0123"
    assert clean.abha_address == "asha.menon@abdm"


@pytest.mark.parametrize("group", ["A+", "a-", "B+", "b-", "AB+", "ab-", "O+", "o-", ""])
def test_blood_groups_accepted_upper_case(group):
    assert validate_patient(replace(BASE, blood_group=group), today=TODAY).blood_group == group.upper()


@pytest.mark.parametrize("dob", [TODAY, date(1905, 11, 27), date(2000, 2, 29)])
def test_date_of_birth_boundaries_accepted(dob):
    """Born today is age 0; someone who turns 121 tomorrow is still 120 today."""
    assert validate_patient(replace(BASE, date_of_birth=dob), today=TODAY).date_of_birth == dob


@pytest.mark.parametrize(("given", "family", "local"), [
    ("राम", "कुमार", "राम कुमार"),
    ("लक्ष्मी", "", "श्री लक्ष्मी"),
    ("क्‌ष", "", ""),  # Devanagari with ZWNJ
    ("കൃഷ്ണന്‍", "നായർ", "കൃഷ്ണന്‍ നായർ"),  # Malayalam with ZWJ (old-style chillu)
    ("ലക്ഷ്മി", "", "ശ്രീ‌ലക്ഷ്മി"),  # Malayalam with ZWNJ
    ("முருகன்", "", ""),  # Tamil: vowel signs are combining marks
    ("Jose\u0301", "D'Souza", ""),  # decomposed accent
    ("Mary-Ann", "O'Brien", ""),
    ("Dr. K.", "Rao", ""),
])
def test_names_in_indian_scripts_are_accepted(given, family, local):
    clean = validate_patient(replace(BASE, given_name=given, family_name=family, name_local=local), today=TODAY)
    assert (clean.given_name, clean.family_name, clean.name_local) == (given, family, local)


@pytest.mark.parametrize(("dob", "age"), [(date(1985, 11, 26), 41), (date(1985, 11, 27), 40),
                                          (date(2000, 2, 29), 26), (TODAY, 0)])
def test_age_on(dob, age):
    assert age_on(dob, TODAY) == age


def test_uhid_format():
    assert format_uhid("KOC", "A", 1) == "KOC-A-000001"
    assert format_uhid("PUN", "B", 123456) == "PUN-B-123456"
