"""The Billing page: invoices with outstanding and overdue filters, one invoice in detail, and the desk's actions
(new invoice, take payment, credit note and refund, save or print the PDF)."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.billing.money import ZERO
from clinicdesk.domain.billing.payments import METHOD_LABELS, PaymentMethod
from clinicdesk.domain.roles import Action
from clinicdesk.services import billing_documents, billing_views
from clinicdesk.services.billing_dto import InvoiceDetail, InvoiceSummary
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.claim_dialog import ClaimDialog
from clinicdesk.ui.billing.dialogs import CreditNoteDialog, PaymentDialog
from clinicdesk.ui.billing.formatting import STATE_LABELS, day, rupees
from clinicdesk.ui.billing.invoice_dialog import NewInvoiceDialog
from clinicdesk.ui.documents.pdf_printing import print_preview
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.refreshing_view import RefreshingView
from clinicdesk.ui.widgets.tables import reselect, select_where

FILTERS = (("all", "All invoices"), ("outstanding", "Outstanding"), ("overdue", "Overdue"),
           ("credit_notes", "Credit notes"))
COLUMNS = (
    Column("Number", lambda s: s.number), Column("Date", lambda s: day(s.issued_on)),
    Column("Patient", lambda s: s.patient_name, stretch=True), Column("UHID", lambda s: s.uhid),
    Column("Total", lambda s: rupees(s.total)), Column("Paid", lambda s: rupees(s.paid)),
    Column("Outstanding", lambda s: rupees(s.outstanding)),
    Column("Overdue", lambda s: rupees(s.overdue) if s.overdue else ""),
    Column("Status", lambda s: STATE_LABELS.get(s.state, s.state)), Column("Next due", lambda s: day(s.next_due)),
)


def detail_html(detail: InvoiceDetail) -> str:
    """The selected invoice as the desk reads it: lines, taxes, payments, plan and claims (all escaped values)."""
    from html import escape

    s = detail.summary
    rows = "".join(f"<tr><td>{escape(ln.description)}</td><td>{ln.hsn_sac}</td><td>{ln.rate_label}</td>"
                   f"<td align=right>{ln.quantity.normalize():f}</td><td align=right>{rupees(ln.taxable)}</td></tr>"
                   for ln in detail.lines)
    taxes = (f"CGST {rupees(detail.cgst)} · SGST {rupees(detail.sgst)}" if detail.intra_state
             else f"IGST {rupees(detail.igst)}")
    parts = [f"<h3>{escape(s.number)} · {escape(s.patient_name)} ({escape(s.uhid)})</h3>",
             f"<p>Issued {day(s.issued_on)} · place of supply {escape(detail.place_of_supply)}"
             + (f" · GSTIN {escape(detail.buyer_gstin)} ({escape(detail.buyer_name)})" if detail.buyer_gstin else "")
             + (f" · against {escape(detail.original_number)}: {escape(detail.reason)}" if detail.original_number
                else "") + "</p>",
             "<table cellspacing=0 cellpadding=3 width='100%'><tr><th align=left>Item</th><th align=left>HSN/SAC"
             "</th><th align=left>GST</th><th align=right>Qty</th><th align=right>Taxable</th></tr>"
             f"{rows}</table>",
             f"<p>Taxable {rupees(detail.taxable)} · {taxes} · round off {rupees(detail.round_off)} · "
             f"<b>Total {rupees(s.total)}</b></p>"]
    if s.kind == "invoice":
        parts.append(f"<p>Paid {rupees(s.paid)} · credited {rupees(s.credited)} · <b>outstanding "
                     f"{rupees(s.outstanding)}</b>" + (f" · <span style='color:#b3261e'>overdue {rupees(s.overdue)}"
                                                      "</span>" if s.overdue else "") + "</p>")
    if len(detail.instalments) == 1:  # no payment plan: the bill's own due date
        parts.append(f"<p>Due by {day(detail.instalments[0].due_on)}</p>")
    elif detail.instalments:
        parts.append("<p>Plan: " + " · ".join(
            f"{i.number}. {day(i.due_on)} {rupees(i.amount)}" + (" (overdue)" if i.overdue else
                                                                 " (paid)" if i.outstanding == 0 else "")
            for i in detail.instalments) + "</p>")
    if detail.payments:
        parts.append("<p>" + "<br>".join(
            f"{escape(p.receipt_number)} · {p.kind} · {METHOD_LABELS[PaymentMethod(p.method)]} "
            f"{rupees(p.amount)}" + (f" · ref {escape(p.reference)}" if p.reference else "") for p in detail.payments)
            + "</p>")
    for claim in detail.claims:
        parts.append(f"<p>Claim: {escape(claim.insurer)} · policy {escape(claim.policy_number)} · "
                     f"{claim.status.replace('_', ' ')} · claimed {rupees(claim.claimed)}</p>")
    if detail.credit_notes:
        parts.append(f"<p>Credit notes: {escape(', '.join(detail.credit_notes))}</p>")
    return "".join(parts)


class BillingPage(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.detail: InvoiceDetail | None = None
        self.show_filter = QComboBox()
        for key, label in FILTERS:
            self.show_filter.addItem(self.tr(label), key)
        self.show_filter.currentIndexChanged.connect(lambda _: self.refresh_now())
        self.summary = QLabel()
        self.model = ListTableModel(COLUMNS, self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 150)  # a whole bill number, e.g. KOC-A/I26/00042
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.detail_label = QLabel(self.tr("Choose an invoice to see it in full."))
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.banner = QLabel()
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.new_button = QPushButton(self.tr("New invoice…"))
        self.pay_button = QPushButton(self.tr("Take payment…"))
        self.credit_button = QPushButton(self.tr("Credit note / refund…"))
        self.pdf_button = QPushButton(self.tr("Save PDF…"))
        self.claim_button = QPushButton(self.tr("Insurance claim…"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_receipt_button = QPushButton(self.tr("Print receipt…"))
        self.print_receipt_button.setToolTip(self.tr("Print the receipt (or refund voucher) of the latest payment"))
        self.print_preview = None  # the open print preview, if any
        for button, handler in ((self.new_button, self.open_new_invoice), (self.pay_button, self.open_payment),
                                (self.claim_button, self.open_claim),
                                (self.credit_button, self.open_credit_note), (self.pdf_button, self.save_pdf),
                                (self.print_button, self.print_bill), (self.print_receipt_button, self.print_receipt)):
            button.setMinimumHeight(38)
            button.clicked.connect(handler)
        self.new_button.setVisible(app.may(Action.BILLING_CHARGE))
        self.pay_button.setVisible(app.may(Action.BILLING_CHARGE))
        self.claim_button.setVisible(app.may(Action.BILLING_CHARGE))
        self.credit_button.setVisible(app.may(Action.BILLING_REFUND))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.show_filter)
        top.addWidget(self.summary, 1)
        top.addWidget(self.new_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail_label)
        split.setSizes([440, 260])
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (self.claim_button, self.pay_button, self.credit_button, self.pdf_button, self.print_button,
                       self.print_receipt_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        self._update_buttons()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.billing or changes.patients

    def reload(self) -> None:
        self.app.runner.run(billing_views.list_invoices, self.app.ctx, show=self.show_filter.currentData(),
                            owner=self, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, rows: list[InvoiceSummary]) -> None:
        keep = self.selected()
        self.banner.hide()
        self.model.set_rows(rows)
        owed = sum((r.outstanding for r in rows if r.outstanding > 0), ZERO)
        late = sum((r.overdue for r in rows), ZERO)
        self.summary.setText(self.tr("%1 bills · outstanding %2 · overdue %3").replace("%1", str(len(rows)))
                             .replace("%2", rupees(owed)).replace("%3", rupees(late)))
        reselect(self.table, rows, keep, key=lambda row: row.id)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> InvoiceSummary | None:
        return selected_row(self.table)

    def select(self, invoice_id: str) -> None:
        select_where(self.table, self.model.rows(), lambda summary: summary.id == invoice_id)

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.detail = None
        self._update_buttons()
        if chosen is not None:
            self.app.runner.run(billing_views.invoice_detail, self.app.ctx, chosen.id, owner=self,
                                on_done=self._detail_loaded, on_error=self._failed)

    def _detail_loaded(self, detail: InvoiceDetail) -> None:
        if self.selected() is None or self.selected().id != detail.summary.id:
            return  # the desk moved on while this loaded
        self.detail = detail
        self.detail_label.setText(detail_html(detail))
        self._update_buttons()

    def _update_buttons(self) -> None:
        detail = self.detail
        is_invoice = detail is not None and detail.summary.kind == "invoice"
        self.pay_button.setEnabled(is_invoice and detail.summary.outstanding > 0)
        self.credit_button.setEnabled(is_invoice and detail.summary.state != "credited")
        self.pdf_button.setEnabled(detail is not None)
        self.print_button.setEnabled(detail is not None)
        self.print_receipt_button.setEnabled(detail is not None and bool(detail.payments))
        self.claim_button.setEnabled(is_invoice)

    def open_new_invoice(self) -> NewInvoiceDialog:
        dialog = NewInvoiceDialog(self.app, self)
        dialog.open()
        return dialog

    def open_payment(self) -> PaymentDialog | None:
        if self.detail is None:
            return None
        dialog = PaymentDialog(self.app, self.detail, self)
        dialog.open()
        return dialog

    def open_claim(self) -> ClaimDialog | None:
        if self.detail is None:
            return None
        dialog = ClaimDialog(self.app, self.detail, self)
        dialog.open()
        return dialog

    def open_credit_note(self) -> CreditNoteDialog | None:
        if self.detail is None:
            return None
        dialog = CreditNoteDialog(self.app, self.detail, self)
        dialog.open()
        return dialog

    def save_pdf(self, *, path: Path | None = None) -> None:
        if self.detail is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save the bill as PDF"),
                                                    f"{self.detail.summary.number.replace('/', '_')}.pdf",
                                                    self.tr("PDF files (*.pdf)"))
            if not chosen:
                return
            path = Path(chosen)
        self.app.runner.run(billing_documents.invoice_pdf, self.app.ctx, self.detail.summary.id, owner=self,
                            on_done=lambda result: path.write_bytes(result[1]), on_error=self._failed)

    def print_bill(self) -> None:
        """Preview and print the selected invoice or credit note."""
        if self.detail is not None:
            self.app.runner.run(billing_documents.invoice_pdf, self.app.ctx, self.detail.summary.id, owner=self,
                                on_done=lambda result: self._preview(result[1], self.tr("Invoice")),
                                on_error=self._failed)

    def print_receipt(self) -> None:
        """Preview and print the receipt of the selected bill's latest payment (or refund)."""
        if self.detail is not None and self.detail.payments:
            latest = max(self.detail.payments, key=lambda p: p.received_at)
            self.app.runner.run(billing_documents.receipt_pdf, self.app.ctx, latest.id, owner=self,
                                on_done=lambda result: self._preview(result[1], self.tr("Receipt")),
                                on_error=self._failed)

    def _preview(self, pdf: bytes, title: str) -> None:
        try:
            self.print_preview = print_preview(pdf, self, title=title)
        except ValueError as exc:  # unreadable bytes: say so instead of opening an empty preview
            self.banner.setText(str(exc))
            self.banner.show()
            return
        self.print_preview.open()
