"""Reading bills: the invoice list with outstanding and overdue filters, and one invoice in full."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.billing_dto import (
    ClaimView,
    InstalmentView,
    InvoiceDetail,
    InvoiceLineView,
    InvoiceSummary,
    PaymentView,
)
from clinicdesk.services.billing_ledger import local_day, standing
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_billing import InsuranceClaimRow, InvoiceRow, PaymentRow

FILTERS = ("all", "outstanding", "overdue", "credit_notes")
LIST_LIMIT = 500


def _summary(session: Session, row: InvoiceRow, patient: PatientRow, today) -> InvoiceSummary:
    name = f"{patient.given_name} {patient.family_name}".strip()
    if row.kind == "credit_note":
        return InvoiceSummary(row.id, row.number, row.kind, patient.id, name, patient.uhid, row.issued_on, row.total,
                              ZERO, ZERO, ZERO, ZERO, "issued", None)
    now = standing(session, row, today=today)
    return InvoiceSummary(row.id, row.number, row.kind, patient.id, name, patient.uhid, row.issued_on, row.total,
                          now.credited, now.paid - now.refunded, now.outstanding, now.overdue, now.state, now.next_due)


def list_invoices(ctx: ServiceContext, *, show: str = "all", patient_id: str | None = None) -> list[InvoiceSummary]:
    """Newest first. `show`: all, outstanding (money still owed), overdue (an instalment or the bill's due date
    has passed unpaid), or credit_notes."""
    user = ctx.authorise(Action.BILLING_VIEW, entity="invoice")
    if show not in FILTERS:
        raise ValidationError({"show": f"must be one of {', '.join(FILTERS)}"}, {"show": "The filter"})
    with ctx.unit_of_work() as session:
        today = local_day(session, user.centre_id, ctx.now())
        query = select(InvoiceRow, PatientRow).join(PatientRow, InvoiceRow.patient_id == PatientRow.id)
        query = query.where(InvoiceRow.kind == ("credit_note" if show == "credit_notes" else "invoice")) \
            if show != "all" else query
        if patient_id:
            query = query.where(InvoiceRow.patient_id == patient_id)
        rows = session.execute(query.order_by(InvoiceRow.issued_at.desc(), InvoiceRow.number.desc()).limit(LIST_LIMIT))
        found = [_summary(session, row, patient, today) for row, patient in rows]
    if show == "outstanding":
        return [s for s in found if s.outstanding > 0]
    if show == "overdue":
        return [s for s in found if s.overdue > 0]
    return found


def _line_views(row: InvoiceRow) -> tuple[InvoiceLineView, ...]:
    return tuple(InvoiceLineView(ln.description, ln.hsn_sac, TaxCode(ln.hsn_sac, ln.gst_rate, ln.exempt).label,
                                 ln.quantity, ln.unit_price, ln.line_discount + ln.invoice_discount, ln.taxable,
                                 ln.cgst, ln.sgst, ln.igst) for ln in row.lines)


def _payments(session: Session, invoice_id: str) -> tuple[PaymentView, ...]:
    rows = session.execute(select(PaymentRow, StaffRow.full_name).join(StaffRow, PaymentRow.received_by == StaffRow.id)
                           .where(PaymentRow.invoice_id == invoice_id).order_by(PaymentRow.received_at))
    return tuple(PaymentView(p.id, p.receipt_number, p.kind, p.method, p.amount, p.reference, p.received_at, name)
                 for p, name in rows)


def invoice_detail(ctx: ServiceContext, invoice_id: str) -> InvoiceDetail:
    user = ctx.authorise(Action.BILLING_VIEW, entity="invoice", entity_id=invoice_id)
    with ctx.unit_of_work() as session:
        row = session.get(InvoiceRow, invoice_id)
        if row is None:
            raise NotFound("This invoice does not exist.")
        today = local_day(session, user.centre_id, ctx.now())
        summary = _summary(session, row, session.get(PatientRow, row.patient_id), today)
        original = session.get(InvoiceRow, row.original_invoice_id) if row.original_invoice_id else None
        instalments: tuple[InstalmentView, ...] = ()
        if row.kind == "invoice":
            instalments = tuple(InstalmentView(s.instalment.number, s.instalment.due, s.instalment.amount, s.paid,
                                               s.outstanding, s.overdue)
                                for s in standing(session, row, today=today).instalments)
        claims = tuple(ClaimView(c.id, c.insurer, c.policy_number, c.claim_number, c.status, c.claimed, c.approved,
                                 c.settled) for c in session.scalars(
            select(InsuranceClaimRow).where(InsuranceClaimRow.invoice_id == row.id)
            .order_by(InsuranceClaimRow.created_at)))
        credit_notes = tuple(session.scalars(select(InvoiceRow.number).where(InvoiceRow.original_invoice_id == row.id)
                                             .order_by(InvoiceRow.issued_at)))
        return InvoiceDetail(summary, _line_views(row), row.place_of_supply, row.intra_state, row.buyer_name,
                             row.buyer_gstin, original.number if original else "", row.reason,
                             _payments(session, row.id), instalments, claims, credit_notes, gross=row.gross,
                             discount=row.discount, taxable=row.taxable, cgst=row.cgst, sgst=row.sgst, igst=row.igst,
                             round_off=row.round_off)


def patient_balance(ctx: ServiceContext, patient_id: str) -> Decimal:
    """What this patient owes across all invoices (negative when the clinic owes them)."""
    return sum((s.outstanding for s in list_invoices(ctx, patient_id=patient_id) if s.kind == "invoice"), ZERO)
