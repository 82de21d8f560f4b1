"""Appointment and waitlist calls for the role x action matrix: a bookable corner of its clinic and fresh records."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clinicdesk.domain.roles import Action, may
from clinicdesk.services import admin, appointments, patients, waitlist
from clinicdesk.services.admin_dto import PractitionerProfile, RoomDraft, StaffDraft, WorkingHours
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.context import ServiceContext
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import patient_draft

SERVICE = dict(code="MTX", name="Matrix check", category="therapy", duration_minutes=15, room_types=("procedure",),
               skills=("matrix",), price=Decimal("100"))


class Diary:
    """Makes appointments and waitlist offers in the state each call needs, through the real services."""

    def __init__(self, boss: ServiceContext, centre: str):
        self.boss, self.centre = boss, centre
        self.today = boss.now().date()  # the matrix clock reads 10:00 in Kochi, the same date as UTC
        self.days = itertools.count(2)
        self.ids: dict[str, str] = {}

    def set_up(self) -> None:
        for name in ("Matrix room 1", "Matrix room 2"):
            admin.save_room(self.boss, RoomDraft(self.centre, name, "procedure"))
        for index in (1, 2):
            admin.create_staff(self.boss, StaffDraft(
                f"matrix.t{index}", f"Matrix Therapist {index}", "therapist", self.centre, "female",
                profile=PractitionerProfile(skills=("matrix",)),
                hours=tuple(WorkingHours(day, time(6, 0), time(23, 0)) for day in range(7))), STAFF_PASSWORD)
        self.ids["service"], _ = appointments.save_service(self.boss, **SERVICE)
        self.ids["approval"], _ = appointments.save_service(self.boss, **(SERVICE | dict(
            code="MTX-A", name="Matrix approval", needs_approval=True)))
        for key, phone in (("booker", "98470 70001"), ("waiter", "98470 70002"), ("mover", "98470 70003")):
            self.ids[key], _ = patients.register_patient(self.boss, patient_draft(given_name="Matrix", phone=phone))
        self.ids["appointment"] = self.fresh()
        self.ids["entry"] = self.entry()

    def request(self, patient: str = "booker", *, day: date | None = None, service: str = "service",
                source: str = "front_desk") -> BookingRequest:
        return BookingRequest(self.ids[patient], self.ids[service], self.centre, day or self.today + timedelta(1),
                              search_days=30, source=source)

    def fresh(self, *, today: bool = False, service: str = "service", source: str = "front_desk",
              patient: str = "booker", moves: tuple[str, ...] = ()) -> str:
        """A new appointment (today's for floor moves), taken through `moves` by the administrator."""
        request = self.request(patient, day=self.today if today else None, service=service, source=source)
        slot = appointments.find_slots(self.boss, request, count=1).suggestions[0]
        appointment_id, _ = appointments.book(self.boss, request, slot)
        for move in moves:
            appointments.transition(self.boss, appointment_id, move)
        return appointment_id

    def slot(self, patient: str = "booker"):
        request = self.request(patient)
        return request, appointments.find_slots(self.boss, request, count=1).suggestions[0]

    def walk_in(self):
        """A walk-in for today and its soonest slot (each call books the next free start)."""
        request = self.request("waiter", day=self.today, source="walk_in")
        return request, appointments.find_slots(self.boss, request, count=1).suggestions[0]

    def new_start(self, appointment_id: str) -> datetime:
        """The same time on a day nothing else uses, so every move fits."""
        return appointments.get_appointment(self.boss, appointment_id).start + timedelta(days=next(self.days))

    def entry(self) -> str:
        entry_id, _ = waitlist.add(self.boss, self.ids["waiter"], self.ids["service"], self.centre,
                                   day=self.today + timedelta(days=next(self.days)))
        return entry_id

    def offer(self) -> str:
        """A waitlist entry holding an offer: a slot is booked on the entry's day, then cancelled."""
        day = self.today + timedelta(days=next(self.days))
        entry_id, _ = waitlist.add(self.boss, self.ids["waiter"], self.ids["service"], self.centre, day=day)
        request = self.request(day=day)
        request = BookingRequest(request.patient_id, request.service_id, self.centre, day, search_days=1)
        slot = appointments.find_slots(self.boss, request, count=1).suggestions[0]
        appointment_id, _ = appointments.book(self.boss, request, slot)
        appointments.transition(self.boss, appointment_id, "cancel")
        return entry_id


def registry(diary_of) -> dict[Action, dict[str, object]]:
    """Calls per action; `diary_of(world)` gives the Diary kept on the matrix world."""
    d = diary_of
    return {
        Action.APPOINTMENT_VIEW: {
            "appointments.list_range": lambda c, w: appointments.list_range(c, d(w).centre, d(w).today,
                                                                            d(w).today + timedelta(days=7)),
            "appointments.get_appointment": lambda c, w: appointments.get_appointment(c, d(w).ids["appointment"]),
            "appointments.today_queue": lambda c, w: appointments.today_queue(c, d(w).centre, d(w).today),
            "appointments.recent_visits": lambda c, w: appointments.recent_visits(c, d(w).ids["booker"]),
            "waitlist.list_entries": lambda c, w: waitlist.list_entries(c, d(w).centre)},
        Action.APPOINTMENT_BOOK: {
            "appointments.find_slots": lambda c, w: appointments.find_slots(c, d(w).request()),
            "appointments.book": lambda c, w: appointments.book(c, *d(w).slot()),
            "appointments.reschedule": lambda c, w: (lambda a: appointments.reschedule(
                c, a, d(w).new_start(a)))(d(w).fresh(patient="mover")),
            "appointments.transition": lambda c, w: appointments.transition(
                c, d(w).fresh(source="self_service"), "confirm") if next(w.counter) % 2 else
            appointments.transition(c, d(w).fresh(), "cancel", reason="Matrix"),
            "waitlist.add": lambda c, w: waitlist.add(c, d(w).ids["waiter"], d(w).ids["service"], d(w).centre,
                                                      day=d(w).today + timedelta(days=next(d(w).days))),
            "waitlist.accept_offer": lambda c, w: waitlist.accept_offer(c, d(w).offer()),
            "waitlist.decline_offer": lambda c, w: waitlist.decline_offer(c, d(w).offer()),
            "waitlist.withdraw": lambda c, w: waitlist.withdraw(c, d(w).entry())},
        Action.APPOINTMENT_UPDATE: {
            "appointments.transition": lambda c, w: _floor_move(c, d(w), next(w.counter) % 4),
            "appointments.book": lambda c, w: _walk_in_checked_in(c, d(w))},
        Action.APPOINTMENT_APPROVE: {
            "appointments.transition": lambda c, w: appointments.transition(
                c, d(w).fresh(service="approval"), "approve")},
        Action.SERVICE_MANAGE: {
            "appointments.save_service": lambda c, w: appointments.save_service(
                c, **SERVICE, service_id=d(w).ids["service"])},
    }


_FLOOR = (("check_in", ()), ("start", ("check_in",)), ("complete", ("check_in", "start")), ("no_show", ()))


def _floor_move(ctx: ServiceContext, diary: Diary, which: int):
    event, before = _FLOOR[which]
    return appointments.transition(ctx, diary.fresh(today=True, moves=before), event)


def _walk_in_checked_in(ctx: ServiceContext, diary: Diary):
    """Booking a walk-in already checked in needs both booking and check-in. Someone who may check patients in but
    not book them (a therapist) is refused at the booking, so for them the check-in permission is exercised the
    usual way; everyone else, allowed or not, goes through book(check_in=True)."""
    if ctx.user is not None and not may(ctx.user.role, Action.APPOINTMENT_BOOK):
        return _floor_move(ctx, diary, 0)
    return appointments.book(ctx, *diary.walk_in(), check_in=True)
