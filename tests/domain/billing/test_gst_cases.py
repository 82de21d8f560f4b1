"""GST cases with answers worked out by hand: rates, intra/inter-state, exempt lines, discounts and rounding."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.billing.gst import (
    AYURVEDIC_MEDICINE,
    HEALTH_CARE_EXEMPT,
    SPA_WELLNESS,
    TaxCode,
    place_of_supply,
    same_state,
    validate_tax_code,
)
from clinicdesk.domain.billing.invoices import LineInput, compute_invoice, credit_lines, share_discount
from clinicdesk.domain.errors import ValidationError

T5, T12, T18 = TaxCode("30049011", D("5")), TaxCode("996311", D("12")), TaxCode("999722", D("18"))


def line(price, tax, qty="1", discount="0"):
    return LineInput("item", tax, D(price), D(qty), D(discount))


# (case, lines, intra_state, invoice discount, taxable, cgst, sgst, igst, round off, grand total)
CASES = [
    ("intra 5%", [line("1000", T5)], True, "0", "1000.00", "25.00", "25.00", "0.00", "0.00", "1050.00"),
    ("intra 12%", [line("1000", T12)], True, "0", "1000.00", "60.00", "60.00", "0.00", "0.00", "1120.00"),
    ("intra 18%", [line("1500", T18)], True, "0", "1500.00", "135.00", "135.00", "0.00", "0.00", "1770.00"),
    ("inter 18% is all IGST", [line("1500", T18)], False, "0", "1500.00", "0.00", "0.00", "270.00", "0.00",
     "1770.00"),
    ("inter 5% on two units", [line("250", T5, qty="2")], False, "0", "500.00", "0.00", "0.00", "25.00", "0.00",
     "525.00"),
    ("exempt consultation beside a taxable spa line", [line("500", HEALTH_CARE_EXEMPT), line("1000", T18)], True,
     "0", "1500.00", "90.00", "90.00", "0.00", "0.00", "1680.00"),
    ("only exempt lines carry no tax", [line("800", HEALTH_CARE_EXEMPT, qty="3")], False, "0", "2400.00", "0.00",
     "0.00", "0.00", "0.00", "2400.00"),
    ("mixed 5/12/18", [line("200", T5), line("300", T12), line("400", T18)], True, "0", "900.00", "59.00",
     "59.00", "0.00", "0.00", "1018.00"),
    ("line discount comes off before tax", [line("1000", T18, discount="100")], True, "0", "900.00", "81.00",
     "81.00", "0.00", "0.00", "1062.00"),
    ("invoice discount shared 60/40 before tax", [line("600", T5), line("400", T18)], True, "100", "900.00",
     "45.90", "45.90", "0.00", "0.20", "992.00"),
    ("x.50 rounds up", [line("1000.50", HEALTH_CARE_EXEMPT)], True, "0", "1000.50", "0.00", "0.00", "0.00",
     "0.50", "1001.00"),
    ("x.49 rounds down", [line("1000.49", HEALTH_CARE_EXEMPT)], True, "0", "1000.49", "0.00", "0.00", "0.00",
     "-0.49", "1000.00"),
    ("half paisa of CGST rounds up on each half", [line("10.10", T5)], True, "0", "10.10", "0.25", "0.25",
     "0.00", "0.40", "11.00"),
    ("half paisa of IGST rounds up", [line("10.10", T5)], False, "0", "10.10", "0.00", "0.00", "0.51", "0.39",
     "11.00"),
    ("12% inter on 99.99", [line("99.99", T12)], False, "0", "99.99", "0.00", "0.00", "12.00", "0.01", "112.00"),
    ("Panchakarma stay, oils and exempt therapy with both discounts",
     [line("2500", T12, qty="7", discount="1500"), line("450", T5, qty="4"), line("3000", HEALTH_CARE_EXEMPT,
                                                                                  qty="5")],
     True, "1000", "31800.00", "974.36", "974.36", "0.00", "0.28", "33749.00"),
]


@pytest.mark.parametrize(("case", "lines", "intra", "discount", "taxable", "cgst", "sgst", "igst", "rounding",
                          "total"), CASES, ids=[c[0] for c in CASES])
def test_gst_case(case, lines, intra, discount, taxable, cgst, sgst, igst, rounding, total):
    bill = compute_invoice(lines, intra_state=intra, invoice_discount=D(discount))
    assert (bill.taxable, bill.cgst, bill.sgst, bill.igst) == (D(taxable), D(cgst), D(sgst), D(igst))
    assert (bill.round_off, bill.total) == (D(rounding), D(total))
    assert bill.total == bill.total_before_rounding + bill.round_off
    assert bill.cgst == bill.sgst  # within a state the two halves are always equal
    assert all(isinstance(v, D) for v in (bill.taxable, bill.cgst, bill.igst, bill.total))


def test_per_rate_summary_keeps_exempt_apart_and_adds_up():
    bill = compute_invoice([line("500", HEALTH_CARE_EXEMPT), line("200", T5), line("300", T5), line("400", T18)],
                           intra_state=True)
    assert [(r.label, r.taxable, r.cgst) for r in bill.summary] == [
        ("Exempt", D("500.00"), D("0.00")), ("5%", D("500.00"), D("12.50")), ("18%", D("400.00"), D("36.00"))]
    assert sum(r.taxable for r in bill.summary) == bill.taxable


def test_invoice_discount_shares_add_to_the_discount_to_the_paisa():
    shares = share_discount(D("100.00"), [D("333.33"), D("333.33"), D("333.34")])
    assert sum(shares) == D("100.00") and shares == [D("33.33"), D("33.33"), D("33.34")]
    bill = compute_invoice([line("1500", SPA_WELLNESS), line("333.33", AYURVEDIC_MEDICINE, qty="3"),
                            line("500", HEALTH_CARE_EXEMPT)], intra_state=True, invoice_discount=D("100"))
    assert [x.invoice_discount for x in bill.lines] == [D("50.00"), D("33.33"), D("16.67")]
    assert bill.discount == D("100.00")


@pytest.mark.parametrize(("centre", "patient", "gstin", "intra"), [
    ("Kerala", "Kerala", "", True),
    ("Kerala", "", "", True),  # no patient state: the centre's state is the place of supply
    ("Kerala", "Karnataka", "", False),
    ("Odisha", "orissa", "", True),  # the old name is the same state
    ("Kerala", "Kerala", "29AAGCB7383J1Z4", False),  # B2B: a Karnataka-registered buyer makes it inter-state
    ("Karnataka", "Kerala", "29AAGCB7383J1Z4", True),
])
def test_place_of_supply_decides_the_split(centre, patient, gstin, intra):
    supply = place_of_supply(centre_state=centre, patient_state=patient, buyer_gstin=gstin)
    assert same_state(supply, centre) is intra


def test_bad_lines_are_refused_with_the_line_named():
    with pytest.raises(ValidationError, match="Line 2 has a discount larger than its amount"):
        compute_invoice([line("100", T5), line("50", T5, discount="60")], intra_state=True)
    with pytest.raises(ValidationError, match="Invoice discount is larger than the bill"):
        compute_invoice([line("100", T5)], intra_state=True, invoice_discount=D("101"))
    with pytest.raises(ValidationError, match="The bill must have at least one line"):
        compute_invoice([], intra_state=True)
    with pytest.raises(TypeError):
        compute_invoice([line("100", T5)], intra_state=True, invoice_discount=0.5)


def test_tax_codes_are_validated():
    assert validate_tax_code("999312", D("0"), exempt=True).label == "Exempt"
    assert validate_tax_code("3004", D("12")).label == "12%"
    with pytest.raises(ValidationError, match="GST rate must be one of"):
        validate_tax_code("3004", D("7"))
    with pytest.raises(ValidationError, match="HSN/SAC code must be 4, 6 or 8 digits"):
        validate_tax_code("99A", D("5"))
    with pytest.raises(ValidationError, match="must be 0 for an exempt supply"):
        validate_tax_code("999312", D("5"), exempt=True)


def test_a_full_credit_note_reverses_the_bill_exactly_and_a_part_in_proportion():
    bill = compute_invoice([line("600", T5, qty="2"), line("400", T18)], intra_state=True, invoice_discount=D("100"))
    full = compute_invoice(credit_lines(bill, {0: D(2), 1: D(1)}), intra_state=True)
    assert (full.taxable, full.cgst, full.total) == (bill.taxable, bill.cgst, bill.total)
    half = compute_invoice(credit_lines(bill, {0: D(1)}), intra_state=True)
    assert half.taxable == bill.lines[0].taxable / 2
    with pytest.raises(ValidationError, match="Line 2 can be credited for 1 to 1 units"):
        credit_lines(bill, {1: D(2)})
