"""A horizontal bar split into Vata, Pitta and Kapha shares, with the percentages written on it."""

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from clinicdesk.domain.prakriti import Dosha, DoshaScore

DOSHA_COLOURS = {Dosha.VATA: QColor("#6d8fc7"), Dosha.PITTA: QColor("#d9734e"), Dosha.KAPHA: QColor("#5aa27c")}


class DoshaBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.score = DoshaScore(0, 0, 0)
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(260, 34)

    def set_score(self, score: DoshaScore) -> None:
        self.score = score
        self.setToolTip(self.describe())
        self.update()

    def describe(self) -> str:
        pct = self.score.percentages()
        return "  ".join(f"{self.tr(d.value.title())} {pct[d]}%" for d in Dosha)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QColor("#c8cdc9"))
        painter.setBrush(QColor("#f1f2f0"))
        painter.drawRoundedRect(rect, 5, 5)
        if self.score.total == 0:
            painter.setPen(QColor("#5f6368"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("Answer the questions to see the result"))
            return
        pct = self.score.percentages()
        x = rect.left()
        for dosha in Dosha:
            width = rect.width() * pct[dosha] / 100
            if width <= 0:
                continue
            segment = QRectF(x, rect.top(), width, rect.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(DOSHA_COLOURS[dosha])
            painter.drawRect(segment)
            painter.setPen(QColor("white"))
            label = f"{self.tr(dosha.value.title())} {pct[dosha]}%"
            if painter.fontMetrics().horizontalAdvance(label) > width - 4:
                label = f"{pct[dosha]}%"
            painter.drawText(segment, Qt.AlignmentFlag.AlignCenter, label)
            x += width
