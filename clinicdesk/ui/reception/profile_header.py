"""The strip above a patient's tabs: who this is, masked Aadhaar, and allergies and medications always in view."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records, patients
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import age_sex, format_phone
from clinicdesk.ui.reception.clinical_dialogs import AllergyDialog, MedicationDialog
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.chips import Chip
from clinicdesk.ui.widgets.flow_layout import FlowLayout
from clinicdesk.ui.widgets.messages import confirm, show_error

AADHAAR_SHOWN_MS = 30_000  # the full number goes back to masked by itself


def _clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget():
            item.widget().deleteLater()


class ProfileHeader(QFrame):
    edit_requested = Signal()

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.profile: PatientProfile | None = None
        self.setObjectName("patientHeader")
        self.name = QLabel()
        self.name.setObjectName("patientName")
        self.local_name = QLabel()
        self.local_name.setObjectName("patientLocalName")
        self.facts = QLabel()
        self.facts.setObjectName("muted")
        self.aadhaar = QLabel()
        self.show_aadhaar = QPushButton(self.tr("Show"))
        self.show_aadhaar.setToolTip(self.tr("Show the full Aadhaar number (this is recorded in the audit log)"))
        self.show_aadhaar.clicked.connect(self._toggle_aadhaar)
        self._mask_timer = QTimer(self)
        self._mask_timer.setSingleShot(True)
        self._mask_timer.setInterval(AADHAAR_SHOWN_MS)
        self._mask_timer.timeout.connect(self._mask_aadhaar)
        self.edit_button = QPushButton(self.tr("Edit details…"))
        self.edit_button.clicked.connect(self.edit_requested)
        self.edit_button.setVisible(app.may(Action.PATIENT_EDIT_DEMOGRAPHICS))
        self.discharge_button = QPushButton(self.tr("Discharge summary…"))
        self.discharge_button.setToolTip(self.tr("Print or save the summary of the patient's latest therapy course"))
        self.discharge_button.clicked.connect(self.open_discharge_summary)
        self.discharge_button.setVisible(app.may(Action.PATIENT_PRINT))
        self.erasure_button = QPushButton(self.tr("Request erasure…"))
        self.erasure_button.setToolTip(self.tr("Record the patient's request to erase their data (reviewed before "
                                               "it is carried out)"))
        self.erasure_button.clicked.connect(self.open_erasure_request)
        self.erasure_button.setVisible(app.may(Action.ERASURE_REQUEST))

        self.allergy_row = FlowLayout()
        self.medication_row = FlowLayout()
        clinical = app.may(Action.PATIENT_EDIT_CLINICAL)
        self.add_allergy = QPushButton(self.tr("Add allergy…"))
        self.add_allergy.setVisible(clinical)
        self.add_allergy.clicked.connect(self.open_allergy_dialog)
        self.add_medication = QPushButton(self.tr("Add medication…"))
        self.add_medication.setVisible(clinical)
        self.add_medication.clicked.connect(self.open_medication_dialog)

        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name)
        names.addWidget(self.local_name)
        names.addWidget(self.facts)
        aadhaar_row = QHBoxLayout()
        aadhaar_row.setSpacing(8)
        aadhaar_row.addWidget(QLabel(self.tr("Aadhaar:")))
        aadhaar_row.addWidget(self.aadhaar)
        aadhaar_row.addWidget(self.show_aadhaar)
        aadhaar_row.addStretch(1)
        aadhaar_row.addWidget(self.discharge_button)
        aadhaar_row.addWidget(self.erasure_button)
        aadhaar_row.addWidget(self.edit_button)
        names.addLayout(aadhaar_row)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        allergy_title = QLabel(self.tr("Allergies"))
        allergy_title.setStyleSheet("font-weight: 600;")
        med_title = QLabel(self.tr("Current medications"))
        med_title.setStyleSheet("font-weight: 600;")
        grid.addWidget(allergy_title, 0, 0)
        grid.addLayout(self.allergy_row, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.add_allergy, 0, 2)
        grid.addWidget(med_title, 1, 0)
        grid.addLayout(self.medication_row, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.add_medication, 1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(names)
        layout.addLayout(grid)

    def set_profile(self, profile: PatientProfile) -> None:
        self.profile = profile
        d = profile.draft
        self.name.setText(profile.display_name)
        self.local_name.setText(d.name_local)
        self.local_name.setVisible(bool(d.name_local))
        facts = [profile.uhid, age_sex(d.date_of_birth, d.sex, self.app.today())]
        if d.blood_group:
            facts.append(self.tr("Blood group %1").replace("%1", d.blood_group))
        if d.phone:
            facts.append(format_phone(d.phone))
        self.facts.setText("   ·   ".join(facts))
        self._mask_aadhaar()
        self._fill_chips()

    def _fill_chips(self) -> None:
        clinical = self.app.may(Action.PATIENT_EDIT_CLINICAL)
        _clear_layout(self.allergy_row)
        _clear_layout(self.medication_row)
        if not self.profile.allergies:
            none = QLabel(self.tr("No known allergies recorded"))
            none.setObjectName("muted")
            self.allergy_row.addWidget(none)
        for allergy in self.profile.allergies:
            detail = ", ".join(x for x in (allergy.reaction, allergy.severity) if x)
            chip = Chip(f"⚠ {allergy.substance}" + (f" ({detail})" if detail else ""), allergy.id, kind="allergy",
                        removable=clinical)
            chip.remove_requested.connect(self._remove_allergy)
            self.allergy_row.addWidget(chip)
        if not self.profile.medications:
            none = QLabel(self.tr("None recorded"))
            none.setObjectName("muted")
            self.medication_row.addWidget(none)
        for med in self.profile.medications:
            text = " ".join(x for x in (med.name, med.dose, med.frequency) if x)
            chip = Chip(text, med.id, kind="medication", removable=clinical)
            chip.remove_requested.connect(self._stop_medication)
            self.medication_row.addWidget(chip)

    def chip_texts(self, kind: str) -> list[str]:
        row = self.allergy_row if kind == "allergy" else self.medication_row
        return [row.itemAt(i).widget().label.text() for i in range(row.count())
                if isinstance(row.itemAt(i).widget(), Chip)]

    # --- Aadhaar -------------------------------------------------------------------------------------------

    def mask_sensitive(self) -> None:
        """Back to the masked Aadhaar (the screen is being locked or left)."""
        self._mask_aadhaar()

    def _mask_aadhaar(self) -> None:
        self._mask_timer.stop()
        masked = self.profile.aadhaar_masked if self.profile else ""
        self.aadhaar.setText(masked or self.tr("not recorded"))
        self.show_aadhaar.setText(self.tr("Show"))
        self.show_aadhaar.setVisible(bool(masked) and self.app.may(Action.PATIENT_VIEW_AADHAAR))

    def _toggle_aadhaar(self) -> None:
        if self._mask_timer.isActive():
            self._mask_aadhaar()
            return
        self.app.runner.run(patients.reveal_aadhaar, self.app.ctx, self.profile.id, owner=self,
                            on_done=self._show_full_aadhaar, on_error=lambda e: show_error(self, error_text(e)))

    def _show_full_aadhaar(self, number: str) -> None:
        self.aadhaar.setText(f"{number[:4]} {number[4:8]} {number[8:]}")
        self.show_aadhaar.setText(self.tr("Hide"))
        self._mask_timer.start()

    # --- allergies and medications ----------------------------------------------------------------------------

    def open_discharge_summary(self):
        from clinicdesk.ui.documents.discharge_dialog import DischargeSummaryDialog

        if self.profile is None:
            return None
        dialog = DischargeSummaryDialog(self.app, self.profile.id, language=self.profile.draft.preferred_language,
                                        parent=self)
        dialog.open()
        return dialog

    def open_erasure_request(self):
        from clinicdesk.ui.documents.erasure_page import RequestErasureDialog

        if self.profile is None:
            return None
        dialog = RequestErasureDialog(self.app, self.profile.id, self.profile.uhid, parent=self)
        dialog.open()
        return dialog

    def open_allergy_dialog(self) -> AllergyDialog:
        dialog = AllergyDialog(self.app, self.profile.id, self.window())
        dialog.open()
        return dialog

    def open_medication_dialog(self) -> MedicationDialog:
        dialog = MedicationDialog(self.app, self.profile.id, self.window())
        dialog.open()
        return dialog

    def _remove_allergy(self, allergy_id: str) -> None:
        if confirm(self, self.tr("Mark this allergy as no longer current? It stays in the record's history.")):
            self.app.runner.run(patient_records.remove_allergy, self.app.ctx, self.profile.id, allergy_id, owner=self,
                                on_error=lambda e: show_error(self, error_text(e)))

    def _stop_medication(self, medication_id: str) -> None:
        if confirm(self, self.tr("Mark this medication as stopped?")):
            self.app.runner.run(patient_records.stop_medication, self.app.ctx, self.profile.id, medication_id,
                                owner=self, on_error=lambda e: show_error(self, error_text(e)))
