"""Consents on a patient's chart: what, which version, when, how, who witnessed; record new ones or withdraw."""

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records
from clinicdesk.services.patient_dto import ConsentItem, PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_choices, code_label
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.inputs import ChoiceCombo
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.messages import confirm


class ConsentsTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        tz = lambda: app.tz  # noqa: E731 (read at display time: the centre may load after this tab)
        self.model = ListTableModel([
            Column(self.tr("Consent"), lambda c: code_label(c.kind), stretch=True),
            Column(self.tr("Version"), lambda c: c.version),
            Column(self.tr("Given"), lambda c: format_datetime(c.given_at, tz())),
            Column(self.tr("How"), lambda c: code_label(c.method)),
            Column(self.tr("Witness"), lambda c: c.witness),
            Column(self.tr("Status"), self._status),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(2, 160)
        self.table.setColumnWidth(3, 130)
        self.table.setColumnWidth(5, 190)

        self.kind = ChoiceCombo(code_choices(patient_records.CONSENT_KINDS))
        self.version = QLineEdit("1.0")
        self.version.setMaxLength(20)
        self.method = ChoiceCombo(code_choices(patient_records.CONSENT_METHODS))
        self.record_button = QPushButton(self.tr("Record consent"))
        self.record_button.clicked.connect(self.record)
        self.withdraw_button = QPushButton(self.tr("Withdraw selected consent"))
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.banner = ErrorBanner()
        allowed = app.may(Action.PATIENT_CONSENT)

        new_box = QGroupBox(self.tr("Record a consent"))
        form = QFormLayout(new_box)
        form.addRow(self.tr("Consent for"), self.kind)
        form.addRow(self.tr("Version of the consent text"), self.version)
        form.addRow(self.tr("How it was given"), self.method)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_button)
        form.addRow(row)
        new_box.setVisible(allowed)
        self.withdraw_button.setVisible(allowed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(new_box, 1)
        side = QVBoxLayout()
        side.addWidget(self.withdraw_button)
        side.addStretch(1)
        bottom.addLayout(side)
        layout.addLayout(bottom)
        self.errors = FieldErrors(self.banner, {"kind": self.kind, "version": self.version, "method": self.method})

    def _status(self, consent: ConsentItem) -> str:
        if consent.withdrawn_at:
            return self.tr("Withdrawn %1").replace("%1", format_datetime(consent.withdrawn_at, self.app.tz))
        return self.tr("In force")

    def set_profile(self, profile: PatientProfile) -> None:
        self.patient_id = profile.id
        self.model.set_rows(profile.consents)

    def record(self) -> None:
        self.errors.clear()
        self.app.runner.run(patient_records.record_consent, self.app.ctx, self.patient_id, kind=self.kind.value(),
                            version=self.version.text(), method=self.method.value(), owner=self,
                            on_error=self._refused)

    def withdraw_selected(self) -> None:
        consent = selected_row(self.table)
        if consent is None:
            self.errors.show_text(self.tr("Select the consent to withdraw in the list first"))
            return
        if consent.withdrawn_at:
            self.errors.show_text(self.tr("That consent is already withdrawn"))
            return
        if confirm(self, self.tr("Record that the patient withdrew this consent now?")):
            self.app.runner.run(patient_records.withdraw_consent, self.app.ctx, self.patient_id, consent.id,
                                owner=self, on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
