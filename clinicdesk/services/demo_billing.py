"""Demo clinic money: service tariffs, two Panchakarma packages, and a spread of bills (paid, part paid, overdue,
credited with a refund, a B2B bill and an insurance claim) so the Billing page has something to show."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal as D

from sqlalchemy import select

from clinicdesk.domain.billing.claims import ClaimDraft
from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.services import billing, billing_catalogue, billing_claims
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow

# Wellness (spa-type) therapy sold outside a treatment plan is taxable; clinical care is exempt (SAC 999312).
_TAXABLE_SERVICES = {"UDV": TaxCode("999722", D("18"))}
PACKAGES = (
    PackageDraft("PK14", "Panchakarma 14 days", (
        PackageItemDraft("session", "Therapy sessions", "999312", D("0"), D("2200"), D("14"), exempt=True),
        PackageItemDraft("material", "Medicated oils and ghee", "30049011", D("5"), D("3500")),
        PackageItemDraft("stay", "Room stay (13 nights)", "996311", D("5"), D("2500"), D("13")),
    ), discount=D("4000"), instalments=3, instalment_days=14, deposit=D("20000")),
    PackageDraft("PK7", "Rasayana rejuvenation 7 days", (
        PackageItemDraft("session", "Therapy sessions", "999312", D("0"), D("2000"), D("7"), exempt=True),
        PackageItemDraft("material", "Rasayana medicines", "30049011", D("5"), D("2400")),
    ), discount=D("1000"), instalments=2, instalment_days=7),
)
_METHODS = (("upi", "{:012d}"), ("cash", ""), ("card", "AP{:04d}"), ("bank_transfer", "HDFC{:012d}"))


def add_bills(ctx: ServiceContext, set_clock: Callable[[datetime], None], now: datetime, *,
              centre_id: str, bills: int = 14) -> int:
    """Price the catalogue and bill the centre's first completed visits; returns how many invoices were issued."""
    with ctx.unit_of_work() as session:
        services = list(session.scalars(select(ServiceRow)))
        patients = list(session.scalars(
            select(PatientRow.id).join(AppointmentRow, AppointmentRow.patient_id == PatientRow.id)
            .where(AppointmentRow.status == "completed", AppointmentRow.centre_id == centre_id)
            .group_by(PatientRow.id).order_by(PatientRow.uhid).limit(bills)))
        everyone = list(session.scalars(select(PatientRow.id).where(PatientRow.centre_id == centre_id)
                                        .order_by(PatientRow.uhid).limit(3)))
    set_clock(now)  # the demo clock only moves forward: every bill is issued now; plans reach back by due date
    for service in services:
        tax = _TAXABLE_SERVICES.get(service.code, TaxCode("999312", D("0"), True))
        follow = service.price * D("0.6") if service.category == "consultation" else service.price
        billing_catalogue.set_tariff(ctx, service.id, initial_price=service.price,
                                     follow_up_price=follow.quantize(D("1")), hsn_sac=tax.hsn_sac,
                                     gst_rate=tax.rate, exempt=tax.exempt)
    package_ids = [billing_catalogue.save_package(ctx, draft)[0] for draft in PACKAGES]
    issued = 0
    # A course whose plan started three weeks ago: deposit paid, the first instalment now overdue.
    if everyone:
        started = (now - timedelta(days=20)).date()
        course_id, _ = billing.issue_package_invoice(ctx, everyone[0], package_ids[0], first_due=started)
        billing.take_payment(ctx, course_id, D("20000"), "bank_transfer", "SBIN326112345678")
        issued += 1
    for index, patient_id in enumerate(patients):
        items = billing.billable_items(ctx, patient_id)
        if not items:
            continue
        lines = [item.line for item in items]
        extra = {"buyer_name": "Malabar Spices Pvt Ltd", "buyer_gstin": "32AAPFU0939F1Z4"} if index == 3 else {}
        discount = D("100") if index % 5 == 2 else D("0")
        invoice_id, _ = billing.issue_invoice(ctx, patient_id, lines, invoice_discount=discount, **extra)
        issued += 1
        total = billing.preview_invoice(ctx, patient_id, lines, invoice_discount=discount, **(
            {"buyer_gstin": extra["buyer_gstin"]} if extra else {})).total
        method, ref = _METHODS[index % len(_METHODS)]
        if index % 4 == 1:  # part paid
            billing.take_payment(ctx, invoice_id, (total / 2).quantize(D("1")), method, ref.format(index + 41))
        elif index % 4 != 3:  # every fourth bill is still unpaid
            billing.take_payment(ctx, invoice_id, total, method, ref.format(index + 41))
        if index == 2 and len(lines) > 1:  # a therapy cancelled after payment: credited and refunded in cash
            billing.issue_credit_note(ctx, invoice_id, {len(lines) - 1: D(1)}, reason="Session not taken",
                                      refund_method="cash")
        if index == 5:
            claim_id, _ = billing_claims.record_claim(ctx, invoice_id, ClaimDraft("Star Health", "P/210/7781",
                                                                                  total))
            billing_claims.update_claim(ctx, claim_id, "submitted", claim_number="CLM-2611-0042")
    if len(everyone) > 1:  # a week's rejuvenation course, paid in full
        invoice_id, _ = billing.issue_package_invoice(ctx, everyone[1], package_ids[1])
        billing.take_payment(ctx, invoice_id, D("1000"), "upi", "612345678901")
        issued += 1
    return issued


