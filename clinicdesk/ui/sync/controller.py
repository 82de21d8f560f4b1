"""Runs "Sync now" on a worker thread (never the database thread), records the result and retries with back-off."""

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from clinicdesk.services import sync_status
from clinicdesk.services.sync_status import SyncStatus
from clinicdesk.speech.progress import Progress
from clinicdesk.store.database import Database
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import HqSettings, load_hq_settings
from clinicdesk.sync.summary import SyncSummary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.long_jobs import LongJob
from clinicdesk.ui.sync.requests import SyncRequests, shared_requests

log = logging.getLogger(__name__)

SyncFunction = Callable[[Database, HqSettings], SyncSummary]
# After a sync that could not reach HQ: try again after 1, 5, 15 minutes, then hourly until one gets through.
RETRY_DELAYS_MS = (60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000)
RETRIED_CODES = frozenset({"unreachable"})
STATUS_REFRESH_MS = 60_000  # the "changes waiting" count also follows every write, through changes_did_apply


def real_sync(database: Database, hq: HqSettings) -> SyncSummary:
    from clinicdesk.sync.client import sync_once  # httpx and the client load on the first sync, not at start-up

    return sync_once(database, hq)


def is_retried(error: BaseException) -> bool:
    return isinstance(error, SyncError) and (error.code in RETRIED_CODES or error.code.startswith("http_5"))


class SyncController(QObject):
    """`sync_now()`, `refresh()`; `status_changed(SyncStatus)` and `busy_changed(bool)` on the main thread."""

    status_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, app: AppContext, *, sync_fn: SyncFunction = real_sync,
                 load_hq: Callable[[Path], HqSettings] = load_hq_settings, synchronous: bool = False,
                 requests: SyncRequests | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self._sync_fn, self._load_hq, self._synchronous = sync_fn, load_hq, synchronous
        self._job: LongJob | None = None
        self._busy = False  # from "Sync now" until the job's result or error arrives back here
        self.status: SyncStatus | None = None
        self.retries = 0  # failed attempts in a row that will be retried
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self._retry)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(STATUS_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._requests = requests or shared_requests()
        self._requests.requested.connect(self.sync_now)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._attached = False

    def start(self) -> None:
        """Show the status, and run the sync the schedule asked for while no window was open."""
        self.refresh()
        self._refresh_timer.start()
        self._attached = True
        if self._requests.attach():
            self.sync_now()

    def shutdown(self) -> None:
        """Stop timers and wait for a running sync (its worker thread must not outlive this object)."""
        self.retry_timer.stop()
        self._refresh_timer.stop()
        if self._attached:
            self._attached = False
            self._requests.detach()
        if self._job is not None:
            self._job.wait()

    @property
    def running(self) -> bool:
        return self._busy

    def refresh(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(sync_status.sync_status, self.app.ctx, on_done=self._show,
                            on_error=lambda exc: log.warning("sync status unavailable: %s", type(exc).__name__))

    def sync_now(self, _reason: str = "") -> bool:
        """Start a sync unless one is running or this device has no HQ; False when nothing was started."""
        if self.running or self.app.user is None or not sync_status.is_enrolled(self.app.ctx):
            return False
        self.retry_timer.stop()
        self._job = LongJob(self._work, synchronous=self._synchronous, parent=self)
        self._job.finished.connect(self._record)
        self._job.failed.connect(self._failed)
        self._busy = True
        self.busy_changed.emit(True)
        self._job.start()
        return True

    def _work(self, _cancel: threading.Event) -> Iterator[object]:
        database = self.app.ctx.db
        yield Progress(0.0, "Syncing with HQ…")
        yield self._sync_fn(database, self._load_hq(database.data_dir))

    def _record(self, outcome: SyncSummary | BaseException) -> None:
        if isinstance(outcome, SyncSummary):
            self.retries = 0
        self._busy = False
        self.busy_changed.emit(False)
        self.app.runner.run(sync_status.record_sync_result, self.app.ctx, outcome, on_done=self._show,
                            on_error=lambda exc: log.warning("sync result not recorded: %s", type(exc).__name__))

    def _failed(self, error: BaseException) -> None:
        if is_retried(error):
            delay = RETRY_DELAYS_MS[min(self.retries, len(RETRY_DELAYS_MS) - 1)]
            self.retries += 1
            self.retry_timer.start(delay)
        self._record(error)

    def _retry(self) -> None:
        self.sync_now("retry")

    def _changes_applied(self, _changes) -> None:
        self.refresh()

    def _show(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)
