"""Payments and refunds: methods and their references, what is still owed, what may be refunded, a bill's state."""

import re
from decimal import Decimal
from enum import StrEnum

from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.errors import ValidationError


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    UPI = "upi"
    BANK_TRANSFER = "bank_transfer"


METHOD_LABELS = {PaymentMethod.CASH: "Cash", PaymentMethod.CARD: "Card", PaymentMethod.UPI: "UPI",
                 PaymentMethod.BANK_TRANSFER: "Bank transfer"}
_UPI_REF = re.compile(r"\d{12}")  # the 12-digit UPI transaction reference (RRN) shown in every UPI app
_BANK_REF = re.compile(r"[A-Z0-9]{6,22}")  # NEFT/RTGS/IMPS UTR numbers are 16 to 22; cheque numbers are 6
_CARD_REF = re.compile(r"[A-Z0-9]{4,12}")  # the terminal's approval code or the card's last four digits


class BillState(StrEnum):
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CREDITED = "credited"  # fully cancelled by credit notes, nothing left to collect or refund
    REFUND_DUE = "refund_due"  # credit notes leave the patient with money to get back


def validate_reference(method: PaymentMethod, reference: str) -> str:
    """The payment reference, cleaned, or a ValidationError naming what this method needs."""
    ref = "".join(reference.split()).upper()
    labels = {"reference": "Reference"}
    if method == PaymentMethod.UPI and not _UPI_REF.fullmatch(ref):
        raise ValidationError({"reference": "for UPI must be the 12-digit transaction reference from the app"},
                              labels)
    if method == PaymentMethod.BANK_TRANSFER and not _BANK_REF.fullmatch(ref):
        raise ValidationError({"reference": "for a bank transfer must be the UTR or cheque number "
                                            "(6 to 22 letters and digits)"}, labels)
    if method == PaymentMethod.CARD and ref and not _CARD_REF.fullmatch(ref):
        raise ValidationError({"reference": "for a card may be the approval code or last four digits "
                                            "(4 to 12 letters and digits)"}, labels)
    if method == PaymentMethod.CASH and len(ref) > 30:
        raise ValidationError({"reference": "may be at most 30 characters"}, labels)
    return ref


def outstanding(total: Decimal, *, credited: Decimal, paid: Decimal, refunded: Decimal) -> Decimal:
    """What the patient still owes (negative when the clinic owes the patient)."""
    return total - credited - (paid - refunded)


def refundable(total: Decimal, *, credited: Decimal, paid: Decimal, refunded: Decimal) -> Decimal:
    """Money the clinic may give back: only what was paid beyond what the (credited) bill now asks for."""
    return max(ZERO, -outstanding(total, credited=credited, paid=paid, refunded=refunded))


def bill_state(total: Decimal, *, credited: Decimal, paid: Decimal, refunded: Decimal) -> BillState:
    owed = outstanding(total, credited=credited, paid=paid, refunded=refunded)
    if owed < 0:
        return BillState.REFUND_DUE
    if credited >= total and owed == 0:
        return BillState.CREDITED
    if owed == 0:
        return BillState.PAID
    return BillState.PARTLY_PAID if paid - refunded > 0 else BillState.UNPAID


def check_payment(amount: Decimal, owed: Decimal) -> None:
    """A payment may not exceed what is owed: an overpayment is a typing slip far more often than a tip."""
    if owed <= 0:
        raise ValidationError({"amount": "cannot be taken: nothing is owed on this bill"}, {"amount": "Payment"})
    if amount > owed:
        raise ValidationError({"amount": f"is more than the {owed} still owed"}, {"amount": "Payment"})
