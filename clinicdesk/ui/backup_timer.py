"""Runs the automatic daily backup at start and then every hour on the database thread (it is a no-op once done)."""

import logging

from PySide6.QtCore import QObject, QTimer

from clinicdesk.services import maintenance
from clinicdesk.services.context import ServiceContext
from clinicdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
CHECK_INTERVAL_MS = 60 * 60 * 1000


class DailyBackupTimer(QObject):
    def __init__(self, ctx: ServiceContext, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx, self._runner = ctx, runner
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check_now)

    def start(self) -> None:
        self.check_now()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check_now(self) -> None:
        self._runner.run(maintenance.daily_backup, self._ctx, on_done=self._done, on_error=self._failed)

    def _done(self, path) -> None:
        if path is not None:
            log.info("automatic backup written: %s", path.name)

    def _failed(self, exc: BaseException) -> None:
        # A failed backup must not interrupt the desk; it is logged and retried at the next check.
        log.warning("automatic backup failed: %s", type(exc).__name__)
