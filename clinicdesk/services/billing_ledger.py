"""Where a bill stands, read inside a service's unit of work: credits, payments, refunds, instalments, overdue."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.billing.packages import Instalment, InstalmentStanding, instalment_standing
from clinicdesk.domain.billing.payments import bill_state, outstanding, refundable
from clinicdesk.store.models import CentreRow
from clinicdesk.store.models_billing import InstalmentRow, InvoiceRow, PaymentRow

PAYMENT_TERMS_DAYS = 7  # a bill without a payment plan falls due a week after it is issued, then is overdue


def local_day(session: Session, centre_id: str, now: datetime) -> date:
    """Today at the centre (a bill issued at 01:00 in Kochi belongs to that Indian day, not the UTC one)."""
    centre = session.get(CentreRow, centre_id)
    return now.astimezone(ZoneInfo(centre.timezone if centre else "Asia/Kolkata")).date()


@dataclass(frozen=True)
class Standing:
    credited: Decimal
    paid: Decimal
    refunded: Decimal
    outstanding: Decimal
    refundable: Decimal
    state: str
    instalments: tuple[InstalmentStanding, ...]

    @property
    def overdue(self) -> Decimal:
        return sum((row.outstanding for row in self.instalments if row.overdue), ZERO)

    @property
    def next_due(self) -> date | None:
        return next((row.instalment.due for row in self.instalments if row.outstanding > 0), None)


def credited_total(session: Session, invoice_id: str) -> Decimal:
    total = session.scalar(select(func.sum(InvoiceRow.total)).where(InvoiceRow.original_invoice_id == invoice_id))
    return ZERO if total is None else total  # sum() keeps the column's type: paise come back as rupees


def _sum_payments(session: Session, invoice_id: str, kind: str) -> Decimal:
    total = session.scalar(select(func.sum(PaymentRow.amount)).where(PaymentRow.invoice_id == invoice_id,
                                                                     PaymentRow.kind == kind))
    return ZERO if total is None else total


def plan_of(session: Session, invoice: InvoiceRow) -> tuple[Instalment, ...]:
    rows = session.scalars(select(InstalmentRow).where(InstalmentRow.invoice_id == invoice.id)
                           .order_by(InstalmentRow.number))
    plan = tuple(Instalment(r.number, r.due_on, r.amount) for r in rows)
    return plan or (Instalment(1, invoice.issued_on + timedelta(days=PAYMENT_TERMS_DAYS), invoice.total),)


def standing(session: Session, invoice: InvoiceRow, *, today: date) -> Standing:
    credited = credited_total(session, invoice.id)
    paid, refunded = _sum_payments(session, invoice.id, "payment"), _sum_payments(session, invoice.id, "refund")
    owed = outstanding(invoice.total, credited=credited, paid=paid, refunded=refunded)
    back = refundable(invoice.total, credited=credited, paid=paid, refunded=refunded)
    state = bill_state(invoice.total, credited=credited, paid=paid, refunded=refunded).value
    # a credit note settles instalments just as a payment does, starting from the earliest
    rows = instalment_standing(plan_of(session, invoice), paid - refunded + credited, today=today)
    return Standing(credited, paid, refunded, owed, back, state, tuple(rows))
