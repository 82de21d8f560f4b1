"""Plain values the billing services hand to screens and documents; no Session or Row leaves a service."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from clinicdesk.domain.billing.invoices import InvoiceTotals, LineInput
from clinicdesk.domain.billing.money import ZERO


@dataclass(frozen=True)
class TariffView:
    service_id: str
    code: str
    name: str
    category: str
    initial_price: Decimal
    follow_up_price: Decimal
    hsn_sac: str
    gst_rate: Decimal
    exempt: bool
    priced: bool  # False: no tariff saved yet, the service's list price and the health-care exemption are shown


@dataclass(frozen=True)
class PackageItemDraft:
    kind: str  # session, material, stay
    description: str
    hsn_sac: str
    gst_rate: Decimal
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    exempt: bool = False


@dataclass(frozen=True)
class PackageDraft:
    code: str
    name: str
    items: tuple[PackageItemDraft, ...]
    discount: Decimal = ZERO
    instalments: int = 1
    instalment_days: int = 30
    deposit: Decimal = ZERO


@dataclass(frozen=True)
class PackageView:
    id: str
    draft: PackageDraft
    gross: Decimal  # before the package discount and tax
    active: bool


@dataclass(frozen=True)
class BillableItem:
    """A completed appointment or therapy session not yet on an invoice, priced from the tariff."""

    source_kind: str  # appointment, session
    source_id: str
    day: date
    line: LineInput


@dataclass(frozen=True)
class InvoiceSummary:
    id: str
    number: str
    kind: str  # invoice, credit_note
    patient_id: str
    patient_name: str
    uhid: str
    issued_on: date
    total: Decimal
    credited: Decimal
    paid: Decimal  # payments less refunds
    outstanding: Decimal  # negative when money is due back to the patient
    overdue: Decimal
    state: str  # unpaid, partly_paid, paid, credited, refund_due (a credit note: "issued")
    next_due: date | None


@dataclass(frozen=True)
class InvoiceLineView:
    description: str
    hsn_sac: str
    rate_label: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # line discount plus its share of the invoice discount
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal


@dataclass(frozen=True)
class PaymentView:
    id: str
    receipt_number: str
    kind: str  # payment, refund
    method: str
    amount: Decimal
    reference: str
    received_at: datetime
    received_by: str


@dataclass(frozen=True)
class InstalmentView:
    number: int
    due_on: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: bool


@dataclass(frozen=True)
class ClaimView:
    id: str
    insurer: str
    policy_number: str
    claim_number: str
    status: str
    claimed: Decimal
    approved: Decimal | None
    settled: Decimal | None


@dataclass(frozen=True)
class InvoiceDetail(InvoiceTotals):
    summary: InvoiceSummary
    lines: tuple[InvoiceLineView, ...]
    place_of_supply: str
    intra_state: bool
    buyer_name: str
    buyer_gstin: str
    original_number: str = ""  # for a credit note, the invoice it credits
    reason: str = ""
    payments: tuple[PaymentView, ...] = ()
    instalments: tuple[InstalmentView, ...] = ()
    claims: tuple[ClaimView, ...] = ()
    credit_notes: tuple[str, ...] = field(default=())  # numbers of credit notes against this invoice
