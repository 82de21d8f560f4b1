"""The Calendar page: a centre selector, booking buttons, and tabs for the calendar, today's queue and waitlist."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.appointment_dialog import AppointmentDialog
from clinicdesk.ui.calendar.booking_wizard import BookingWizard
from clinicdesk.ui.calendar.calendar_view import CalendarView
from clinicdesk.ui.calendar.permissions import APPOINTMENT_BOOK
from clinicdesk.ui.calendar.queue_view import QueueView
from clinicdesk.ui.calendar.waitlist_view import WaitlistView
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner

CALENDAR_TAB, QUEUE_TAB, WAITLIST_TAB = range(3)


class CalendarPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.centres: list[CentreItem] = []
        self.wizard: BookingWizard | None = None
        self.dialog: AppointmentDialog | None = None
        self._centres_loaded = False

        title = QLabel(self.tr("Calendar"))
        title.setObjectName("pageTitle")
        self.centre_combo = QComboBox()
        self.centre_combo.setMinimumWidth(160)
        may_book = app.may(APPOINTMENT_BOOK)
        self.walk_in_button = QPushButton(self.tr("Walk-in…"))
        self.walk_in_button.setToolTip(self.tr("Book a patient who is here now into the first free slot"))
        self.book_button = QPushButton(self.tr("New booking…"))
        self.book_button.setDefault(True)
        for button in (self.walk_in_button, self.book_button):
            button.setVisible(may_book)
        self.banner = ErrorBanner()

        self.calendar = CalendarView(app)
        self.queue = QueueView(app)
        self.waitlist = WaitlistView(app)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.calendar, self.tr("Calendar"))
        self.tabs.addTab(self.queue, self.tr("Today's queue"))
        self.tabs.addTab(self.waitlist, self.tr("Waitlist"))

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("Centre")))
        top.addWidget(self.centre_combo)
        top.addStretch(1)
        top.addWidget(self.walk_in_button)
        top.addWidget(self.book_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self.centre_combo.currentIndexChanged.connect(lambda _: self._centre_chosen())
        self.book_button.clicked.connect(lambda: self.open_booking())
        self.walk_in_button.clicked.connect(lambda: self.open_booking(walk_in=True))
        self.calendar.open_appointment.connect(self.open_appointment)
        self.queue.open_appointment.connect(self.open_appointment)
        self.waitlist.offers_changed.connect(self._offers_changed)
        self.waitlist.add_requested.connect(lambda: self.open_booking())
        app.runner.changes_did_apply.connect(self._changes)
        if may_book:
            QShortcut(QKeySequence("Ctrl+B"), self, activated=self.open_booking)

    # --- centres ---------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._centres_loaded:
            self.load_centres()

    def load_centres(self) -> None:
        self._centres_loaded = True
        self.app.runner.run(admin.list_centres, self.app.ctx, owner=self, on_done=self.set_centres,
                            on_error=lambda exc: self.banner.show_messages([error_text(exc).rstrip(".")]))

    def _changes(self, changes: Changes) -> None:
        if changes.centres:
            self.load_centres()

    def set_centres(self, centres: list[CentreItem]) -> None:
        self.centres = [c for c in centres if c.active]
        user = self.app.user
        keep = self.centre_combo.currentData() or (user.centre_id if user else None)
        self.centre_combo.blockSignals(True)
        self.centre_combo.clear()
        for centre in self.centres:
            self.centre_combo.addItem(f"{centre.name} ({centre.code})", centre.id)
        index = self.centre_combo.findData(keep)
        self.centre_combo.setCurrentIndex(max(0, index))
        self.centre_combo.blockSignals(False)
        self._centre_chosen()

    def centre(self) -> CentreItem | None:
        return next((c for c in self.centres if c.id == self.centre_combo.currentData()), None)

    def _centre_chosen(self) -> None:
        if (centre := self.centre()) is None:
            return
        for view in (self.calendar, self.queue, self.waitlist):
            view.set_centre(centre)
        if not self.waitlist.isVisible():
            self.waitlist.refresh_now()  # its tab shows how many offers wait, even while hidden

    def _offers_changed(self, offers: int) -> None:
        label = self.tr("Waitlist") if not offers else self.tr("Waitlist — %1 offer(s)").replace("%1", str(offers))
        self.tabs.setTabText(WAITLIST_TAB, label)
        self.tabs.tabBar().setTabTextColor(WAITLIST_TAB, Qt.GlobalColor.darkRed if offers else
                                           self.tabs.tabBar().palette().windowText().color())

    # --- booking and details ---------------------------------------------------------------------------------

    def open_booking(self, *, walk_in: bool = False, patient_id: str | None = None) -> BookingWizard | None:
        centre = self.centre()
        if centre is None or not self.app.may(APPOINTMENT_BOOK):
            return None
        day = self.calendar.day if not walk_in else self.calendar.today()
        self.wizard = BookingWizard(self.app, centre, self.calendar.staff, day=max(day, self.calendar.today()),
                                    walk_in=walk_in, now=self.calendar.now_local(), parent=self.window())
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.wizard.booked.connect(self._booked)
        self.wizard.waitlisted.connect(lambda _: self.tabs.setCurrentIndex(WAITLIST_TAB))
        self.wizard.open()
        if patient_id:
            self.wizard.patient_page.select_patient(patient_id)
        return self.wizard

    def _booked(self, appointment_id: str) -> None:
        wizard = self.wizard
        slot = wizard.slot() if wizard is not None else None
        if wizard is not None and wizard.walk_in:
            self.tabs.setCurrentIndex(QUEUE_TAB)
            self.queue.select(appointment_id)
            return
        if slot is not None:
            self.calendar.set_day(slot.start.date())
        self.tabs.setCurrentIndex(CALENDAR_TAB)
        self.calendar.grid.select(appointment_id)

    def open_appointment(self, item: AppointmentItem) -> AppointmentDialog:
        self.dialog = AppointmentDialog(self.app, item, parent=self.window())
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog.open()
        return self.dialog
