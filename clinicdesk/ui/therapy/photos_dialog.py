"""Before/after photos of one session: add from a file, list, and view (viewing only for permitted roles)."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.roles import Action
from clinicdesk.services import session_photos
from clinicdesk.services.therapy_dto import SessionPhotoItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text

_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class PhotosDialog(QDialog):
    def __init__(self, app: AppContext, session_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.session_id = session_id
        self.setWindowTitle(self.tr("Session photos"))
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(200)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        may_add = app.may(Action.THERAPY_PHOTO_ADD)
        for kind in session_photos.PHOTO_KINDS:
            button = QPushButton(self.tr("Add %1 photo…").replace("%1", kind))
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, k=kind: self.choose_file(k))
            button.setVisible(may_add)
            buttons.addWidget(button)
        self.view_button = QPushButton(self.tr("View"))
        self.view_button.setMinimumHeight(40)
        self.view_button.clicked.connect(self.view_selected)
        self.view_button.setVisible(app.may(Action.THERAPY_PHOTO_VIEW))
        buttons.addStretch(1)
        buttons.addWidget(self.view_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(session_photos.list_photos, self.app.ctx, self.session_id, owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _loaded(self, items: tuple[SessionPhotoItem, ...]) -> None:
        self.list.clear()
        for photo in items:
            row = QListWidgetItem(f"{photo.kind.capitalize()} · {photo.taken_at:%d %b %H:%M} · {photo.taken_by_name}")
            row.setData(Qt.ItemDataRole.UserRole, photo.id)
            self.list.addItem(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.view_button.setEnabled(self.list.currentItem() is not None)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))

    def choose_file(self, kind: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a photo"), "",
                                              self.tr("Images (*.jpg *.jpeg *.png)"))
        if path:
            self.add_file(kind, Path(path))

    def add_file(self, kind: str, path: Path) -> None:
        self.error.clear()
        mime = _MIME.get(path.suffix.lower(), "")
        self.app.runner.run(session_photos.add_photo, self.app.ctx, self.session_id, kind, mime, path.read_bytes(),
                            owner=self, on_done=lambda _: self.refresh(), on_error=self._failed)

    def view_selected(self) -> None:
        row = self.list.currentItem()
        if row is None:
            return
        self.app.runner.run(session_photos.open_photo, self.app.ctx, self.session_id,
                            row.data(Qt.ItemDataRole.UserRole), owner=self, on_done=self._show_photo,
                            on_error=self._failed)

    def _show_photo(self, result: tuple[str, bytes]) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(result[1])
        self.preview.setPixmap(pixmap.scaled(480, 360, Qt.AspectRatioMode.KeepAspectRatio))
