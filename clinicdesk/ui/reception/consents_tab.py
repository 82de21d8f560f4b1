"""Consents on a patient's chart: what, which version, when, how, who witnessed; the consent form, or withdraw."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records
from clinicdesk.services.consent_forms import REGISTRATION_CONSENT_FORM, consent_form, record_registration_consents
from clinicdesk.services.patient_dto import ConsentItem, PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.labs.form_renderer import FormRenderer
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
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

        # The statements are data (resources/intake_forms/registration_consents.v*.json); each ticked one becomes a
        # consent row below, and the filled form itself is kept sealed and printable from the Forms tab.
        self.form = consent_form(REGISTRATION_CONSENT_FORM)
        self.renderer = FormRenderer(self.form)
        self.record_button = QPushButton(self.tr("Record consents"))
        self.record_button.clicked.connect(self.record)
        self.withdraw_button = QPushButton(self.tr("Withdraw selected consent"))
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.banner = ErrorBanner()
        allowed = app.may(Action.PATIENT_CONSENT)

        new_box = QGroupBox(self.tr("Record consents"))
        form = QVBoxLayout(new_box)
        form.addWidget(self.renderer, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_button)
        form.addLayout(row)
        new_box.setVisible(allowed)
        self.withdraw_button.setVisible(allowed)

        given = QWidget()
        given_layout = QVBoxLayout(given)
        given_layout.setContentsMargins(0, 0, 0, 0)
        given_layout.addWidget(self.table, 1)
        withdraw_row = QHBoxLayout()
        withdraw_row.addStretch(1)
        withdraw_row.addWidget(self.withdraw_button)
        given_layout.addLayout(withdraw_row)
        split = QSplitter(Qt.Orientation.Vertical)  # the form below the list: its statements read best full width
        split.addWidget(given)
        split.addWidget(new_box)
        split.setSizes([260, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.errors = FieldErrors(self.banner, dict(self.renderer.inputs))

    def _status(self, consent: ConsentItem) -> str:
        if consent.withdrawn_at:
            return self.tr("Withdrawn %1").replace("%1", format_datetime(consent.withdrawn_at, self.app.tz))
        return self.tr("In force")

    def set_profile(self, profile: PatientProfile) -> None:
        if profile.id != self.patient_id:
            self.renderer.clear_answers()  # never carry one patient's ticks over to the next
        self.patient_id = profile.id
        self.model.set_rows(profile.consents)

    def record(self) -> None:
        self.errors.clear()
        self.app.runner.run(record_registration_consents, self.app.ctx, self.patient_id, self.renderer.answers(),
                            version=self.form.version, owner=self, on_done=lambda _: self._recorded(),
                            on_error=self._refused)

    def _recorded(self) -> None:
        self.errors.clear()
        self.renderer.clear_answers()  # the list above now shows what was given

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
