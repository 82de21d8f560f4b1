"""Booking wizard: patient → service → when → slot suggestions (best first, with reasons) → room and staff → book.

A walk-in skips the "when" step: it asks for slots starting now. When nothing suits, the patient can be put on
the waitlist from the suggestions step.
"""

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clinicdesk.services import appointments, patients, waitlist
from clinicdesk.services.admin_dto import CentreItem, StaffItem
from clinicdesk.services.appointment_dto import (
    AppointmentItem,
    BookingRequest,
    ServiceItem,
    SlotSearchResult,
    SlotSuggestion,
)
from clinicdesk.services.patient_dto import PatientSummary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.layout import PRACTITIONER_ROLES
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.reception.patient_table_model import PatientTableModel
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.inputs import ChoiceCombo, from_qdate, to_qdate
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row

SEARCH_DEBOUNCE_MS = 150
SUGGESTION_COUNT = 5
PATIENT, SERVICE, WHEN, SLOTS, CONFIRM = range(5)
WALK_IN_STEP_MINUTES = 5


def round_up(moment: datetime, minutes: int = WALK_IN_STEP_MINUTES) -> datetime:
    """The next whole `minutes` mark (10:02 -> 10:05): a walk-in cannot start in the past."""
    moment = moment.replace(second=0, microsecond=0)
    return moment + timedelta(minutes=(-moment.minute) % minutes)


def slot_when(slot: SlotSuggestion) -> str:
    return f"{format_date(slot.start.date())}, {slot.start:%H:%M}–{slot.end:%H:%M}"


def visit_text(visit: AppointmentItem) -> str:
    """E.g. "Consultation, 19 Nov 2026 09:00 with Dr. Meera Nair": enough to tell one visit from another."""
    who = ", ".join(visit.staff_names)
    return f"{visit.service_name}, {format_date(visit.start.date())} {visit.start:%H:%M}" + (f" with {who}" if who
                                                                                            else "")


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str = ""):
        super().__init__()
        self.name = title
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.banner = ErrorBanner()
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.banner)

    @property
    def booking(self) -> "BookingWizard":
        return self.wizard()  # type: ignore[return-value]

    def show_problem(self, exc: Exception) -> None:
        self.banner.show_messages([error_text(exc).rstrip(".")])


class PatientPage(_Page):
    def __init__(self, app: AppContext):
        super().__init__(self.tr("Patient"), self.tr("Search by name (any script), phone, UHID or ABHA number."))
        self.app = app
        self._seq = 0
        self.search_box = QLineEdit()
        self.search_box.setObjectName("wizardPatientSearch")
        self.search_box.setPlaceholderText(self.tr("Type to search…"))
        self.search_box.setClearButtonEnabled(True)
        self.model = PatientTableModel(app.today, self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(2, 80)
        self.table.setColumnWidth(3, 140)
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.box.addWidget(self.search_box)
        self.box.addWidget(self.table, 1)
        self.box.addWidget(self.status)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _: self._debounce.start())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.completeChanged.emit())
        self.table.doubleClicked.connect(lambda _: self.booking.next())

    def initializePage(self) -> None:
        if not self.model.rowCount():
            self.search_now()

    def search_now(self) -> None:
        self._debounce.stop()
        self._seq += 1
        seq, typed = self._seq, self.search_box.text()
        self.app.runner.run(patients.search_patients, self.app.ctx, typed, owner=self,
                            on_done=lambda rows: self._show(seq, rows), on_error=self.show_problem)

    def _show(self, seq: int, rows: list[PatientSummary]) -> None:
        if seq != self._seq:
            return
        self.model.set_patients(rows)
        if len(rows) == 1:
            self.table.selectRow(0)
        self.status.setText(self.tr("No patient matches. Register the patient on the Patients page first.")
                            if not rows else "")
        self.completeChanged.emit()

    def select_patient(self, patient_id: str) -> bool:
        row = next((i for i, p in enumerate(self.model.rows()) if p.id == patient_id), None)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def patient(self) -> PatientSummary | None:
        return selected_row(self.table)

    def isComplete(self) -> bool:
        return self.patient() is not None


