"""The therapist's "My day": today's sessions of the signed-in therapist as big tappable cards for a tablet."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from clinicdesk.services import therapy_sessions
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import BoardItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.therapy.board_model import STATUS_COLOURS, status_text
from clinicdesk.ui.widgets.card_list import Card, CardList

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
        self.card_list = CardList(card_height=CARD_HEIGHT, points=CARD_POINTS)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(self.empty)
        layout.addWidget(self.card_list, 1)
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
        cards = []
        for item in self.items:
            fill, edge = STATUS_COLOURS.get(item.status, ("#ffffff", "#999999"))
            flags = (" · " + self.tr("late")) if item.late else (" · " + self.tr("over-running")) \
                if item.over_running else ""
            cards.append(Card(item.session_id, f"{item.start:%H:%M}–{item.end:%H:%M}  {item.therapy}\n"
                                               f"{item.patient_name} · {item.room_name} · {status_text(item)}{flags}",
                              lambda sid=item.session_id: self.open_sop(sid), edge=edge, fill=fill))
        self.card_list.set_cards(cards)
        self.empty.setVisible(not self.items)

    @property
    def cards(self) -> dict[str, QPushButton]:
        return self.card_list.cards

    def open_sop(self, session_id: str):
        from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog  # built on demand

        dialog = SopRunnerDialog(self.app, session_id, self)
        dialog.open()
        self.sop_requested.emit(session_id)
        return dialog
