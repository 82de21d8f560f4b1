"""The Billing page on a real clinic: filters, detail, new invoice with its GST preview, payment refusals and
success, credit notes for administrators only, the PDF, the prices page; screenshots for review."""

import os
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.roles import Role
from clinicdesk.services import billing, billing_catalogue, billing_views
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.billing_page import BillingPage
from clinicdesk.ui.billing.prices_view import PricesView
from tests.services.scheduling_world import build_world
from tests.services.test_billing import register_centre

SHOTS = Path(os.environ.get("CLINICDESK_B1_SHOTS", "/tmp"))
OIL = TaxCode("30049011", D("5"))


@pytest.fixture
def clinic(admin_ctx):
    w = build_world(admin_ctx)
    register_centre(admin_ctx, w.centre)
    billing_catalogue.set_tariff(admin_ctx, w.services["ABH"], initial_price=D("1800"), follow_up_price=D("1500"),
                                 hsn_sac="999722", gst_rate=D("18"))
    for at in ("09:00", "13:00"):
        appointment_id = w.book(service="ABH" if at == "13:00" else "CON", at=at)
        with admin_ctx.unit_of_work() as session:
            session.get(AppointmentRow, appointment_id).status = "completed"
    package_id, _ = billing_catalogue.save_package(admin_ctx, PackageDraft("PK7", "Panchakarma 7 days", (
        PackageItemDraft("session", "Therapies", "999312", D("0"), D("2000"), D("7"), exempt=True),
        PackageItemDraft("stay", "Room", "996311", D("5"), D("2000"), D("6"))), discount=D("1000"), instalments=2,
        deposit=D("5000")))
    desk = w.ctx(Role.FRONT_DESK)
    billing.issue_package_invoice(desk, w.patients["ravi"], package_id)
    paid, _ = billing.issue_invoice(desk, w.patients["lata"], [LineInput("Medicated oil", OIL, D("450"), D("2"))])
    billing.take_payment(desk, paid, D("945"), "upi", "412356789012")
    return w


def _page(qtbot, app: AppContext) -> BillingPage:
    page = BillingPage(app)
    qtbot.addWidget(page)
    page.resize(1366, 820)
    page.show()
    return page


def test_filters_detail_new_invoice_and_payment(qtbot, clinic, runner):
    page = _page(qtbot, AppContext(clinic.ctx(Role.FRONT_DESK), runner))
    assert page.model.rowCount() == 2 and "outstanding" in page.summary.text()
    assert not page.credit_button.isVisibleTo(page)  # refunds are an administrator's call
    page.show_filter.setCurrentIndex(1)  # outstanding
    assert [r.patient_name for r in page.model.rows()] == ["Ravi Menon"]

    dialog = page.open_new_invoice()
    dialog.search.setText("Asha")
    dialog._run_search()
    assert dialog.visits.count() == 2 and "Total ₹3,124.00" in dialog.preview.text()  # 1000 exempt + 1800 + 18%
    dialog.discount.setText("abc")
    dialog.save()
    assert dialog.isVisible() and "Invoice discount must be a number" in dialog.banner.text()
    dialog.discount.setText("")
    dialog.errors.clear()
    dialog.grab().save(str(SHOTS / "b1_invoice.png"))
    dialog.save()
    assert not dialog.isVisible()
    page.show_filter.setCurrentIndex(0)
    assert page.model.rowCount() == 3

    page.select(page.model.rows()[0].id)
    assert page.detail is not None and "KOC-A/I26/00003" in page.detail_label.text()
    pay = page.open_payment()
    pay.method.setCurrentIndex(pay.method.findData("upi"))
    pay.save()
    assert pay.isVisible() and "12-digit" in pay.banner.text()
    pay.reference.setText("612345678901")
    pay.amount.setText("1000")
    pay.save()
    assert not pay.isVisible()
    assert page.selected().state == "partly_paid" and page.selected().outstanding == D("2124.00")
    claim = page.open_claim()
    claim.insurer.setText("Star Health")
    claim.save()
    assert claim.isVisible() and "Policy number is required" in claim.banner.text()
    claim.policy.setText("P/210/7781")
    claim.save()
    assert not claim.isVisible()
    step = page.open_claim()
    step.save()  # submitting needs the insurer's claim number
    assert step.isVisible() and "Claim number is required" in step.banner.text()
    step.claim_number.setText("CLM-2611-0042")
    step.save()
    assert not step.isVisible() and page.detail.claims[0].status == "submitted"
    page.save_pdf(path=SHOTS / "b1_invoice.pdf")
    assert (SHOTS / "b1_invoice.pdf").read_bytes().startswith(b"%PDF")
    page.show_filter.setCurrentIndex(0)
    page.select(page.model.rows()[0].id)
    page.grab().save(str(SHOTS / "b1_billing.png"))
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(SHOTS / "b1_invoice.pdf"),
                        str(SHOTS / "b1_invoice_pdf_app")], check=True)


def test_administrator_credits_a_line_and_refunds(qtbot, clinic, admin_ctx, runner):
    page = _page(qtbot, AppContext(admin_ctx, runner))
    lata = next(r for r in page.model.rows() if r.patient_name.startswith("Lata"))
    page.select(lata.id)
    assert page.credit_button.isVisibleTo(page) and page.credit_button.isEnabled()
    dialog = page.open_credit_note()
    dialog.save()
    assert dialog.isVisible() and "Reason is required" in dialog.banner.text()
    dialog.lines.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.reason.setText("Bottles returned unopened")
    dialog.save()
    assert not dialog.isVisible()
    detail = billing_views.invoice_detail(admin_ctx, lata.id)
    assert detail.summary.credited == D("945.00") and [p.kind for p in detail.payments] == ["payment", "refund"]
    assert detail.summary.state == "credited"


def test_prices_page_edits_a_tariff_and_lists_packages(qtbot, clinic, admin_ctx, runner):
    view = PricesView(AppContext(admin_ctx, runner))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    assert view.packages.rowCount() == 1
    codes = [t.code for t in view.tariffs.rows()]
    view.tariff_table.selectRow(codes.index("NAS"))
    dialog = view.open_tariff()
    dialog.rate.setText("7")
    dialog.exempt.setChecked(False)
    dialog.save()
    assert dialog.isVisible() and "GST rate must be one of" in dialog.banner.text()
    dialog.rate.setText("18")
    dialog.hsn_sac.setText("999722")
    dialog.save()
    assert not dialog.isVisible()
    nas = next(t for t in view.tariffs.rows() if t.code == "NAS")
    assert nas.priced and nas.gst_rate == D("18")

    package = view.open_package()
    package.code.setText("PK21")
    package.name.setText("Panchakarma 21 days")
    package.save()
    assert package.isVisible() and "Items must list at least one" in package.banner.text()
    for row, price, quantity in ((0, "2200", "21"), (1, "4500", "1"), (2, "2500", "20")):
        package.items.item(row, 4).setText(price)
        package.items.item(row, 5).setText(quantity)
    package.items.item(1, 3).setText("7")
    package.save()
    assert package.isVisible() and "GST rate must be one of" in package.banner.text()
    package.items.item(1, 3).setText("5")
    package.discount.setText("5000")
    package.deposit.setText("25000")
    package.instalments.setValue(2)
    package.save()
    assert not package.isVisible()
    made = next(p for p in view.packages.rows() if p.draft.code == "PK21")
    assert made.gross == D("100700.00") and made.draft.items[0].exempt and made.draft.deposit == D("25000.00")
    view.grab().save(str(SHOTS / "b1_prices.png"))
