"""The new-enquiry form: name, contact, source, interest and problem; a refused save names each field."""

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.leads import SOURCE_LABELS, LeadDraft
from clinicdesk.services import leads
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner


class LeadDialog(QDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.created_id = ""
        self.setWindowTitle(self.tr("New enquiry"))
        self.banner = ErrorBanner()
        self.name, self.phone, self.email = QLineEdit(), QLineEdit(), QLineEdit()
        self.source = QComboBox()
        for source, label in SOURCE_LABELS.items():
            self.source.addItem(self.tr(label), source.value)
        self.interest, self.referred_by = QLineEdit(), QLineEdit()
        self.problem = QPlainTextEdit()
        self.problem.setFixedHeight(80)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Anything said at the first contact"))
        form = QFormLayout()
        for label, widget in ((self.tr("Name"), self.name), (self.tr("Phone"), self.phone),
                              (self.tr("Email"), self.email), (self.tr("Source"), self.source),
                              (self.tr("Interested in"), self.interest), (self.tr("Problem"), self.problem),
                              (self.tr("Referred by"), self.referred_by), (self.tr("Note"), self.note)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 480)

    def draft(self) -> LeadDraft:
        return LeadDraft(name=self.name.text(), phone=self.phone.text(), email=self.email.text(),
                         source=self.source.currentData(), interest=self.interest.text(),
                         problem=self.problem.toPlainText(), referred_by=self.referred_by.text())

    def save(self) -> None:
        self.banner.clear_messages()
        self.app.runner.run(leads.create_lead, self.app.ctx, self.draft(), note=self.note.text(), owner=self,
                            on_done=self._saved, on_error=self._failed)

    def _saved(self, result) -> None:
        self.created_id = result[0]
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.banner.show_messages(exc.messages())
        else:
            self.banner.show_messages([error_text(exc).rstrip(".")])
