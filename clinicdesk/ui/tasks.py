"""Runs service calls on ONE database thread and hands results, errors and Changes back on the main thread."""

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from clinicdesk.diagnostics import log_failure
from clinicdesk.domain.errors import ClinicError
from clinicdesk.services.context import Changes
from clinicdesk.ui.i18n import translate

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


@dataclass
class _Job:
    job_id: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    on_done: Callback | None = None
    on_error: Callback | None = None
    owner: QWidget | None = field(default=None, repr=False)


def changes_in(result: Any) -> Changes | None:
    """A write returns Changes, or a tuple ending with Changes (e.g. a new id and Changes)."""
    if isinstance(result, Changes):
        return result
    if isinstance(result, tuple) and result and isinstance(result[-1], Changes):
        return result[-1]
    return None


def error_text(exc: BaseException) -> str:
    """What to show a person: our own errors carry a safe sentence; anything else gets a generic one."""
    if isinstance(exc, ClinicError):
        return str(exc)
    return translate("TaskRunner", "Something went wrong and the action was not completed. Try again; if it keeps "
                                   "happening, tell your administrator (details are in the log).")


class _DatabaseThread(QThread):
    """SQLite wants a single writer and one Session per thread: every service call runs here, in order."""

    job_finished = Signal(int, object, object)  # job id, result, exception

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("clinicdesk-db")
        self._queue: queue.Queue[_Job | None] = queue.Queue()

    def submit(self, job: _Job) -> None:
        self._queue.put(job)

    def stop(self) -> None:
        self._queue.put(None)

    def run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                result, error = job.fn(*job.args, **job.kwargs), None
            except Exception as exc:  # handed to the main thread, which decides what to show
                result, error = None, exc
            self.job_finished.emit(job.job_id, result, error)


class TaskRunner(QObject):
    """`run(fn, *args, on_done=..., on_error=...)` calls a service; callbacks always arrive on the main thread.

    Synchronous mode (the default, used by tests) runs the call immediately on the caller's thread, so a test
    can assert on the screen right after clicking. The app uses threaded mode.
    """

    changes_did_apply = Signal(object)  # Changes: the one app-wide "something was written" signal
    task_failed = Signal(str)  # an error no caller handled, for the main window to show
    busy_changed = Signal(bool)

    def __init__(self, *, threaded: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self._ids = count(1)
        self._pending: dict[int, _Job] = {}
        self._thread: _DatabaseThread | None = None
        if threaded:
            self._thread = _DatabaseThread()
            self._thread.job_finished.connect(self._deliver)
            self._thread.start()

    @property
    def threaded(self) -> bool:
        return self._thread is not None

    def run(self, fn: Callable[..., Any], *args, on_done: Callback | None = None, on_error: Callback | None = None,
            owner: QWidget | None = None, **kwargs) -> int:
        """Queue a service call. `owner`: skip the callbacks if that widget was closed meanwhile."""
        job = _Job(next(self._ids), fn, args, kwargs, on_done, on_error, owner)
        self._pending[job.job_id] = job
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        if self._thread is None:
            try:
                result, error = fn(*args, **kwargs), None
            except Exception as exc:
                result, error = None, exc
            self._deliver(job.job_id, result, error)
        else:
            self._thread.submit(job)
        return job.job_id

    @Slot(int, object, object)
    def _deliver(self, job_id: int, result: Any, error: BaseException | None) -> None:
        job = self._pending.pop(job_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if job is None:
            return
        owner_alive = job.owner is None or Shiboken.isValid(job.owner)
        if error is not None:
            if not isinstance(error, ClinicError):
                # Log the kind of failure and which service, never the arguments (they may hold patient data).
                log_failure(f"Service call {getattr(job.fn, '__qualname__', job.fn)} failed", error)
            if job.on_error is not None and owner_alive:
                job.on_error(error)
            else:
                self.task_failed.emit(error_text(error))
            return
        if job.on_done is not None and owner_alive:
            job.on_done(result)
        if (changes := changes_in(result)) is not None:
            self.changes_did_apply.emit(changes)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Finish queued work and stop the database thread (call before closing the database)."""
        if self._thread is not None:
            self._thread.stop()
            if not self._thread.wait(timeout_ms):
                log.error("The database thread did not stop within %d ms", timeout_ms)
            self._thread = None
        self._pending.clear()
