"""How billing screens write money, bill states and dates (Indian grouping, words a desk uses)."""

from datetime import date
from decimal import Decimal

from clinicdesk.domain.billing.money import format_inr

STATE_LABELS = {"unpaid": "Unpaid", "partly_paid": "Part paid", "paid": "Paid", "credited": "Credited",
                "refund_due": "Refund due", "issued": "Credit note"}


def rupees(value: Decimal | None) -> str:
    return "" if value is None else format_inr(value)


def day(value: date | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y")
