"""One app-wide doorbell for "sync now" from the schedule: rings the open window, or waits for the next one."""

import threading

from PySide6.QtCore import QObject, Signal


class SyncRequests(QObject):
    """`request(reason)` may be called from any thread (the scheduler's); `requested` arrives on the main thread.

    When no window listens (signed out, or before the first sign-in) the request is kept, and the next window to
    `attach` takes it: a night's sync missed while signed out happens at the next sign-in.
    """

    requested = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._listeners = 0
        self._pending = ""

    def request(self, reason: str) -> None:
        with self._lock:
            if not self._listeners:
                self._pending = reason
                return
        self.requested.emit(reason)

    def attach(self) -> str:
        """A window starts listening; returns the request that was waiting for one ("" if none)."""
        with self._lock:
            self._listeners += 1
            pending, self._pending = self._pending, ""
        return pending

    def detach(self) -> None:
        with self._lock:
            self._listeners = max(0, self._listeners - 1)


_shared: SyncRequests | None = None


def shared_requests() -> SyncRequests:
    """The app's one doorbell; create it first on the main thread (run_app does, through NightlySync)."""
    global _shared
    if _shared is None:
        _shared = SyncRequests()
    return _shared


def request_sync(reason: str = "nightly") -> None:
    """The scheduler's job: a plain module function, so the persisted job stores only this reference."""
    shared_requests().request(reason)
