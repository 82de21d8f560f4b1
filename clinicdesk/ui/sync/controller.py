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
from clinicdesk.sync.errors import EpochChangedError, SyncError
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

    return with_portal_share(database, hq, sync_once(database, hq))


def real_resync(database: Database, hq: HqSettings) -> SyncSummary:
    from clinicdesk.sync.resync import resync  # loads httpx and the client, like real_sync

    return with_portal_share(database, hq, resync(database, hq))


def with_portal_share(database: Database, hq: HqSettings, summary: SyncSummary) -> SyncSummary:
    """The patient portal's part of every sync, on the same worker (clinicdesk/services/portal_after_sync.py):
    auto-approvals, care rules for what patients sent, the free times it offers; pushed to HQ at once."""
    from clinicdesk.services.context import ServiceContext
    from clinicdesk.services.portal_after_sync import settle_after_sync

    return settle_after_sync(ServiceContext(database), hq, summary)[0]


def real_epoch_notice(database: Database, hq: HqSettings) -> object:
    from clinicdesk.sync.resync import epoch_notice

    return epoch_notice(database, hq)


def is_retried(error: BaseException) -> bool:
    return isinstance(error, SyncError) and (error.code in RETRIED_CODES or error.code.startswith("http_5"))


class SyncController(QObject):
    """`sync_now()`, `refresh()`; `status_changed(SyncStatus)` and `busy_changed(bool)` on the main thread."""

    status_changed = Signal(object)
    busy_changed = Signal(bool)
    resync_needed = Signal(object)  # an EpochNotice (None if HQ could not say when): the window asks the person

    def __init__(self, app: AppContext, *, sync_fn: SyncFunction = real_sync,
                 load_hq: Callable[[Path], HqSettings] = load_hq_settings, synchronous: bool = False,
                 requests: SyncRequests | None = None, parent: QObject | None = None,
                 resync_fn: SyncFunction = real_resync, notice_fn: Callable = real_epoch_notice):
        super().__init__(parent)
        self.app = app
        self._sync_fn, self._load_hq, self._synchronous = sync_fn, load_hq, synchronous
        self._resync_fn, self._notice_fn = resync_fn, notice_fn
        self._job: LongJob | None = None
        self._notice_job: LongJob | None = None
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
        for job in (self._job, self._notice_job):
            if job is not None:
                job.wait()

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
        return self._start(self._sync_fn)

    def resync_now(self) -> bool:
        """Start the guided full resync (the person chose "Back up and resync"); False when nothing was started."""
        return self._start(self._resync_fn)

    def offer_resync(self) -> None:
        """Ask HQ when it was reset (off the main thread), then emit resync_needed for the window's dialog."""
        if self.app.user is None or (self._notice_job is not None and self._notice_job.running):
            return
        self._notice_job = LongJob(self._notice_work, synchronous=self._synchronous, parent=self)
        self._notice_job.finished.connect(self.resync_needed.emit)
        self._notice_job.failed.connect(lambda _error: self.resync_needed.emit(None))  # the dialog still asks
        self._notice_job.start()

    def _notice_work(self, _cancel: threading.Event) -> Iterator[object]:
        database = self.app.ctx.db
        yield self._notice_fn(database, self._load_hq(database.data_dir))

    def _start(self, fn: SyncFunction) -> bool:
        if self.running or self.app.user is None or not sync_status.is_enrolled(self.app.ctx):
            return False
        self.retry_timer.stop()
        self._job = LongJob(lambda cancel: self._work(cancel, fn), synchronous=self._synchronous, parent=self)
        self._job.finished.connect(self._record)
        self._job.failed.connect(self._failed)
        self._busy = True
        self.busy_changed.emit(True)
        self._job.start()
        return True

    def _work(self, _cancel: threading.Event, fn: SyncFunction) -> Iterator[object]:
        database = self.app.ctx.db
        yield Progress(0.0, "Syncing with HQ…")
        yield fn(database, self._load_hq(database.data_dir))

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
        if isinstance(error, EpochChangedError):  # HQ was reset or restored: a person decides about the resync
            self.offer_resync()

    def _retry(self) -> None:
        self.sync_now("retry")

    def _changes_applied(self, _changes) -> None:
        self.refresh()

    def _show(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)