class ServicePage(_Page):
    def __init__(self, app: AppContext):
        super().__init__(self.tr("Service"), self.tr("Choose the consultation or therapy to book."))
        self.app = app
        self.services: list[ServiceItem] = []
        self.category = QComboBox()
        self.category.addItem(self.tr("All kinds"), "")
        self.model = ListTableModel([
            Column(self.tr("Service"), lambda s: s.name, stretch=True),
            Column(self.tr("Kind"), lambda s: code_label(s.category)),
            Column(self.tr("Duration"), self._duration),
            Column(self.tr("Needs"), self._needs),
            Column(self.tr("Price"), lambda s: f"₹ {s.price:,.0f}"),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in ((1, 120), (2, 90), (3, 260), (4, 90)):
            self.table.setColumnWidth(column, width)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.category)
        top.addStretch(1)
        # A follow-up takes the service's follow-up length and is linked to the visit it follows.
        self.visits: list[AppointmentItem] = []
        self._visits_for: str | None = None
        self.follow_up = QComboBox()
        self.follow_up.setObjectName("followUpOf")
        self.follow_up.addItem(self.tr("Not a follow-up"), None)
        self.follow_up.setEnabled(False)
        follow_row = QHBoxLayout()
        follow_row.addWidget(QLabel(self.tr("Follow-up")))
        follow_row.addWidget(self.follow_up, 1)
        self.box.addLayout(top)
        self.box.addWidget(self.table, 1)
        self.box.addLayout(follow_row)
        self.category.currentIndexChanged.connect(lambda _: self._filter())
        self.follow_up.currentIndexChanged.connect(lambda _: self._follow_up_chosen())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.completeChanged.emit())
        self.table.doubleClicked.connect(lambda _: self.booking.next())

    def _duration(self, service: ServiceItem) -> str:
        return self.tr("%1 min").replace("%1", str(service.duration_minutes))

    def _needs(self, service: ServiceItem) -> str:
        parts = [code_label(t) for t in service.room_types]
        if service.staff_count > 1:
            parts.append(self.tr("%1 therapists").replace("%1", str(service.staff_count)))
        if service.needs_approval:
            parts.append(self.tr("doctor's approval"))
        return ", ".join(parts)

    def initializePage(self) -> None:
        if not self.services:
            self.app.runner.run(appointments.list_services, self.app.ctx, owner=self, on_done=self.show_services,
                                on_error=self.show_problem)
        patient = self.booking.patient()
        patient_id = patient.id if patient else None
        if patient_id != self._visits_for:
            self._visits_for = patient_id
            self.show_visits([])
            if patient_id:
                self.app.runner.run(appointments.recent_visits, self.app.ctx, patient_id, owner=self,
                                    on_done=lambda visits: self._visits_loaded(patient_id, visits),
                                    on_error=self.show_problem)

    def _visits_loaded(self, patient_id: str, visits: list[AppointmentItem]) -> None:
        if patient_id == self._visits_for:
            self.show_visits(visits)

    def show_visits(self, visits: list[AppointmentItem]) -> None:
        self.visits = list(visits)
        self.follow_up.blockSignals(True)
        while self.follow_up.count() > 1:
            self.follow_up.removeItem(1)
        for visit in self.visits:
            self.follow_up.addItem(self.tr("Follow-up of: %1").replace("%1", visit_text(visit)), visit.id)
        self.follow_up.setCurrentIndex(0)
        self.follow_up.blockSignals(False)
        self.follow_up.setEnabled(bool(self.visits))

    def _follow_up_chosen(self) -> None:
        visit = self.follow_up_visit()
        if visit is not None and (self.service() is None or self.service().id != visit.service_id):
            if not self.select_service(visit.service_id) and self.category.currentIndex():
                self.category.setCurrentIndex(0)  # the visit's service is hidden by the filter: show all
                self.select_service(visit.service_id)

    def follow_up_visit(self) -> AppointmentItem | None:
        chosen = self.follow_up.currentData()
        return next((visit for visit in self.visits if visit.id == chosen), None)

    def show_services(self, services: list[ServiceItem]) -> None:
        self.services = [s for s in services if s.active]
        kinds = sorted({s.category for s in self.services})
        self.category.blockSignals(True)
        while self.category.count() > 1:
            self.category.removeItem(1)
        for kind in kinds:
            self.category.addItem(code_label(kind), kind)
        self.category.blockSignals(False)
        self._filter()

    def _filter(self) -> None:
        kind = self.category.currentData()
        keep = self.service()
        shown = [s for s in self.services if not kind or s.category == kind]
        self.model.set_rows(shown)
        if keep is not None:
            self.select_service(keep.id)
        self.completeChanged.emit()

    def select_service(self, service_id: str) -> bool:
        row = next((i for i, s in enumerate(self.model.rows()) if s.id == service_id), None)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def service(self) -> ServiceItem | None:
        return selected_row(self.table)

    def isComplete(self) -> bool:
        return self.service() is not None


