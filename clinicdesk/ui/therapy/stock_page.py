"""The centre's consumable stock: items with usable and expired quantities, low and near-expiry flags, receipts."""

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.roles import Action
from clinicdesk.services import stock
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import StockLine
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.tables import row_table, select_where, selected_item

LOW_COLOUR = "#fdecea"  # below the reorder level
EXPIRING_COLOUR = "#fff4d6"  # a batch expires within 30 days
HEADERS = ("Code", "Item", "On hand", "Expired", "Reorder level", "Flags", "Expiring soon")


def _qty(value) -> str:
    # the ledger keeps three decimals; 110.000 ml reads better as 110
    return f"{Decimal(value).normalize():f}"


class StockModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[StockLine] = []

    def set_lines(self, lines: list[StockLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    @staticmethod
    def flags_text(line: StockLine) -> str:
        return " · ".join(text for on, text in ((line.low, "LOW"), (bool(line.expiring_soon), "NEAR EXPIRY"),
                                                (line.expired > 0, "EXPIRED STOCK")) if on)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.code, line.name, f"{_qty(line.on_hand)} {line.unit}", _qty(line.expired),
                    _qty(line.reorder_level), self.flags_text(line),
                    ", ".join(f"{no} {expiry:%d %b %Y} ({_qty(left)})"
                              for no, expiry, left in line.expiring_soon))[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if line.low:
                return QBrush(QColor(LOW_COLOUR))
            if line.expiring_soon:
                return QBrush(QColor(EXPIRING_COLOUR))
        return None


class ReceiveBatchDialog(FormDialog):
    """A new batch of an item (number, quantity, expiry) saved through services.stock; refusals keep the input."""

    def __init__(self, app: AppContext, line: StockLine, parent: QWidget | None = None):
        super().__init__(app, "Receive a batch", parent)
        self.line = line
        self.setWindowTitle(self.tr("Receive a batch"))
        self.batch_no = QLineEdit()
        self.quantity = QLineEdit()
        self.quantity.setPlaceholderText(line.unit)
        today = app.today()
        self.expiry = QDateEdit(QDate(today.year, today.month, today.day).addYears(1))
        self.expiry.setCalendarPopup(True)
        self.no_expiry = QCheckBox(self.tr("Does not expire (linen, equipment)"))
        self.no_expiry.toggled.connect(lambda on: self.expiry.setEnabled(not on))
        self.save_button.setText(self.tr("Receive"))
        self.form.addRow(self.tr("Item"), QLabel(f"{line.name} ({line.code})"))
        self.form.addRow(self.tr("Batch number"), self.batch_no)
        self.form.addRow(self.tr("Quantity (%1)").replace("%1", line.unit), self.quantity)
        self.form.addRow(self.tr("Expiry date"), self.expiry)
        self.form.addRow("", self.no_expiry)

    def save(self) -> None:
        expiry: date | None = None if self.no_expiry.isChecked() else self.expiry.date().toPython()
        self.submit(stock.receive_batch, self.app.ctx, self.line.item_id, self.batch_no.text(),
                    self.quantity.text().strip() or "0", expiry)


class StockPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.model = StockModel(self)
        self.table = row_table(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.summary = QLabel()
        legend = QLabel(self.tr("Red: at or below the reorder level · amber: a batch expires within 30 days"))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.receive_button = QPushButton(self.tr("Receive a batch…"))
        self.receive_button.setMinimumHeight(40)
        self.receive_button.clicked.connect(self.open_receive)
        self.receive_button.setVisible(app.may(Action.STOCK_MANAGE))
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.receive_button)
        layout = QVBoxLayout(self)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        user = self.app.user
        if user is None:
            return
        self.app.runner.run(stock.stock_levels, self.app.ctx, user.centre_id, owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.stock or changes.therapy:  # sessions take materials from stock
            self.refresh()

    def _loaded(self, lines: list[StockLine]) -> None:
        selected = self.selected()
        self.model.set_lines(lines)
        if selected is not None:
            self.select(selected.item_id)
        self.summary.setText(self.tr("Items: %1 · low: %2 · near expiry: %3").replace("%1", str(len(lines)))
                             .replace("%2", str(sum(line.low for line in lines)))
                             .replace("%3", str(sum(bool(line.expiring_soon) for line in lines))))
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> StockLine | None:
        return selected_item(self.table, self.model.lines)

    def select(self, item_id: str) -> None:
        select_where(self.table, self.model.lines, lambda line: line.item_id == item_id)

    def _update_buttons(self) -> None:
        self.receive_button.setEnabled(self.selected() is not None)

    def open_receive(self):
        line = self.selected()
        if line is None:
            return None
        dialog = ReceiveBatchDialog(self.app, line, self)
        dialog.open()
        return dialog
