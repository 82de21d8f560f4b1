"""Puts the sync indicator in a main window's status bar and "Sync now" in its toolbar, shown only when enrolled."""

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QStatusBar, QToolBar

from clinicdesk.domain.roles import Action
from clinicdesk.services.sync_status import SyncStatus
from clinicdesk.ui.sync.controller import SyncController
from clinicdesk.ui.sync.resync_dialog import ask_to_resync
from clinicdesk.ui.sync.status_widget import SyncStatusWidget


class SyncHookup:
    """The window's side of the sync: indicator, action, and their wiring to the controller."""

    def __init__(self, window: QMainWindow, status_bar: QStatusBar, toolbar: QToolBar, before: QAction,
                 controller: SyncController):
        self.controller = controller
        self._refused = self._remote_open = 0  # for the "to review" link: refused here, open at HQ when last asked
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
        # HQ was reset or restored: ask the person (after the refused sync, or from the status bar's "Resync…")
        self.indicator.resync_requested.connect(controller.offer_resync)
        controller.resync_needed.connect(lambda notice: ask_to_resync(window, controller, notice))
        controller.setParent(window)
        controller.start()

    def _show_status(self, status: SyncStatus) -> None:
        app = self.controller.app
        self.action.setVisible(status.enrolled and app.may(Action.SYNC_RUN))
        if not self.controller.running:
            self.indicator.show_status(status, app.tz, app.ctx.now())
        self._refused = status.rejected
        self._show_review_link()

    def show_review_count(self, open_at_hq: int) -> None:
        """From the sync review page after it asked HQ: its open conflicts and possible duplicates."""
        self._remote_open = open_at_hq
        self._show_review_link()

    def _show_review_link(self) -> None:
        if self.controller.app.may(Action.SYNC_REVIEW):
            self.indicator.show_review_count(self._refused + self._remote_open)

    def _show_busy(self, busy: bool) -> None:
        self.action.setEnabled(not busy)
        self.indicator.show_busy(busy)