class WhenPage(_Page):
    def __init__(self, app: AppContext, practitioners: list[StaffItem], day: date):
        super().__init__(self.tr("When"), self.tr("The patient's wishes; the suggestions respect them where "
                                                  "they can and say so where they cannot."))
        self.app = app
        self.practitioners = practitioners
        form = QFormLayout()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd dd MMM yyyy")
        self.day.setDate(to_qdate(day))
        self.exact = QCheckBox(self.tr("At a particular time"))
        self.at = QTimeEdit(QTime(10, 0))
        self.at.setDisplayFormat("HH:mm")
        self.at.setEnabled(False)
        exact_row = QHBoxLayout()
        exact_row.addWidget(self.exact)
        exact_row.addWidget(self.at)
        exact_row.addStretch(1)
        self.time_of_day = ChoiceCombo([("", self.tr("Any time")), ("morning", self.tr("Morning (before 12:00)")),
                                        ("afternoon", self.tr("Afternoon (12:00–16:00)")),
                                        ("evening", self.tr("Evening (after 16:00)"))])
        self.practitioner = QComboBox()
        self.gender_match = QCheckBox(self.tr("Therapist of the patient's gender is required"))
        self.search_days = QSpinBox()
        self.search_days.setRange(1, 28)
        self.search_days.setValue(7)
        self.search_days.setSuffix(self.tr(" days"))
        self.source = ChoiceCombo([("front_desk", self.tr("At the desk")), ("phone", self.tr("Phone call")),
                                   ("walk_in", self.tr("Walk-in")), ("self_service", self.tr("Self-service"))])
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(self.tr("Anything the therapist should know (optional)"))
        form.addRow(self.tr("Day"), self.day)
        form.addRow("", _wrap(exact_row))
        form.addRow(self.tr("Time of day"), self.time_of_day)
        form.addRow(self.tr("Preferred practitioner"), self.practitioner)
        form.addRow("", self.gender_match)
        form.addRow(self.tr("Look ahead"), self.search_days)
        form.addRow(self.tr("Booked by"), self.source)
        form.addRow(self.tr("Notes"), self.notes)
        self.box.addLayout(form)
        self.box.addStretch(1)
        self.exact.toggled.connect(self.at.setEnabled)
        self.exact.toggled.connect(lambda on: self.time_of_day.setEnabled(not on))

    def initializePage(self) -> None:
        service = self.booking.service()
        previous = self.practitioner.currentData()
        self.practitioner.clear()
        self.practitioner.addItem(self.tr("Anyone suitable"), "")
        for person in self.practitioners:
            if offers(person, service):
                self.practitioner.addItem(person.full_name, person.id)
        index = self.practitioner.findData(previous)
        self.practitioner.setCurrentIndex(max(0, index))

    def preferences(self) -> dict:
        staff_id = self.practitioner.currentData()
        return dict(day=from_qdate(self.day.date()),
                    at=time(self.at.time().hour(), self.at.time().minute()) if self.exact.isChecked() else None,
                    time_of_day=None if self.exact.isChecked() else (self.time_of_day.value() or None),
                    preferred_staff_ids=(staff_id,) if staff_id else (),
                    gender_match_required=self.gender_match.isChecked(), search_days=self.search_days.value(),
                    source=self.source.value(), notes=self.notes.text().strip())


