"""A patient's synced invoice or credit note as the desk prints it: an InvoiceDocument built from HQ's row states."""

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import bill_title
from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.billing.payments import METHOD_LABELS, PaymentMethod, outstanding
from clinicdesk.reports.invoice_pdf import (
    BilledParty,
    ClinicLetterhead,
    DocumentLine,
    InvoiceDocument,
    PaidLine,
    TaxRow,
)
from clinicdesk.server.portal.record_scope import RecordScope
from clinicdesk.server.portal.record_values import as_date, as_decimal, local_day, patient_name

_MONEY = ("gross", "discount", "taxable", "cgst", "sgst", "igst", "round_off", "total")


def _letterhead(scope: RecordScope) -> ClinicLetterhead:
    centre = scope.centre
    state = (centre.get("state"),) if centre.get("state") else ()
    return ClinicLetterhead(name=centre.get("name") or "", address_lines=scope.address_lines + state,
                            phone=centre.get("phone") or "", registration_number="", gstin=centre.get("gstin") or None)


def _party(patient: dict, invoice: dict) -> BilledParty:
    address = ", ".join(part for part in (patient.get("address_line"), patient.get("city"), patient.get("pincode"))
                        if part)
    return BilledParty(patient_name(patient), patient.get("uhid") or "", address, patient.get("state") or "",
                       patient.get("phone") or "", patient.get("name_local") or "", invoice.get("buyer_name") or "",
                       invoice.get("buyer_gstin") or "")


def _code(line: dict) -> TaxCode:
    return TaxCode(line.get("hsn_sac") or "", as_decimal(line.get("gst_rate")), bool(line.get("exempt")))


def _tax_rows(lines: list[dict]) -> tuple[TaxRow, ...]:
    groups: dict[tuple[bool, object], list[dict]] = {}
    for line in lines:
        groups.setdefault((bool(line.get("exempt")), as_decimal(line.get("gst_rate"))), []).append(line)
    result = []
    for (_exempt, _rate), members in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        result.append(TaxRow(_code(members[0]).label, *(sum(as_decimal(m.get(f)) for m in members)
                                                         for f in ("taxable", "cgst", "sgst", "igst"))))
    return tuple(result)


def _line(line: dict) -> DocumentLine:
    return DocumentLine(line.get("description") or "", line.get("hsn_sac") or "", _code(line).label,
                        as_decimal(line.get("quantity")), as_decimal(line.get("unit_price")),
                        as_decimal(line.get("line_discount")) + as_decimal(line.get("invoice_discount")),
                        *(as_decimal(line.get(f)) for f in ("taxable", "cgst", "sgst", "igst")))


def _method(value) -> str:
    try:
        return METHOD_LABELS[PaymentMethod(value)]
    except ValueError:
        return str(value or "")


def build_invoice(scope: RecordScope, invoice: dict) -> InvoiceDocument:
    """The printed bill with its payments, balance and instalment plan, as the desk would print it now."""
    credit = invoice.get("kind") == "credit_note"
    bills = {row["id"]: row for row in scope.of_patient("invoices")}  # the original and credits are the patient's
    lines = sorted(scope.children("invoice_lines", "invoice_id", [invoice["id"]]),
                   key=lambda line: int(line.get("position") or 0))
    original = bills.get(invoice.get("original_invoice_id") or "") if credit else None
    payments, balance, plan = (), None, ()
    if not credit:
        paid_rows = sorted(scope.children("payments", "invoice_id", [invoice["id"]]),
                           key=lambda p: (p.get("received_at") or "", p["id"]))
        payments = tuple(PaidLine(p.get("receipt_number") or "", local_day(p.get("received_at"), scope.zone),
                                  _method(p.get("method")),
                                  as_decimal(p.get("amount")) * (1 if p.get("kind") == "payment" else -1))
                         for p in paid_rows)
        credited = sum((as_decimal(b.get("total")) for b in bills.values()
                        if b.get("original_invoice_id") == invoice["id"]), ZERO)
        paid = sum((as_decimal(p.get("amount")) for p in paid_rows if p.get("kind") == "payment"), ZERO)
        refunded = sum((as_decimal(p.get("amount")) for p in paid_rows if p.get("kind") == "refund"),
                       ZERO)
        balance = outstanding(as_decimal(invoice.get("total")), credited=credited, paid=paid, refunded=refunded)
        plan = tuple((int(i.get("number") or 0), as_date(i.get("due_on")), as_decimal(i.get("amount")))
                     for i in sorted(scope.children("instalments", "invoice_id", [invoice["id"]]),
                                     key=lambda i: int(i.get("number") or 0)))
    any_tax = any(as_decimal(ln.get("cgst")) or as_decimal(ln.get("sgst")) or as_decimal(ln.get("igst"))
                  or (as_decimal(ln.get("gst_rate")) and not ln.get("exempt")) for ln in lines)
    return InvoiceDocument(
        letterhead=_letterhead(scope),
        title=bill_title(credit_note=credit, any_tax=bool(any_tax), registered=bool(invoice.get("centre_gstin"))),
        number=invoice.get("number") or "", date=as_date(invoice.get("issued_on")),
        place_of_supply=invoice.get("place_of_supply") or "", intra_state=bool(invoice.get("intra_state")),
        party=_party(scope.patient, invoice), lines=tuple(_line(line) for line in lines),
        **{name: as_decimal(invoice.get(name)) for name in _MONEY}, tax_rows=_tax_rows(lines),
        original_number=(original or {}).get("number") or "", reason=invoice.get("reason") or "", payments=payments,
        balance=balance, instalments=plan, has_exempt=any(bool(line.get("exempt")) for line in lines))
