"""A patient's timeline: registration, assessments, consents, documents and allergies, newest first."""

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table


class TimelineTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ListTableModel([
            Column(self.tr("When"), lambda e: format_datetime(e.at, app.tz)),
            Column(self.tr("Kind"), lambda e: code_label(e.kind)),
            Column(self.tr("What happened"), lambda e: e.text, stretch=True),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 120)
        QVBoxLayout(self).addWidget(self.table)

    def set_profile(self, profile: PatientProfile) -> None:
        self.model.set_rows(profile.timeline)
