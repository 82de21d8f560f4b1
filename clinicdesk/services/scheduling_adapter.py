"""Builds the scheduling engine's Clinic for one centre and window from rows; UTC <-> centre-local time."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from clinicdesk.domain.appointments import ACTIVE
from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.scheduling.model import (
    Booking,
    Centre,
    Clinic,
    ClockRange,
    EquipmentPool,
    Gender,
    Period,
    Room,
    RoomGender,
    Staff,
    Therapy,
    WeeklyShift,
)
from clinicdesk.store.models import CentreRow, EquipmentRow, RoomRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, AppointmentStaffRow, ServiceRow

BOOKABLE_ROLES = ("doctor", "therapist", "nurse")  # who can be given a patient's time
_ACTIVE = tuple(status.value for status in ACTIVE)


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware instant as naive wall-clock time in the centre's zone (what the engine and the calendar use)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive wall-clock time in the centre's zone as an aware UTC instant."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, time()), zone)


def engine_gender(value: str) -> Gender:
    return Gender(value) if value in {g.value for g in Gender} else Gender.OTHER


def therapy_from_row(row: ServiceRow) -> Therapy:
    offered = frozenset(link.staff_id for link in row.practitioners)
    return Therapy(id=row.id, name=row.name, duration_minutes=row.duration_minutes,
                   room_types=tuple(row.room_types), follow_up_duration_minutes=row.follow_up_duration_minutes,
                   skills=frozenset(row.skills), staff_count=row.staff_count, prep_minutes=row.prep_minutes,
                   cleanup_minutes=row.cleanup_minutes, offered_by=offered or None,
                   equipment=tuple(row.equipment_kinds), group_allowed=row.group_allowed)


def with_length(clinic: Clinic, therapy_id: str, minutes: int) -> Clinic:
    """The clinic with one therapy lasting `minutes` (a moved appointment keeps the length it was booked with)."""
    return replace(clinic, therapies=tuple(
        replace(t, duration_minutes=minutes, follow_up_duration_minutes=None) if t.id == therapy_id else t
        for t in clinic.therapies))


@dataclass(frozen=True)
class Diary:
    """One centre's diary over a window, as the engine sees it, with the centre's zone for converting times."""

    clinic: Clinic
    centre_id: str
    centre_code: str
    zone: ZoneInfo
    first_day: date
    last_day: date

    def local(self, moment: datetime) -> datetime:
        return to_local(moment, self.zone)

    def utc(self, local: datetime) -> datetime:
        return to_utc(local, self.zone)

    def staff_name(self, staff_id: str) -> str:
        member = self.clinic.staff_by_id.get(staff_id)
        return member.name if member else ""

    def room_name(self, room_id: str | None) -> str:
        room = self.clinic.room_by_id.get(room_id) if room_id else None
        return room.name if room else ""


def _staff(row: StaffRow) -> Staff:
    shifts = tuple(WeeklyShift(
        weekdays=(hours.weekday,), start=hours.start, end=hours.end,
        breaks=(ClockRange(hours.break_start, hours.break_end),) if hours.break_start and hours.break_end else (),
        effective_from=hours.effective_from, effective_until=hours.effective_until) for hours in row.hours)
    # leave is stored as whole days, both ends included
    leave = tuple(Period(datetime.combine(item.start_day, time()),
                         datetime.combine(item.end_day + timedelta(days=1), time())) for item in row.leave)
    return Staff(id=row.id, name=row.full_name, gender=engine_gender(row.gender), role=row.role,
                 skills=frozenset(row.profile.skills if row.profile else ()), shifts=shifts, leave=leave)


def load_diary(session: Session, centre_id: str, first_day: date, last_day: date, *,
               patient_ids: tuple[str, ...] = (), leave_out: tuple[str, ...] = ()) -> Diary:
    """Everything that decides who can be booked when at a centre between two days (both included).

    Appointments of `patient_ids` at other centres come in too, holding only the patient: nobody can be in Kochi
    and Pune at once. `leave_out` drops appointments from the diary (the one being moved).
    """
    centre = session.get(CentreRow, centre_id, options=[selectinload(CentreRow.holidays)])
    if centre is None:
        raise NotFound("That centre was not found.")
    zone = ZoneInfo(centre.timezone)
    staff_rows = session.scalars(
        select(StaffRow).where(StaffRow.centre_id == centre_id, StaffRow.active.is_(True),
                               StaffRow.role.in_(BOOKABLE_ROLES)).order_by(StaffRow.id)
        .options(selectinload(StaffRow.profile), selectinload(StaffRow.hours), selectinload(StaffRow.leave))).all()
    rooms = session.scalars(select(RoomRow).where(RoomRow.centre_id == centre_id, RoomRow.active.is_(True))
                            .order_by(RoomRow.id)).all()
    equipment = session.scalars(select(EquipmentRow).where(EquipmentRow.centre_id == centre_id,
                                                           EquipmentRow.active.is_(True))).all()
    services = session.scalars(select(ServiceRow).order_by(ServiceRow.id)
                               .options(selectinload(ServiceRow.practitioners))).all()
    # a day either side: preparation, clean-up and cleaning buffers can reach over midnight
    low, high = day_start_utc(first_day - timedelta(days=1), zone), day_start_utc(last_day + timedelta(days=2), zone)
    where = [AppointmentRow.centre_id == centre_id if not patient_ids else
             or_(AppointmentRow.centre_id == centre_id, AppointmentRow.patient_id.in_(patient_ids)),
             AppointmentRow.status.in_(_ACTIVE), AppointmentRow.start_at < high, AppointmentRow.end_at > low]
    # Plain columns, not ORM objects: a busy week is a thousand rows and this runs on every search and booking.
    appointments = session.execute(
        select(AppointmentRow.id, AppointmentRow.centre_id, AppointmentRow.patient_id, AppointmentRow.service_id,
               AppointmentRow.room_id, AppointmentRow.start_at, AppointmentRow.end_at,
               AppointmentRow.gender_match_required).where(*where)
        .order_by(AppointmentRow.start_at, AppointmentRow.id)).all()
    staff_of: dict[str, list[str]] = {}
    for appointment_id, staff_id in session.execute(
            select(AppointmentStaffRow.appointment_id, AppointmentStaffRow.staff_id)
            .join(AppointmentRow, AppointmentRow.id == AppointmentStaffRow.appointment_id).where(*where)):
        staff_of.setdefault(appointment_id, []).append(staff_id)
    bookings = []
    for row in appointments:
        if row.id in leave_out:
            continue
        start, end = to_local(row.start_at, zone), to_local(row.end_at, zone)
        if row.centre_id == centre_id:
            bookings.append(Booking(id=row.id, start=start, end=end, staff_ids=tuple(sorted(staff_of.get(row.id, ()))),
                                    room_id=row.room_id, patient_id=row.patient_id, therapy_id=row.service_id,
                                    gender_match_required=row.gender_match_required))
        else:  # elsewhere: only the patient is taken, none of this centre's staff, rooms or equipment
            bookings.append(Booking(id=row.id, start=start, end=end, patient_id=row.patient_id, equipment=()))
    clinic = Clinic(
        centre=Centre(name=centre.name, timezone=centre.timezone,
                      holidays=tuple(holiday.day for holiday in centre.holidays)),
        staff=tuple(_staff(row) for row in staff_rows),
        rooms=tuple(Room(id=row.id, name=row.name, type=row.room_type, capacity=row.capacity,
                         gender=RoomGender(row.gender_restriction), cleaning_buffer_minutes=row.cleaning_buffer_minutes)
                    for row in rooms),
        therapies=tuple(therapy_from_row(row) for row in services),
        equipment=tuple(EquipmentPool(kind=row.kind, quantity=row.quantity, name=row.name) for row in equipment),
        bookings=tuple(bookings))
    return Diary(clinic, centre.id, centre.code, zone, first_day, last_day)
