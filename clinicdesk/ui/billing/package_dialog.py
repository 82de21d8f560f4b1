"""A new package: code, name, one row per session, material or stay (each with its own tax code), a package
discount and the payment plan; saved through services.billing_catalogue."""

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from clinicdesk.domain.billing.money import ZERO, parse_amount
from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import billing_catalogue
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.widgets.form_dialog import FormDialog

ITEM_HEADERS = ("Kind (session, material, stay)", "Description", "HSN/SAC", "GST %", "Unit price ₹", "Quantity")
STARTER_ROWS = (("session", "Therapy sessions", "999312", "exempt", "", ""),
                ("material", "Medicated oils", "30049011", "5", "", "1"),
                ("stay", "Room stay", "996311", "5", "", ""))


def _decimal(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.strip() or "x")
    except InvalidOperation:
        raise ValidationError({"items": f"{where} must be a number"}, {"items": "Items"}) from None


class PackageDialog(FormDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, "New package", parent)
        self.setMinimumWidth(760)
        self.code = QLineEdit()
        self.name = QLineEdit()
        self.items = QTableWidget(len(STARTER_ROWS) + 2, len(ITEM_HEADERS))
        self.items.setHorizontalHeaderLabels(ITEM_HEADERS)
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        for row, values in enumerate(STARTER_ROWS):
            for column, value in enumerate(values):
                self.items.setItem(row, column, QTableWidgetItem(value))
        self.discount = QLineEdit()
        self.discount.setPlaceholderText("0")
        self.deposit = QLineEdit()
        self.deposit.setPlaceholderText("0")
        self.instalments = QSpinBox(minimum=1, maximum=24, value=1)
        self.every_days = QSpinBox(minimum=1, maximum=366, value=30)
        self.form.addRow(self.tr("Code"), self.code)
        self.form.addRow(self.tr("Name"), self.name)
        self.form.addRow(self.tr("Items (blank rows are skipped)"), self.items)
        self.form.addRow(self.tr("Package discount (₹)"), self.discount)
        self.form.addRow(self.tr("Deposit (₹)"), self.deposit)
        self.form.addRow(self.tr("Instalments after it"), self.instalments)
        self.form.addRow(self.tr("Days between instalments"), self.every_days)
        self.errors.fields.update({"code": self.code, "name": self.name, "items": self.items,
                                   "discount": self.discount, "deposit": self.deposit})

    def cell(self, row: int, column: int) -> str:
        item = self.items.item(row, column)
        return item.text().strip() if item else ""

    def item_drafts(self) -> tuple[PackageItemDraft, ...]:
        drafts = []
        for row in range(self.items.rowCount()):
            kind, description, code, rate, price, quantity = (self.cell(row, c) for c in range(len(ITEM_HEADERS)))
            if not (description and price):
                continue
            where = f"Row {row + 1}"
            exempt = rate.lower() == "exempt"
            drafts.append(PackageItemDraft(kind.lower(), description, code, ZERO if exempt else _decimal(rate, where),
                                           parse_amount(price, field="items", label=f"{where} price"),
                                           _decimal(quantity or "1", where), exempt=exempt))
        return tuple(drafts)

    def save(self) -> None:
        try:
            draft = PackageDraft(
                self.code.text(), self.name.text(), self.item_drafts(),
                parse_amount(self.discount.text() or "0", field="discount", label="Package discount", allow_zero=True),
                self.instalments.value(), self.every_days.value(),
                parse_amount(self.deposit.text() or "0", field="deposit", label="Deposit", allow_zero=True))
        except ValidationError as exc:
            self.refused(exc)
            return
        self.submit(billing_catalogue.save_package, self.app.ctx, draft)
