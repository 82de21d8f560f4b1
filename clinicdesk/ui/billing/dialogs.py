"""Billing dialogs: take a payment, and credit lines of an invoice with an optional refund; both keep typed input
when a service refuses."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from clinicdesk.domain.billing.money import parse_amount
from clinicdesk.domain.billing.payments import METHOD_LABELS, PaymentMethod
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import billing
from clinicdesk.services.billing_dto import InvoiceDetail
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.billing.formatting import rupees
from clinicdesk.ui.widgets.form_dialog import FormDialog


def method_box(*, with_none: str = "") -> QComboBox:
    box = QComboBox()
    if with_none:
        box.addItem(with_none, None)
    for method, label in METHOD_LABELS.items():
        box.addItem(label, method.value)
    return box


class PaymentDialog(FormDialog):
    """Money received against one invoice: amount (the balance, to start with), method and its reference."""

    def __init__(self, app: AppContext, detail: InvoiceDetail, parent: QWidget | None = None):
        super().__init__(app, "Take payment", parent)
        self.detail = detail
        self.setWindowTitle(self.tr("Take payment for %1").replace("%1", detail.summary.number))
        self.amount = QLineEdit(f"{detail.summary.outstanding}")
        self.method = method_box()
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(self.tr("UPI: 12-digit reference · bank: UTR · card: approval code"))
        self.save_button.setText(self.tr("Record payment"))
        self.form.addRow(self.tr("Patient"), QLabel(f"{detail.summary.patient_name} ({detail.summary.uhid})"))
        self.form.addRow(self.tr("Balance due"), QLabel(rupees(detail.summary.outstanding)))
        self.form.addRow(self.tr("Amount (₹)"), self.amount)
        self.form.addRow(self.tr("Method"), self.method)
        self.form.addRow(self.tr("Reference"), self.reference)
        self.errors.fields.update({"amount": self.amount, "reference": self.reference})

    def save(self) -> None:
        try:
            amount = parse_amount(self.amount.text())
        except ValidationError as exc:
            self.refused(exc)
            return
        self.submit(billing.take_payment, self.app.ctx, self.detail.summary.id, amount, self.method.currentData(),
                    self.reference.text())


class CreditNoteDialog(FormDialog):
    """Tick the lines to credit in full, say why, and choose whether to pay the patient back now."""

    def __init__(self, app: AppContext, detail: InvoiceDetail, parent: QWidget | None = None):
        super().__init__(app, "Credit note", parent)
        self.detail = detail
        self.setWindowTitle(self.tr("Credit note against %1").replace("%1", detail.summary.number))
        self.lines = QListWidget()
        for index, line in enumerate(detail.lines):
            item = QListWidgetItem(f"{line.description} · {line.quantity.normalize():f} × "
                                   f"{rupees(line.unit_price)} · {line.rate_label}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, (index, line.quantity))
            self.lines.addItem(item)
        self.reason = QLineEdit()
        self.refund_method = method_box(with_none=self.tr("No refund now (patient keeps the credit)"))
        self.refund_method.setCurrentIndex(1)  # cash, the common case at the desk
        self.reference = QLineEdit()
        self.save_button.setText(self.tr("Issue credit note"))
        self.form.addRow(self.tr("Lines to credit"), self.lines)
        self.form.addRow(self.tr("Reason"), self.reason)
        self.form.addRow(self.tr("Refund by"), self.refund_method)
        self.form.addRow(self.tr("Refund reference"), self.reference)
        self.errors.fields.update({"reason": self.reason, "lines": self.lines, "reference": self.reference})

    def quantities(self) -> dict[int, Decimal]:
        chosen = {}
        for row in range(self.lines.count()):
            item = self.lines.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                index, quantity = item.data(Qt.ItemDataRole.UserRole)
                chosen[index] = quantity
        return chosen

    def save(self) -> None:
        method = self.refund_method.currentData()
        self.submit(billing.issue_credit_note, self.app.ctx, self.detail.summary.id, self.quantities(),
                    reason=self.reason.text(), refund_method=PaymentMethod(method) if method else None,
                    refund_reference=self.reference.text())
