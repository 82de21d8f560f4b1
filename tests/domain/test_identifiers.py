"""Verhoeff check digits and the normalisation of Aadhaar, ABHA, phone, PIN code and email values."""

import pytest

from clinicdesk.domain import identifiers as ids
from clinicdesk.domain.identifiers import verhoeff_check_digit, verhoeff_valid

AADHAAR_BASES = ("23456789012", "98765432101", "56473829105", "70123456789", "41414141414", "89898989898")
VALID_AADHAAR = tuple(base + verhoeff_check_digit(base) for base in AADHAAR_BASES)


@pytest.mark.parametrize(("digits", "check"), [("236", "3"), ("12345", "1")])
def test_check_digit_matches_published_examples(digits, check):
    assert verhoeff_check_digit(digits) == check
    assert verhoeff_valid(digits + check)


@pytest.mark.parametrize("number", VALID_AADHAAR)
def test_constructed_numbers_are_valid(number):
    assert len(number) == 12
    assert verhoeff_valid(number)
    assert ids.normalise_aadhaar(number) == number


@pytest.mark.parametrize("number", VALID_AADHAAR)
def test_every_single_digit_substitution_is_rejected(number):
    tried = 0
    for pos in range(len(number)):
        for digit in "0123456789":
            if digit == number[pos]:
                continue
            wrong = number[:pos] + digit + number[pos + 1:]
            tried += 1
            assert not verhoeff_valid(wrong), wrong
            with pytest.raises(ValueError):
                ids.normalise_aadhaar(wrong)
    assert tried == 12 * 9


@pytest.mark.parametrize("number", VALID_AADHAAR)
def test_every_adjacent_transposition_is_rejected(number):
    tried = 0
    for pos in range(len(number) - 1):
        if number[pos] == number[pos + 1]:
            continue
        swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2:]
        tried += 1
        assert not verhoeff_valid(swapped), swapped
        with pytest.raises(ValueError):
            ids.normalise_aadhaar(swapped)
    assert tried >= 5


def _with_check(base: str) -> str:
    return base + verhoeff_check_digit(base)


@pytest.mark.parametrize(("typed", "expected"), [
    ("2345 6789 0124", "234567890124"),
    ("2345-6789-0124", "234567890124"),
    ("  234567890124 ", "234567890124"),
    ("२३४५ ६७८९ ०१२४", "234567890124"),  # Devanagari digits from a Hindi keyboard
    ("൨൩൪൫ ൬൭൮൯ ൦൧൨൪", "234567890124"),  # Malayalam digits
])
def test_aadhaar_accepted_and_normalised(typed, expected):
    assert ids.normalise_aadhaar(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("", "must be 12 digits"),
    ("2345 6789 012", "must be 12 digits"),
    ("2345 6789 01245", "must be 12 digits"),
    ("2345 6789 012A", "must be 12 digits"),
    ("2345.6789.0124", "must be 12 digits"),
    ("23456789012²", "must be 12 digits"),
    (_with_check("03456789012"), "cannot start with 0 or 1"),
    (_with_check("13456789012"), "cannot start with 0 or 1"),
    ("2345 6789 0123", "check digit does not match"),
])
def test_aadhaar_refused_with_a_sentence(typed, message):
    with pytest.raises(ValueError, match=message):
        ids.normalise_aadhaar(typed)


def test_mask_shows_only_last_four():
    assert ids.mask_aadhaar("0124") == "XXXX XXXX 0124"


@pytest.mark.parametrize(("typed", "expected"), [
    ("91-2345-6789-0123", "91-2345-6789-0123"),
    ("91234567890123", "91-2345-6789-0123"),
    (" 91 2345 6789 0123 ", "91-2345-6789-0123"),
])
def test_abha_number_accepted(typed, expected):
    assert ids.normalise_abha_number(typed) == expected


@pytest.mark.parametrize("typed", ["", "9123456789012", "912345678901234", "91-2345-6789-012X", "91/2345/6789/0123"])
def test_abha_number_refused(typed):
    with pytest.raises(ValueError, match="must be 14 digits"):
        ids.normalise_abha_number(typed)


@pytest.mark.parametrize(("typed", "expected"), [
    ("asha.menon@abdm", "asha.menon@abdm"),
    (" Asha.Menon@ABDM ", "asha.menon@abdm"),
    ("asha_1985@sbx", "asha_1985@sbx"),
    ("abc@abdm", "abc@abdm"),
    ("a" * 32 + "@abdm", "a" * 32 + "@abdm"),
])
def test_abha_address_accepted(typed, expected):
    assert ids.normalise_abha_address(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "asha", "a@abdm", "ab@abdm", "a" * 33 + "@abdm", ".asha@abdm", "asha.@abdm", "asha menon@abdm",
    "asha@gmail.com", "asha@abdm.in", "asha-menon@abdm",
])
def test_abha_address_refused(typed):
    with pytest.raises(ValueError, match="must look like name@abdm"):
        ids.normalise_abha_address(typed)


@pytest.mark.parametrize(("typed", "expected"), [
    ("9847012345", "+919847012345"),
    ("98470 12345", "+919847012345"),
    ("+91 98470 12345", "+919847012345"),
    ("+91-98470-12345", "+919847012345"),
    ("0091 98470 12345", "+919847012345"),
    ("098470 12345", "+919847012345"),
    ("(0484) 2345678", "+914842345678"),
    ("९८४७० १२३४५", "+919847012345"),
])
def test_phone_accepted_as_plus_91(typed, expected):
    assert ids.normalise_indian_phone(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("", "10-digit Indian number"),
    ("12345", "10-digit Indian number"),
    ("98470123456", "10-digit Indian number"),
    ("98470abcde", "10-digit Indian number"),
    ("+1 202 555 0123", "10-digit Indian number"),
    ("9847０12345", "10-digit Indian number"),  # a full-width zero is not a digit we can dial
    ("0984701234", "cannot start with 0"),
    ("+91 0984701234", "cannot start with 0"),
])
def test_phone_refused(typed, message):
    with pytest.raises(ValueError, match=message):
        ids.normalise_indian_phone(typed)


@pytest.mark.parametrize(("typed", "expected"), [("682016", "682016"), (" 682 016 ", "682016"),
                                                 ("४११००१", "411001")])
def test_pincode_accepted(typed, expected):
    assert ids.normalise_pincode(typed) == expected


@pytest.mark.parametrize("typed", ["", "082016", "68201", "6820160", "68201a", "682-016"])
def test_pincode_refused(typed):
    with pytest.raises(ValueError, match="6-digit PIN code"):
        ids.normalise_pincode(typed)


@pytest.mark.parametrize(("typed", "expected"), [
    ("asha@example.com", "asha@example.com"),
    (" Asha.Menon@Example.CO.IN ", "asha.menon@example.co.in"),
    ("front+desk@sukham-ayurveda.in", "front+desk@sukham-ayurveda.in"),
])
def test_email_accepted(typed, expected):
    assert ids.normalise_email(typed) == expected


@pytest.mark.parametrize("typed", ["", "asha", "asha@", "@example.com", "asha@example", "asha@example.c",
                                   "asha menon@example.com", "asha@@example.com", "a" * 250 + "@x.in"])
def test_email_refused(typed):
    with pytest.raises(ValueError, match="must be an email address"):
        ids.normalise_email(typed)
