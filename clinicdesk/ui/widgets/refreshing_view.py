"""A view that reloads itself when a write touched its kind of records, right away if shown, else when shown."""

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext


class RefreshingView(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self._stale = True
        app.runner.changes_did_apply.connect(self._on_changes)

    def is_relevant(self, changes: Changes) -> bool:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def refresh_now(self) -> None:
        self._stale = False
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if self.is_relevant(changes):
            self._stale = True
            if self.isVisible():
                self.refresh_now()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh_now()
