"""Billing at the desk: what a patient can be billed for, issuing invoices and credit notes, payments and refunds."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.gst import TaxCode, place_of_supply, same_state
from clinicdesk.domain.billing.gstin import validate_gstin
from clinicdesk.domain.billing.invoices import InvoiceAmounts, LineInput, compute_invoice, credit_lines
from clinicdesk.domain.billing.money import ZERO, money
from clinicdesk.domain.billing.numbering import DocumentKind, financial_year, format_bill_number
from clinicdesk.domain.billing.packages import package_lines, plan_instalments
from clinicdesk.domain.billing.payments import PaymentMethod, check_payment, validate_reference
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.billing_catalogue import package_definition, price_for, tax_code_for
from clinicdesk.services.billing_dto import BillableItem
from clinicdesk.services.billing_ledger import local_day, standing
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import CentreRow, PatientRow
from clinicdesk.store.models_billing import BillCounterRow, InstalmentRow, InvoiceLineRow, InvoiceRow, PaymentRow
from clinicdesk.store.models_scheduling import AppointmentRow, AppointmentStaffRow, ServiceRow
from clinicdesk.store.models_therapy import CarePlanRow, PlanSessionRow


@dataclass(frozen=True)
class PlanTerms:
    """A payment plan asked for at issue: `count` equal parts `every_days` apart after an optional deposit."""

    count: int
    first_due: date
    every_days: int = 30
    deposit: Decimal = ZERO


def _next_number(ctx: ServiceContext, session: Session, centre: CentreRow, kind: DocumentKind, day: date) -> str:
    """The next serial of this centre, device, kind and financial year, bumped in the caller's transaction."""
    device, fy = ctx.db.config.device_code, financial_year(day)
    counter = session.get(BillCounterRow, (centre.id, device, kind.value, fy))
    if counter is None:
        counter = BillCounterRow(centre_id=centre.id, device_code=device, kind=kind.value, fy_start=fy,
                                 next_number=1)
        session.add(counter)
    number = format_bill_number(kind, centre.code, device, fy, counter.next_number)
    counter.next_number += 1
    return number


def _centre(session: Session, centre_id: str) -> CentreRow:
    centre = session.get(CentreRow, centre_id)
    if centre is None:
        raise NotFound("This centre no longer exists.")
    if not centre.state.strip():
        raise ValidationError({"state": "of this centre is not set; an administrator sets it under Admin > Centres "
                                        "before bills can be issued (GST depends on it)"}, {"state": "The state"})
    return centre


def _patient(session: Session, patient_id: str) -> PatientRow:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound("This patient record no longer exists.")
    return patient


def _check_may_charge_gst(centre: CentreRow, amounts: InvoiceAmounts) -> None:
    """Only a GST-registered clinic may collect GST; an unregistered one bills exempt or nil-rated lines only."""
    if amounts.tax > 0 and not centre.gstin:
        raise ValidationError({"lines": "carry GST, but this centre has no GSTIN and may not collect it: an "
                                        "administrator adds the GSTIN under Admin > Centres"}, {"lines": "The lines"})


def _supply(centre: CentreRow, patient: PatientRow, buyer_gstin: str) -> tuple[str, bool]:
    place = place_of_supply(centre_state=centre.state, patient_state=patient.state or "", buyer_gstin=buyer_gstin)
    return place, same_state(place, centre.state)


