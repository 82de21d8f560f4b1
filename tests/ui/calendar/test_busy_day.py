"""A busy centre (20 practitioners, 12 rooms, 150 appointments) builds and paints without one widget per block."""

import time

from PySide6.QtWidgets import QWidget

from clinicdesk.ui.calendar.calendar_view import BY_ROOM, CalendarView
from tests.ui.calendar.builders import DAY, busy_day


def test_a_busy_day_builds_and_paints_quickly(qtbot, app_ctx, centre, fake_appointments):
    people, rooms, items = busy_day()
    fake_appointments.items = items
    view = CalendarView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1366, 760)
    view.show()
    widgets_before = len(view.grid.findChildren(QWidget))
    started = time.perf_counter()
    view.show_items(centre, people, rooms, items, DAY)
    image = view.grid.viewport().grab()
    elapsed = time.perf_counter() - started
    assert len(view.grid.columns) == 20
    assert len(view.grid.blocks) == sum(1 for a in items if a.status not in ("cancelled", "rescheduled"))
    assert {b.column for b in view.grid.blocks} == set(range(20))
    assert not image.isNull()
    assert len(view.grid.findChildren(QWidget)) == widgets_before  # blocks are painted, not widgets
    assert elapsed < 1.0, f"building and painting the busy day took {elapsed * 1000:.0f} ms"
    view.set_group(BY_ROOM)
    assert len(view.grid.columns) == 12
    assert len(view.grid.blocks) == sum(1 for a in items if a.status not in ("cancelled", "rescheduled"))
    # Scrolling repaints only what is exposed; a full sweep across the day stays well under a second.
    started = time.perf_counter()
    bar = view.grid.verticalScrollBar()
    for value in range(0, bar.maximum() + 1, max(1, bar.maximum() // 20)):
        bar.setValue(value)
        view.grid.viewport().repaint()
    assert time.perf_counter() - started < 1.5
