"""A dialog that saves through a service: banner on top, the form, Save/Cancel; stays open when refused."""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors


class FormDialog(QDialog):
    saved = Signal(object)  # whatever the service returned

    def __init__(self, app: AppContext, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.banner = ErrorBanner()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.body = QVBoxLayout()
        self.body.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(self.banner, {})

    def save(self) -> None:
        raise NotImplementedError

    def submit(self, fn: Callable[..., Any], *args, **kwargs) -> None:
        """Run the service call; close on success, otherwise show why and keep every typed value."""
        self.errors.clear()
        self.save_button.setEnabled(False)
        self.app.runner.run(fn, *args, owner=self, on_done=self._succeeded, on_error=self.refused, **kwargs)

    def _succeeded(self, result: Any) -> None:
        self.save_button.setEnabled(True)
        self.accept()
        self.saved.emit(result)

    def refused(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            first = self.errors.show(exc)
            if first is not None:
                self.reveal(first)
        else:
            self.errors.show_text(error_text(exc))

    def reveal(self, widget: QWidget) -> None:
        """Bring a marked field into view: switch to its tab, scroll to it, focus it."""
        for tabs in self.findChildren(QTabWidget):
            for i in range(tabs.count()):
                if tabs.widget(i).isAncestorOf(widget):
                    tabs.setCurrentIndex(i)
        for scroll in self.findChildren(QScrollArea):
            if scroll.widget() is not None and scroll.widget().isAncestorOf(widget):
                scroll.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
