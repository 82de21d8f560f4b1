"""Small dialogs to record an allergy or a current medication on a patient's chart."""

from PySide6.QtWidgets import QLineEdit, QWidget

from clinicdesk.services import patient_records
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_choices
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.inputs import ChoiceCombo, OptionalDateEdit


class AllergyDialog(FormDialog):
    def __init__(self, app: AppContext, patient_id: str, parent: QWidget | None = None):
        super().__init__(app, self.tr("Add allergy"), parent)
        self.patient_id = patient_id
        self.substance = QLineEdit()
        self.substance.setPlaceholderText(self.tr("e.g. Penicillin, sesame oil, peanuts"))
        self.reaction = QLineEdit()
        self.reaction.setPlaceholderText(self.tr("e.g. rash, breathlessness"))
        self.severity = ChoiceCombo(code_choices(patient_records.SEVERITIES))
        self.severity.set_value("moderate")
        self.form.addRow(self.tr("Substance *"), self.substance)
        self.form.addRow(self.tr("Reaction"), self.reaction)
        self.form.addRow(self.tr("Severity"), self.severity)
        self.errors.fields = {"substance": self.substance, "severity": self.severity}

    def save(self) -> None:
        self.submit(patient_records.add_allergy, self.app.ctx, self.patient_id, self.substance.text(),
                    self.reaction.text(), self.severity.value())


class MedicationDialog(FormDialog):
    def __init__(self, app: AppContext, patient_id: str, parent: QWidget | None = None):
        super().__init__(app, self.tr("Add current medication"), parent)
        self.patient_id = patient_id
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Metformin 500 mg, Triphala churna"))
        self.dose = QLineEdit()
        self.frequency = QLineEdit()
        self.frequency.setPlaceholderText(self.tr("e.g. twice daily after food"))
        self.since = OptionalDateEdit(self.tr("Not known"), latest=app.today())
        self.form.addRow(self.tr("Medicine *"), self.name)
        self.form.addRow(self.tr("Dose"), self.dose)
        self.form.addRow(self.tr("Frequency"), self.frequency)
        self.form.addRow(self.tr("Taking since"), self.since)
        self.errors.fields = {"name": self.name, "since": self.since}

    def save(self) -> None:
        self.submit(patient_records.add_medication, self.app.ctx, self.patient_id, self.name.text(),
                    self.dose.text(), self.frequency.text(), self.since.value())
