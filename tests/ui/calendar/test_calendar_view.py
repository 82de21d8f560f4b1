"""Day and week views: blocks in the right column and time, status colours, drag to reschedule (refused or not)."""

from datetime import datetime, time

from PySide6.QtGui import QColor

from clinicdesk.services.appointment_dto import CHECKED_IN, CONFIRMED, NO_SHOW, REQUESTED
from clinicdesk.ui.calendar.calendar_view import BY_ROOM, WEEK, CalendarView
from clinicdesk.ui.calendar.grid import GUTTER_WIDTH, HEADER_HEIGHT
from clinicdesk.ui.calendar.status_style import status_style
from tests.ui.calendar.builders import DAY, appointment, room, staff
from tests.ui.calendar.helpers import drag

PEOPLE = [staff("s1", "Sreeja Kumari"), staff("s2", "Rajan Pillai"), staff("s3", "Dr. Meera Nair", "doctor")]
ROOMS = [room("r1", "Abhyanga A"), room("r2", "Abhyanga B"), room("r3", "Consultation 1", "consultation")]


def _items():
    return [appointment("a1", "09:00", 60, staff_ids=("s1",), room_id="r1", status=CONFIRMED, patient="Anitha S"),
            appointment("a2", "11:15", 45, staff_ids=("s2",), room_id="r2", status=CHECKED_IN, patient="Rohit T"),
            appointment("a3", "14:00", 30, staff_ids=("s3",), room_id="r3", status=REQUESTED, patient="Jisha C"),
            appointment("a4", "15:00", 30, staff_ids=("s1",), room_id="r1", status=NO_SHOW, patient="Vinod K")]


def _view(qtbot, app_ctx, centre, fake, items=None) -> CalendarView:
    fake.items = list(items if items is not None else _items())
    view = CalendarView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    view.show()
    view.show_items(centre, PEOPLE, ROOMS, fake.items, DAY)
    return view


def _column_of(view: CalendarView, appointment_id: str) -> list[str]:
    grid = view.grid
    return [grid.columns[b.column].key for b in grid.blocks if b.item.id == appointment_id]


def _time_at_top(view: CalendarView, appointment_id: str) -> float:
    rect = view.appointment_rects(appointment_id)[0]
    return view.grid.minute_at(rect.top() - 1)


