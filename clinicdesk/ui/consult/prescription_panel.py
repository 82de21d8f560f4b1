"""The prescription builder: ICD-10 search, medicines with frequency presets, allergy check, stock, printed PDF."""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.prescriptions import FOOD_TIMINGS, PRESETS, ROUTES
from clinicdesk.services import diagnosis_search, prescription_documents, prescriptions
from clinicdesk.services.consultation_dto import NoteView, PrescriptionLine, PrescriptionResult
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.touch import big_button, set_points
from clinicdesk.ui.tasks import error_text

COLUMNS = ("Medicine", "Dose", "Unit", "Frequency", "Days", "Food", "Route", "Instructions", "Give here")
UNITS = ("tablet", "capsule", "ml", "g", "vati", "sachet", "drop")
ROW_HEIGHT = 48


class PrescriptionPanel(QWidget):
    diagnosis_chosen = Signal(str)  # "M54.5 Low back pain": the page adds it to the note's assessment

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.consultation_id: str | None = None
        self.result: PrescriptionResult | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Diagnosis: ICD-10 code or words, e.g. M54 or low back pain"))
        self.search.setMinimumHeight(44)
        self.search.textChanged.connect(self._search)
        self.hits = QListWidget()
        self.hits.setMaximumHeight(110)
        self.hits.itemActivated.connect(self._choose_diagnosis)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 190)
        self.table.setColumnWidth(3, 170)
        self.table.setColumnWidth(7, 170)
        add = QPushButton(self.tr("Add medicine"))
        remove = QPushButton(self.tr("Remove medicine"))
        self.from_note_button = QPushButton(self.tr("Medicines from the note"))
        for button in (add, remove, self.from_note_button):
            button.setMinimumHeight(44)
        add.clicked.connect(lambda: self.add_line())
        remove.clicked.connect(self._remove_line)
        self.from_note_button.clicked.connect(self.fill_from_note)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.acknowledge = QCheckBox(self.tr("I have checked the allergy warnings; prescribe anyway"))
        self.acknowledge.hide()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        set_points(self.outcome, 13)
        self.save_button = big_button(self.tr("Save prescription"), colour="#1b5e20")
        self.save_button.clicked.connect(self.save)
        self.print_button = big_button(self.tr("Prescription PDF…"))
        self.print_button.clicked.connect(self.save_pdf)
        self.note: NoteView | None = None

        tools = QHBoxLayout()
        for button in (add, remove, self.from_note_button):
            tools.addWidget(button)
        tools.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.hits)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.warnings)
        layout.addWidget(self.acknowledge)
        layout.addWidget(self.outcome)
        layout.addLayout(actions)
        self.show_consultation(None)

    def show_consultation(self, consultation_id: str | None, note: NoteView | None = None) -> None:
        self.consultation_id = consultation_id
        self.note = note
        self.result = None
        self.table.setRowCount(0)
        self.warnings.clear()
        self.acknowledge.hide()
        self.acknowledge.setChecked(False)
        self.outcome.clear()
        self.save_button.setEnabled(consultation_id is not None)
        self.print_button.setEnabled(False)
        self.from_note_button.setEnabled(bool(note and note.medications))

    # --- diagnoses --------------------------------------------------------------------------------------------------
    def _search(self, text: str) -> None:
        self.hits.clear()
        if len(text.strip()) < 2:
            return
        # off the UI thread: the first search builds the ICD-10 index (most of a second)
        self.app.runner.run(diagnosis_search.search_diagnoses, text, limit=12, owner=self,
                            on_done=lambda hits: self._show_hits(text, hits), on_error=self._failed)

    def _show_hits(self, text: str, hits) -> None:
        if text != self.search.text():
            return  # a later keystroke's search is on its way
        self.hits.clear()
        for hit in hits:
            self.hits.addItem(QListWidgetItem(f"{hit.code}  {hit.description}"))

    def _choose_diagnosis(self, item: QListWidgetItem) -> None:
        self.diagnosis_chosen.emit(" ".join(item.text().split()))

    # --- lines ------------------------------------------------------------------------------------------------------
    def add_line(self, line: PrescriptionLine | None = None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        drug = QLineEdit(line.drug_name if line else "")
        dose = QLineEdit(str(line.dose) if line and line.dose != "" else "")
        unit = _combo(UNITS, line.dose_unit if line else "tablet", editable=True)
        frequency = _combo(tuple(PRESETS) + ("1-0-1", "1-1-1", "0-0-1"), line.frequency if line else "BD",
                           editable=True)
        days = QLineEdit(str(line.duration_days) if line and line.duration_days else "")
        food = QComboBox()
        for code, words in FOOD_TIMINGS.items():
            food.addItem(words or self.tr("(any time)"), code)
        food.setCurrentIndex(max(0, food.findData(line.food_timing if line else "after_food")))
        route = _combo(ROUTES, line.route if line else "oral")
        instructions = QLineEdit(line.instructions if line else "")
        in_house = QCheckBox()
        in_house.setChecked(bool(line and line.dispense_in_house))
        for column, widget in enumerate((drug, dose, unit, frequency, days, food, route, instructions, in_house)):
            self.table.setCellWidget(row, column, widget)

    def _remove_line(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def fill_from_note(self) -> None:
        for line in prescriptions.lines_from_note(self.note.medications if self.note else ()):
            self.add_line(line)

    def lines(self) -> list[PrescriptionLine]:
        made = []
        for row in range(self.table.rowCount()):
            cell = self.table.cellWidget
            days = cell(row, 4).text().strip()
            made.append(PrescriptionLine(
                drug_name=cell(row, 0).text().strip(), dose=cell(row, 1).text().strip(),
                dose_unit=cell(row, 2).currentText().strip(), frequency=cell(row, 3).currentText().strip(),
                duration_days=int(days) if days.isdigit() else 0, route=cell(row, 6).currentText(),
                food_timing=cell(row, 5).currentData(), instructions=cell(row, 7).text().strip(),
                dispense_in_house=cell(row, 8).isChecked()))
        return made

    # --- saving and printing ----------------------------------------------------------------------------------------
    def save(self) -> None:
        self.app.runner.run(prescriptions.add_prescription, self.app.ctx, self.consultation_id, self.lines(),
                            acknowledge_allergies=self.acknowledge.isChecked(), owner=self,
                            on_done=lambda result: self._saved(result[0]), on_error=self._failed)

    def _saved(self, result: PrescriptionResult) -> None:
        self.result = result
        self.warnings.setText("\n".join(
            self.tr("⚠ %1: the patient has a recorded allergy to %2 (%3)").replace("%1", w.drug)
            .replace("%2", w.allergy).replace("%3", w.severity) for w in result.warnings))
        if result.prescription_id is None:
            self.acknowledge.show()
            self.outcome.setText(self.tr("Not saved yet: check the allergy warnings above."))
            return
        self.acknowledge.hide()
        short = [f"{a.item_name}: {a.needed} {a.unit} needed, {a.available} in stock" for a in result.availability
                 if not a.enough]
        self.outcome.setText(self.tr("Prescription saved.") + ("\n" + "\n".join(short) if short else ""))
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(True)

    def save_pdf(self, path: str | None = None) -> None:
        """Render on the database thread (it reads the prescription), write the file when the bytes arrive."""
        if self.result is None or self.result.prescription_id is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the prescription"), "prescription.pdf",
                                                  self.tr("PDF (*.pdf)"))
            if not path:
                return
        target = Path(path)
        self.app.runner.run(prescription_documents.prescription_pdf, self.app.ctx, self.result.prescription_id,
                            owner=self, on_done=lambda pdf: self._write_pdf(target, pdf), on_error=self._failed)

    def _write_pdf(self, target: Path, pdf: bytes) -> None:
        target.write_bytes(pdf)
        self.outcome.setText(self.tr("Prescription saved as %1").replace("%1", target.name))

    def _failed(self, exc: BaseException) -> None:
        self.warnings.setText(error_text(exc))


def _combo(values, current: str, *, editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.setEditable(editable)
    box.addItems(list(values))
    if current and box.findText(current) < 0:
        box.addItem(current)
    box.setCurrentText(current)
    return box
