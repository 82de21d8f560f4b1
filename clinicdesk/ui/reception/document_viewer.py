"""Shows an attachment inside the app (images, text); PDFs are saved or handed to the system viewer."""

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.ui.widgets.messages import show_error

_SUFFIX = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "text/plain": ".txt"}
_private_dir: Path | None = None


def _private_temp_dir() -> Path:
    """A folder only this user can read, emptied when the app exits, for handing a PDF to the system viewer."""
    global _private_dir
    if _private_dir is None:
        _private_dir = Path(tempfile.mkdtemp(prefix="clinicdesk-view-"))
        atexit.register(shutil.rmtree, _private_dir, True)
    return _private_dir


def safe_file_name(title: str, mime_type: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in title).strip() or "document"
    suffix = _SUFFIX.get(mime_type, "")
    return stem if stem.lower().endswith(suffix) else stem + suffix


def save_document_as(parent: QWidget, title: str, mime_type: str, content: bytes) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, parent.tr("Save document as"), safe_file_name(title, mime_type))
    if not name:
        return None
    path = Path(name)
    try:
        path.write_bytes(content)
    except OSError as exc:
        show_error(parent, parent.tr("The file could not be saved: %1").replace("%1", exc.strerror or str(exc)))
        return None
    return path


class DocumentViewer(QDialog):
    def __init__(self, title: str, mime_type: str, content: bytes, parent: QWidget | None = None):
        super().__init__(parent)
        self.title, self.mime_type, self.content = title, mime_type, content
        self.setWindowTitle(self.tr("Document"))  # the document title can name the patient; keep it inside
        self.resize(820, 680)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        layout.addWidget(heading)
        self.body = self._body()
        layout.addWidget(self.body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = QPushButton(self.tr("Save as…"))
        save.clicked.connect(lambda: save_document_as(self, self.title, self.mime_type, self.content))
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        if mime_type == "application/pdf":
            external = QPushButton(self.tr("Open in PDF viewer"))
            external.clicked.connect(self.open_externally)
            buttons.addButton(external, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _body(self) -> QWidget:
        if self.mime_type.startswith("image/"):
            pixmap = QPixmap()
            pixmap.loadFromData(self.content)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setPixmap(pixmap)
            scroll = QScrollArea()
            scroll.setWidget(label)
            scroll.setWidgetResizable(True)
            return scroll
        if self.mime_type == "text/plain":
            text = QPlainTextEdit(self.content.decode("utf-8", errors="replace"))
            text.setReadOnly(True)
            return text
        note = QLabel(self.tr("PDF files open in your PDF viewer. Use \"Open in PDF viewer\" (the temporary copy "
                              "is deleted when ClinicDesk closes) or \"Save as…\"."))
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return note

    def open_externally(self) -> None:
        path = _private_temp_dir() / safe_file_name(self.title, self.mime_type)
        path.write_bytes(self.content)
        path.chmod(0o600)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
