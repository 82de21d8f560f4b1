"""A new invoice: find the patient, tick completed visits and sessions or pick a package, see GST worked out,
then issue it (numbered and final)."""

from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from clinicdesk.domain.billing.invoices import InvoiceAmounts
from clinicdesk.domain.billing.money import ZERO, parse_amount
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import billing, billing_catalogue, patients
from clinicdesk.services.billing_dto import BillableItem, PackageView
from clinicdesk.services.patient_dto import PatientSummary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.formatting import day, rupees
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_dialog import FormDialog


class NewInvoiceDialog(FormDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None, *, patient: PatientSummary | None = None):
        super().__init__(app, "New invoice", parent)
        self.setMinimumWidth(640)
        self.items: list[BillableItem] = []
        self.packages: list[PackageView] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Name, phone or UHID"))
        self.patient = QComboBox()
        self.visits = QListWidget()
        self.visits.setMinimumHeight(140)
        self.package = QComboBox()
        self.discount = QLineEdit()
        self.discount.setPlaceholderText("0")
        self.buyer_name = QLineEdit()
        self.buyer_gstin = QLineEdit()
        self.buyer_gstin.setPlaceholderText(self.tr("Only for a GST-registered business paying the bill"))
        self.preview = QLabel(self.tr("Tick what to bill to see the totals."))
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.save_button.setText(self.tr("Issue invoice"))
        self.form.addRow(self.tr("Find patient"), self.search)
        self.form.addRow(self.tr("Patient"), self.patient)
        self.form.addRow(self.tr("Completed visits"), self.visits)
        self.form.addRow(self.tr("Or a package"), self.package)
        self.form.addRow(self.tr("Invoice discount (₹)"), self.discount)
        self.form.addRow(self.tr("Business name"), self.buyer_name)
        self.form.addRow(self.tr("Business GSTIN"), self.buyer_gstin)
        self.form.addRow(self.tr("Totals"), self.preview)
        self.errors.fields.update({"invoice_discount": self.discount, "buyer_gstin": self.buyer_gstin,
                                   "buyer_name": self.buyer_name, "lines": self.visits})
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.patient.currentIndexChanged.connect(lambda _: self._load_items())
        self.visits.itemChanged.connect(lambda _: self._update_preview())
        self.package.currentIndexChanged.connect(lambda _: self._update_preview())
        self.discount.editingFinished.connect(self._update_preview)
        self.buyer_gstin.editingFinished.connect(self._update_preview)
        app.runner.run(billing_catalogue.list_packages, app.ctx, owner=self, on_done=self._packages_loaded,
                       on_error=self.refused)
        if patient is not None:
            self._patients_found([patient])

    # --- patient and what can be billed -------------------------------------------------------------------
    def _run_search(self) -> None:
        typed = self.search.text().strip()
        if len(typed) >= 2:
            self.app.runner.run(patients.search_patients, self.app.ctx, typed, limit=20, owner=self,
                                on_done=self._patients_found, on_error=self.refused)

    def _patients_found(self, found: list[PatientSummary]) -> None:
        self.patient.blockSignals(True)
        self.patient.clear()
        for summary in found:
            self.patient.addItem(f"{summary.display_name} · {summary.uhid}", summary.id)
        self.patient.blockSignals(False)
        self._load_items()

    def patient_id(self) -> str | None:
        return self.patient.currentData()

    def _load_items(self) -> None:
        self.visits.clear()
        self.items = []
        if self.patient_id():
            self.app.runner.run(billing.billable_items, self.app.ctx, self.patient_id(), owner=self,
                                on_done=self._items_loaded, on_error=self.refused)

    def _items_loaded(self, items: list[BillableItem]) -> None:
        self.items = items
        self.visits.blockSignals(True)
        for item in items:
            row = QListWidgetItem(f"{day(item.day)} · {item.line.description} · {rupees(item.line.unit_price)} · "
                                  f"{item.line.tax.label}")
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            self.visits.addItem(row)
        if not items:
            self.visits.addItem(self.tr("Nothing left to bill for this patient."))
        self.visits.blockSignals(False)
        self._update_preview()

    def _packages_loaded(self, packages: list[PackageView]) -> None:
        self.packages = packages
        self.package.blockSignals(True)
        self.package.addItem(self.tr("No package"), None)
        for package in packages:
            self.package.addItem(f"{package.draft.name} ({package.draft.code}) · {rupees(package.gross)}", package.id)
        self.package.blockSignals(False)

    def chosen_lines(self):
        return [item.line for row, item in enumerate(self.items)
                if self.visits.item(row).checkState() == Qt.CheckState.Checked]

    def _discount(self) -> Decimal:
        text = self.discount.text().strip()
        return parse_amount(text, field="invoice_discount", label="Invoice discount", allow_zero=True) \
            if text else ZERO

    # --- totals as they will be printed -------------------------------------------------------------------
    def _update_preview(self) -> None:
        lines = self.chosen_lines()
        if self.package.currentData() or not lines or not self.patient_id():
            self.preview.setText(self.tr("The package's own prices, discount and payment plan apply.")
                                 if self.package.currentData() else self.tr("Tick what to bill to see the totals."))
            return
        try:
            discount = self._discount()
        except ValidationError as exc:
            self.refused(exc)
            return
        self.app.runner.run(billing.preview_invoice, self.app.ctx, self.patient_id(), lines,
                            invoice_discount=discount, buyer_gstin=self.buyer_gstin.text(), owner=self,
                            on_done=self._previewed, on_error=lambda exc: self.preview.setText(error_text(exc)))

    def _previewed(self, amounts: InvoiceAmounts) -> None:
        taxes = (f"CGST {rupees(amounts.cgst)} + SGST {rupees(amounts.sgst)}" if amounts.intra_state
                 else f"IGST {rupees(amounts.igst)}")
        self.preview.setText(f"Taxable {rupees(amounts.taxable)} · {taxes} · round off {rupees(amounts.round_off)}"
                             f"<br><b>Total {rupees(amounts.total)}</b>")
        self.total_shown = amounts.total

    def save(self) -> None:
        if not self.patient_id():
            self.refused(ValidationError({"patient": "is required: find the patient first"}, {"patient": "Patient"}))
            return
        package_id = self.package.currentData()
        if package_id:
            self.submit(billing.issue_package_invoice, self.app.ctx, self.patient_id(), package_id,
                        buyer_name=self.buyer_name.text(), buyer_gstin=self.buyer_gstin.text())
            return
        try:
            discount = self._discount()
        except ValidationError as exc:
            self.refused(exc)
            return
        self.submit(billing.issue_invoice, self.app.ctx, self.patient_id(), self.chosen_lines(),
                    invoice_discount=discount, buyer_name=self.buyer_name.text(), buyer_gstin=self.buyer_gstin.text())
