"""A live microphone level bar (dBFS), big enough to read at arm's length."""

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0  # quieter than this shows as an empty bar: room noise, not speech
SPEECH_DB = -30.0  # from here the bar turns green: the doctor is heard
CLIP_DB = -3.0  # from here red: too close to the microphone, the sound distorts


def fill_fraction(dbfs: float) -> float:
    """0.0 (silence) to 1.0 (full scale) for a level in dBFS."""
    if dbfs != dbfs or dbfs <= FLOOR_DB:  # NaN counts as silence
        return 0.0
    return min(1.0, (dbfs - FLOOR_DB) / -FLOOR_DB)


def level_colour(dbfs: float) -> str:
    if dbfs >= CLIP_DB:
        return "#c62828"
    if dbfs >= SPEECH_DB:
        return "#2e7d32"
    return "#9e9e9e"


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.setAccessibleName("Microphone level")
        self._dbfs = FLOOR_DB
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(320, 28)

    @property
    def dbfs(self) -> float:
        return self._dbfs

    def set_level(self, dbfs: float) -> None:
        self._dbfs = dbfs
        self.setToolTip(f"{dbfs:.0f} dBFS" if dbfs > FLOOR_DB else "silence")
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(QColor("#757575"))
        painter.setBrush(QColor("#f5f5f5"))
        painter.drawRoundedRect(frame, 6, 6)
        fraction = fill_fraction(self._dbfs)
        if fraction > 0:
            bar = QRectF(frame.left() + 2, frame.top() + 2, (frame.width() - 4) * fraction, frame.height() - 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(level_colour(self._dbfs)))
            painter.drawRoundedRect(bar, 4, 4)
        painter.end()
