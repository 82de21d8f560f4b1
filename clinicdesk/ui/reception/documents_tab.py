"""A patient's attachments (scans, reports): add a PDF, JPEG, PNG or text file; view or save one."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime, format_size
from clinicdesk.ui.reception.document_viewer import DocumentViewer, save_document_as
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row

_TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG image", "image/png": "PNG image",
                "text/plain": "Text"}
_SUFFIX_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                 ".txt": "text/plain"}


def sniff_mime_type(path: Path, head: bytes) -> str:
    """Trust the file's first bytes over its name, so a renamed file is not stored under the wrong type."""
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return _SUFFIX_TYPES.get(path.suffix.lower(), "application/octet-stream")


class DocumentsTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.viewer: DocumentViewer | None = None
        self.model = ListTableModel([
            Column(self.tr("Title"), lambda d: d.title, stretch=True),
            Column(self.tr("Type"), lambda d: self.tr(_TYPE_LABELS.get(d.mime_type, d.mime_type))),
            Column(self.tr("Size"), lambda d: format_size(d.size_bytes)),
            Column(self.tr("Added"), lambda d: format_datetime(d.added_at, self.app.tz)),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(1, 110)
        self.table.setColumnWidth(3, 170)
        self.table.doubleClicked.connect(lambda _: self.view_selected())
        self.add_button = QPushButton(self.tr("Add file…"))
        self.add_button.clicked.connect(self.choose_file)
        self.add_button.setVisible(app.may(Action.PATIENT_DOCUMENT_ADD))
        self.view_button = QPushButton(self.tr("View"))
        self.view_button.clicked.connect(self.view_selected)
        self.save_button = QPushButton(self.tr("Save as…"))
        self.save_button.clicked.connect(self.save_selected)
        for button in (self.view_button, self.save_button):
            button.setVisible(app.may(Action.PATIENT_DOCUMENT_VIEW))
        self.banner = ErrorBanner()
        self.errors = FieldErrors(self.banner, {})
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def set_profile(self, profile: PatientProfile) -> None:
        self.patient_id = profile.id
        self.model.set_rows(profile.documents)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Add a document"), "",
                                              self.tr("Documents (*.pdf *.jpg *.jpeg *.png *.txt)"))
        if not name:
            return
        title, ok = QInputDialog.getText(self, self.tr("Document title"), self.tr("Title shown in the chart:"),
                                         text=Path(name).stem)
        if ok:
            self.add_file(Path(name), title)

    def add_file(self, path: Path, title: str) -> None:
        self.errors.clear()
        try:
            content = path.read_bytes()
        except OSError as exc:
            self.errors.show_text(self.tr("The file could not be read: %1").replace("%1", exc.strerror or ""))
            return
        self.app.runner.run(patient_records.add_document, self.app.ctx, self.patient_id, title=title,
                            mime_type=sniff_mime_type(path, content[:16]), content=content, owner=self,
                            on_error=self._refused)

    def _with_selected(self, then) -> None:
        document = selected_row(self.table)
        if document is None:
            self.errors.show_text(self.tr("Select a document in the list first"))
            return
        self.errors.clear()
        self.app.runner.run(patient_records.open_document, self.app.ctx, self.patient_id, document.id, owner=self,
                            on_done=lambda result: then(*result), on_error=self._refused)

    def view_selected(self) -> None:
        self._with_selected(self._show)

    def save_selected(self) -> None:
        self._with_selected(lambda title, mime, content: save_document_as(self, title, mime, content))

    def _show(self, title: str, mime_type: str, content: bytes) -> None:
        self.viewer = DocumentViewer(title, mime_type, content, self.window())
        self.viewer.open()

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
