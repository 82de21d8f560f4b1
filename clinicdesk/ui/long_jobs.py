"""Runs a long job (a generator of Progress) on a worker thread with a cancel token; signals on the main thread."""

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from clinicdesk.diagnostics import log_failure
from clinicdesk.speech.progress import Progress

log = logging.getLogger(__name__)

JobFunction = Callable[[threading.Event], Iterator[Any]]


class _Worker(QThread):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, job: JobFunction, cancel: threading.Event, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("clinicdesk-long-job")
        self._job = job
        self._cancel = cancel

    def run(self) -> None:
        result = None
        try:
            for item in self._job(self._cancel):
                if isinstance(item, Progress):
                    self.progressed.emit(item.fraction, item.message)
                else:
                    result = item
        except Exception as exc:  # handed to the main thread, which shows a sentence
            self.failed.emit(exc)
            return
        self.succeeded.emit(result)


class LongJob(QObject):
    """One long job: `start()`, `cancel()`; `progressed(fraction, message)`, `finished(result)`, `failed(exc)`.

    The job is `fn(cancel_event)` yielding Progress values and, last, its result. It runs off the main thread
    (never on the database thread: a transcription must not hold up check-ins); signals arrive on the main thread.
    `synchronous=True` runs it in place, for tests.
    """

    progressed = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: JobFunction, *, synchronous: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._synchronous = synchronous
        self._cancel = threading.Event()
        self._worker: _Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def start(self) -> None:
        if self._synchronous:
            worker = _Worker(self._fn, self._cancel)
            worker.progressed.connect(self.progressed)
            worker.succeeded.connect(self.finished)
            worker.failed.connect(self._report_failure)
            worker.run()
            return
        self._worker = _Worker(self._fn, self._cancel, self)
        self._worker.progressed.connect(self.progressed)
        self._worker.succeeded.connect(self.finished)
        self._worker.failed.connect(self._report_failure)
        self._worker.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the worker stops (for closing a window, and for tests)."""
        return self._worker is None or self._worker.wait(timeout_ms)

    def _report_failure(self, exc: BaseException) -> None:
        log_failure(f"Long job {getattr(self._fn, '__qualname__', self._fn)} failed", exc)
        self.failed.emit(exc)
