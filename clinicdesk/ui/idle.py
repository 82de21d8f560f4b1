"""Notices when nobody has touched the keyboard or mouse for a while (application-wide event filter)."""

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """Emits `idle` once after `timeout_ms` without input; `restart()` arms it again.

    The filter only records the time of the last input (it sees every event in the app, so it must be cheap);
    the timer then checks whether the whole quiet period has really passed.
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timeout_ms = max(1, timeout_ms)
        self._last_input = time.monotonic()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def restart(self) -> None:
        self._last_input = time.monotonic()
        self._armed = True
        self._timer.start(self.timeout_ms)

    def stop(self) -> None:
        self._armed = False
        self._timer.stop()

    def uninstall(self) -> None:
        self.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _check(self) -> None:
        if not self._armed:
            return
        quiet_ms = (time.monotonic() - self._last_input) * 1000
        if quiet_ms + 5 >= self.timeout_ms:  # timers may fire a few ms early
            self._armed = False
            self.idle.emit()
        else:
            self._timer.start(int(self.timeout_ms - quiet_ms) + 1)
