"""Registration and edit form for a patient: every PatientDraft field, grouped, with field-by-field errors."""

from dataclasses import fields as dataclass_fields
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.patients import BLOOD_GROUPS, MAX_AGE_YEARS, PatientDraft
from clinicdesk.services import patients
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import INDIAN_STATES, language_choices, sex_choices
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.inputs import ChoiceCombo, OptionalDateEdit

_TEXT_AREAS = ("medical_history", "family_history", "lifestyle", "diet")


class PatientFormDialog(QDialog):
    """Register (profile None) or edit a patient. A refused save keeps every typed value and changes nothing."""

    saved = Signal(str)  # patient id

    def __init__(self, app: AppContext, profile: PatientProfile | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.profile = profile
        # Window titles never carry patient data (they show up in task switchers and screen shares).
        self.setWindowTitle(self.tr("Edit patient record") if profile else self.tr("Register patient"))
        self.setObjectName("patientForm")
        self.resize(980, 760)
        self.widgets: dict[str, QWidget] = {}

        self.banner = ErrorBanner()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        body = QWidget()
        grid = QGridLayout(body)
        grid.addWidget(self._identity_group(), 0, 0)
        grid.addWidget(self._contact_group(), 0, 1)
        grid.addWidget(self._identifiers_group(), 1, 0)
        grid.addWidget(self._emergency_group(), 1, 1)
        grid.addWidget(self._history_group(), 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.scroll.setWidget(body)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save changes") if profile else self.tr("Register"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(self.banner, self.widgets)
        if profile:
            self.set_draft(profile.draft)
        self.widgets["given_name"].setFocus()

    # --- building ----------------------------------------------------------------------------------------

    def _line(self, name: str, placeholder: str = "", max_length: int = 0) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        if max_length:
            edit.setMaxLength(max_length)
        self.widgets[name] = edit
        return edit

    def _group(self, title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for label, widget in rows:
            form.addRow(label, widget)
        return box

    def _identity_group(self) -> QGroupBox:
        self.dob = OptionalDateEdit(self.tr("Not entered"), latest=self.app.today())
        self.widgets["date_of_birth"] = self.dob
        self.age = QSpinBox()
        self.age.setRange(-1, MAX_AGE_YEARS)
        self.age.setSpecialValueText(self.tr("—"))
        self.age.setValue(-1)
        self.age.setToolTip(self.tr("If the patient knows only their age, enter it to estimate the date of birth."))
        self.age.valueChanged.connect(self._estimate_dob)
        dob_row = QWidget()
        dob_layout = QHBoxLayout(dob_row)
        dob_layout.setContentsMargins(0, 0, 0, 0)
        dob_layout.addWidget(self.dob, 1)
        dob_layout.addWidget(QLabel(self.tr("or age")))
        dob_layout.addWidget(self.age)
        self.widgets["sex"] = ChoiceCombo(sex_choices())
        self.widgets["blood_group"] = ChoiceCombo([("", self.tr("Not known"))] + [(g, g) for g in BLOOD_GROUPS])
        self.widgets["preferred_language"] = ChoiceCombo(language_choices())
        return self._group(self.tr("Identity"), [
            (self.tr("Given name *"), self._line("given_name", self.tr("e.g. Anitha"), 100)),
            (self.tr("Family name"), self._line("family_name", self.tr("e.g. Menon"), 100)),
            (self.tr("Name in local script"), self._line("name_local", "अनीता शर्मा / അനിത മേനോൻ", 100)),
            (self.tr("Date of birth *"), dob_row),
            (self.tr("Sex *"), self.widgets["sex"]),
            (self.tr("Blood group"), self.widgets["blood_group"]),
            (self.tr("Occupation"), self._line("occupation", max_length=120)),
            (self.tr("Preferred language"), self.widgets["preferred_language"]),
        ])

    def _contact_group(self) -> QGroupBox:
        state = QComboBox()
        state.setEditable(True)
        state.addItems(["", *INDIAN_STATES])
        state.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.widgets["state"] = state
        return self._group(self.tr("Contact"), [
            (self.tr("Phone *"), self._line("phone", self.tr("10-digit mobile, e.g. 98470 12345"))),
            (self.tr("Alternate phone"), self._line("alt_phone")),
            (self.tr("Email"), self._line("email", self.tr("name@example.com"))),
            (self.tr("Address"), self._line("address_line", max_length=300)),
            (self.tr("City"), self._line("city", max_length=80)),
            (self.tr("State"), state),
            (self.tr("PIN code"), self._line("pincode", self.tr("6 digits"), 7)),
        ])

    def _identifiers_group(self) -> QGroupBox:
        aadhaar_hint = self.tr("12 digits, e.g. 2345 6789 0124")
        if self.profile and self.profile.aadhaar_masked:
            aadhaar_hint = self.tr("Stored as %1; leave empty to keep").replace("%1", self.profile.aadhaar_masked)
        aadhaar = self._line("aadhaar", aadhaar_hint, 14)
        aadhaar.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # not left readable on an unattended screen
        return self._group(self.tr("Identifiers"), [
            (self.tr("Aadhaar"), aadhaar),
            (self.tr("ABHA number"), self._line("abha_number", self.tr("14 digits, e.g. 91-2345-6789-0123"), 17)),
            (self.tr("ABHA address"), self._line("abha_address", self.tr("e.g. anitha.menon@abdm"))),
        ])

    def _emergency_group(self) -> QGroupBox:
        return self._group(self.tr("Emergency contact"), [
            (self.tr("Name"), self._line("emergency_contact_name", max_length=100)),
            (self.tr("Relation"), self._line("emergency_contact_relation", self.tr("e.g. spouse, son"), 60)),
            (self.tr("Phone"), self._line("emergency_contact_phone")),
        ])

    def _history_group(self) -> QGroupBox:
        rows = []
        for name, label in (("medical_history", self.tr("Medical history")),
                            ("family_history", self.tr("Family history")),
                            ("lifestyle", self.tr("Lifestyle")), ("diet", self.tr("Diet"))):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(64)
            self.widgets[name] = edit
            rows.append((label, edit))
        return self._group(self.tr("History && lifestyle"), rows)

    def _estimate_dob(self, years: int) -> None:
        if years < 0:
            return
        today = self.app.today()
        try:
            estimate = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            estimate = today.replace(year=today.year - years, day=28)
        self.dob.set_value(estimate)

    # --- values --------------------------------------------------------------------------------------------

    def draft(self) -> PatientDraft:
        values: dict[str, object] = {}
        for f in dataclass_fields(PatientDraft):
            widget = self.widgets.get(f.name)
            if widget is None:
                continue
            if isinstance(widget, OptionalDateEdit):
                values[f.name] = widget.value()
            elif isinstance(widget, ChoiceCombo):
                values[f.name] = widget.value()
            elif isinstance(widget, QComboBox):
                values[f.name] = widget.currentText()
            elif isinstance(widget, QPlainTextEdit):
                values[f.name] = widget.toPlainText()
            else:
                values[f.name] = widget.text()
        base = self.profile.draft if self.profile else PatientDraft()
        return replace(base, **values)

    def set_draft(self, draft: PatientDraft) -> None:
        for f in dataclass_fields(PatientDraft):
            widget = self.widgets.get(f.name)
            value = getattr(draft, f.name)
            if widget is None:
                continue
            if isinstance(widget, OptionalDateEdit):
                widget.set_value(value)
            elif isinstance(widget, ChoiceCombo):
                widget.set_value(value or "")
            elif isinstance(widget, QComboBox):
                widget.setCurrentText(value or "")
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            else:
                widget.setText(value or "")

    # --- saving --------------------------------------------------------------------------------------------

    def save(self) -> None:
        self.errors.clear()
        self.save_button.setEnabled(False)
        draft = self.draft()
        if self.profile:
            self.app.runner.run(patients.update_patient, self.app.ctx, self.profile.id, draft,
                                expected_version=self.profile.row_version, owner=self,
                                on_done=lambda _: self._saved(self.profile.id), on_error=self._refused)
        else:
            self.app.runner.run(patients.register_patient, self.app.ctx, draft, owner=self,
                                on_done=lambda result: self._saved(result[0]), on_error=self._refused)

    def _saved(self, patient_id: str) -> None:
        self.accept()
        self.saved.emit(patient_id)

    def _refused(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            first = self.errors.show(exc)
            if first is not None:
                self.scroll.ensureWidgetVisible(first)
                first.setFocus(Qt.FocusReason.OtherFocusReason)
        else:  # StaleRecord, PermissionDenied, NotFound: the sentence says what to do
            self.errors.show_text(error_text(exc))

    def field_widget(self, name: str) -> QWidget:
        return self.widgets[name]
