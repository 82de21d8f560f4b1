"""The therapist's "My day": today's sessions of the signed-in therapist as big tappable cards for a tablet."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from clinicdesk.services import therapy_sessions
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import BoardItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.therapy.board_model import STATUS_COLOURS, status_text

CARD_HEIGHT = 96  # px: a whole card is one touch target
CARD_POINTS = 16


def mine(items: list[BoardItem], staff_id: str) -> list[BoardItem]:
    # by id, never by name: two therapists may share a name, and a renamed one keeps their sessions
    return [item for item in items if staff_id in item.staff_ids]


class MyDayPage(QWidget):
    sop_requested = Signal(str)  # session id

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.items: list[BoardItem] = []
        self.cards: dict[str, QPushButton] = {}
        self.title = QLabel()
        font = self.title.font()
        font.setPointSize(20)
        font.setBold(True)
        self.title.setFont(font)
        self.empty = QLabel(self.tr("No sessions for you today."))
        font = self.empty.font()
        font.setPointSize(CARD_POINTS)
        self.empty.setFont(font)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.list_box = QWidget()
        self.list_layout = QVBoxLayout(self.list_box)
        self.list_layout.setSpacing(12)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.list_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def refresh(self) -> None:
        user = self.app.user
        if user is None:
            return
        day = self.app.today()
        self.title.setText(self.tr("My day — %1").replace("%1", f"{day:%A %d %B}"))
        self.app.runner.run(therapy_sessions.day_board, self.app.ctx, user.centre_id, day, owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy or changes.appointments:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def _loaded(self, items: list[BoardItem]) -> None:
        self.banner.hide()
        self.items = mine(items, self.app.user.staff_id) if self.app.user else []
        for card in self.cards.values():
            self.list_layout.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        for item in self.items:
            fill, edge = STATUS_COLOURS.get(item.status, ("#ffffff", "#999999"))
            flags = (" · " + self.tr("late")) if item.late else (" · " + self.tr("over-running")) \
                if item.over_running else ""
            card = QPushButton(f"{item.start:%H:%M}–{item.end:%H:%M}  {item.therapy}\n"
                               f"{item.patient_name} · {item.room_name} · {status_text(item)}{flags}")
            font = card.font()
            font.setPointSize(CARD_POINTS)
            card.setFont(font)
            card.setMinimumHeight(CARD_HEIGHT)
            card.setStyleSheet(f"QPushButton {{ background: {fill}; border-left: 10px solid {edge}; "
                               f"border-radius: 8px; text-align: left; padding: 8px 16px; }}")
            card.clicked.connect(lambda _=False, sid=item.session_id: self.open_sop(sid))
            self.list_layout.insertWidget(self.list_layout.count() - 1, card)
            self.cards[item.session_id] = card
        self.empty.setVisible(not self.items)

    def open_sop(self, session_id: str):
        from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog  # built on demand

        dialog = SopRunnerDialog(self.app, session_id, self)
        dialog.open()
        self.sop_requested.emit(session_id)
        return dialog
