"""Puts the sync indicator in a main window's status bar and "Sync now" in its toolbar, shown only when enrolled."""

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QStatusBar, QToolBar

from clinicdesk.domain.roles import Action
from clinicdesk.services.sync_status import SyncStatus
from clinicdesk.ui.sync.controller import SyncController
from clinicdesk.ui.sync.status_widget import SyncStatusWidget


class SyncHookup:
    """The window's side of the sync: indicator, action, and their wiring to the controller."""

    def __init__(self, window: QMainWindow, status_bar: QStatusBar, toolbar: QToolBar, before: QAction,
                 controller: SyncController):
        self.controller = controller
        self.indicator = SyncStatusWidget()
        status_bar.insertPermanentWidget(0, self.indicator)
        self.action = QAction(window.tr("Sync now"), window)
        self.action.setObjectName("syncNowAction")
        self.action.setToolTip(window.tr("Send this desk's changes to HQ and fetch the other desks' changes"))
        self.action.setVisible(False)  # until the status says this device is enrolled with an HQ
        self.action.triggered.connect(controller.sync_now)
        toolbar.insertAction(before, self.action)
        controller.status_changed.connect(self._show_status)
        controller.busy_changed.connect(self._show_busy)
        controller.setParent(window)
        controller.start()

    def _show_status(self, status: SyncStatus) -> None:
        app = self.controller.app
        self.action.setVisible(status.enrolled and app.may(Action.SYNC_RUN))
        if not self.controller.running:
            self.indicator.show_status(status, app.tz, app.ctx.now())

    def _show_busy(self, busy: bool) -> None:
        self.action.setEnabled(not busy)
        self.indicator.show_busy(busy)
