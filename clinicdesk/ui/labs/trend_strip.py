"""A small line chart of one test's numeric results over time, with its reference band shaded."""

from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from clinicdesk.domain.labs import Flag, TrendPoint

_FLAG_COLOURS = {Flag.NORMAL: "#2f6b4f", Flag.ABNORMAL: "#c77700", Flag.CRITICAL: "#b3261e"}


class TrendStrip(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.points: tuple[TrendPoint, ...] = ()
        self.title = ""
        self.band: tuple[Decimal | None, Decimal | None] = (None, None)
        self.setMinimumHeight(120)

    def set_points(self, title: str, points: tuple[TrendPoint, ...], direction: str,
                   band: tuple[Decimal | None, Decimal | None] = (None, None)) -> None:
        self.title = f"{title} — {direction}" if direction else title
        self.points, self.band = points, band
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#1f2933"))
        painter.drawText(QRectF(8, 2, self.width() - 16, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        if len(self.points) < 1:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No numeric results for this test"))
            painter.end()
            return
        values = [p.value for p in self.points] + [v for v in self.band if v is not None]
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)
        area = QRectF(40, 24, self.width() - 60, self.height() - 40)

        def y(value: Decimal) -> float:
            return area.bottom() - float((value - low) / span) * area.height()

        if self.band[0] is not None and self.band[1] is not None:
            painter.fillRect(QRectF(area.left(), y(self.band[1]), area.width(), y(self.band[0]) - y(self.band[1])),
                             QColor(47, 107, 79, 30))
        step = area.width() / max(len(self.points) - 1, 1)
        positions = [QPointF(area.left() + i * step, y(p.value)) for i, p in enumerate(self.points)]
        painter.setPen(QPen(QColor("#5f6b7a"), 2))
        for a, b in zip(positions, positions[1:], strict=False):
            painter.drawLine(a, b)
        for point, where in zip(self.points, positions, strict=True):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(_FLAG_COLOURS[point.flag]))
            painter.drawEllipse(where, 5, 5)
            painter.setPen(QColor("#1f2933"))
            painter.drawText(QRectF(where.x() - 40, where.y() - 22, 80, 16), Qt.AlignmentFlag.AlignCenter,
                             str(point.value))
            painter.drawText(QRectF(where.x() - 40, area.bottom() + 2, 80, 14), Qt.AlignmentFlag.AlignCenter,
                             f"{point.taken_on:%d %b}")
        painter.end()
