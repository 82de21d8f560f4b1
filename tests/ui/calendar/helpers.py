"""Pointer helpers: real mouse events sent to a widget (QTest's mouseMove carries no pressed button)."""

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton


def _send(widget: QWidget, kind: QEvent.Type, pos: QPoint, button, buttons) -> None:
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 6) -> None:
    assert widget.rect().contains(start) and widget.rect().contains(end), "both ends must be on screen"
    _send(widget, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        _send(widget, QEvent.Type.MouseMove, point, NONE, LEFT)
    _send(widget, QEvent.Type.MouseButtonRelease, end, LEFT, NONE)


def double_click(widget: QWidget, pos: QPoint) -> None:
    _send(widget, QEvent.Type.MouseButtonPress, pos, LEFT, LEFT)
    _send(widget, QEvent.Type.MouseButtonRelease, pos, LEFT, NONE)
    _send(widget, QEvent.Type.MouseButtonDblClick, pos, LEFT, LEFT)
    _send(widget, QEvent.Type.MouseButtonRelease, pos, LEFT, NONE)
