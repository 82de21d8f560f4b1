"""A small bookable clinic for appointment and waitlist tests: therapists, a doctor, rooms, equipment, services."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, appointments, patients
from clinicdesk.services.admin_dto import (
    EquipmentDraft,
    Leave,
    PractitionerProfile,
    RoomDraft,
    StaffDraft,
    WorkingHours,
)
from clinicdesk.services.appointment_dto import BookingRequest, SlotSuggestion
from clinicdesk.services.context import ServiceContext, SignedInUser
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import patient_draft

THURSDAY = date(2026, 11, 26)  # the test clock reads 10:00 in Kochi on this day
FRIDAY = THURSDAY + timedelta(days=1)
WEEKDAYS = (0, 1, 2, 3, 4, 5)


def hours(start: str = "08:00", end: str = "16:00", brk: tuple[str, str] | None = ("12:00", "12:30"),
          days=WEEKDAYS) -> tuple[WorkingHours, ...]:
    t = time.fromisoformat
    return tuple(WorkingHours(day, t(start), t(end), t(brk[0]) if brk else None, t(brk[1]) if brk else None)
                 for day in days)


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm))


@dataclass
class World:
    """Ids of everything in the clinic, and contexts for the people who use it."""

    boss: ServiceContext
    centre: str
    staff: dict[str, str] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    patients: dict[str, str] = field(default_factory=dict)
    users: dict[Role, SignedInUser] = field(default_factory=dict)

    def ctx(self, role: Role) -> ServiceContext:
        return ServiceContext(self.boss.db, user=self.users[role], clock=self.boss.clock)

    def request(self, patient: str = "asha", service: str = "ABH", day: date = THURSDAY, at: str | None = None,
                **kwargs) -> BookingRequest:
        return BookingRequest(self.patients[patient], self.services[service], self.centre, day,
                              at=time.fromisoformat(at) if at else None, **kwargs)

    def slot(self, start: datetime, minutes: int, room: str, *staff: str) -> SlotSuggestion:
        return SlotSuggestion(start, start + timedelta(minutes=minutes), self.rooms[room], room,
                              tuple(self.staff[name] for name in staff), staff, 0.0)

    def book(self, patient: str = "asha", *, ctx: ServiceContext | None = None, **kwargs) -> str:
        """Book the best suggestion for a request (for tests that need an appointment, not a particular one)."""
        ctx = ctx or self.ctx(Role.FRONT_DESK)
        request = self.request(patient, **kwargs)
        found = appointments.find_slots(ctx, request)
        assert found.suggestions, found.explanation
        appointment_id, _ = appointments.book(ctx, request, found.suggestions[0])
        return appointment_id


def build_world(boss: ServiceContext, *, leave: tuple[Leave, ...] = ()) -> World:
    w = World(boss=boss, centre=boss.user.centre_id)
    for name, room_type, gender in (("Abhyanga 1", "abhyanga", "any"), ("Abhyanga 2", "abhyanga", "any"),
                                    ("Nasya 1", "nasya", "any"), ("Nasya 2", "nasya", "any"),
                                    ("Consultation", "consultation", "any"), ("Women's room", "shirodhara", "female")):
        w.rooms[name], _ = admin.save_room(boss, RoomDraft(w.centre, name, room_type, 1, gender, 0))
    admin.save_equipment(boss, EquipmentDraft(w.centre, "Nasya kit", "nasya_kit", w.rooms["Nasya 1"], 1))
    people = (("rajan", "Rajan Pillai", "therapist", "male", ("abhyanga", "nasya", "shirodhara")),
              ("anjali", "Anjali Menon", "therapist", "female", ("abhyanga", "nasya", "shirodhara")),
              ("meera", "Dr. Meera Nair", "doctor", "female", ("virechana",)))
    for key, full_name, role, gender, skills in people:
        profile = PractitionerProfile(licence_number="AYU-1" if role == "doctor" else "", skills=skills)
        w.staff[key], _ = admin.create_staff(boss, StaffDraft(
            f"{key}.t", full_name, role, w.centre, gender, profile=profile,
            hours=hours("09:00", "17:00") if role == "doctor" else hours(),
            leave=leave if key == "rajan" else ()), STAFF_PASSWORD)
    services = (
        dict(code="ABH", name="Abhyanga", category="therapy", duration_minutes=60, follow_up_duration_minutes=45,
             room_types=("abhyanga",), skills=("abhyanga",), prep_minutes=0, cleanup_minutes=0,
             price=Decimal("1800")),
        dict(code="NAS", name="Nasya", category="therapy", duration_minutes=30, room_types=("nasya",),
             skills=("nasya",), equipment_kinds=("nasya_kit",), price=Decimal("900")),
        dict(code="SHI", name="Shirodhara", category="therapy", duration_minutes=45, room_types=("shirodhara",),
             skills=("shirodhara",), price=Decimal("2500")),
        dict(code="CON", name="Consultation", category="consultation", duration_minutes=30,
             follow_up_duration_minutes=15, room_types=("consultation",), practitioner_ids=(w.staff["meera"],),
             price=Decimal("1000")),
        dict(code="VIR", name="Virechana", category="procedure", duration_minutes=90, room_types=("consultation",),
             skills=("virechana",), needs_approval=True, price=Decimal("3500")),
    )
    for fields in services:
        w.services[fields["code"]], _ = appointments.save_service(boss, **fields)
    for key, given, sex, phone in (("asha", "Asha", "female", "98470 12345"), ("ravi", "Ravi", "male", "98470 22222"),
                                   ("lata", "Lata", "female", "98470 33333")):
        w.patients[key], _ = patients.register_patient(boss, patient_draft(given_name=given, sex=sex, phone=phone))
    w.users[Role.ADMIN] = boss.user
    for role in (Role.FRONT_DESK, Role.DOCTOR, Role.THERAPIST, Role.NURSE, Role.CUSTOMER_RELATIONS):
        username = f"appt.{role.value}".replace("_", "")
        staff_id, _ = admin.create_staff(boss, StaffDraft(username, f"Desk {role.value}", role.value, w.centre),
                                         STAFF_PASSWORD)
        w.users[role] = SignedInUser(staff_id, username, f"Desk {role.value}", role, w.centre)
    return w
