"""Logging a medicine given during a session (e.g. 90 ml ghee in Snehapana) through the SOP runner's service."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import sop_runner
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text

TOUCH = 56
UNITS = ("ml", "g", "tablet", "drop")
ROUTES = ("oral", "nasal", "rectal", "topical")


class DosageDialog(QDialog):
    saved = Signal()

    def __init__(self, app: AppContext, session_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.session_id = app, session_id
        self.setWindowTitle(self.tr("Log a dose"))
        self.medicine = QLineEdit()
        self.medicine.setPlaceholderText(self.tr("e.g. Guggulu tiktaka ghrita"))
        self.quantity = QLineEdit()
        self.unit, self.route = QComboBox(), QComboBox()
        for combo, values in ((self.unit, UNITS), (self.route, ROUTES)):
            for value in values:
                combo.addItem(self.tr(value), value)
        for widget in (self.medicine, self.quantity, self.unit, self.route):
            widget.setMinimumHeight(TOUCH)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.save_button = QPushButton(self.tr("Log dose"))
        self.save_button.setMinimumHeight(TOUCH)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setMinimumHeight(TOUCH)
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Medicine"), self.medicine)
        form.addRow(self.tr("Quantity"), self.quantity)
        form.addRow(self.tr("Unit"), self.unit)
        form.addRow(self.tr("Route"), self.route)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)

    def save(self) -> None:
        self.banner.hide()
        self.app.runner.run(sop_runner.record_dosage, self.app.ctx, self.session_id, self.medicine.text(),
                            self.quantity.text().strip() or "0", self.unit.currentData(),
                            route=self.route.currentData(), owner=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, _changes) -> None:
        self.saved.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()
