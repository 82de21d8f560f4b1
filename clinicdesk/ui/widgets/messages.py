"""Message boxes that do not block the event loop (so tests and the database thread keep running)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def _open_box(parent: QWidget | None, icon: QMessageBox.Icon, text: str, title: str | None) -> QMessageBox:
    box = QMessageBox(icon, title or QMessageBox.tr("ClinicDesk"), text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box


def show_error(parent: QWidget | None, text: str, *, title: str | None = None) -> QMessageBox:
    box = _open_box(parent, QMessageBox.Icon.Warning, text, title)
    box.setObjectName("errorMessage")
    return box


def show_info(parent: QWidget | None, text: str, *, title: str | None = None) -> QMessageBox:
    return _open_box(parent, QMessageBox.Icon.Information, text, title)


def confirm(parent: QWidget | None, question: str, *, title: str | None = None) -> bool:
    """A yes/no question; blocking on purpose (tests replace this function)."""
    answer = QMessageBox.question(parent, title or QMessageBox.tr("ClinicDesk"), question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
