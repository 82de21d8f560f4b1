"""Day and week calendar: columns per practitioner or room, blocks by status, drag to reschedule, now line."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale, QPoint, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import admin, appointments
from clinicdesk.services.admin_dto import CentreItem, RoomItem, StaffItem
from clinicdesk.services.appointment_dto import AppointmentItem, SlotSuggestion
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar import layout
from clinicdesk.ui.calendar.actions import MOVABLE, add_actions_to_menu, run_transition
from clinicdesk.ui.calendar.booking_wizard import slot_when
from clinicdesk.ui.calendar.grid import CalendarGrid, DropTarget
from clinicdesk.ui.calendar.permissions import APPOINTMENT_BOOK
from clinicdesk.ui.calendar.status_style import StatusLegend
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.inputs import from_qdate, to_qdate
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

DAY, WEEK = "day", "week"
BY_STAFF, BY_ROOM = "staff", "room"
NOW_TICK_MS = 60_000
MOVE_SUGGESTIONS = 3


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def changes_touch_appointments(changes: Changes) -> bool:
    return changes.appointments


class CalendarView(RefreshingView):
    """Shows one centre's day (one column per practitioner or room) or week (one column per day)."""

    open_appointment = Signal(object)  # AppointmentItem
    moved = Signal(str)  # appointment id, after the service accepted a drag

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.centre: CentreItem | None = None
        self.day = app.today()
        self.mode, self.group = DAY, BY_STAFF
        self.staff: list[StaffItem] = []
        self.rooms: list[RoomItem] = []
        self.items: list[AppointmentItem] = []
        self._resources_stale = True
        self._load_seq = 0
        self._scrolled_for: tuple | None = None
        self._follow: str | None = None  # a moved appointment's old id: select its successor once loaded
        self.may_move = app.may(APPOINTMENT_BOOK)

        self.today_button = QPushButton(self.tr("Today"))
        self.today_button.setToolTip(self.tr("Today (Alt+Home)"))
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.prev_button.setToolTip(self.tr("Previous day (Alt+Left)"))
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip(self.tr("Next day (Alt+Right)"))
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd dd MMM yyyy")
        self.date_edit.setDate(to_qdate(self.day))
        self.day_button, self.week_button = self._toggle(self.tr("Day")), self._toggle(self.tr("Week"))
        self.staff_button = self._toggle(self.tr("By practitioner"))
        self.room_button = self._toggle(self.tr("By room"))
        self._exclusive(self.day_button, self.week_button)
        self._exclusive(self.staff_button, self.room_button)
        self.day_button.setChecked(True)
        self.staff_button.setChecked(True)
        self.resource_combo = QComboBox()
        self.resource_combo.setMinimumWidth(200)
        self.resource_combo.setVisible(False)
        self.show_cancelled = QCheckBox(self.tr("Show cancelled"))
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")

        bar = QHBoxLayout()
        for widget in (self.today_button, self.prev_button, self.date_edit, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.day_button)
        bar.addWidget(self.week_button)
        bar.addSpacing(12)
        bar.addWidget(self.staff_button)
        bar.addWidget(self.room_button)
        bar.addWidget(self.resource_combo)
        bar.addStretch(1)
        bar.addWidget(self.show_cancelled)

        self.legend = StatusLegend()
        self.banner = ErrorBanner()
        self.notice = QLabel()
        self.notice.setObjectName("infoBanner")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.suggestions_box = QWidget()
        self.suggestion_row = QHBoxLayout(self.suggestions_box)
        self.suggestion_row.setContentsMargins(0, 0, 0, 0)
        self.suggestion_row.addWidget(QLabel(self.tr("Free instead:")))
        self.suggestion_buttons: list[QPushButton] = []
        self.suggestions_box.hide()
        self.grid = CalendarGrid()
        self.grid.may_drag = lambda item: self.may_move and item.status in MOVABLE
        self.status = QLabel()
        self.status.setObjectName("muted")

        layout_ = QVBoxLayout(self)
        layout_.setContentsMargins(0, 0, 0, 0)
        layout_.addLayout(bar)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self.heading)
        legend_row.addSpacing(16)
        legend_row.addWidget(self.legend, 1)
        layout_.addLayout(legend_row)
        layout_.addWidget(self.banner)
        layout_.addWidget(self.notice)
        layout_.addWidget(self.suggestions_box)
        layout_.addWidget(self.grid, 1)
        layout_.addWidget(self.status)

        self.today_button.clicked.connect(lambda: self.set_day(self.today()))
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.day_button.toggled.connect(lambda on: on and self.set_mode(DAY))
        self.week_button.toggled.connect(lambda on: on and self.set_mode(WEEK))
        self.staff_button.toggled.connect(lambda on: on and self.set_group(BY_STAFF))
        self.room_button.toggled.connect(lambda on: on and self.set_group(BY_ROOM))
        self.resource_combo.currentIndexChanged.connect(lambda _: self._rebuild())
        self.show_cancelled.toggled.connect(lambda _: self._rebuild())
        self.grid.block_dropped.connect(self.reschedule)
        self.grid.block_activated.connect(self.open_appointment.emit)
        self.grid.context_requested.connect(self._context_menu)

        QShortcut(QKeySequence("Alt+Left"), self, activated=lambda: self.step(-1))
        QShortcut(QKeySequence("Alt+Right"), self, activated=lambda: self.step(1))
        QShortcut(QKeySequence("Alt+Home"), self, activated=lambda: self.set_day(self.today()))

        self._tick = QTimer(self)
        self._tick.setInterval(NOW_TICK_MS)
        self._tick.timeout.connect(self._update_now)
        self._tick.start()

    @staticmethod
    def _toggle(text: str) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(True)
        return button

    def _exclusive(self, *buttons: QPushButton) -> None:
        group = QButtonGroup(self)
        group.setExclusive(True)
        for button in buttons:
            group.addButton(button)

    # --- time ------------------------------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        if self.centre is not None:
            try:
                return ZoneInfo(self.centre.timezone)
            except (KeyError, ValueError):
                pass
        return self.app.tz

    def now_local(self) -> datetime:
        """Now, as a naive time in the shown centre's zone (the same kind of value as appointment times)."""
        return self.app.ctx.now().astimezone(self._zone()).replace(tzinfo=None)

    def today(self) -> date:
        return self.now_local().date()

    def _update_now(self) -> None:
        self.grid.set_now(self.now_local())

    # --- navigation ------------------------------------------------------------------------------------------

    def set_centre(self, centre: CentreItem) -> None:
        if self.centre is not None and self.centre.id == centre.id:
            self.centre = centre
            return
        first = self.centre is None
        self.centre = centre
        self._resources_stale = True
        if first:
            self.day = self.today()
            self.date_edit.blockSignals(True)
            self.date_edit.setDate(to_qdate(self.day))
            self.date_edit.blockSignals(False)
        self._reload_if_shown()

    def set_day(self, day: date) -> None:
        if day == self.day:
            return
        self.day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(to_qdate(day))
        self.date_edit.blockSignals(False)
        self._clear_messages()
        self._reload_if_shown()

    def _date_picked(self, value: QDate) -> None:
        self.set_day(from_qdate(value))

    def step(self, direction: int) -> None:
        self.set_day(self.day + timedelta(days=direction * (7 if self.mode == WEEK else 1)))

    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        self.week_button.setChecked(mode == WEEK)
        self.day_button.setChecked(mode == DAY)
        self.resource_combo.setVisible(mode == WEEK)
        tip = self.tr("Previous week (Alt+Left)") if mode == WEEK else self.tr("Previous day (Alt+Left)")
        self.prev_button.setToolTip(tip)
        self.next_button.setToolTip(self.tr("Next week (Alt+Right)") if mode == WEEK else
                                    self.tr("Next day (Alt+Right)"))
        self._fill_resource_combo()
        self._reload_if_shown()

    def set_group(self, group: str) -> None:
        if group == self.group:
            return
        self.group = group
        self.staff_button.setChecked(group == BY_STAFF)
        self.room_button.setChecked(group == BY_ROOM)
        self._fill_resource_combo()
        self._rebuild()

    def show_resource(self, key: str) -> None:
        """Week view of one practitioner or room."""
        index = self.resource_combo.findData(key)
        if index >= 0:
            self.resource_combo.setCurrentIndex(index)

    def _reload_if_shown(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    # --- loading ---------------------------------------------------------------------------------------------

    def is_relevant(self, changes: Changes) -> bool:
        if changes.staff or changes.centres:
            self._resources_stale = True
        return changes_touch_appointments(changes) or changes.staff or changes.centres

    def date_range(self) -> tuple[date, date]:
        if self.mode == WEEK:
            monday = monday_of(self.day)
            return monday, monday + timedelta(days=6)
        return self.day, self.day

    def reload(self) -> None:
        if self.centre is None:
            return
        ctx, centre_id = self.app.ctx, self.centre.id
        first, last = self.date_range()
        need_resources = self._resources_stale
        self._load_seq += 1
        seq = self._load_seq

        def fetch():
            # One service call for the appointments of the day (or week); staff and rooms only when they changed.
            resources = (admin.list_staff(ctx, include_inactive=False), admin.list_rooms(ctx, centre_id)) \
                if need_resources else None
            return resources, appointments.list_range(ctx, centre_id, first, last)

        self.app.runner.run(fetch, owner=self, on_done=lambda result: self._loaded(seq, result),
                            on_error=self._load_failed)

    def _loaded(self, seq: int, result) -> None:
        if seq != self._load_seq:
            return  # the person moved on to another day meanwhile
        resources, items = result
        if resources is not None:
            self.staff, self.rooms = list(resources[0]), list(resources[1])
            self._resources_stale = False
            self._fill_resource_combo()
        self.items = list(items)
        self._rebuild()

    def _load_failed(self, exc: Exception) -> None:
        self.grid.cancel_pending()
        self.banner.show_messages([error_text(exc).rstrip(".")])

    def show_items(self, centre: CentreItem, staff: list[StaffItem], rooms: list[RoomItem],
                   items: list[AppointmentItem], day: date) -> None:
        """Show given values without a service call (tests, benchmarks)."""
        self.centre, self.staff, self.rooms, self.items = centre, list(staff), list(rooms), list(items)
        self._resources_stale = False
        self.day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(to_qdate(day))
        self.date_edit.blockSignals(False)
        self._stale = False
        self._fill_resource_combo()
        self._rebuild()

    # --- building what the grid shows ------------------------------------------------------------------------

    def _centre_id(self) -> str:
        return self.centre.id if self.centre else ""

    def _holiday(self, day: date) -> str:
        if self.centre is None:
            return ""
        name = next((n for d, n in self.centre.holidays if d == day), None)
        return self.tr("Holiday: %1").replace("%1", name) if name is not None else ""

    def practitioners(self) -> list[StaffItem]:
        return [s for s in self.staff if s.centre_id == self._centre_id() and s.role in layout.PRACTITIONER_ROLES]

    def centre_rooms(self) -> list[RoomItem]:
        return [r for r in self.rooms if r.centre_id == self._centre_id() and r.active]

    def _fill_resource_combo(self) -> None:
        combo = self.resource_combo
        previous = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        if self.group == BY_STAFF:
            for person in self.practitioners():
                combo.addItem(person.full_name, person.id)
        else:
            for room in self.centre_rooms():
                combo.addItem(room.name, room.id)
        index = combo.findData(previous)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    @staticmethod
    def _day_title(day: date) -> tuple[str, str]:
        return QLocale().toString(to_qdate(day), "ddd d"), QLocale().toString(to_qdate(day), "MMM yyyy")

    def _rebuild(self) -> None:
        shown = [i for i in self.items if i.centre_id == self._centre_id()] if self.centre else list(self.items)
        if self.mode == WEEK:
            columns, keys_of = self._week_columns(), layout.by_day
            shown = [i for i in shown if self._in_week_resource(i)]
            first, last = self.date_range()
            heading = self.tr("Week of %1").replace("%1", format_date(first))
            day_of = lambda item: item.start.date()  # noqa: E731
        else:
            day, day_of = self.day, lambda item: self.day  # noqa: E731
            if self.group == BY_STAFF:
                columns = layout.practitioner_columns(self.staff, self._centre_id(), day, shown, self._holiday(day))
                keys_of = layout.by_staff
            else:
                columns = layout.room_columns(self.rooms, self._centre_id(), day, shown, self._holiday(day))
                keys_of = layout.by_room
            shown = [i for i in shown if i.start.date() <= day <= i.end.date()]
            heading = QLocale().toString(to_qdate(day), "dddd") + ", " + format_date(day)
        blocks = layout.place_blocks(shown, columns, keys_of, show_cancelled=self.show_cancelled.isChecked())
        first_minute, last_minute = layout.visible_range([b.item for b in blocks], day_of)
        # The block names what the column does not: the room in a practitioner's column and vice versa.
        self.grid.secondary_text = (lambda i: i.room_name) if self.group == BY_STAFF else \
            (lambda i: ", ".join(i.staff_names))
        self.grid.empty_text = self._empty_text()
        self.grid.set_content(columns, blocks, first_minute=first_minute, last_minute=last_minute)
        if self._follow is not None:
            successor = next((b.item.id for b in blocks if b.item.rescheduled_from == self._follow), None)
            if successor is not None:
                self._follow = None
                self.grid.select(successor)
        self.grid.set_now(self.now_local())
        self.heading.setText(heading)
        self._describe(blocks, shown)
        self._first_scroll(first_minute, blocks)

    def _empty_text(self) -> str:
        if self.mode == WEEK:
            return self.tr("Choose a practitioner or room to see their week.")
        if self.group == BY_STAFF:
            return self.tr("No practitioners work at this centre yet. Add them under Staff & roles.")
        return self.tr("This centre has no rooms yet. Add them under Rooms.")

    def _in_week_resource(self, item: AppointmentItem) -> bool:
        key = self.resource_combo.currentData()
        if key is None:
            return False
        return key in item.staff_ids if self.group == BY_STAFF else item.room_id == key

    def _week_columns(self) -> list[layout.GridColumn]:
        monday, _ = self.date_range()
        key = self.resource_combo.currentData()
        person = next((s for s in self.staff if s.id == key), None) if self.group == BY_STAFF else None
        if key is None:
            return []

        def closed_on(day: date):
            holiday = self._holiday(day)
            if holiday:
                return ((0, layout.MINUTES_PER_DAY),), holiday
            return layout.staff_closed(person, day) if person else ((), "")

        return layout.week_columns(monday, self._day_title, closed_on)

    def _describe(self, blocks: list[layout.GridBlock], shown: list[AppointmentItem]) -> None:
        booked = len({b.item.id for b in blocks})
        text = self.tr("%1 appointments").replace("%1", str(booked)) if booked != 1 else self.tr("1 appointment")
        if self.may_move and booked:
            text += " · " + self.tr("Drag a block to move it; double-click to open it.")
        self.status.setText(text)

    def _first_scroll(self, first_minute: int, blocks: list[layout.GridBlock]) -> None:
        """Open at the current time on today, else at the first booking; keep the scroll when only data changed."""
        key = (self.mode, self.group, self.day if self.mode == DAY else monday_of(self.day), self._centre_id())
        if key == self._scrolled_for:
            return
        self._scrolled_for = key
        now = self.now_local()
        first, last = self.date_range()
        if self.mode == WEEK and blocks:
            target = min(b.start_minute for b in blocks) - 30  # a week reads from the morning
        elif first <= now.date() <= last:
            target = now.hour * 60 + now.minute - 120  # the now line a third of the way down: done above, next below
        elif blocks:
            target = min(b.start_minute for b in blocks) - 30
        else:
            target = 8 * 60
        self.grid.scroll_to_minute(max(first_minute, target))

    # --- reschedule by drag ----------------------------------------------------------------------------------

    def reschedule(self, target: DropTarget) -> None:
        item = target.block.item
        source_key = self.grid.columns[target.block.column].key if target.block.column < len(self.grid.columns) \
            else ""
        room_id, staff_ids = None, None
        if self.mode == DAY and target.column.key != source_key:
            if target.column.key == layout.UNASSIGNED:
                self._refuse_move(ValueError(self.tr("Drop the appointment on a practitioner or room column.")))
                return
            if self.group == BY_STAFF:
                staff_ids = tuple(target.column.key if s == source_key else s for s in item.staff_ids) \
                    if source_key in item.staff_ids else (target.column.key,)
            else:
                room_id = target.column.key
        where = target.column.title if self.mode == DAY and target.column.key != source_key else ""
        self.move(item, target.start, room_id=room_id, staff_ids=staff_ids, where=where)

    def move(self, item: AppointmentItem, start: datetime, *, room_id: str | None = None,
             staff_ids: tuple[str, ...] | None = None, where: str = "") -> None:
        """Ask the service to move an appointment; a refusal explains itself and offers the nearest free slots."""
        self._clear_messages()
        self.app.runner.run(appointments.reschedule, self.app.ctx, item.id, start, room_id=room_id,
                            staff_ids=staff_ids, reason=self.tr("Moved on the calendar"), owner=self,
                            on_done=lambda _: self._move_accepted(item, start, where),
                            on_error=lambda exc: self._refuse_move(exc, item))

    def _move_accepted(self, item: AppointmentItem, start: datetime, where: str) -> None:
        text = self.tr("Moved %1's %2 to %3.").replace("%1", item.patient_name).replace("%2", item.service_name) \
            .replace("%3", f"{format_date(start.date())} {start:%H:%M}" + (f", {where}" if where else ""))
        self.notice.setText(text)
        self.notice.show()
        self._follow = item.id
        self.moved.emit(item.id)

    def _refuse_move(self, exc: Exception, item: AppointmentItem | None = None) -> None:
        self.grid.cancel_pending()
        self.notice.hide()
        self.banner.show_messages([self.tr("The appointment was not moved") + ". " +
                                   (str(exc) if isinstance(exc, ValueError) else error_text(exc)).rstrip(".")])
        # The service never offers the appointment's own place back (it filters it out).
        suggestions = tuple(getattr(exc, "suggestions", ()) if item is not None else ())[:MOVE_SUGGESTIONS]
        self._offer_moves(item, suggestions)

    def _offer_moves(self, item: AppointmentItem | None, suggestions: tuple[SlotSuggestion, ...]) -> None:
        """One click moves the appointment to a free slot the service named instead."""
        while (child := self.suggestion_row.takeAt(1)) is not None:
            if child.widget() is not None:
                child.widget().deleteLater()
        self.suggestion_buttons = []
        for slot in suggestions:
            # Short: the day and time, plus whoever or wherever differs from the appointment as it is.
            parts = [QLocale().toString(to_qdate(slot.start.date()), "ddd d MMM") + f" {slot.start:%H:%M}"]
            if item is not None and set(slot.staff_ids) != set(item.staff_ids):
                parts.append(", ".join(slot.staff_names))
            if item is not None and slot.room_id != item.room_id:
                parts.append(slot.room_name)
            button = QPushButton(" · ".join(parts))
            button.setToolTip(f"{slot_when(slot)}\n{', '.join(slot.staff_names)}\n{slot.room_name}")
            button.clicked.connect(lambda _=False, slot=slot: self.move(item, slot.start, room_id=slot.room_id,
                                                                         staff_ids=tuple(slot.staff_ids)))
            self.suggestion_row.addWidget(button)
            self.suggestion_buttons.append(button)
        self.suggestion_row.addStretch(1)
        self.suggestions_box.setVisible(bool(suggestions))

    def _clear_messages(self) -> None:
        self.banner.clear_messages()
        self.notice.hide()
        self.suggestions_box.hide()

    # --- menu ------------------------------------------------------------------------------------------------

    def _context_menu(self, item: AppointmentItem, where: QPoint) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.tr("Open…"), lambda: self.open_appointment.emit(item))
        menu.addSeparator()
        add_actions_to_menu(menu, self.app, item, lambda event: run_transition(self, self.app, item, event,
                                                                                on_error=self._action_failed))
        menu.popup(where)
        return menu

    def _action_failed(self, exc: Exception) -> None:
        self.banner.show_messages([(str(exc) if isinstance(exc, ValueError) else error_text(exc)).rstrip(".")])

    def appointment_rects(self, appointment_id: str):
        return self.grid.block_rects(appointment_id)

