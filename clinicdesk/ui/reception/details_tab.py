"""Read-only tabs of a profile: registration details, and history (clinical text, allergies, medications)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.patients import FIELD_LABELS
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label, language_label
from clinicdesk.ui.formatting import format_date, format_phone, sex_label
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table

_GROUPS = (
    ("Identity", ("given_name", "family_name", "name_local", "date_of_birth", "sex", "blood_group", "occupation",
                  "preferred_language")),
    ("Contact", ("phone", "alt_phone", "email", "address_line", "city", "state", "pincode")),
    ("Identifiers", ("aadhaar", "abha_number", "abha_address")),
    ("Emergency contact", ("emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone")),
)


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class DetailsTab(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        grid = QGridLayout(body)
        self.values: dict[str, QLabel] = {}
        for i, (title, names) in enumerate(_GROUPS):
            box = QGroupBox(translate("PatientFormDialog", title))
            form = QFormLayout(box)
            for name in names:
                self.values[name] = _value_label()
                form.addRow(translate("FieldLabels", FIELD_LABELS[name]), self.values[name])
            grid.addWidget(box, i // 2, i % 2)
        grid.setRowStretch(2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.setWidget(body)

    def set_profile(self, profile: PatientProfile) -> None:
        d = profile.draft
        shown = {name: getattr(d, name, "") for name in self.values}
        shown["date_of_birth"] = format_date(d.date_of_birth)
        shown["sex"] = sex_label(d.sex)
        shown["preferred_language"] = language_label(d.preferred_language)
        shown["aadhaar"] = profile.aadhaar_masked
        for phone in ("phone", "alt_phone", "emergency_contact_phone"):
            shown[phone] = format_phone(shown[phone])
        for name, label in self.values.items():
            label.setText(str(shown[name] or "—"))


class HistoryTab(QScrollArea):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        text_box = QGroupBox(self.tr("History && lifestyle"))
        form = QFormLayout(text_box)
        self.texts: dict[str, QLabel] = {}
        for name in ("medical_history", "family_history", "lifestyle", "diet"):
            self.texts[name] = _value_label()
            form.addRow(translate("FieldLabels", FIELD_LABELS[name]), self.texts[name])
        layout.addWidget(text_box)

        self.allergies = ListTableModel([
            Column(self.tr("Allergy"), lambda a: a.substance, stretch=True),
            Column(self.tr("Reaction"), lambda a: a.reaction),
            Column(self.tr("Severity"), lambda a: code_label(a.severity)),
        ], self)
        self.medications = ListTableModel([
            Column(self.tr("Medication"), lambda m: m.name, stretch=True),
            Column(self.tr("Dose"), lambda m: m.dose),
            Column(self.tr("Frequency"), lambda m: m.frequency),
            Column(self.tr("Since"), lambda m: format_date(m.since)),
        ], self)
        self.assessments = ListTableModel([
            Column(self.tr("Assessed"), lambda a: format_date(a.assessed_at.astimezone(self.app.tz).date())),
            Column(self.tr("By"), lambda a: a.assessed_by),
            Column(self.tr("Prakriti"), lambda a: a.prakriti, stretch=True),
            Column(self.tr("Vata / Pitta / Kapha"), lambda a: f"{a.vata} / {a.pitta} / {a.kapha}"),
        ], self)
        for title, model in ((self.tr("Allergies"), self.allergies),
                             (self.tr("Current medications"), self.medications),
                             (self.tr("Ayurvedic assessments"), self.assessments)):
            box = QGroupBox(title)
            view = QTableView()
            configure_table(view, model)
            view.setFixedHeight(150)
            QVBoxLayout(box).addWidget(view)
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)

    def set_profile(self, profile: PatientProfile) -> None:
        for name, label in self.texts.items():
            label.setText(getattr(profile.draft, name) or "—")
        self.allergies.set_rows(profile.allergies)
        self.medications.set_rows(profile.medications)
        self.assessments.set_rows(profile.assessments)
