"""Logging a medicine given during a session (e.g. 90 ml ghee in Snehapana) through the SOP runner's service."""

from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QWidget,
)

from clinicdesk.services import sop_runner
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.widgets.form_dialog import FormDialog

TOUCH = 56
UNITS = ("ml", "g", "tablet", "drop")
ROUTES = ("oral", "nasal", "rectal", "topical")


class DosageDialog(FormDialog):
    """Touch-sized FormDialog: banner, fields, stays open with the service's sentence when refused."""

    def __init__(self, app: AppContext, session_id: str, parent: QWidget | None = None):
        super().__init__(app, "Log a dose", parent)
        self.session_id = session_id
        self.setWindowTitle(self.tr("Log a dose"))
        self.medicine = QLineEdit()
        self.medicine.setPlaceholderText(self.tr("e.g. Guggulu tiktaka ghrita"))
        self.quantity = QLineEdit()
        self.unit, self.route = QComboBox(), QComboBox()
        for combo, values in ((self.unit, UNITS), (self.route, ROUTES)):
            for value in values:
                combo.addItem(self.tr(value), value)
        for widget in (self.medicine, self.quantity, self.unit, self.route, self.save_button):
            widget.setMinimumHeight(TOUCH)
        self.save_button.setText(self.tr("Log dose"))
        self.form.addRow(self.tr("Medicine"), self.medicine)
        self.form.addRow(self.tr("Quantity"), self.quantity)
        self.form.addRow(self.tr("Unit"), self.unit)
        self.form.addRow(self.tr("Route"), self.route)

    def save(self) -> None:
        self.submit(sop_runner.record_dosage, self.app.ctx, self.session_id, self.medicine.text(),
                    self.quantity.text().strip() or "0", self.unit.currentData(), route=self.route.currentData())
