"""Printable bills: an invoice, credit note or receipt gathered into a reports document value, and its PDF bytes."""

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import bill_title
from clinicdesk.domain.billing.payments import METHOD_LABELS, PaymentMethod
from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.roles import Action
from clinicdesk.reports.invoice_pdf import (
    BilledParty,
    ClinicLetterhead,
    DocumentLine,
    InvoiceDocument,
    PaidLine,
    ReceiptDocument,
    TaxRow,
    render_invoice,
    render_receipt,
)
from clinicdesk.services.billing_ledger import plan_of, standing
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import CentreRow, PatientRow, SettingRow
from clinicdesk.store.models_billing import InstalmentRow, InvoiceRow, PaymentRow


def _letterhead(session: Session, centre: CentreRow) -> ClinicLetterhead:
    setting = session.get(SettingRow, "clinic_name")
    clinic = setting.value if setting else centre.name
    name = clinic if clinic == centre.name else f"{clinic}, {centre.name}"
    lines = tuple(line.strip() for line in centre.address.split(",") if line.strip())[:3]
    return ClinicLetterhead(name=name, address_lines=lines + ((centre.state,) if centre.state else ()),
                            phone=centre.phone, registration_number="", gstin=centre.gstin or None)


def _party(patient: PatientRow, invoice: InvoiceRow) -> BilledParty:
    address = ", ".join(part for part in (patient.address_line, patient.city, patient.pincode) if part)
    return BilledParty(f"{patient.given_name} {patient.family_name}".strip(), patient.uhid, address,
                       patient.state or "", patient.phone, patient.name_local, invoice.buyer_name,
                       invoice.buyer_gstin)


def _tax_rows(invoice: InvoiceRow) -> tuple[TaxRow, ...]:
    groups: dict[tuple[bool, object], list] = {}
    for line in invoice.lines:
        groups.setdefault((line.exempt, line.gst_rate), []).append(line)
    rows = []
    for (exempt, rate), lines in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        rows.append(TaxRow(TaxCode(lines[0].hsn_sac, rate, exempt).label, sum(ln.taxable for ln in lines),
                           sum(ln.cgst for ln in lines), sum(ln.sgst for ln in lines), sum(ln.igst for ln in lines)))
    return tuple(rows)


def _document(session: Session, invoice: InvoiceRow) -> InvoiceDocument:
    centre = session.get(CentreRow, invoice.centre_id)
    patient = session.get(PatientRow, invoice.patient_id)
    zone = ZoneInfo(centre.timezone)
    credit = invoice.kind == "credit_note"
    original = session.get(InvoiceRow, invoice.original_invoice_id) if credit else None
    lines = tuple(DocumentLine(ln.description, ln.hsn_sac, TaxCode(ln.hsn_sac, ln.gst_rate, ln.exempt).label,
                               ln.quantity, ln.unit_price, ln.line_discount + ln.invoice_discount, ln.taxable,
                               ln.cgst, ln.sgst, ln.igst) for ln in invoice.lines)
    payments, balance, plan = (), None, ()
    if not credit:
        payments = tuple(PaidLine(p.receipt_number, p.received_at.astimezone(zone).date(),
                                  METHOD_LABELS[PaymentMethod(p.method)],
                                  p.amount if p.kind == "payment" else -p.amount)
                         for p in session.scalars(select(PaymentRow).where(PaymentRow.invoice_id == invoice.id)
                                                  .order_by(PaymentRow.received_at)))
        balance = standing(session, invoice, today=invoice.issued_on).outstanding
        if session.scalar(select(InstalmentRow.id).where(InstalmentRow.invoice_id == invoice.id).limit(1)):
            plan = tuple((i.number, i.due, i.amount) for i in plan_of(session, invoice))
    any_tax = any(ln.cgst or ln.sgst or ln.igst or (ln.gst_rate and not ln.exempt) for ln in invoice.lines)
    return InvoiceDocument(
        letterhead=_letterhead(session, centre),
        title=bill_title(credit_note=credit, any_tax=bool(any_tax), registered=bool(invoice.centre_gstin)),
        number=invoice.number, date=invoice.issued_on, place_of_supply=invoice.place_of_supply,
        intra_state=invoice.intra_state, party=_party(patient, invoice), lines=lines, gross=invoice.gross,
        discount=invoice.discount, taxable=invoice.taxable, cgst=invoice.cgst, sgst=invoice.sgst, igst=invoice.igst,
        round_off=invoice.round_off, total=invoice.total, tax_rows=_tax_rows(invoice),
        original_number=original.number if original else "", reason=invoice.reason, payments=payments,
        balance=balance, instalments=plan, has_exempt=any(ln.exempt for ln in invoice.lines))


def invoice_pdf(ctx: ServiceContext, invoice_id: str) -> tuple[str, bytes]:
    """(suggested file name, PDF bytes) for an invoice or credit note; printing is audited."""
    ctx.authorise(Action.BILLING_VIEW, entity="invoice", entity_id=invoice_id)
    with ctx.unit_of_work() as session:
        invoice = session.get(InvoiceRow, invoice_id)
        if invoice is None:
            raise NotFound("This invoice does not exist.")
        document = _document(session, invoice)
        ctx.audit(session, "billing.invoice_print", entity="invoice", entity_id=invoice_id)
    return f"{document.number.replace('/', '_')}.pdf", render_invoice(document)


def receipt_pdf(ctx: ServiceContext, payment_id: str) -> tuple[str, bytes]:
    """(suggested file name, PDF bytes) for a payment receipt or refund voucher."""
    ctx.authorise(Action.BILLING_VIEW, entity="payment", entity_id=payment_id)
    with ctx.unit_of_work() as session:
        payment = session.get(PaymentRow, payment_id)
        if payment is None:
            raise NotFound("This payment does not exist.")
        invoice = session.get(InvoiceRow, payment.invoice_id)
        centre = session.get(CentreRow, payment.centre_id)
        balance = standing(session, invoice, today=invoice.issued_on).outstanding
        document = ReceiptDocument(
            _letterhead(session, centre), payment.receipt_number,
            payment.received_at.astimezone(ZoneInfo(centre.timezone)).date(),
            _party(session.get(PatientRow, invoice.patient_id), invoice), invoice.number, payment.amount,
            METHOD_LABELS[PaymentMethod(payment.method)], payment.reference, payment.kind == "refund", balance)
        ctx.audit(session, "billing.receipt_print", entity="invoice", entity_id=invoice.id)
    return f"{document.number.replace('/', '_')}.pdf", render_receipt(document)
