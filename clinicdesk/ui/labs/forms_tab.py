"""The Forms tab of a patient's profile: filled intake forms, filling a new one, reading and printing one."""

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.intake_forms import FormDefinition, answer_text
from clinicdesk.domain.roles import Action
from clinicdesk.services import intake_forms
from clinicdesk.services.intake_forms import FilledForm, FilledFormItem
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.labs.form_renderer import TOUCH_HEIGHT, FormRenderer
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row


class FillFormDialog(QDialog):
    """The renderer with Save and Cancel; a refused save marks each question and says why."""

    def __init__(self, app: AppContext, patient_id: str, form: FormDefinition, *, filled_on: str = "desk",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.patient_id, self.form, self.filled_on = app, patient_id, form, filled_on
        self.response_id = ""
        self.setWindowTitle(self.tr("Intake form"))  # never the patient's name
        self.banner = ErrorBanner()
        self.renderer = FormRenderer(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        for button in buttons.buttons():
            button.setMinimumHeight(TOUCH_HEIGHT)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.renderer, 1)
        layout.addWidget(buttons)
        self.resize(820, 760)

    def save(self) -> None:
        self.banner.clear_messages()
        self.app.runner.run(intake_forms.fill_form, self.app.ctx, self.patient_id, self.form.key, self.form.version,
                            self.renderer.answers(), filled_on=self.filled_on, owner=self, on_done=self._saved,
                            on_error=self._failed)

    def _saved(self, result) -> None:
        self.response_id = result[0]
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.renderer.show_problems(exc.problems)
            self.banner.show_messages(exc.messages())
        else:
            self.banner.show_messages([error_text(exc).rstrip(".")])


class FormsTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.forms: list[FormDefinition] = []
        self.dialog: FillFormDialog | None = None
        self.model = ListTableModel([
            Column(self.tr("Filled"), lambda f: format_datetime(f.filled_at, app.tz)),
            Column(self.tr("Form"), lambda f: f"{f.title} (v{f.version})"),
            Column(self.tr("With"), lambda f: f.filled_by),
            Column(self.tr("On"), lambda f: self.tr("Tablet") if f.filled_on == "tablet" else self.tr("Desk"),
                   stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 260)
        self.table.setColumnWidth(2, 170)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.open_selected())
        self.answers = QPlainTextEdit()
        self.answers.setReadOnly(True)
        self.answers.setPlaceholderText(self.tr("Select a filled form to read its answers."))
        self.choice = QComboBox()
        self.fill_button = QPushButton(self.tr("Fill form…"))
        self.fill_button.clicked.connect(self.open_fill)
        self.print_button = QPushButton(self.tr("Save as PDF…"))
        self.print_button.clicked.connect(self.save_pdf)
        for widget in (self.choice, self.fill_button):
            widget.setVisible(app.may(Action.FORM_FILL))
        self.print_button.setVisible(app.may(Action.PATIENT_PRINT))
        self.banner = ErrorBanner()
        bar = QHBoxLayout()
        bar.addWidget(self.choice)
        bar.addWidget(self.fill_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.answers)
        split.setSizes([620, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    def set_profile(self, profile: PatientProfile) -> None:
        if profile.id != self.patient_id:
            self.answers.clear()
        self.patient_id = profile.id
        if not self.forms and self.app.may(Action.FORM_FILL):
            self.app.runner.run(intake_forms.available_forms, self.app.ctx, owner=self, on_done=self._forms_loaded,
                                on_error=self._failed)
        self.app.runner.run(intake_forms.list_filled_forms, self.app.ctx, self.patient_id, owner=self,
                            on_done=self.model.set_rows, on_error=self._failed)

    def _forms_loaded(self, forms: list[FormDefinition]) -> None:
        self.forms = forms
        self.choice.clear()
        for form in forms:
            self.choice.addItem(f"{form.title} (v{form.version})", form.key)

    def open_fill(self, *, filled_on: str = "desk") -> FillFormDialog | None:
        form = next((f for f in self.forms if f.key == self.choice.currentData()), None)
        if form is None or not self.patient_id:
            return None
        self.dialog = FillFormDialog(self.app, self.patient_id, form, filled_on=filled_on, parent=self.window())
        self.dialog.open()
        return self.dialog

    def open_selected(self) -> None:
        item: FilledFormItem | None = selected_row(self.table)
        if item is None or not self.app.may(Action.PATIENT_DOCUMENT_VIEW):
            return
        self.app.runner.run(intake_forms.open_filled_form, self.app.ctx, self.patient_id, item.id, owner=self,
                            on_done=self._show_answers, on_error=self._failed)

    def _show_answers(self, filled: FilledForm) -> None:
        lines = []
        for section in filled.form.sections:
            lines.append(section.title.upper())
            lines += [f"  {q.label}: {answer_text(q, filled.answers.get(q.key)) or '—'}" for q in section.questions]
            lines.append("")
        self.answers.setPlainText("\n".join(lines))

    def save_pdf(self) -> None:
        item: FilledFormItem | None = selected_row(self.table)
        if item is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the form as PDF"), f"{item.form_key}.pdf",
                                              self.tr("PDF (*.pdf)"))
        if path:
            self.app.runner.run(intake_forms.filled_form_pdf, self.app.ctx, self.patient_id, item.id, owner=self,
                                on_done=lambda pdf: Path(path).write_bytes(pdf), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_messages([error_text(exc).rstrip(".")])
