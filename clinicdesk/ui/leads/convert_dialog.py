"""Convert to patient: what the enquiry knows, plus date of birth and sex; a possible duplicate is shown first."""

from dataclasses import replace

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.patients import SEXES, PatientDraft
from clinicdesk.domain.roles import Action
from clinicdesk.services import leads
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import sex_label
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner


class ConvertDialog(QDialog):
    """Registers the person through patient registration; `patient_id` is set when it worked."""

    def __init__(self, app: AppContext, lead_id: str, draft: PatientDraft, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.lead_id, self.base = app, lead_id, draft
        self.patient_id = ""
        self.setWindowTitle(self.tr("Convert enquiry to patient"))
        self.banner = ErrorBanner()
        self.given, self.family = QLineEdit(draft.given_name), QLineEdit(draft.family_name)
        self.phone, self.email = QLineEdit(draft.phone), QLineEdit(draft.email)
        self.dob = QDateEdit()
        self.dob.setCalendarPopup(True)
        self.dob.setDisplayFormat("dd MMM yyyy")
        self.dob.setDate(QDate(1985, 1, 1))
        self.sex = QComboBox()
        for value in SEXES:
            self.sex.addItem(sex_label(value), value)
        self.not_duplicate = QCheckBox(self.tr("I checked: this is a different person from the record(s) named above"))
        self.not_duplicate.hide()
        self.book_next = QCheckBox(self.tr("Book the first appointment now"))
        self.book_next.setChecked(app.may(Action.APPOINTMENT_BOOK))
        self.book_next.setVisible(app.may(Action.APPOINTMENT_BOOK))
        form = QFormLayout()
        for label, widget in ((self.tr("Given name"), self.given), (self.tr("Family name"), self.family),
                              (self.tr("Date of birth"), self.dob), (self.tr("Sex"), self.sex),
                              (self.tr("Phone"), self.phone), (self.tr("Email"), self.email)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Register patient"))
        buttons.accepted.connect(self.convert)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.not_duplicate)
        layout.addWidget(self.book_next)
        layout.addWidget(buttons)

    def draft(self) -> PatientDraft:
        return replace(self.base, given_name=self.given.text(), family_name=self.family.text(),
                       phone=self.phone.text(), email=self.email.text(), date_of_birth=self.dob.date().toPython(),
                       sex=self.sex.currentData())

    def convert(self) -> None:
        self.banner.clear_messages()
        self.app.runner.run(leads.convert_to_patient, self.app.ctx, self.lead_id, self.draft(),
                            allow_duplicate=self.not_duplicate.isChecked(), owner=self, on_done=self._done,
                            on_error=self._failed)

    def _done(self, result) -> None:
        self.patient_id = result[0]
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, leads.PossibleDuplicatePatient):
            self.not_duplicate.show()
        if isinstance(exc, ValidationError):
            self.banner.show_messages(exc.messages())
        else:
            self.banner.show_messages([error_text(exc).rstrip(".")])
