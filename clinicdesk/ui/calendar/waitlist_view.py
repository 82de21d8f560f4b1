"""The waitlist: patients waiting for a day or a practitioner; a freed slot offered to one shows highlighted."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.services import waitlist
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.appointment_dto import WaitlistEntry
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.permissions import APPOINTMENT_BOOK
from clinicdesk.ui.calendar.table_model import StyledTableModel
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, configure_table, selected_row
from clinicdesk.ui.widgets.messages import confirm
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

OFFERED, WAITING = "offered", "waiting"
OFFER_FILL = "#ffe9a8"
_STATUS = {"waiting": "Waiting", "offered": "Slot offered", "booked": "Booked", "withdrawn": "Withdrawn"}


class WaitlistView(RefreshingView):
    offers_changed = Signal(int)  # how many offers wait for the desk (for the tab's label)
    add_requested = Signal()

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.centre: CentreItem | None = None
        title = QLabel(self.tr("Waitlist"))
        title.setObjectName("pageTitle")
        hint = QLabel(self.tr("When a slot frees up, the first suitable patient is offered it and the row turns "
                              "yellow. Call the patient, then accept or decline the offer."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.banner = ErrorBanner()
        self.notice = QLabel()
        self.notice.setObjectName("infoBanner")
        self.notice.hide()
        self.model = StyledTableModel([
            Column(self.tr("Patient"), lambda e: e.patient_name),
            Column(self.tr("Service"), lambda e: e.service_name),
            Column(self.tr("Waiting for"), self._waiting_for),
            Column(self.tr("Since"), lambda e: f"{format_date(e.created_at.date())} {e.created_at:%H:%M}"),
            Column(self.tr("Status"), lambda e: self.tr(_STATUS.get(e.status, e.status))),
            Column(self.tr("Offered slot"), self._offer_text, stretch=True),
        ], cell_fill=lambda e, _column: OFFER_FILL if e.status == OFFERED else None,
            bold=lambda e: e.status == OFFERED, parent=self)
        self.table = QTableView()
        self.table.setObjectName("waitlistTable")
        configure_table(self.table, self.model)
        for column, width in ((0, 200), (1, 190), (2, 210), (3, 140), (4, 110)):
            self.table.setColumnWidth(column, width)
        may_book = app.may(APPOINTMENT_BOOK)
        self.accept_button = QPushButton(self.tr("Accept offer and book"))
        self.decline_button = QPushButton(self.tr("Decline offer"))
        self.withdraw_button = QPushButton(self.tr("Remove from waitlist"))
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.add_button = QPushButton(self.tr("Add patient to waitlist…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        for button in (self.accept_button, self.decline_button, self.withdraw_button, self.add_button):
            button.setVisible(may_book)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.accept_button.clicked.connect(self.accept_selected)
        self.decline_button.clicked.connect(self.decline_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.add_button.clicked.connect(self.add_requested.emit)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._selection_changed()

    def _waiting_for(self, entry: WaitlistEntry) -> str:
        parts = []
        if entry.day is not None:
            parts.append(self.tr("any time on %1").replace("%1", format_date(entry.day)))
        if entry.staff_id:
            parts.append(entry.staff_name or self.tr("a practitioner"))
        return ", ".join(parts) or self.tr("the first free slot")

    def _offer_text(self, entry: WaitlistEntry) -> str:
        slot = entry.offered_slot
        if slot is None:
            return ""
        return f"{format_date(slot.start.date())} {slot.start:%H:%M} · {slot.room_name} · {', '.join(slot.staff_names)}"

    def set_centre(self, centre: CentreItem) -> None:
        self.centre = centre
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.appointments

    def reload(self) -> None:
        if self.centre is None:
            return
        self.app.runner.run(waitlist.list_entries, self.app.ctx, self.centre.id, owner=self,
                            on_done=self.show_entries, on_error=self.show_problem)

    def show_entries(self, entries: list[WaitlistEntry]) -> None:
        keep = self.selected().id if self.selected() else None
        # Offers first: they expire if nobody calls the patient.
        entries = sorted(entries, key=lambda e: (e.status != OFFERED, e.status != WAITING, e.created_at))
        self.model.set_rows(entries)
        row = next((i for i, e in enumerate(entries) if e.id == keep), None)
        if row is not None:
            self.table.selectRow(row)
        self._selection_changed()
        offers = sum(e.status == OFFERED for e in entries)
        if not entries:
            self.status.setText(self.tr("Nobody is waiting at this centre."))
        else:
            self.status.setText(self.tr("%1 waiting, %2 with an offer to answer.").replace("%1", str(len(entries)))
                                .replace("%2", str(offers)))
        self.offers_changed.emit(offers)

    def offers(self) -> int:
        return sum(e.status == OFFERED for e in self.model.rows())

    def selected(self) -> WaitlistEntry | None:
        return selected_row(self.table)

    def select(self, entry_id: str) -> bool:
        row = next((i for i, e in enumerate(self.model.rows()) if e.id == entry_id), None)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def _selection_changed(self) -> None:
        entry = self.selected()
        offered = entry is not None and entry.status == OFFERED
        self.accept_button.setEnabled(offered)
        self.decline_button.setEnabled(offered)
        self.withdraw_button.setEnabled(entry is not None)

    def accept_selected(self) -> None:
        entry = self.selected()
        if entry is None or entry.status != OFFERED:
            return
        self.banner.clear_messages()
        self.app.runner.run(waitlist.accept_offer, self.app.ctx, entry.id, owner=self,
                            on_done=lambda _: self._done(self.tr("Booked %1 into the offered slot.")
                                                         .replace("%1", entry.patient_name)),
                            on_error=self.show_problem)

    def decline_selected(self) -> None:
        entry = self.selected()
        if entry is None or entry.status != OFFERED:
            return
        self.banner.clear_messages()
        self.app.runner.run(waitlist.decline_offer, self.app.ctx, entry.id, owner=self,
                            on_done=lambda _: self._done(self.tr("Offer declined; the slot goes to the next "
                                                                 "suitable patient.")),
                            on_error=self.show_problem)

    def withdraw_selected(self) -> None:
        entry = self.selected()
        if entry is None or not confirm(self, self.tr("Take %1 off the waitlist for %2?")
                                        .replace("%1", entry.patient_name).replace("%2", entry.service_name)):
            return
        self.banner.clear_messages()
        self.app.runner.run(waitlist.withdraw, self.app.ctx, entry.id, owner=self,
                            on_done=lambda _: self._done(self.tr("%1 is off the waitlist.")
                                                         .replace("%1", entry.patient_name)),
                            on_error=self.show_problem)

    def _done(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def show_problem(self, exc: Exception) -> None:
        self.notice.hide()
        self.banner.show_messages([error_text(exc).rstrip(".")])
