"""Billing calls for the role x action matrix: a fresh invoice (or claim) per call, made by the administrator."""

from decimal import Decimal as D

from clinicdesk.domain.billing.claims import ClaimDraft
from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.roles import Action, Role
from clinicdesk.services import (
    appointments,
    billing,
    billing_catalogue,
    billing_claims,
    billing_documents,
    billing_views,
)
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import CentreRow

OIL = TaxCode("30049011", D("5"))
_LINES = [LineInput("Medicated oil", OIL, D("400"))]
_PACKAGE = PackageDraft("MX1", "Matrix course", (PackageItemDraft("stay", "Room", "996311", D("5"), D("1000")),))


def _boss(w) -> ServiceContext:
    return ServiceContext(w.db, user=w.users[Role.ADMIN], clock=w.clock)


def _lines(w) -> list[LineInput]:
    """The oil line carries GST, which only a registered centre in a known state may charge. Set both on every call:
    the matrix's admin.save_centre call (any order under xdist) saves the centre with neither."""
    with _boss(w).unit_of_work() as session:
        centre = session.get(CentreRow, w.ids["centre"])
        centre.gstin = w.ids["gstin"] = "32AAPFU0939F1Z4"
        centre.state = centre.state or "Kerala"
    return _LINES


def _invoice(w, *, paid: D = D("0"), credited: bool = False) -> str:
    boss = _boss(w)
    invoice_id, _ = billing.issue_invoice(boss, w.ids["patient"], _lines(w))
    if paid:
        billing.take_payment(boss, invoice_id, paid, "cash")
    if credited:
        billing.issue_credit_note(boss, invoice_id, {0: D(1)}, reason="Returned")
    return invoice_id


def _payment(w) -> str:
    payment_id, _ = billing.take_payment(_boss(w), _invoice(w), D("100"), "cash")
    return payment_id


def _claim(w) -> str:
    claim_id, _ = billing_claims.record_claim(_boss(w), _invoice(w), ClaimDraft("Star Health", "P-1", D("100")))
    return claim_id


def _service(w) -> str:
    if "billing_service" not in w.ids:
        w.ids["billing_service"], _ = appointments.save_service(
            _boss(w), code="BMX", name="Matrix consult", category="consultation", duration_minutes=15,
            room_types=("consultation",), price=D("500"))
    return w.ids["billing_service"]


def _package(w) -> str:
    _lines(w)
    if "package" not in w.ids:
        w.ids["package"], _ = billing_catalogue.save_package(_boss(w), _PACKAGE)
    return w.ids["package"]


def registry() -> dict[Action, dict[str, object]]:
    return {
        Action.BILLING_VIEW: {
            "billing.billable_items": lambda c, w: billing.billable_items(c, w.ids["patient"]),
            "billing_catalogue.list_tariffs": lambda c, w: billing_catalogue.list_tariffs(c),
            "billing_catalogue.list_packages": lambda c, w: billing_catalogue.list_packages(c),
            "billing_views.list_invoices": lambda c, w: billing_views.list_invoices(c, show="outstanding"),
            "billing_views.invoice_detail": lambda c, w: billing_views.invoice_detail(c, _invoice(w)),
            "billing_documents.invoice_pdf": lambda c, w: billing_documents.invoice_pdf(c, _invoice(w)),
            "billing_documents.receipt_pdf": lambda c, w: billing_documents.receipt_pdf(c, _payment(w)),
        },
        Action.BILLING_CHARGE: {
            "billing.preview_invoice": lambda c, w: billing.preview_invoice(c, w.ids["patient"], _lines(w)),
            "billing.issue_invoice": lambda c, w: billing.issue_invoice(c, w.ids["patient"], _lines(w)),
            "billing.issue_package_invoice": lambda c, w: billing.issue_package_invoice(
                c, w.ids["patient"], _package(w)),
            "billing.take_payment": lambda c, w: billing.take_payment(c, _invoice(w), D("100"), "cash"),
            "billing_claims.record_claim": lambda c, w: billing_claims.record_claim(
                c, _invoice(w), ClaimDraft("Star Health", "P-1", D("100"))),
            "billing_claims.update_claim": lambda c, w: billing_claims.update_claim(c, _claim(w), "submitted",
                                                                                    claim_number="C-1"),
        },
        Action.BILLING_REFUND: {
            "billing.issue_credit_note": lambda c, w: billing.issue_credit_note(c, _invoice(w), {0: D(1)},
                                                                                reason="Returned"),
            "billing.refund": lambda c, w: billing.refund(c, _invoice(w, paid=D("420"), credited=True), D("420"),
                                                          "cash"),
        },
        Action.BILLING_MANAGE: {
            "billing_catalogue.set_tariff": lambda c, w: billing_catalogue.set_tariff(
                c, _service(w), initial_price=D("500"), follow_up_price=D("300"), hsn_sac="999312",
                gst_rate=D("0"), exempt=True),
            "billing_catalogue.set_practitioner_price": lambda c, w: billing_catalogue.set_practitioner_price(
                c, _service(w), w.ids["target_staff"], D("700")),
            "billing_catalogue.save_package": lambda c, w: billing_catalogue.save_package(
                c, _PACKAGE, package_id=_package(w)),
        },
    }
