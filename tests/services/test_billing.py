"""Billing through the real services: tariffs, billable visits, invoices with GST, payments, credit notes, refunds,
packages with instalments, claims, immutability and the audit trail."""

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from clinicdesk.domain.billing.claims import ClaimDraft
from clinicdesk.domain.billing.gst import HEALTH_CARE_EXEMPT, TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import billing, billing_catalogue, billing_claims, billing_views, patients
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.store.models_billing import InvoiceRow
from clinicdesk.store.models_scheduling import AppointmentRow
from tests.services.helpers import audit_rows, count_rows, patient_draft

SPA = TaxCode("999722", D("18"))
OIL = TaxCode("30049011", D("5"))


def _complete(ctx, appointment_id: str, *, follow_up_of: str | None = None) -> None:
    """Mark a booked visit done (the appointment flow has its own tests); bills are made from completed visits."""
    with ctx.unit_of_work() as session:
        row = session.get(AppointmentRow, appointment_id)
        row.status, row.follow_up_of = "completed", follow_up_of


CENTRE_GSTIN = "32AAPFU0939F1Z4"  # a Kerala registration


def register_centre(ctx, centre_id: str, gstin: str = CENTRE_GSTIN) -> None:
    from clinicdesk.store.models import CentreRow

    with ctx.unit_of_work() as session:
        session.get(CentreRow, centre_id).gstin = gstin


@pytest.fixture
def priced(world):
    boss = world.boss
    register_centre(boss, world.centre)
    billing_catalogue.set_tariff(boss, world.services["CON"], initial_price=D("1000"), follow_up_price=D("600"),
                                 hsn_sac="999312", gst_rate=D("0"), exempt=True)
    billing_catalogue.set_tariff(boss, world.services["ABH"], initial_price=D("1800"), follow_up_price=D("1800"),
                                 hsn_sac="999722", gst_rate=D("18"))
    return world