def test_blocks_sit_in_their_practitioners_column_at_their_time_in_status_colours(qtbot, app_ctx, centre,
                                                                                    fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    assert [c.title for c in view.grid.columns] == ["Dr. Meera Nair", "Rajan Pillai", "Sreeja Kumari"]
    assert _column_of(view, "a1") == ["s1"] and _column_of(view, "a2") == ["s2"] and _column_of(view, "a3") == ["s3"]
    view.grid.scroll_to_minute(8 * 60)
    assert abs(_time_at_top(view, "a1") - 9 * 60) <= 2
    assert abs(_time_at_top(view, "a2") - (11 * 60 + 15)) <= 2
    image = view.grid.viewport().grab().toImage()
    for appointment_id, status in (("a1", CONFIRMED), ("a2", CHECKED_IN), ("a3", REQUESTED), ("a4", NO_SHOW)):
        rect = view.appointment_rects(appointment_id)[0]
        assert view.grid.viewport().rect().contains(rect), appointment_id
        sample = image.pixelColor(rect.right() - 4, rect.bottom() - 3)
        assert sample == QColor(status_style(status).fill), (appointment_id, sample.name())
    legend = view.legend.swatches
    assert {s: w.text() for s, w in legend.items()}[CHECKED_IN] == "Checked in"
    assert "4 appointments" in view.status.text()


def test_by_room_and_week_views_regroup_the_same_appointments(qtbot, app_ctx, centre, fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    view.set_group(BY_ROOM)
    assert [c.title for c in view.grid.columns] == ["Abhyanga A", "Abhyanga B", "Consultation 1"]
    assert _column_of(view, "a1") == ["r1"] and _column_of(view, "a4") == ["r1"]
    view.room_button.click()  # already by room: nothing changes
    view.staff_button.click()
    view.week_button.click()
    assert view.mode == WEEK
    view.show_resource("s1")
    view.show_items(centre, PEOPLE, ROOMS, fake_appointments.items, DAY)  # the week's data, as loaded
    assert len(view.grid.columns) == 7 and view.grid.columns[0].title.startswith("Mon")
    assert {b.item.id for b in view.grid.blocks} == {"a1", "a4"}  # only Sreeja's week
    assert _column_of(view, "a1") == [DAY.isoformat()]


def test_a_refused_drag_snaps_back_and_shows_the_explanation(qtbot, app_ctx, centre, fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    fake_appointments.refuse_moves = ("Rajan Pillai is with another patient 11:15–12:00; earliest option: "
                                      "Thu 12:15 with Rajan Pillai in Abhyanga B.")
    target = view.grid.point_at(1, 11 * 60 + 30)  # Rajan's column, while he is busy
    start = view.appointment_rects("a1")[0].center()
    drag(view.grid.viewport(), start, target)
    move = [c for c in fake_appointments.calls if c[0] == "reschedule"]
    assert move == [("reschedule", "a1", datetime.combine(DAY, time(11)), None, ("s2",),  # held by its middle
                     "Moved on the calendar")]
    assert view.grid.pending is None  # no ghost left where it was dropped
    assert _column_of(view, "a1") == ["s1"]  # still where it was
    assert view.banner.isVisible()
    assert "not moved" in view.banner.text() and "earliest option: Thu 12:15" in view.banner.text()


def test_an_accepted_drag_moves_the_block_after_the_refresh(qtbot, app_ctx, centre, fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    target = view.grid.point_at(2, 13 * 60 + 30)  # drop on Sreeja's own column at 13:30 (grabbed by the middle)
    start = view.appointment_rects("a1")[0].center()
    drag(view.grid.viewport(), start, target)
    move = [c for c in fake_appointments.calls if c[0] == "reschedule"][0]
    assert move[2] == datetime.combine(DAY, time(13, 0)) and move[3:5] == (None, None)
    assert ("list_range", centre.id, DAY, DAY) in fake_appointments.calls  # refreshed by changes_did_apply
    assert _column_of(view, "a1") == ["s1"]
    assert next(b for b in view.grid.blocks if b.item.id == "a1").start_minute == 13 * 60
    assert "Moved Anitha S's Abhyanga to" in view.notice.text() and not view.banner.isVisible()


def test_checked_in_appointments_cannot_be_dragged(qtbot, app_ctx, centre, fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    start = view.appointment_rects("a2")[0].center()
    drag(view.grid.viewport(), start, view.grid.point_at(1, 16 * 60))
    assert not [c for c in fake_appointments.calls if c[0] == "reschedule"]
    assert view.grid.selected_id == "a2"


def test_dropping_in_the_header_or_gutter_stays_inside_the_grid(qtbot, app_ctx, centre, fake_appointments):
    view = _view(qtbot, app_ctx, centre, fake_appointments)
    view.grid.scroll_to_minute(7 * 60)
    start = view.appointment_rects("a1")[0].center()
    from PySide6.QtCore import QPoint

    drag(view.grid.viewport(), start, QPoint(GUTTER_WIDTH // 2, HEADER_HEIGHT // 2))
    move = [c for c in fake_appointments.calls if c[0] == "reschedule"]
    assert move and move[0][2] >= datetime.combine(DAY, time(7))  # clamped to the first row, same column


def test_navigation_loads_one_range_per_step_and_the_now_line_follows_the_centre_clock(qtbot, app_ctx, centre,
                                                                                         fake_appointments):
    from datetime import timedelta

    from clinicdesk.ui.widgets.inputs import to_qdate

    view = _view(qtbot, app_ctx, centre, fake_appointments)
    fake_appointments.calls.clear()
    view.next_button.click()
    view.prev_button.click()
    view.date_edit.setDate(to_qdate(DAY + timedelta(days=10)))
    view.today_button.click()
    view.week_button.click()
    view.next_button.click()
    loads = [c[2:] for c in fake_appointments.calls if c[0] == "list_range"]
    monday = DAY - timedelta(days=DAY.weekday())
    assert loads == [(DAY + timedelta(days=1),) * 2, (DAY,) * 2, (DAY + timedelta(days=10),) * 2, (DAY,) * 2,
                     (monday, monday + timedelta(days=6)),
                     (monday + timedelta(days=7), monday + timedelta(days=13))]
    assert view.grid.now == datetime(2026, 11, 26, 10, 0)  # the test clock's 04:30 UTC, in Kochi
    assert view.heading.text().startswith("Week of")
