"""Screenshot mode's calendar tour: day by practitioner and by room, a week, the queue, the booking wizard's
steps, a drag the rules refuse (mid-drag and after), the waitlist and one appointment. Nothing is written except
the refused move, which the services turn down."""

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTime
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import (
    CHECKED_IN,
    COMPLETED,
    CONFIRMED,
    IN_PROGRESS,
    REQUESTED,
    AppointmentItem,
)
from clinicdesk.ui.calendar.calendar_page import CALENDAR_TAB, QUEUE_TAB, WAITLIST_TAB, CalendarPage
from clinicdesk.ui.calendar.calendar_view import BY_ROOM, BY_STAFF, DAY, WEEK

Shoot = Callable[[str, QWidget], None]


def _mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton,
           buttons: Qt.MouseButton) -> None:
    QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))


class CalendarTour:
    def __init__(self, page: CalendarPage, window: QWidget, shoot: Shoot):
        self.page, self.window, self.shoot = page, window, shoot
        self.view = page.calendar
        self.ctx = page.app.ctx

    def run(self) -> None:
        page, view = self.page, self.view
        if page.centre() is None:
            return
        day = self._busiest_day()
        view.set_mode(DAY)
        view.set_group(BY_STAFF)
        view.set_day(day)
        self._select_a_block()
        self.shoot("12_calendar_day_by_practitioner", self.window)
        view.set_group(BY_ROOM)
        self.shoot("13_calendar_day_by_room", self.window)
        view.set_group(BY_STAFF)
        view.set_mode(WEEK)
        view.show_resource(self._busiest_practitioner(day))
        self.shoot("14_calendar_week_by_practitioner", self.window)
        view.set_mode(DAY)
        view.set_day(day)
        page.tabs.setCurrentIndex(QUEUE_TAB)
        self._select_in_queue()
        self.shoot("15_calendar_today_queue", self.window)
        page.tabs.setCurrentIndex(CALENDAR_TAB)
        self._wizard(day)
        self._refused_drag()
        self._details()
        page.tabs.setCurrentIndex(WAITLIST_TAB)
        page.waitlist.table.clearSelection()  # a selected row would hide the offer's yellow
        self.shoot("19_calendar_waitlist", self.window)
        page.tabs.setCurrentIndex(CALENDAR_TAB)

    # --- choosing what to show -------------------------------------------------------------------------------

    def _week_items(self) -> list[AppointmentItem]:
        today = self.view.today()
        return appointments.list_range(self.ctx, self.page.centre().id, today, today + timedelta(days=6))

    def _busiest_day(self) -> date:
        """Today when it has a fair share of the week's bookings (the queue and now line then show too)."""
        today = self.view.today()
        per_day = Counter(item.start.date() for item in self._week_items() if item.status not in ("cancelled",
                                                                                                  "rescheduled"))
        if not per_day or per_day[today] >= max(per_day.values()) // 2:
            return today
        return max(per_day, key=lambda d: (per_day[d], -d.toordinal()))

    def _busiest_practitioner(self, day: date) -> str:
        monday = day - timedelta(days=day.weekday())
        items = appointments.list_range(self.ctx, self.page.centre().id, monday, monday + timedelta(days=6))
        counts = Counter(staff_id for item in items for staff_id in item.staff_ids)
        return counts.most_common(1)[0][0] if counts else ""

    def _select_a_block(self) -> None:
        now = self.view.now_local()
        blocks = [b for b in self.view.grid.blocks if b.item.start >= now] or self.view.grid.blocks
        if blocks:
            self.view.grid.select(blocks[0].item.id)

    def _select_in_queue(self) -> None:
        rows = self.page.queue.model.rows()
        waiting = next((a for a in rows if a.status == CONFIRMED), rows[0] if rows else None)
        if waiting is not None:
            self.page.queue.select(waiting.id)

    # --- the booking wizard ----------------------------------------------------------------------------------

    def _wizard(self, day: date) -> None:
        wizard = self.page.open_booking()
        if wizard is None:
            return
        try:
            items = self.view.items
            # someone who has already been seen, so the service step can offer "Follow-up of" that visit
            visited = [i for i in items if i.status in (CHECKED_IN, IN_PROGRESS, COMPLETED)] or items
            patient_name = visited[0].patient_name.split()[0] if visited else ""
            wizard.patient_page.search_box.setText(patient_name[:4])
            wizard.patient_page.search_now()
            if wizard.patient_page.model.rowCount() and not (
                    visited and wizard.patient_page.select_patient(visited[0].patient_id)):
                wizard.patient_page.table.selectRow(0)
            self.shoot("16_booking_wizard_1_patient", wizard)
            if not wizard.patient_page.isComplete():
                return
            wizard.next()
            services = wizard.service_page.model.rows()
            therapy = next((s for s in services if s.category == "therapy"), services[0] if services else None)
            if therapy is None:
                return
            wizard.service_page.select_service(therapy.id)
            if wizard.service_page.follow_up.count() > 1:
                wizard.service_page.follow_up.setCurrentIndex(1)  # also chooses the visit's service
                therapy = wizard.service() or therapy
            self.shoot("16_booking_wizard_2_service", wizard)
            wizard.next()
            when = wizard.when
            ask_day = max(day, self.view.today() + timedelta(days=1))
            when.day.setDate(when.day.date().addDays((ask_day - self.view.today()).days))
            busy = self._busy_time(therapy.id, ask_day)
            if busy is not None:
                when.exact.setChecked(True)
                when.at.setTime(QTime(busy.hour, busy.minute))
            else:
                when.time_of_day.set_value("morning")
            self.shoot("16_booking_wizard_3_when", wizard)
            wizard.next()
            self.shoot("16_booking_wizard_4_slots", wizard)
            if wizard.slots.isComplete():
                wizard.next()
                self.shoot("16_booking_wizard_5_room_staff_confirm", wizard)
        finally:
            wizard.reject()  # screenshots book nothing

    def _busy_time(self, service_id: str, day: date):
        """A time the service is already booked that day, so the suggestions come with an explanation."""
        items = appointments.list_range(self.ctx, self.page.centre().id, day, day)
        same = [i for i in items if i.service_id == service_id and i.status in (CONFIRMED, REQUESTED)]
        return same[len(same) // 2].start.time() if same else None

    # --- a move the rules refuse -----------------------------------------------------------------------------

    def _refused_drag(self) -> None:
        """Drag a booking into its practitioner's off-duty hours: the ghost, then the refusal and the snap back."""
        view = self.view
        view.set_group(BY_STAFF)
        shown = view.day
        for offset in range(7):  # late in the evening nothing movable is left today: try the next days
            view.set_day(shown + timedelta(days=offset))
            if self._drag_one_into_off_duty_hours():
                return
        view.set_day(shown)

    def _drag_one_into_off_duty_hours(self) -> bool:
        view, grid = self.view, self.view.grid
        now = view.now_local()
        for block in grid.blocks:
            if not grid.may_drag(block.item) or block.item.start < now:
                continue
            column = grid.columns[block.column]
            length = block.end_minute - block.start_minute
            earliest = grid.first_minute if view.day > now.date() else now.hour * 60 + now.minute + 15
            targets = []
            for start, end in column.closed:  # the nearest off-duty stretch the block fits in, in the future
                low, high = max(start, grid.first_minute, earliest), min(end, grid.last_minute) - length
                if low <= high:
                    targets.append(min(max(block.start_minute, low), high) // 15 * 15)
            targets = [m for m in targets if m >= earliest - 15]
            if targets:
                self._drag(block.item, block.column, min(targets, key=lambda m: abs(m - block.start_minute)))
                return True
        return False

    def _drag(self, item: AppointmentItem, column: int, minute: int) -> None:
        grid = self.view.grid
        grid.scroll_to(column, minute)
        target = grid.point_at(column, minute)
        rect = grid.block_rects(item.id)[0]
        start = QPoint(rect.center().x(), rect.top() + 4)
        target = QPoint(target.x(), target.y() + 4)
        if not grid.viewport().rect().contains(start):
            grid.scroll_to(column, item.start.hour * 60 + item.start.minute)
            rect = grid.block_rects(item.id)[0]
            start = QPoint(rect.center().x(), rect.top() + 4)
            target = grid.point_at(column, minute) + QPoint(0, 4)
        viewport = grid.viewport()
        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        _mouse(viewport, QEvent.Type.MouseButtonPress, start, left, left)
        for step in range(1, 9):
            _mouse(viewport, QEvent.Type.MouseMove, start + (target - start) * (step / 8), none, left)
        self.shoot("17_calendar_drag_in_progress", self.window)
        _mouse(viewport, QEvent.Type.MouseButtonRelease, target, left, none)
        self.shoot("18_calendar_refused_drag", self.window)

    def _details(self) -> None:
        item = self.view.grid.selected_item() or (self.view.grid.blocks[0].item if self.view.grid.blocks else None)
        if item is None:
            return
        dialog = self.page.open_appointment(item)
        dialog.reload()  # with its history
        self.shoot("20_calendar_appointment", dialog)
        dialog.reject()