def offers(person: StaffItem, service: ServiceItem | None) -> bool:
    """Whether to list this person as a preferred practitioner for the service (the scheduler has the last word)."""
    if service is None:
        return True
    if service.practitioner_ids:
        return person.id in service.practitioner_ids
    skills = set(person.profile.skills) if person.profile else set()
    return not service.skills or bool(skills & set(service.skills))


def _wrap(layout) -> QWidget:
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder


class SlotsPage(_Page):
    def __init__(self, app: AppContext):
        super().__init__(self.tr("Suggested slots"), self.tr("Best first. Each says why it was chosen."))
        self.app = app
        self.result: SlotSearchResult | None = None
        self._searched_for: BookingRequest | None = None
        self._seq = 0
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("QLabel#explanation { background: #fff4d6; color: #5c3d00; border: 1px "
                                       "solid #e0b65a; border-radius: 4px; padding: 8px; }")
        self.explanation.hide()
        self.no_shows = QLabel()
        self.no_shows.setObjectName("errorBanner")
        self.no_shows.hide()
        self.model = ListTableModel([
            Column(self.tr("When"), slot_when),
            Column(self.tr("Practitioner"), lambda s: ", ".join(s.staff_names)),
            Column(self.tr("Room"), lambda s: s.room_name),
            Column(self.tr("Why"), lambda s: "; ".join(s.reasons), stretch=True),
        ], self)
        self.table = QTableView()
        self.table.setObjectName("slotTable")
        configure_table(self.table, self.model)
        for column, width in ((0, 200), (1, 190), (2, 170)):
            self.table.setColumnWidth(column, width)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setObjectName("muted")
        self.status = QLabel()
        self.waitlist_button = QPushButton(self.tr("Add to waitlist instead"))
        self.waitlist_button.setObjectName("waitlistButton")
        self.search_again = QPushButton(self.tr("Search again"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.search_again)
        buttons.addWidget(self.waitlist_button)
        self.box.addWidget(self.explanation)
        self.box.addWidget(self.no_shows)
        self.box.addWidget(self.table, 1)
        self.box.addWidget(self.reasons)
        self.box.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda _: self.booking.next())
        self.search_again.clicked.connect(lambda: self.search(force=True))
        self.waitlist_button.clicked.connect(lambda: self.booking.add_to_waitlist())

    def initializePage(self) -> None:
        self.search()

    def search(self, *, force: bool = False) -> None:
        request = self.booking.request()
        if request is None or (request == self._searched_for and not force and self.result is not None):
            return
        self._searched_for = request
        self._seq += 1
        seq = self._seq
        self.banner.clear_messages()
        self.model.set_rows([])
        self.status.setText(self.tr("Looking for slots…"))
        self.app.runner.run(appointments.find_slots, self.app.ctx, request, count=SUGGESTION_COUNT, owner=self,
                            on_done=lambda result: self.show_result(seq, result), on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.status.setText("")
        self.show_problem(exc)

    def show_result(self, seq: int, result: SlotSearchResult) -> None:
        if seq != self._seq:
            return
        self.result = result
        self.model.set_rows(list(result.suggestions))
        self.explanation.setText(result.explanation)
        self.explanation.setVisible(bool(result.explanation))
        missed = result.patient_no_shows
        self.no_shows.setText(self.tr("This patient has missed %1 appointment(s). Consider a reminder call the day "
                                      "before.").replace("%1", str(missed)))
        self.no_shows.setVisible(missed > 0)
        if result.suggestions:
            self.table.selectRow(0)
            self.status.setText(self.tr("%1 suggestions.").replace("%1", str(len(result.suggestions)))
                                if len(result.suggestions) != 1 else self.tr("1 suggestion."))
        else:
            self.status.setText(self.tr("Nothing suitable in the days searched. Put the patient on the waitlist, "
                                        "or go back and widen the search."))
        self._selection_changed()

    def _selection_changed(self) -> None:
        slot = self.slot()
        self.reasons.setText(("• " + "\n• ".join(slot.reasons)) if slot and slot.reasons else "")
        self.completeChanged.emit()

    def slot(self) -> SlotSuggestion | None:
        return selected_row(self.table)

    def isComplete(self) -> bool:
        return self.slot() is not None


class ConfirmPage(_Page):
    def __init__(self, app: AppContext):
        super().__init__(self.tr("Room, staff and confirmation"), self.tr("Check the details with the patient, "
                                                                          "then book."))
        self.app = app
        self._booking = False
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label in (("patient", self.tr("Patient")), ("service", self.tr("Service")),
                           ("follow_up", self.tr("Follow-up of")), ("when", self.tr("When")),
                           ("room", self.tr("Room")), ("staff", self.tr("Practitioner")),
                           ("why", self.tr("Why this slot")), ("source", self.tr("Booked by")),
                           ("notes", self.tr("Notes"))):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.values[key] = value
        for key in ("when", "room", "staff"):
            self.values[key].setStyleSheet("font-weight: 600;")
        self.check_in = QCheckBox(self.tr("The patient is here: check in now"))
        self.check_in.setVisible(False)
        self.box.addLayout(form)
        self.box.addWidget(self.check_in)
        self.box.addStretch(1)

    def initializePage(self) -> None:
        self.banner.clear_messages()
        wizard = self.booking
        patient, service, slot, request = wizard.patient(), wizard.service(), wizard.slot(), wizard.request()
        if not (patient and service and slot and request):
            return
        self.values["patient"].setText(f"{patient.display_name}  ({patient.uhid})")
        visit = wizard.service_page.follow_up_visit()
        length = service.follow_up_duration_minutes if visit and service.follow_up_duration_minutes \
            else service.duration_minutes
        minutes = self.tr("%1 min").replace("%1", str(length))
        self.values["service"].setText(f"{service.name} · {minutes}")
        self.values["follow_up"].setText(visit_text(visit) if visit else self.tr("Not a follow-up"))
        self.values["when"].setText(slot_when(slot))
        self.values["room"].setText(slot.room_name)
        self.values["staff"].setText(", ".join(slot.staff_names))
        self.values["why"].setText("; ".join(slot.reasons))
        self.values["source"].setText(wizard.when.source.currentText() if not wizard.walk_in else self.tr("Walk-in"))
        self.values["notes"].setText(request.notes or "—")
        self.check_in.setVisible(wizard.walk_in)
        self.check_in.setChecked(wizard.walk_in)

    def validatePage(self) -> bool:
        """Finish books; the wizard closes only once the service said yes."""
        if self.booking.booked_id is not None:
            return True
        if not self._booking:
            self._booking = True
            self.booking.book()
        return False

    def refused(self, exc: Exception) -> None:
        self._booking = False
        self.show_problem(exc)

    def accepted(self) -> None:
        self._booking = False


class BookingWizard(QWizard):
    booked = Signal(str)  # appointment id
    waitlisted = Signal(str)  # patient id

    def __init__(self, app: AppContext, centre: CentreItem, staff: list[StaffItem], *, day: date,
                 walk_in: bool = False, now: datetime | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.centre = centre
        self.walk_in = walk_in
        self.now = now
        self.booked_id: str | None = None
        self.outcome = ""
        self.setObjectName("bookingWizard")
        # Window titles never carry patient data.
        self.setWindowTitle(self.tr("Walk-in") if walk_in else self.tr("New booking"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(900, 640)
        practitioners = sorted((s for s in staff if s.centre_id == centre.id and s.active
                                and s.role in PRACTITIONER_ROLES), key=lambda s: s.full_name.casefold())
        self.patient_page = PatientPage(app)
        self.service_page = ServicePage(app)
        self.when = WhenPage(app, practitioners, day)
        self.slots = SlotsPage(app)
        self.confirm = ConfirmPage(app)
        for page_id, page in ((PATIENT, self.patient_page), (SERVICE, self.service_page), (WHEN, self.when),
                              (SLOTS, self.slots), (CONFIRM, self.confirm)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Book"))
        steps = [PATIENT, SERVICE, SLOTS, CONFIRM] if walk_in else [PATIENT, SERVICE, WHEN, SLOTS, CONFIRM]
        for number, page_id in enumerate(steps, start=1):
            page = self.page(page_id)
            page.setTitle(self.tr("Step %1 of %2 · %3").replace("%1", str(number)).replace("%2", str(len(steps)))
                          .replace("%3", page.name))
        if walk_in:
            self.when.source.set_value("walk_in")

    def nextId(self) -> int:
        current = self.currentId()
        if current == SERVICE and self.walk_in:
            return SLOTS  # a walk-in is booked from now on: no preferences to ask
        return super().nextId()

    # --- what has been chosen --------------------------------------------------------------------------------

    def patient(self) -> PatientSummary | None:
        return self.patient_page.patient()

    def service(self) -> ServiceItem | None:
        return self.service_page.service()

    def slot(self) -> SlotSuggestion | None:
        return self.slots.slot()

    def request(self) -> BookingRequest | None:
        patient, service = self.patient(), self.service()
        if patient is None or service is None:
            return None
        visit = self.service_page.follow_up_visit()
        follow_up_of = visit.id if visit is not None else None
        if self.walk_in:
            start = round_up(self.now or self.app.ctx.now().astimezone(self.app.tz).replace(tzinfo=None))
            return BookingRequest(patient.id, service.id, self.centre.id, start.date(), at=start.time(),
                                  search_days=1, source="walk_in", follow_up_of=follow_up_of)
        return BookingRequest(patient.id, service.id, self.centre.id, follow_up_of=follow_up_of,
                              **self.when.preferences())

    # --- actions ---------------------------------------------------------------------------------------------

    def book(self) -> None:
        request, slot, service = self.request(), self.slot(), self.service()
        if request is None or slot is None:
            return
        # The patient is standing at the desk: book and check in as one transaction, so a refusal of either
        # leaves nothing half done and is shown here, on the page that can still do something about it.
        check_in = self.walk_in and self.confirm.check_in.isChecked() and service is not None \
            and not service.needs_approval
        self.app.runner.run(appointments.book, self.app.ctx, request, slot, check_in=check_in, owner=self,
                            on_done=lambda result: self._booked(result, checked_in=check_in),
                            on_error=self._refused)

    def _booked(self, result, *, checked_in: bool = False) -> None:
        appointment_id = result[0] if isinstance(result, tuple) else result
        self.booked_id = appointment_id
        self.confirm.accepted()
        if checked_in:
            self.outcome = "check_in"
        self.booked.emit(appointment_id)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        """Someone took the slot meanwhile (or a rule refused it): say why, next to fresh suggestions."""
        self.confirm.refused(exc)
        if self.currentId() == CONFIRM:
            self.back()
        self.slots.search(force=True)
        self.slots.show_problem(exc)

    def add_to_waitlist(self) -> None:
        patient, service = self.patient(), self.service()
        if patient is None or service is None:
            return
        prefs = self.when.preferences() if not self.walk_in else {"day": self.app.today(), "preferred_staff_ids": ()}
        staff = prefs["preferred_staff_ids"]
        self.app.runner.run(waitlist.add, self.app.ctx, patient.id, service.id, self.centre.id, day=prefs["day"],
                            staff_id=staff[0] if staff else None, owner=self,
                            on_done=lambda _: self._waitlisted(patient.id), on_error=self.slots.show_problem)

    def _waitlisted(self, patient_id: str) -> None:
        self.outcome = "waitlist"
        self.waitlisted.emit(patient_id)
        self.accept()