def test_completed_visits_are_billable_once_at_the_tariff_and_practitioner_price(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    first = w.book(service="CON", at="09:00")
    again = w.book(service="CON", at="11:00")
    therapy = w.book(service="ABH", at="13:00")
    for appt in (first, therapy):
        _complete(w.boss, appt)
    _complete(w.boss, again, follow_up_of=first)
    items = billing.billable_items(desk, w.patients["asha"])
    prices = {i.source_id: (i.line.unit_price, i.line.tax.label) for i in items}
    assert prices == {first: (D("1000.00"), "Exempt"), again: (D("600.00"), "Exempt"), therapy: (D("1800.00"), "18%")}

    billing_catalogue.set_practitioner_price(w.boss, w.services["CON"], w.staff["meera"], D("1500"))
    assert {i.source_id: i.line.unit_price for i in billing.billable_items(desk, w.patients["asha"])}[first] == \
        D("1500.00")

    invoice_id, changes = billing.issue_invoice(desk, w.patients["asha"], [i.line for i in items])
    assert changes.billing
    detail = billing_views.invoice_detail(desk, invoice_id)
    assert detail.summary.number == "KOC-A/I26/00001" and detail.intra_state and detail.place_of_supply == "Kerala"
    assert (detail.taxable, detail.cgst, detail.sgst, detail.igst) == (D("3400.00"), D("162.00"), D("162.00"),
                                                                      D("0.00"))
    assert detail.summary.total == D("3724.00") and detail.summary.state == "unpaid"
    assert billing.billable_items(desk, w.patients["asha"]) == []
    # the same visits cannot be billed twice; nothing is written when refused
    before = count_rows(desk, InvoiceRow)
    with pytest.raises(ValidationError, match="already on another invoice"):
        billing.issue_invoice(desk, w.patients["asha"], [items[0].line])
    assert count_rows(desk, InvoiceRow) == before


def test_inter_state_patient_pays_igst_and_b2b_gstin_decides_the_place_of_supply(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    visitor, _ = patients.register_patient(w.boss, patient_draft(given_name="Kiran", state="Karnataka"))
    spa = [LineInput("Abhyanga", SPA, D("1500"))]
    bill = billing.preview_invoice(desk, visitor, spa)
    assert (bill.cgst, bill.igst, bill.total) == (D("0.00"), D("270.00"), D("1770.00"))
    with pytest.raises(ValidationError, match="GSTIN fails its check character"):
        billing.issue_invoice(desk, w.patients["asha"], spa, buyer_gstin="29AAGCB7383J1Z5", buyer_name="Acme")
    with pytest.raises(ValidationError, match="Buyer name is required with a GSTIN"):
        billing.issue_invoice(desk, w.patients["asha"], spa, buyer_gstin="29AAGCB7383J1Z4")
    assert count_rows(desk, InvoiceRow) == 0
    invoice_id, _ = billing.issue_invoice(desk, w.patients["asha"], spa, buyer_gstin="29aagcb7383j1z4",
                                          buyer_name="Acme Wellness Pvt Ltd")
    detail = billing_views.invoice_detail(desk, invoice_id)
    assert detail.buyer_gstin == "29AAGCB7383J1Z4" and detail.place_of_supply == "Karnataka"
    assert detail.igst == D("270.00") and not detail.intra_state


def test_part_payments_receipts_overpayment_and_immutability(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    invoice_id, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Abhyanga", SPA, D("1000"))],
                                          invoice_discount=D("100"))
    assert billing_views.invoice_detail(desk, invoice_id).summary.total == D("1062.00")
    with pytest.raises(ValidationError, match="Reference for UPI must be the 12-digit"):
        billing.take_payment(desk, invoice_id, D("500"), "upi", "")
    billing.take_payment(desk, invoice_id, D("500"), "upi", "4123 5678 9012")
    assert billing_views.invoice_detail(desk, invoice_id).summary.state == "partly_paid"
    with pytest.raises(ValidationError, match="Payment is more than the 562.00 still owed"):
        billing.take_payment(desk, invoice_id, D("563"), "cash")
    billing.take_payment(desk, invoice_id, D("562"), "cash")
    detail = billing_views.invoice_detail(desk, invoice_id)
    assert detail.summary.state == "paid" and detail.summary.outstanding == 0
    assert [p.receipt_number for p in detail.payments] == ["KOC-A/R26/00001", "KOC-A/R26/00002"]
    assert [p.reference for p in detail.payments] == ["412356789012", ""]
    # issued bills and payments are final: the database itself refuses an edit or a delete
    for statement in ("UPDATE invoices SET total = 1", "DELETE FROM payments"):
        with pytest.raises((IntegrityError, DatabaseError), match="cannot be changed"):
            with desk.unit_of_work() as session:
                session.execute(text(statement))
    assert billing_views.invoice_detail(desk, invoice_id).summary.total == D("1062.00")
    with desk.db.session() as session:  # money is stored as whole paise, never as a float
        assert session.execute(text("SELECT typeof(total), total FROM invoices")).one() == ("integer", 106200)
        assert session.execute(text("SELECT typeof(amount), amount FROM payments ORDER BY amount")).all() == [
            ("integer", 50000), ("integer", 56200)]
    assert len(audit_rows(desk, action="billing.payment")) == 2
    assert audit_rows(desk, action="billing.invoice_issue")[0].detail.startswith("KOC-A/I26/00001 total 1062.00")


def test_credit_note_with_refund_and_only_admins_refund(priced, ctx_for_role):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    lines = [LineInput("Consultation", HEALTH_CARE_EXEMPT, D("1000")), LineInput("Oil", OIL, D("400"), D("2"))]
    invoice_id, _ = billing.issue_invoice(desk, w.patients["asha"], lines)
    billing.take_payment(desk, invoice_id, D("1840"), "card", "4242")
    with pytest.raises(Exception, match="may not do this \\(billing.refund\\)"):
        billing.issue_credit_note(desk, invoice_id, {1: D(1)}, reason="Unopened bottle returned")
    with pytest.raises(ValidationError, match="Reason is required"):
        billing.issue_credit_note(w.boss, invoice_id, {1: D(1)}, reason=" ")
    note_id, _ = billing.issue_credit_note(w.boss, invoice_id, {1: D(1)}, reason="Unopened bottle returned",
                                           refund_method="cash")
    note = billing_views.invoice_detail(desk, note_id)
    assert note.summary.number == "KOC-A/C26/00001" and note.original_number == "KOC-A/I26/00001"
    assert (note.taxable, note.cgst, note.summary.total) == (D("400.00"), D("10.00"), D("420.00"))
    detail = billing_views.invoice_detail(desk, invoice_id)
    assert detail.summary.credited == D("420.00") and detail.summary.paid == D("1420.00")
    assert detail.summary.state == "paid" and [p.kind for p in detail.payments] == ["payment", "refund"]
    with pytest.raises(ValidationError, match="Refund must be more than zero and at most 0"):
        billing.refund(w.boss, invoice_id, D("1"), "cash")
    with pytest.raises(ValidationError, match="Line 2 has 1 unit\\(s\\) left to credit"):
        billing.issue_credit_note(w.boss, invoice_id, {0: D(1), 1: D(2)}, reason="again")
    # the rest of the bill can still be credited, and then it is fully credited
    billing.issue_credit_note(w.boss, invoice_id, {0: D(1), 1: D(1)}, reason="Course cancelled")
    assert billing_views.invoice_detail(desk, invoice_id).summary.state == "refund_due"


def test_package_with_instalments_becomes_overdue_and_filters_find_it(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    package_id, _ = billing_catalogue.save_package(w.boss, PackageDraft("PK7", "Panchakarma 7 days", (
        PackageItemDraft("session", "Therapies", "999312", D("0"), D("2000"), D("7"), exempt=True),
        PackageItemDraft("material", "Medicated oils", "30049011", D("5"), D("1000")),
        PackageItemDraft("stay", "Room", "996311", D("5"), D("2000"), D("6")),
    ), discount=D("1000"), instalments=3, instalment_days=7, deposit=D("5000")))
    with pytest.raises(ValidationError, match="PK7 is already used"):
        billing_catalogue.save_package(w.boss, PackageDraft("pk7", "Other", (
            PackageItemDraft("stay", "Room", "996311", D("5"), D("100")),)))
    assert billing_catalogue.list_packages(desk)[0].gross == D("27000.00")
    invoice_id, _ = billing.issue_package_invoice(desk, w.patients["asha"], package_id)
    detail = billing_views.invoice_detail(desk, invoice_id)
    # taxable 13,481.48 exempt + 962.96 and 11,555.56 at 5% (discount shared 518.52 / 37.04 / 444.44);
    # CGST = SGST = 24.07 + 288.89; 26,625.92 rounds to 26,626
    assert detail.taxable == D("26000.00") and detail.cgst == D("312.96") and detail.summary.total == D("26626.00")
    assert [(i.due_on, i.amount) for i in detail.instalments] == [
        (date(2026, 11, 26), D("5000.00")), (date(2026, 12, 3), D("7208.68")), (date(2026, 12, 10), D("7208.66")),
        (date(2026, 12, 17), D("7208.66"))]
    billing.take_payment(desk, invoice_id, D("5000"), "bank_transfer", "SBIN326112345678")
    assert billing_views.list_invoices(desk, show="overdue") == []
    w.boss.clock.advance(days=10)
    overdue = billing_views.list_invoices(desk, show="overdue")
    assert [s.id for s in overdue] == [invoice_id] and overdue[0].overdue == D("7208.68")
    assert overdue[0].next_due == date(2026, 12, 3)
    assert [s.id for s in billing_views.list_invoices(desk, show="outstanding")] == [invoice_id]


def test_insurance_claim_moves_through_its_states(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    invoice_id, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Stay", OIL, D("40000"))])
    claim_id, _ = billing_claims.record_claim(desk, invoice_id, ClaimDraft("Star Health", "P-77", D("30000")))
    with pytest.raises(ValidationError, match="Claim number is required"):
        billing_claims.update_claim(desk, claim_id, "submitted")
    billing_claims.update_claim(desk, claim_id, "submitted", claim_number="CLM-1")
    billing_claims.update_claim(desk, claim_id, "partly_approved", approved=D("25000"))
    with pytest.raises(IllegalTransition):
        billing_claims.update_claim(desk, claim_id, "submitted")
    billing_claims.update_claim(desk, claim_id, "settled", settled=D("25000"))
    claim = billing_views.invoice_detail(desk, invoice_id).claims[0]
    assert (claim.status, claim.claim_number, claim.approved, claim.settled) == ("settled", "CLM-1", D("25000.00"),
                                                                              D("25000.00"))
    assert len(audit_rows(desk, action="billing.claim_update")) == 3


def test_two_devices_never_issue_the_same_number_and_april_restarts_the_series(priced):
    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    line = [LineInput("Oil", OIL, D("100"))]
    a, _ = billing.issue_invoice(desk, w.patients["asha"], line)
    desk.db.config.device_code = "B"  # the same clinic file as a second desk would number it
    b, _ = billing.issue_invoice(desk, w.patients["asha"], line)
    w.boss.clock.now = w.boss.clock.now.replace(year=2027, month=4, day=1)
    c, _ = billing.issue_invoice(desk, w.patients["asha"], line)
    with desk.db.session() as session:
        numbers = [session.get(InvoiceRow, i).number for i in (a, b, c)]
    assert numbers == ["KOC-A/I26/00001", "KOC-B/I26/00001", "KOC-B/I27/00001"]


def test_prices_and_rates_are_validated_and_money_never_floats(priced):
    w = priced
    with pytest.raises(ValidationError, match="GST rate must be one of"):
        billing_catalogue.set_tariff(w.boss, w.services["NAS"], initial_price=D("900"), follow_up_price=D("900"),
                                     hsn_sac="999722", gst_rate=D("7"))
    with pytest.raises(ValidationError, match="First-visit price must be zero or more"):
        billing_catalogue.set_tariff(w.boss, w.services["NAS"], initial_price=D("-1"), follow_up_price=D("900"),
                                     hsn_sac="999722", gst_rate=D("18"))
    with pytest.raises(TypeError):
        billing.take_payment(w.boss, "x", 10.5, "cash")
    tariffs = {t.code: t for t in billing_catalogue.list_tariffs(w.boss)}
    assert tariffs["NAS"].priced is False and tariffs["NAS"].initial_price == D("900.00")
    assert tariffs["ABH"].gst_rate == D("18") and tariffs["ABH"].priced


def test_printed_bill_is_named_by_what_it_carries(priced, tmp_path):
    import subprocess

    from clinicdesk.services import billing_documents

    w, desk = priced, priced.ctx(Role.FRONT_DESK)
    exempt_id, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Consultation", HEALTH_CARE_EXEMPT,
                                                                              D("1000"))])
    payment_id, _ = billing.take_payment(desk, exempt_id, D("400"), "cash")

    def text(pdf: bytes) -> str:
        (tmp_path / "x.pdf").write_bytes(pdf)
        return subprocess.run(["pdftotext", str(tmp_path / "x.pdf"), "-"], capture_output=True, text=True).stdout

    register_centre(w.boss, w.centre, "")  # not registered for GST
    exempt_id, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Consultation", HEALTH_CARE_EXEMPT,
                                                                              D("300"))])
    name, pdf = billing_documents.invoice_pdf(desk, exempt_id)
    assert name == "KOC-A_I26_00002.pdf" and "BILL\n" in text(pdf)  # an unregistered clinic issues a plain bill
    with pytest.raises(ValidationError, match="this centre has no GSTIN and may not collect it"):
        billing.issue_invoice(desk, w.patients["asha"], [LineInput("Oil", OIL, D("100"))])
    register_centre(w.boss, w.centre)
    taxed_id, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Oil", OIL, D("100"))])
    assert "TAX INVOICE" in text(billing_documents.invoice_pdf(desk, taxed_id)[1])
    exempt_again, _ = billing.issue_invoice(desk, w.patients["asha"], [LineInput("Consultation", HEALTH_CARE_EXEMPT,
                                                                                 D("500"))])
    assert "BILL OF SUPPLY" in text(billing_documents.invoice_pdf(desk, exempt_again)[1])
    receipt = text(billing_documents.receipt_pdf(desk, payment_id)[1])
    assert "PAYMENT RECEIPT" in receipt and "Balance due on the invoice: ₹600.00" in receipt
    assert len(audit_rows(desk, action="billing.invoice_print")) == 3
    assert "TAX INVOICE" not in text(billing_documents.invoice_pdf(desk, exempt_id)[1])
