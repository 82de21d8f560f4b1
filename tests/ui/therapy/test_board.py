"""The therapy board on a real clinic: sessions with colours, a countdown that ticks from memory, status moves."""

from datetime import timedelta

from PySide6.QtGui import QColor

from clinicdesk.domain.roles import Role
from clinicdesk.domain.therapy_sessions import SessionEvent
from clinicdesk.ui.therapy.board_model import COLUMNS, COUNTDOWN, STATUS_COLOURS
from clinicdesk.ui.therapy.board_page import TherapyBoardPage


def _page(qtbot, course, runner, role=Role.THERAPIST) -> TherapyBoardPage:
    page = TherapyBoardPage(course.app(role, runner))
    qtbot.addWidget(page)
    page.show()
    return page


def _cell(page, row, column) -> str:
    return page.model.index(row, COLUMNS.index(column)).data()


def test_board_lists_the_days_sessions_with_room_therapist_status_and_countdown(qtbot, course, runner):
    page = _page(qtbot, course, runner)
    assert page.model.rowCount() == 2
    assert (_cell(page, 0, "Room"), _cell(page, 0, "Therapist"), _cell(page, 0, "Patient"),
            _cell(page, 0, "Status")) == ("PK abhyanga 1", "Rajan Pillai", "Lakshmi Menon", "Scheduled")
    assert _cell(page, 0, "Countdown") == "starts in 10:00"
    background = page.model.index(0, 0).data(8)  # BackgroundRole
    assert background.color() == QColor(STATUS_COLOURS["scheduled"][0])
    assert set(page.room_chips) == {"PK abhyanga 1", "PK swedana 1"}
    assert "free" in page.room_chips["PK abhyanga 1"].text()


def test_the_countdown_ticks_without_reading_the_database_and_flags_late(qtbot, course, runner, clock, monkeypatch):
    page = _page(qtbot, course, runner)
    calls = []
    monkeypatch.setattr(runner, "run", lambda *a, **k: calls.append(a))
    clock.advance(seconds=61)
    page.tick()
    assert _cell(page, 0, "Countdown") == "starts in 08:59"
    clock.advance(minutes=12)
    page.timer.timeout.emit()
    assert _cell(page, 0, "Countdown") == "late by 03:01"
    assert page.model.index(0, COUNTDOWN).data(9).color() == QColor("#b3261e")  # ForegroundRole: alert red
    assert calls == []  # a tick repaints from memory only
    assert page.timer.interval() == 1000 and page.timer.isActive()


def test_status_buttons_move_the_session_and_the_board_refreshes(qtbot, course, runner, clock):
    page = _page(qtbot, course, runner)
    page.table.selectRow(0)
    assert page.buttons[SessionEvent.PREPARE].isEnabled() and not page.buttons[SessionEvent.START].isEnabled()
    page.buttons[SessionEvent.PREPARE].click()
    assert _cell(page, 0, "Status") == "In preparation"
    assert "In preparation · Lakshmi Menon" in page.room_chips["PK abhyanga 1"].text()
    page.buttons[SessionEvent.START].click()
    assert _cell(page, 0, "Status") == "In session" and _cell(page, 0, "Countdown") == "ends in 1:00:00"
    clock.advance(minutes=61)
    page.tick()
    assert _cell(page, 0, "Countdown") == "over by 01:00"
    page.buttons[SessionEvent.RECOVER].click()
    page.buttons[SessionEvent.COMPLETE].click()  # mandatory step 1 and others are open: refused, with reasons
    assert page.banner.isVisible() and "mandatory SOP steps are open" in page.banner.text()
    assert _cell(page, 0, "Status") == "Recovery"


def test_cancelling_asks_first(qtbot, course, runner, monkeypatch):
    from clinicdesk.ui.widgets import messages

    page = _page(qtbot, course, runner)
    page.table.selectRow(0)
    answers = iter([False, True])
    monkeypatch.setattr(messages, "confirm", lambda *_a, **_k: next(answers))
    page.buttons[SessionEvent.CANCEL].click()
    assert _cell(page, 0, "Status") == "Scheduled"
    page.buttons[SessionEvent.CANCEL].click()
    assert _cell(page, 0, "Status") == "Cancelled"


def test_other_days_and_roles(qtbot, course, runner):
    page = _page(qtbot, course, runner, Role.FRONT_DESK)
    assert not any(b.isVisibleTo(page) for b in page.buttons.values())  # the desk sees rooms, runs nothing
    page.show_day(page.day + timedelta(days=30))
    assert page.model.rowCount() == 0 and page.room_chips == {}
