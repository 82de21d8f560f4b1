"""Print or save a patient's discharge summary: pick the course and the language, then preview and print, or save."""

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import discharge_summary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.documents.pdf_printing import print_preview
from clinicdesk.ui.tasks import error_text

LANGUAGE_CHOICES = (("en", "English"), ("hi", "हिन्दी (Hindi)"), ("ml", "മലയാളം (Malayalam)"))


class DischargeSummaryDialog(QDialog):
    """The PDF is made on the database thread; printing and saving happen here when the bytes arrive."""

    def __init__(self, app: AppContext, patient_id: str, *, plan_id: str | None = None, language: str = "en",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.patient_id, self.plan_id = app, patient_id, plan_id
        self.pdf: bytes | None = None
        self.preview = None
        self.setWindowTitle(self.tr("Discharge summary"))
        self.language = QComboBox()
        for code, label in LANGUAGE_CHOICES:
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        self.language.currentIndexChanged.connect(self._forget)
        self.status = QLabel(
            self.tr("This course is printed; labels in the chosen language, the clinical notes as written.")
            if plan_id else
            self.tr("The latest course is printed; labels in the chosen language, the clinical notes as written."))
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.clicked.connect(lambda: self._with_pdf(self._print))
        self.save_button = QPushButton(self.tr("Save as PDF…"))
        self.save_button.clicked.connect(lambda: self._with_pdf(self._save))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Language"), self.language)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def _forget(self) -> None:
        self.pdf = None

    def _with_pdf(self, then) -> None:
        if self.pdf is not None:
            then(self.pdf)
            return
        self.status.setText(self.tr("Preparing the summary…"))
        self.app.runner.run(discharge_summary.discharge_summary_pdf, self.app.ctx, self.patient_id,
                            plan_id=self.plan_id, language=self.language.currentData(), owner=self,
                            on_done=lambda pdf: self._ready(pdf, then), on_error=self._failed)

    def _ready(self, pdf: bytes, then) -> None:
        self.pdf = pdf
        self.status.setText(self.tr("Ready."))
        then(pdf)

    def _print(self, pdf: bytes) -> None:
        self.preview = print_preview(pdf, self, title=self.tr("Discharge summary"))
        self.preview.open()

    def _save(self, pdf: bytes, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the discharge summary"),
                                                  "discharge-summary.pdf", self.tr("PDF (*.pdf)"))
            if not path:
                return
        Path(path).write_bytes(pdf)
        self.status.setText(self.tr("Saved as %1").replace("%1", Path(path).name))

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))
