"""Packages and instalment plans, payment references, what is owed and refundable, insurance claim steps."""

from datetime import date
from decimal import Decimal as D

import pytest

from clinicdesk.domain.billing.claims import ClaimDraft, ClaimStatus, move_claim, validate_claim
from clinicdesk.domain.billing.gst import AYURVEDIC_MEDICINE, HEALTH_CARE_EXEMPT, ROOM_STAY
from clinicdesk.domain.billing.invoices import compute_invoice
from clinicdesk.domain.billing.packages import (
    ItemKind,
    PackageDefinition,
    PackageItem,
    instalment_standing,
    overdue_amount,
    package_lines,
    plan_instalments,
    validate_package,
)
from clinicdesk.domain.billing.payments import (
    BillState,
    PaymentMethod,
    bill_state,
    check_payment,
    outstanding,
    refundable,
    validate_reference,
)
from clinicdesk.domain.errors import IllegalTransition, ValidationError

COURSE = PackageDefinition("PK14", "Panchakarma 14 days", (
    PackageItem(ItemKind.SESSION, "Therapy sessions", HEALTH_CARE_EXEMPT, D("2000"), D("14")),
    PackageItem(ItemKind.MATERIAL, "Medicated oils", AYURVEDIC_MEDICINE, D("1500")),
    PackageItem(ItemKind.STAY, "Room stay", ROOM_STAY, D("2500"), D("13")),
), discount=D("3000"))


def test_a_package_bills_each_item_at_its_own_rate_less_the_package_discount():
    lines, discount = package_lines(validate_package(COURSE))
    bill = compute_invoice(lines, intra_state=True, invoice_discount=discount)
    assert bill.gross == D("62000.00") and bill.taxable == D("59000.00")
    assert [r.label for r in bill.summary] == ["Exempt", "5%"]
    assert bill.lines[0].tax.total == 0 and bill.lines[2].tax.cgst > 0


def test_packages_are_validated():
    with pytest.raises(ValidationError, match="Package discount must be between zero"):
        validate_package(PackageDefinition("PK", "Course", COURSE.items, discount=D("999999")))
    with pytest.raises(ValidationError, match="Items must list at least one"):
        validate_package(PackageDefinition("PK", "Course", ()))


def test_instalments_sum_exactly_and_are_spaced():
    plan = plan_instalments(D("10000.00"), count=3, first_due=date(2026, 12, 1), every_days=30, deposit=D("2500"))
    assert [(p.due, p.amount) for p in plan] == [(date(2026, 12, 1), D("2500.00")), (date(2026, 12, 31),
                                                                                      D("2500.00")),
                                                 (date(2027, 1, 30), D("2500.00")), (date(2027, 3, 1), D("2500.00"))]
    odd = plan_instalments(D("100.00"), count=3, first_due=date(2026, 12, 1))
    assert [p.amount for p in odd] == [D("33.34"), D("33.33"), D("33.33")] and sum(p.amount for p in odd) == 100
    with pytest.raises(ValidationError, match="Number of instalments must be between 1 and 24"):
        plan_instalments(D("100"), count=0, first_due=date(2026, 12, 1))


def test_payments_fill_instalments_in_order_and_late_ones_are_overdue():
    plan = plan_instalments(D("9000"), count=3, first_due=date(2026, 11, 1), every_days=30)
    rows = instalment_standing(plan, D("4000"), today=date(2026, 12, 15))
    assert [(r.paid, r.outstanding, r.overdue) for r in rows] == [
        (D("3000.00"), D("0.00"), False), (D("1000.00"), D("2000.00"), True), (D("0.00"), D("3000.00"), False)]
    assert overdue_amount(plan, D("4000"), today=date(2026, 12, 15)) == D("2000.00")
    assert overdue_amount(plan, D("9000"), today=date(2027, 6, 1)) == 0


@pytest.mark.parametrize(("method", "ref", "ok"), [
    (PaymentMethod.UPI, "4123 5678 9012", True), (PaymentMethod.UPI, "", False), (PaymentMethod.UPI, "12345", False),
    (PaymentMethod.BANK_TRANSFER, "SBIN326112345678", True), (PaymentMethod.BANK_TRANSFER, "", False),
    (PaymentMethod.CARD, "", True), (PaymentMethod.CARD, "4242", True), (PaymentMethod.CASH, "", True),
])
def test_payment_references(method, ref, ok):
    if ok:
        assert validate_reference(method, ref) == "".join(ref.split()).upper()
    else:
        with pytest.raises(ValidationError, match="Reference for"):
            validate_reference(method, ref)


def test_what_is_owed_and_refundable():
    assert outstanding(D("1000"), credited=D("0"), paid=D("400"), refunded=D("0")) == D("600")
    assert bill_state(D("1000"), credited=D("0"), paid=D("0"), refunded=D("0")) == BillState.UNPAID
    assert bill_state(D("1000"), credited=D("0"), paid=D("400"), refunded=D("0")) == BillState.PARTLY_PAID
    assert bill_state(D("1000"), credited=D("0"), paid=D("1000"), refunded=D("0")) == BillState.PAID
    # a credit note of 300 after full payment: 300 is due back, and once refunded the bill is settled
    assert refundable(D("1000"), credited=D("300"), paid=D("1000"), refunded=D("0")) == D("300")
    assert bill_state(D("1000"), credited=D("300"), paid=D("1000"), refunded=D("0")) == BillState.REFUND_DUE
    assert bill_state(D("1000"), credited=D("300"), paid=D("1000"), refunded=D("300")) == BillState.PAID
    assert bill_state(D("1000"), credited=D("1000"), paid=D("0"), refunded=D("0")) == BillState.CREDITED
    assert refundable(D("1000"), credited=D("0"), paid=D("400"), refunded=D("0")) == 0
    with pytest.raises(ValidationError, match="Payment is more than the 600 still owed"):
        check_payment(D("601"), D("600"))
    with pytest.raises(ValidationError, match="nothing is owed"):
        check_payment(D("1"), D("0"))


def test_claim_steps_and_amounts():
    draft = validate_claim(ClaimDraft(" Star Health ", "P/1234/2026", D("40000")), bill_total=D("59000"))
    assert draft.insurer == "Star Health"
    with pytest.raises(ValidationError, match="Amount claimed must be more than zero and at most"):
        validate_claim(ClaimDraft("Star", "P1", D("60000")), bill_total=D("59000"))
    with pytest.raises(ValidationError, match="Claim number is required"):
        move_claim(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, claimed=D("40000"))
    move_claim(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, claimed=D("40000"), claim_number="CLM-9")
    move_claim(ClaimStatus.SUBMITTED, ClaimStatus.PARTLY_APPROVED, claimed=D("40000"), approved=D("30000"))
    with pytest.raises(ValidationError, match="at most the amount approved"):
        move_claim(ClaimStatus.PARTLY_APPROVED, ClaimStatus.SETTLED, claimed=D("40000"), approved=D("30000"),
                   settled=D("35000"))
    with pytest.raises(IllegalTransition, match="settled cannot become submitted"):
        move_claim(ClaimStatus.SETTLED, ClaimStatus.SUBMITTED, claimed=D("1"), claim_number="X")
