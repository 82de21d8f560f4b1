"""Printing bills: the invoice PDF goes page by page to a printer, and the Billing page opens a print preview."""

import re
import subprocess
from decimal import Decimal as D

import pytest
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from clinicdesk.domain.billing.gst import TaxCode
from clinicdesk.domain.billing.invoices import LineInput
from clinicdesk.domain.roles import Role
from clinicdesk.services import billing, billing_documents
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.billing_page import BillingPage
from clinicdesk.ui.documents.pdf_printing import load_pdf, paint_pdf
from tests.services.scheduling_world import build_world
from tests.services.test_billing import register_centre

OIL = TaxCode("30049011", D("5"))
LONG_BILL_LINES = 60  # enough lines that the invoice runs over more than one A4 page


@pytest.fixture
def bills(admin_ctx):
    """A long invoice (several pages) and a short one with a payment; returns (world, long id, paid id)."""
    w = build_world(admin_ctx)
    register_centre(admin_ctx, w.centre)
    desk = w.ctx(Role.FRONT_DESK)
    long_id, _ = billing.issue_invoice(desk, w.patients["ravi"], [
        LineInput(f"Medicated oil batch {n}", OIL, D("150"), D("1")) for n in range(LONG_BILL_LINES)])
    paid_id, _ = billing.issue_invoice(desk, w.patients["lata"], [LineInput("Medicated oil", OIL, D("450"), D("2"))])
    billing.take_payment(desk, paid_id, D("945"), "upi", "412356789012")
    return w, long_id, paid_id


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def test_every_page_of_a_long_invoice_is_printed(qapp, bills, admin_ctx, tmp_path):
    _, long_id, _ = bills
    _name, pdf = billing_documents.invoice_pdf(admin_ctx, long_id)
    document = load_pdf(pdf)
    assert document.pageCount() >= 2  # the bill really is multi-page, so the page loop is exercised
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # no dialog: straight to a file
    printed = tmp_path / "printed_invoice.pdf"
    printer.setOutputFileName(str(printed))
    printer.setResolution(96)
    assert paint_pdf(document, printer) == document.pageCount()
    assert printed.read_bytes().startswith(b"%PDF")
    assert _pdf_pages(printed) == document.pageCount()  # one printed sheet per invoice page, none lost


def _page(qtbot, app: AppContext) -> BillingPage:
    page = BillingPage(app)
    qtbot.addWidget(page)
    page.show()
    return page


def test_billing_page_opens_a_print_preview_of_the_invoice_and_the_receipt(qtbot, bills, app_for_role):
    w, long_id, paid_id = bills
    page = _page(qtbot, app_for_role(Role.FRONT_DESK))
    page.select(long_id)
    assert page.print_button.isEnabled() and not page.print_receipt_button.isEnabled()  # nothing paid yet
    page.print_button.click()
    preview = page.print_preview
    assert isinstance(preview, QPrintPreviewDialog) and preview.isVisible()
    assert preview.windowTitle() == "Invoice"
    preview.close()
    page.select(paid_id)
    assert page.print_receipt_button.isEnabled()
    page.print_receipt_button.click()
    assert page.print_preview is not preview and page.print_preview.windowTitle() == "Receipt"
    assert page.print_preview.isVisible()
    page.print_preview.close()
