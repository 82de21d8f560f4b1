"""Today's queue: who is expected, who is here, who is in therapy; the desk moves each along with one click."""

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import appointments
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.appointment_dto import (
    CANCELLED,
    CHECKED_IN,
    COMPLETED,
    IN_PROGRESS,
    NO_SHOW,
    RESCHEDULED,
    AppointmentItem,
)
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.actions import ActionBar
from clinicdesk.ui.calendar.status_style import status_label, status_style
from clinicdesk.ui.calendar.table_model import StyledTableModel
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.portal.check_in_bar import CheckInCodeBar
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, configure_table, selected_row
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

STATUS_COLUMN = 5


class QueueView(RefreshingView):
    open_appointment = Signal(object)  # AppointmentItem

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.centre: CentreItem | None = None
        self.day: date | None = None
        title = QLabel(self.tr("Today's queue"))
        title.setObjectName("pageTitle")
        self.day_label = QLabel()
        self.day_label.setObjectName("muted")
        self.counts = QLabel()
        self.banner = ErrorBanner()
        self.model = StyledTableModel([
            Column(self.tr("Time"), lambda a: f"{a.start:%H:%M}–{a.end:%H:%M}"),
            Column(self.tr("Patient"), lambda a: a.patient_name, stretch=True),
            Column(self.tr("UHID"), lambda a: a.patient_uhid),
            Column(self.tr("Service"), lambda a: a.service_name),
            Column(self.tr("Practitioner"), lambda a: ", ".join(a.staff_names)),
            Column(self.tr("Status"), lambda a: status_label(a.status)),
            Column(self.tr("Room"), lambda a: a.room_name),
        ], cell_fill=lambda a, column: status_style(a.status).fill if column == STATUS_COLUMN else None,
            bold=lambda a: a.status in (CHECKED_IN, IN_PROGRESS), parent=self)
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        configure_table(self.table, self.model)
        for column, width in ((0, 110), (2, 140), (3, 170), (4, 190), (5, 110), (6, 160)):
            self.table.setColumnWidth(column, width)
        self.actions = ActionBar(app, self.show_problem)
        self.actions.setVisible(self.actions.has_actions())
        # the patient portal's code, scanned at the desk (a USB scanner types it and presses Enter)
        self.check_in_code = CheckInCodeBar(app, lambda: self.centre.id if self.centre else None)
        self.check_in_code.setVisible(app.may(Action.APPOINTMENT_UPDATE))

        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addWidget(self.day_label)
        heading.addStretch(1)
        heading.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(heading)
        layout.addWidget(self.check_in_code)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda _: self._open_selected())

    def set_centre(self, centre: CentreItem) -> None:
        self.centre = centre
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    def _today(self) -> date:
        zone = self.app.tz
        if self.centre is not None:
            try:
                zone = ZoneInfo(self.centre.timezone)
            except (KeyError, ValueError):
                pass
        return self.app.ctx.now().astimezone(zone).date()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.appointments

    def reload(self) -> None:
        if self.centre is None:
            return
        self.day = self._today()
        self.app.runner.run(appointments.today_queue, self.app.ctx, self.centre.id, self.day, owner=self,
                            on_done=self.show_queue, on_error=self.show_problem)

    def show_queue(self, items: list[AppointmentItem]) -> None:
        keep = self.selected().id if self.selected() else None
        # The service's order is the desk's: in the room, waiting, still to come, then done. A moved appointment's
        # old entry is left out; the new one holds the time.
        items = [a for a in items if a.status != RESCHEDULED]
        self.model.set_rows(items)
        self.day_label.setText(format_date(self.day) if self.day else "")
        self._count(items)
        self.banner.clear_messages()
        row = next((i for i, a in enumerate(items) if a.id == keep), None)
        if row is not None:
            self.table.selectRow(row)
        self._selection_changed()

    def _count(self, items: list[AppointmentItem]) -> None:
        gone = (CANCELLED, RESCHEDULED)
        booked = [a for a in items if a.status not in gone]
        here = sum(a.status == CHECKED_IN for a in booked)
        inside = sum(a.status == IN_PROGRESS for a in booked)
        done = sum(a.status == COMPLETED for a in booked)
        missed = sum(a.status == NO_SHOW for a in booked)
        self.counts.setText(self.tr("%1 booked · %2 waiting · %3 in therapy · %4 done · %5 no-show")
                            .replace("%1", str(len(booked))).replace("%2", str(here)).replace("%3", str(inside))
                            .replace("%4", str(done)).replace("%5", str(missed)))

    def selected(self) -> AppointmentItem | None:
        return selected_row(self.table)

    def select(self, appointment_id: str) -> bool:
        row = next((i for i, a in enumerate(self.model.rows()) if a.id == appointment_id), None)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _selection_changed(self) -> None:
        self.actions.set_item(self.selected())

    def _open_selected(self) -> None:
        if (item := self.selected()) is not None:
            self.open_appointment.emit(item)

    def show_problem(self, exc: Exception) -> None:
        self.banner.show_messages([(str(exc) if isinstance(exc, ValueError) else error_text(exc)).rstrip(".")])
