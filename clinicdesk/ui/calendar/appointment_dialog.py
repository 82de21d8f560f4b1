"""One appointment: its details, its who/when/why history, status moves, and a move to another time."""

from datetime import datetime, time

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.actions import MOVABLE, ActionBar
from clinicdesk.ui.calendar.permissions import APPOINTMENT_BOOK
from clinicdesk.ui.calendar.status_style import status_label, status_style
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.inputs import from_qdate, to_qdate
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table


class AppointmentDialog(QDialog):
    def __init__(self, app: AppContext, item: AppointmentItem, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.item = item
        self.setWindowTitle(self.tr("Appointment"))  # never patient data in a title
        self.setObjectName("appointmentDialog")
        self.resize(760, 560)
        self.banner = ErrorBanner()
        self.notice = QLabel()
        self.notice.setObjectName("infoBanner")
        self.notice.hide()
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("reference", self.tr("Reference")), ("patient", self.tr("Patient")),
                           ("service", self.tr("Service")), ("when", self.tr("When")),
                           ("staff", self.tr("Practitioner")), ("room", self.tr("Room")), ("status", self.tr("Status")),
                           ("source", self.tr("Booked by")), ("notes", self.tr("Notes"))):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            form.addRow(label, value)
            self.fields[key] = value
        self.history = ListTableModel([
            Column(self.tr("When"), lambda h: f"{format_date(h.at.date())} {h.at:%H:%M}"),
            Column(self.tr("By"), lambda h: h.by),
            Column(self.tr("Change"), lambda h: f"{status_label(h.from_status) if h.from_status else '—'} → "
                                                f"{status_label(h.to_status)}"),
            Column(self.tr("Why"), lambda h: h.reason, stretch=True),
        ], self)
        table = QTableView()
        configure_table(table, self.history)
        for column, width in ((0, 150), (1, 130), (2, 200)):
            table.setColumnWidth(column, width)
        history_box = QGroupBox(self.tr("History"))
        QVBoxLayout(history_box).addWidget(table)

        self.actions = ActionBar(app, self.show_problem)
        self.actions.setVisible(self.actions.has_actions())
        self.move_day = QDateEdit()
        self.move_day.setCalendarPopup(True)
        self.move_day.setDisplayFormat("ddd dd MMM yyyy")
        self.move_time = QTimeEdit()
        self.move_time.setDisplayFormat("HH:mm")
        self.move_button = QPushButton(self.tr("Move"))
        move_box = QGroupBox(self.tr("Move to another time"))
        move_row = QHBoxLayout(move_box)
        move_row.addWidget(self.move_day)
        move_row.addWidget(self.move_time)
        move_row.addWidget(self.move_button)
        move_row.addStretch(1)
        move_box.setVisible(app.may(APPOINTMENT_BOOK))
        self.move_box = move_box

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(history_box, 1)
        layout.addWidget(move_box)
        layout.addWidget(self.actions)
        layout.addWidget(buttons)
        self.move_button.clicked.connect(self.move)
        app.runner.changes_did_apply.connect(self._changes)
        self.show_item(item)

    def show_item(self, item: AppointmentItem) -> None:
        self.item = item
        style = status_style(item.status)
        self.fields["reference"].setText(item.reference)
        missed = self.tr(" · missed %1 appointment(s) before").replace("%1", str(item.patient_no_shows)) \
            if item.patient_no_shows else ""
        self.fields["patient"].setText(f"{item.patient_name}  ({item.patient_uhid}){missed}")
        self.fields["service"].setText(item.service_name)
        self.fields["when"].setText(f"{format_date(item.start.date())}, {item.start:%H:%M}–{item.end:%H:%M}")
        self.fields["staff"].setText(", ".join(item.staff_names) or "—")
        self.fields["room"].setText(item.room_name or "—")
        status = status_label(item.status)
        if item.approval_pending:
            status += " · " + self.tr("waiting for a doctor's approval")
        self.fields["status"].setText(status)
        self.fields["status"].setStyleSheet(f"QLabel {{ background: {style.fill}; border-left: 5px solid {style.edge};"
                                            " padding: 2px 6px; }")
        self.fields["source"].setText(code_label(item.source))
        self.fields["notes"].setText(item.notes or "—")
        self.history.set_rows(sorted(item.history, key=lambda h: h.at))
        self.actions.set_item(item)
        self.move_day.setDate(to_qdate(item.start.date()))
        self.move_time.setTime(QTime(item.start.hour, item.start.minute))
        self.move_box.setEnabled(item.status in MOVABLE)

    def _changes(self, changes: Changes) -> None:
        if changes.appointments and self.isVisible():
            self.reload()

    def reload(self) -> None:
        ctx, appointment_id = self.app.ctx, self.item.id

        def fetch() -> AppointmentItem:
            item = appointments.get_appointment(ctx, appointment_id)
            # A move leaves this one 'rescheduled' and a new appointment holding the time: follow it.
            while item.rescheduled_to:
                item = appointments.get_appointment(ctx, item.rescheduled_to)
            return item

        self.app.runner.run(fetch, owner=self, on_done=self.show_item, on_error=self.show_problem)

    def move(self) -> None:
        picked = self.move_time.time()
        start = datetime.combine(from_qdate(self.move_day.date()), time(picked.hour(), picked.minute()))
        self.banner.clear_messages()
        self.notice.hide()
        self.app.runner.run(appointments.reschedule, self.app.ctx, self.item.id, start,
                            reason=self.tr("Moved from the appointment window"), owner=self,
                            on_done=lambda _: self._moved(start), on_error=self.show_problem)

    def _moved(self, start: datetime) -> None:
        self.notice.setText(self.tr("Moved to %1.").replace("%1", f"{format_date(start.date())} {start:%H:%M}"))
        self.notice.show()
        if not self.isVisible():  # on screen, the changes signal has already reloaded (and followed) it
            self.reload()

    def show_problem(self, exc: Exception) -> None:
        self.notice.hide()
        self.banner.show_messages([(str(exc) if isinstance(exc, ValueError) else error_text(exc)).rstrip(".")])
