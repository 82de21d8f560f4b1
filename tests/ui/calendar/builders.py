"""Hand-built DTOs for the calendar tests: appointments, staff and rooms without a database."""

import random
from datetime import date, datetime, time, timedelta

from clinicdesk.services.admin_dto import Leave, RoomItem, StaffItem, WorkingHours
from clinicdesk.services.appointment_dto import (
    CHECKED_IN,
    COMPLETED,
    CONFIRMED,
    IN_PROGRESS,
    NO_SHOW,
    REQUESTED,
    AppointmentItem,
)

DAY = date(2026, 11, 26)  # a Thursday
CENTRE = "centre-koc"


def staff(staff_id: str, name: str, role: str = "therapist", *, centre: str = CENTRE, leave: bool = False,
          hours: tuple[WorkingHours, ...] | None = None) -> StaffItem:
    if hours is None:
        hours = tuple(WorkingHours(d, time(8), time(17), time(13), time(14)) for d in range(6))
    return StaffItem(staff_id, staff_id, name, role, centre, "female", "", "", True, False, None, hours,
                     (Leave(DAY - timedelta(days=1), DAY + timedelta(days=1), "Leave"),) if leave else ())


def room(room_id: str, name: str, room_type: str = "abhyanga", *, centre: str = CENTRE) -> RoomItem:
    return RoomItem(room_id, centre, name, room_type, 1, "any", 10, True)


def appointment(appointment_id: str, start: str, minutes: int, *, staff_ids: tuple[str, ...] = ("s1",),
                room_id: str | None = "r1", status: str = CONFIRMED, patient: str = "Anitha Sharma",
                service: str = "Abhyanga", day: date = DAY, staff_names: tuple[str, ...] | None = None,
                room_name: str | None = None) -> AppointmentItem:
    begin = datetime.combine(day, time.fromisoformat(start))
    return AppointmentItem(
        id=appointment_id, reference=f"KOC-A-{appointment_id}", centre_id=CENTRE, patient_id=f"p-{appointment_id}",
        patient_name=patient, patient_uhid="KOC-A-000001", service_id="svc-abhyanga", service_name=service,
        start=begin, end=begin + timedelta(minutes=minutes), room_id=room_id,
        room_name=room_name if room_name is not None else (f"Room {room_id}" if room_id else ""),
        staff_ids=staff_ids, staff_names=staff_names or tuple(f"Staff {s}" for s in staff_ids), status=status,
        source="front_desk")


def busy_day(staff_count: int = 20, room_count: int = 12, appointments: int = 150, seed: int = 3
             ) -> tuple[list[StaffItem], list[RoomItem], list[AppointmentItem]]:
    """A busy centre: 20 practitioners, 12 rooms, 150 appointments between 07:00 and 19:00."""
    rng = random.Random(seed)
    people = [staff(f"s{i:02d}", f"Therapist {i:02d}", "doctor" if i < 4 else "therapist") for i in range(staff_count)]
    rooms = [room(f"r{i:02d}", f"Room {i:02d}") for i in range(room_count)]
    statuses = (REQUESTED, CONFIRMED, CONFIRMED, CHECKED_IN, IN_PROGRESS, COMPLETED, NO_SHOW)
    items = []
    for n in range(appointments):
        person = people[n % staff_count]
        chosen_room = rooms[rng.randrange(room_count)]
        start = f"{7 + rng.randrange(12):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        items.append(appointment(f"a{n:03d}", start, rng.choice((30, 45, 60, 90)), staff_ids=(person.id,),
                                 staff_names=(person.full_name,), room_id=chosen_room.id, room_name=chosen_room.name,
                                 status=rng.choice(statuses), patient=f"Patient {n:03d} Kumar",
                                 service=rng.choice(("Abhyanga", "Shirodhara", "Consultation", "Basti"))))
    return people, rooms, items
