"""Rupee parsing and words in Indian numbering, GSTIN checks, and bill numbers per centre, device and year."""

from datetime import date
from decimal import Decimal as D

import pytest

from clinicdesk.domain.billing.gstin import check_character, gstin_problem, state_code, validate_gstin
from clinicdesk.domain.billing.money import amount_in_words, format_inr, money, parse_amount, round_off
from clinicdesk.domain.billing.numbering import (
    BillNumberTooLong,
    DocumentKind,
    financial_year,
    financial_year_label,
    format_bill_number,
)
from clinicdesk.domain.errors import ValidationError


@pytest.mark.parametrize(("amount", "words"), [
    ("120000", "Rupees One Lakh Twenty Thousand Only"),
    ("1049.50", "Rupees One Thousand Forty Nine and Fifty Paise Only"),
    ("0.05", "Rupees Zero and Five Paise Only"),
    ("15", "Rupees Fifteen Only"),
    ("10000000", "Rupees One Crore Only"),
    ("250000000", "Rupees Twenty Five Crore Only"),
    ("33749", "Rupees Thirty Three Thousand Seven Hundred Forty Nine Only"),
])
def test_amount_in_words_uses_lakh_and_crore(amount, words):
    assert amount_in_words(D(amount)) == words


@pytest.mark.parametrize(("amount", "text"), [("120000", "₹1,20,000.00"), ("999", "₹999.00"),
                                              ("12345678.5", "₹1,23,45,678.50"), ("-500", "-₹500.00")])
def test_indian_grouping(amount, text):
    assert format_inr(D(amount)) == text


@pytest.mark.parametrize(("total", "rounded", "off"), [("1049.50", "1050.00", "0.50"), ("1049.49", "1049.00", "-0.49"),
                                                       ("1049.00", "1049.00", "0.00"), ("0.50", "1.00", "0.50")])
def test_round_off_rule(total, rounded, off):
    assert round_off(D(total)) == (D(rounded), D(off))


def test_amounts_typed_by_people():
    assert parse_amount("₹ 1,250.50") == D("1250.50")
    for text, message in [("", "Amount is required"), ("12.345", "at most two decimal places"),
                          ("abc", "must be a number of rupees"), ("-5", "must be more than zero"),
                          ("0", "must be more than zero"), ("1000000000", "check the zeros"), ("NaN", "number")]:
        with pytest.raises(ValidationError, match=message):
            parse_amount(text)
    with pytest.raises(TypeError, match="never a float"):
        money(0.1)


@pytest.mark.parametrize(("gstin", "problem"), [
    ("27AAPFU0939F1ZV", None),
    ("32aapfu0939f1zv ", "fails its check character"),  # lower case is read, the state code is not the key
    ("  33AAACH7409R1Z8", None),
    ("27AAPFU0939F1Z", "must be 15 characters (this one has 14)"),
    ("27AAPFU0939F1Z#", "only letters A-Z and digits"),
    ("X7AAPFU0939F1ZV", "two-digit state code"),
    ("45AAPFU0939F1ZV", "45, which is not a GST state code"),
    ("27AAPF10939F1ZV", "holder's PAN"),
    ("27AAPFU0939F0ZV", "must be 1-9 or A-Z, not 0"),
    ("27AAPFU0939F1YV", "character 14 must be Z"),
    ("27AAPFU0939F1ZW", "fails its check character"),
    ("27AAPFU0939F1ZV".replace("0939", "0993"), "fails its check character"),  # two digits swapped
])
def test_gstin_problems_are_specific(gstin, problem):
    found = gstin_problem(gstin)
    assert (found is None) if problem is None else (problem in found)


def test_gstin_check_character_and_validation():
    assert check_character("27AAPFU0939F1Z") == "V"
    assert validate_gstin(" 27aapfu0939f1zv") == "27AAPFU0939F1ZV"
    assert validate_gstin("") == ""
    with pytest.raises(ValidationError, match="GSTIN is required"):
        validate_gstin(" ", required=True)
    with pytest.raises(ValidationError, match="GSTIN fails its check character"):
        validate_gstin("27AAPFU0939F1ZA")


def test_state_names_map_to_gst_codes():
    assert state_code("Kerala") == "32" and state_code(" tamil  nadu ") == "33" and state_code("Orissa") == "21"
    assert state_code("Atlantis") is None


@pytest.mark.parametrize(("day", "fy", "label"), [(date(2026, 3, 31), 2025, "2025-26"), (date(2026, 4, 1), 2026,
                                                                                          "2026-27"),
                                                  (date(2099, 12, 31), 2099, "2099-00")])
def test_financial_year_runs_april_to_march(day, fy, label):
    assert financial_year(day) == fy and financial_year_label(fy) == label


def test_bill_numbers_keep_devices_apart_and_fit_gst_length():
    a = format_bill_number(DocumentKind.INVOICE, "KOC", "A", 2026, 42)
    b = format_bill_number(DocumentKind.INVOICE, "KOC", "B", 2026, 42)
    credit = format_bill_number(DocumentKind.CREDIT_NOTE, "KOC", "A", 2026, 42)
    assert a == "KOC-A/I26/00042" and a != b and credit == "KOC-A/C26/00042"
    assert len(format_bill_number(DocumentKind.INVOICE, "KOCH", "A", 2026, 99999)) == 16
    with pytest.raises(BillNumberTooLong, match="GST allows 16. Use a centre code and device code of at most 5"):
        format_bill_number(DocumentKind.INVOICE, "KOCHI", "A", 2026, 1)
    with pytest.raises(ValueError):
        format_bill_number(DocumentKind.INVOICE, "KOC", "A", 2026, 0)
