"""The board's table: a thin model over BoardItems, with status colours and a countdown computed from `now`."""

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services.therapy_dto import BoardItem
from clinicdesk.ui.i18n import translate

# fill, edge: told apart by lightness too, like the calendar's colours
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    SessionStatus.SCHEDULED: ("#dbe8ff", "#2f62c8"),
    SessionStatus.IN_PREPARATION: ("#fff3c4", "#c48a00"),
    SessionStatus.IN_SESSION: ("#cdeedd", "#1b7a4c"),
    SessionStatus.RECOVERY: ("#eadcff", "#7442c8"),
    SessionStatus.COMPLETED: ("#e9ecea", "#6b7a71"),
    SessionStatus.CANCELLED: ("#f3f3f3", "#9e9e9e"),
}
STATUS_LABELS = {SessionStatus.SCHEDULED: "Scheduled", SessionStatus.IN_PREPARATION: "In preparation",
                 SessionStatus.IN_SESSION: "In session", SessionStatus.RECOVERY: "Recovery",
                 SessionStatus.COMPLETED: "Completed", SessionStatus.CANCELLED: "Cancelled"}
ALERT = "#b3261e"
COLUMNS = ("Time", "Room", "Therapist", "Patient", "Therapy", "Status", "Countdown")
COUNTDOWN = COLUMNS.index("Countdown")
STATUS = COLUMNS.index("Status")


def status_label(status: str) -> str:
    return translate("TherapyBoard", STATUS_LABELS.get(status, status))


def needs_consent(item: BoardItem) -> bool:
    """Still to start, and the plan has no procedure consent in force: the session cannot begin yet."""
    return not item.consented and item.status in (SessionStatus.SCHEDULED, SessionStatus.IN_PREPARATION)


def status_text(item: BoardItem) -> str:
    label = status_label(item.status)
    return label + " · " + translate("TherapyBoard", "consent needed") if needs_consent(item) else label


def _clock(seconds: float) -> str:
    seconds = int(abs(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def countdown(item: BoardItem, now: datetime) -> tuple[str, bool]:
    """What the countdown column says at `now`, and whether it is an alert (late or over-running)."""
    status = item.status
    if status in (SessionStatus.SCHEDULED, SessionStatus.IN_PREPARATION):
        left = (item.start - now).total_seconds()
        if left >= 0:
            return translate("TherapyBoard", "starts in %1").replace("%1", _clock(left)), False
        return translate("TherapyBoard", "late by %1").replace("%1", _clock(left)), True
    if status == SessionStatus.IN_SESSION:
        # the session runs its booked length from when it actually started
        end = item.end if item.started_at is None else item.started_at + (item.end - item.start)
        left = (end - now).total_seconds()
        if left >= 0:
            return translate("TherapyBoard", "ends in %1").replace("%1", _clock(left)), False
        return translate("TherapyBoard", "over by %1").replace("%1", _clock(left)), True
    if status == SessionStatus.RECOVERY and item.ended_at is not None:
        resting = (now - item.ended_at).total_seconds()
        return translate("TherapyBoard", "resting %1").replace("%1", _clock(resting)), False
    return "", False


class BoardModel(QAbstractTableModel):
    def __init__(self, now: datetime, parent=None):
        super().__init__(parent)
        self.items: list[BoardItem] = []
        self.now = now
        # session id -> care-rule marks such as "reduced_intensity" (not "flags": that is Qt's own method)
        self.care_marks: dict[str, list[str]] = {}

    def set_items(self, items: list[BoardItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        """Only the countdown column changes each second; nothing is read from the database."""
        self.now = now
        if self.items:
            self.dataChanged.emit(self.index(0, COUNTDOWN), self.index(len(self.items) - 1, COUNTDOWN))

    def item(self, row: int) -> BoardItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("TherapyBoard", COLUMNS[section])
        return None

    def set_care_marks(self, marks: dict[str, list[str]]) -> None:
        self.care_marks = dict(marks)
        if self.items:
            self.dataChanged.emit(self.index(0, STATUS), self.index(len(self.items) - 1, STATUS))

    def care_mark_text(self, item: BoardItem) -> str:
        """A care rule asked for a gentler session: whoever runs it must see that on the board."""
        return "".join(" · " + translate("TherapyBoard", flag.replace("_", " "))
                       for flag in self.care_marks.get(item.session_id, ()))

    def alert(self, item: BoardItem) -> bool:
        return item.late or item.over_running or countdown(item, self.now)[1]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{item.start:%H:%M}–{item.end:%H:%M}", item.room_name, ", ".join(item.staff_names),
                    item.patient_name, item.therapy, status_text(item) + self.care_mark_text(item),
                    countdown(item, self.now)[0])[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATUS_COLOURS.get(item.status, ("#ffffff", ""))[0]))
        if role == Qt.ItemDataRole.ForegroundRole and (
                (column == COUNTDOWN and self.alert(item)) or (column == STATUS and needs_consent(item))):
            return QBrush(QColor(ALERT))
        if role == Qt.ItemDataRole.FontRole and column in (COUNTDOWN, STATUS):
            font = QFont()
            font.setBold(column == STATUS or self.alert(item))
            return font
        if role == Qt.ItemDataRole.UserRole:
            return item.session_id
        return None
