"""Screenshot mode's therapy steps: the board on a day with sessions, one session's SOP runner, its plan's chart."""

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtWidgets import QWidget

from clinicdesk.domain.therapy_sessions import RUNNING, SessionStatus
from clinicdesk.services import therapy_sessions
from clinicdesk.ui.therapy.board_page import TherapyBoardPage

SEARCH_DAYS = 14  # the demo course runs around today; look this far either side for a day with sessions


class TherapyTour:
    def __init__(self, page: TherapyBoardPage, window: QWidget, shoot: Callable[[str, QWidget], None]):
        self.page, self.window, self.shoot = page, window, shoot

    def _busiest_nearby_day(self):
        app = self.page.app
        today = app.today()
        for offset in sorted(range(-SEARCH_DAYS, SEARCH_DAYS + 1), key=abs):
            day = today + timedelta(days=offset)
            if therapy_sessions.day_board(app.ctx, app.user.centre_id, day):
                return day
        return today

    def run(self) -> None:
        page = self.page
        page.show_day(self._busiest_nearby_day())
        items = page.model.items
        # the most telling session: one running now, else one still to run (open steps show their controls)
        pick = next((i for i in items if SessionStatus(i.status) in RUNNING), None) or next(
            (i for i in items if i.status == SessionStatus.SCHEDULED), None) or (items[0] if items else None)
        # shot before selecting: the selection colour would hide the status colours and the late flag
        self.shoot("21_therapy_board", self.window)
        if pick is None:
            return
        page.select(pick.session_id)
        sop = page.open_sop()
        self.shoot("22_therapy_sop_runner", sop)
        outcome = sop.open_outcome()
        self.shoot("24_therapy_outcome", outcome)
        outcome.reject()
        sop.accept()
        progress = page.open_progress()
        self.shoot("23_therapy_progress_chart", progress)
        progress.accept()