def _already_billed(session: Session, kind: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(session.scalars(select(InvoiceLineRow.source_id).join(InvoiceRow).where(
        InvoiceRow.kind == "invoice", InvoiceLineRow.source_kind == kind, InvoiceLineRow.source_id.in_(ids))))


def billable_items(ctx: ServiceContext, patient_id: str) -> list[BillableItem]:
    """Completed appointments and therapy sessions of this patient that no invoice has billed yet, oldest first.

    An appointment that carries a therapy session is billed as the session, never twice."""
    ctx.authorise(Action.BILLING_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        sessions = list(session.execute(
            select(PlanSessionRow, CarePlanRow.name).join(CarePlanRow, PlanSessionRow.plan_id == CarePlanRow.id)
            .where(CarePlanRow.patient_id == patient_id, PlanSessionRow.status == "completed")))
        session_appointments = {s.appointment_id for s, _ in sessions if s.appointment_id}
        appointments = [a for a in session.scalars(
            select(AppointmentRow).where(AppointmentRow.patient_id == patient_id, AppointmentRow.status == "completed")
            .order_by(AppointmentRow.start_at)) if a.id not in session_appointments]
        billed_appts = _already_billed(session, "appointment", [a.id for a in appointments])
        billed_sessions = _already_billed(session, "session", [s.id for s, _ in sessions])
        items = []
        for appt in appointments:
            if appt.id in billed_appts:
                continue
            service = session.get(ServiceRow, appt.service_id)
            staff = list(session.scalars(select(AppointmentStaffRow.staff_id)
                                         .where(AppointmentStaffRow.appointment_id == appt.id)))
            follow_up = appt.follow_up_of is not None
            price = price_for(session, service.id, staff_ids=staff, follow_up=follow_up)
            label = f"{service.name}{' (follow-up)' if follow_up else ''}"
            items.append(BillableItem("appointment", appt.id, local_day(session, appt.centre_id, appt.start_at),
                                      LineInput(label, tax_code_for(session, service.id), price,
                                                source_kind="appointment", source_id=appt.id)))
        for row, plan_name in sessions:
            if row.id in billed_sessions:
                continue
            service = session.get(ServiceRow, row.service_id)
            day = (row.ended_at or row.updated_at)
            price = price_for(session, service.id, staff_ids=[], follow_up=False)
            items.append(BillableItem("session", row.id, day.date(),
                                      LineInput(f"{service.name} ({plan_name}, day {row.day_offset + 1})",
                                                tax_code_for(session, service.id), price, source_kind="session",
                                                source_id=row.id)))
        return sorted(items, key=lambda i: i.day)


def preview_invoice(ctx: ServiceContext, patient_id: str, lines: list[LineInput], *,
                    invoice_discount: Decimal = ZERO, buyer_gstin: str = "") -> InvoiceAmounts:
    """The figures the invoice would carry, without issuing it (the form shows them as lines are added)."""
    user = ctx.authorise(Action.BILLING_CHARGE, entity="patient", entity_id=patient_id)
    gstin = validate_gstin(buyer_gstin, field="buyer_gstin")
    with ctx.unit_of_work() as session:
        centre = _centre(session, user.centre_id)
        _, intra = _supply(centre, _patient(session, patient_id), gstin)
        amounts = compute_invoice(lines, intra_state=intra, invoice_discount=invoice_discount)
        _check_may_charge_gst(centre, amounts)
    return amounts


def _store_bill(ctx: ServiceContext, session: Session, *, kind: DocumentKind, centre: CentreRow,
                patient: PatientRow, amounts: InvoiceAmounts, place: str, buyer_name: str, buyer_gstin: str,
                original_id: str | None = None, package_id: str | None = None, reason: str = "") -> InvoiceRow:
    now = ctx.now()
    day = local_day(session, centre.id, now)
    row = InvoiceRow(
        id=ctx.make_id(), centre_id=centre.id, patient_id=patient.id,
        kind="invoice" if kind == DocumentKind.INVOICE else "credit_note",
        number=_next_number(ctx, session, centre, kind, day), issued_on=day, issued_at=now,
        issued_by=ctx.require_user().staff_id, original_invoice_id=original_id, package_id=package_id,
        centre_gstin=centre.gstin, centre_state=centre.state, buyer_name=buyer_name.strip()[:120],
        buyer_gstin=buyer_gstin, place_of_supply=place, intra_state=amounts.intra_state, gross=amounts.gross,
        discount=amounts.discount, taxable=amounts.taxable, cgst=amounts.cgst, sgst=amounts.sgst, igst=amounts.igst,
        round_off=amounts.round_off, total=amounts.total, reason=reason)
    session.add(row)
    session.flush()
    for position, item in enumerate(amounts.lines):
        line = item.line
        session.add(InvoiceLineRow(
            id=ctx.make_id(), invoice_id=row.id, position=position, description=line.description.strip()[:160],
            hsn_sac=line.tax.hsn_sac, gst_rate=line.tax.rate, exempt=line.tax.exempt, quantity=line.quantity,
            unit_price=money(line.unit_price), line_discount=item.line_discount,
            invoice_discount=item.invoice_discount, taxable=item.taxable, cgst=item.tax.cgst, sgst=item.tax.sgst,
            igst=item.tax.igst, source_kind=line.source_kind, source_id=line.source_id))
    return row


def issue_invoice(ctx: ServiceContext, patient_id: str, lines: list[LineInput], *,
                  invoice_discount: Decimal = ZERO, buyer_name: str = "", buyer_gstin: str = "",
                  plan: PlanTerms | None = None, package_id: str | None = None) -> tuple[str, Changes]:
    """Issue a tax invoice: numbered, final and never edited afterwards (a correction is a credit note)."""
    user = ctx.authorise(Action.BILLING_CHARGE, entity="patient", entity_id=patient_id)
    gstin = validate_gstin(buyer_gstin, field="buyer_gstin")
    if gstin and not buyer_name.strip():
        raise ValidationError({"buyer_name": "is required with a GSTIN (the registered business's name)"},
                              {"buyer_name": "Buyer name"})
    with ctx.unit_of_work(write_lock=True) as session:
        centre, patient = _centre(session, user.centre_id), _patient(session, patient_id)
        place, intra = _supply(centre, patient, gstin)
        amounts = compute_invoice(lines, intra_state=intra, invoice_discount=invoice_discount)
        _check_may_charge_gst(centre, amounts)
        for kind in ("appointment", "session"):
            twice = _already_billed(session, kind, [ln.source_id for ln in lines if ln.source_kind == kind])
            if twice:
                raise ValidationError({"lines": f"include {len(twice)} {kind}(s) already on another invoice; "
                                                "refresh the list and try again"}, {"lines": "The lines"})
        instalments = plan_instalments(amounts.total, count=plan.count, first_due=plan.first_due,
                                       every_days=plan.every_days, deposit=plan.deposit) if plan else ()
        row = _store_bill(ctx, session, kind=DocumentKind.INVOICE, centre=centre, patient=patient, amounts=amounts,
                          place=place, buyer_name=buyer_name, buyer_gstin=gstin, package_id=package_id)
        for part in instalments:
            session.add(InstalmentRow(id=ctx.make_id(), invoice_id=row.id, number=part.number, due_on=part.due,
                                      amount=part.amount))
        ctx.audit(session, "billing.invoice_issue", entity="invoice", entity_id=row.id,
                  detail=f"{row.number} total {row.total} tax {amounts.tax} instalments {len(instalments)}")
        return row.id, Changes(billing=True)


def issue_package_invoice(ctx: ServiceContext, patient_id: str, package_id: str, *, first_due: date | None = None,
                          buyer_name: str = "", buyer_gstin: str = "") -> tuple[str, Changes]:
    """Bill a package at its items' own tax codes, less its discount, with the package's payment plan."""
    ctx.authorise(Action.BILLING_CHARGE, entity="package", entity_id=package_id)
    with ctx.unit_of_work() as session:
        row, definition = package_definition(session, package_id)
        terms = (row.instalments, row.instalment_days, row.deposit)
        start = first_due or local_day(session, ctx.require_user().centre_id, ctx.now())
    lines, discount = package_lines(definition)
    plan = PlanTerms(terms[0], start, terms[1], terms[2]) if terms[0] > 1 or terms[2] > 0 else None
    return issue_invoice(ctx, patient_id, lines, invoice_discount=discount, buyer_name=buyer_name,
                         buyer_gstin=buyer_gstin, plan=plan, package_id=package_id)


def _invoice(session: Session, invoice_id: str) -> InvoiceRow:
    row = session.get(InvoiceRow, invoice_id)
    if row is None or row.kind != "invoice":
        raise NotFound("This invoice does not exist.")
    return row


def _store_payment(ctx: ServiceContext, session: Session, invoice: InvoiceRow, *, kind: str, amount: Decimal,
                   method: PaymentMethod, reference: str, credit_note_id: str | None = None) -> PaymentRow:
    centre = session.get(CentreRow, invoice.centre_id)
    now = ctx.now()
    row = PaymentRow(id=ctx.make_id(), centre_id=invoice.centre_id, invoice_id=invoice.id, kind=kind,
                     receipt_number=_next_number(ctx, session, centre, DocumentKind.RECEIPT,
                                                 local_day(session, centre.id, now)),
                     method=method.value, amount=amount, reference=reference, received_at=now,
                     received_by=ctx.require_user().staff_id, credit_note_id=credit_note_id)
    session.add(row)
    session.flush()
    ctx.audit(session, f"billing.{kind}", entity="invoice", entity_id=invoice.id,
              detail=f"{row.receipt_number} {method.value} {amount}")
    return row


def take_payment(ctx: ServiceContext, invoice_id: str, amount: Decimal, method: PaymentMethod | str,
                 reference: str = "") -> tuple[str, Changes]:
    """Record money received against an invoice (part payments welcome); returns the payment's id for its receipt."""
    ctx.authorise(Action.BILLING_CHARGE, entity="invoice", entity_id=invoice_id)
    method = PaymentMethod(method)
    ref = validate_reference(method, reference)
    amount = money(amount)
    with ctx.unit_of_work(write_lock=True) as session:
        invoice = _invoice(session, invoice_id)
        check_payment(amount, standing(session, invoice, today=invoice.issued_on).outstanding)
        row = _store_payment(ctx, session, invoice, kind="payment", amount=amount, method=method, reference=ref)
        return row.id, Changes(billing=True)


def refund(ctx: ServiceContext, invoice_id: str, amount: Decimal, method: PaymentMethod | str,
           reference: str = "") -> tuple[str, Changes]:
    """Pay back what a credit note left the patient in credit; never more than that."""
    ctx.authorise(Action.BILLING_REFUND, entity="invoice", entity_id=invoice_id)
    method = PaymentMethod(method)
    ref = validate_reference(method, reference)
    amount = money(amount)
    with ctx.unit_of_work(write_lock=True) as session:
        invoice = _invoice(session, invoice_id)
        due_back = standing(session, invoice, today=invoice.issued_on).refundable
        if amount <= 0 or amount > due_back:
            raise ValidationError({"amount": f"must be more than zero and at most {due_back}, the amount paid beyond "
                                             "what the bill now asks (issue a credit note first)"},
                                  {"amount": "Refund"})
        row = _store_payment(ctx, session, invoice, kind="refund", amount=amount, method=method, reference=ref)
        return row.id, Changes(billing=True)


def issue_credit_note(ctx: ServiceContext, invoice_id: str, quantities: dict[int, Decimal], *, reason: str,
                      refund_method: PaymentMethod | str | None = None,
                      refund_reference: str = "") -> tuple[str, Changes]:
    """Credit some or all lines of an invoice (same tax as billed); with `refund_method`, pay back at once
    whatever the credit leaves the patient in credit, in the same transaction."""
    ctx.authorise(Action.BILLING_REFUND, entity="invoice", entity_id=invoice_id)
    if not reason.strip():
        raise ValidationError({"reason": "is required on a credit note"}, {"reason": "Reason"})
    method = PaymentMethod(refund_method) if refund_method else None
    ref = validate_reference(method, refund_reference) if method else ""
    with ctx.unit_of_work(write_lock=True) as session:
        invoice = _invoice(session, invoice_id)
        original = compute_invoice([LineInput(ln.description, _tax(ln), ln.unit_price, ln.quantity,
                                              ln.line_discount, ln.source_kind, ln.source_id) for ln in invoice.lines],
                                   intra_state=invoice.intra_state,
                                   invoice_discount=sum((ln.invoice_discount for ln in invoice.lines), ZERO))
        _check_not_credited_twice(session, invoice, quantities)
        returned = credit_lines(original, quantities)
        # each credit line points at the invoice line it returns, so a unit is never credited twice
        returned = [replace(line, source_kind="invoice_line", source_id=invoice.lines[index].id)
                    for line, index in zip(returned, sorted(quantities), strict=True)]
        credit = compute_invoice(returned, intra_state=invoice.intra_state)
        before = standing(session, invoice, today=invoice.issued_on)
        if credit.total > invoice.total - before.credited:
            left = invoice.total - before.credited
            raise ValidationError({"lines": f"would credit {credit.total}, more than the {left} not yet credited "
                                            "on this invoice"}, {"lines": "The credit note"})
        patient = _patient(session, invoice.patient_id)
        note = _store_bill(ctx, session, kind=DocumentKind.CREDIT_NOTE, centre=session.get(CentreRow,
                                                                                            invoice.centre_id),
                           patient=patient, amounts=credit, place=invoice.place_of_supply,
                           buyer_name=invoice.buyer_name, buyer_gstin=invoice.buyer_gstin, original_id=invoice.id,
                           reason=reason.strip()[:500])
        ctx.audit(session, "billing.credit_note_issue", entity="invoice", entity_id=invoice.id,
                  detail=f"{note.number} against {invoice.number} total {note.total}")
        if method is not None:
            due_back = standing(session, invoice, today=invoice.issued_on).refundable
            if due_back > 0:
                _store_payment(ctx, session, invoice, kind="refund", amount=due_back, method=method, reference=ref,
                               credit_note_id=note.id)
        return note.id, Changes(billing=True)


def _check_not_credited_twice(session: Session, invoice: InvoiceRow, quantities: dict[int, Decimal]) -> None:
    credited: dict[str, Decimal] = {}
    for source_id, quantity in session.execute(
            select(InvoiceLineRow.source_id, InvoiceLineRow.quantity).join(InvoiceRow)
            .where(InvoiceRow.original_invoice_id == invoice.id, InvoiceLineRow.source_kind == "invoice_line")):
        credited[source_id] = credited.get(source_id, ZERO) + quantity
    for index, quantity in quantities.items():
        if 0 <= index < len(invoice.lines):
            line = invoice.lines[index]
            left = line.quantity - credited.get(line.id, ZERO)
            if quantity > left:
                raise ValidationError({f"line_{index + 1}": f"has {left.normalize():f} unit(s) left to credit"},
                                      {f"line_{index + 1}": f"Line {index + 1}"})


def _tax(line: InvoiceLineRow) -> TaxCode:
    return TaxCode(line.hsn_sac, line.gst_rate, line.exempt)
