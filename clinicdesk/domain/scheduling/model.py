"""Values the scheduler reads and returns: the clinic's resources, therapies, bookings, requests and placements."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class RoomGender(StrEnum):
    """Who a room may be used for: any patient, or only female / only male patients."""

    ANY = "any"
    FEMALE = "female"
    MALE = "male"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


@dataclass(frozen=True)
class ClockRange:
    """A stretch of a day, e.g. a break 13:00-13:30; end after start."""

    start: time
    end: time


@dataclass(frozen=True)
class Period:
    """A half-open stretch of naive local time [start, end), e.g. leave or a patient's unavailability."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class OpeningHours:
    weekdays: tuple[int, ...]  # 0 = Monday
    open: time
    close: time


@dataclass(frozen=True)
class Centre:
    name: str = "Centre"
    timezone: str = "Asia/Kolkata"  # every datetime in the engine is naive local time in this zone
    holidays: tuple[date, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()  # empty: open whenever staff are on shift


@dataclass(frozen=True)
class WeeklyShift:
    weekdays: tuple[int, ...]  # 0 = Monday
    start: time
    end: time
    breaks: tuple[ClockRange, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None  # inclusive

    def applies_on(self, day: date) -> bool:
        return (day.weekday() in self.weekdays
                and (self.effective_from is None or day >= self.effective_from)
                and (self.effective_until is None or day <= self.effective_until))


@dataclass(frozen=True)
class DateOverride:
    """Replaces the weekly shifts on one date; no windows means a day off."""

    day: date
    windows: tuple[ClockRange, ...] = ()
    breaks: tuple[ClockRange, ...] = ()


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    gender: Gender
    role: str = "therapist"
    skills: frozenset[str] = frozenset()
    shifts: tuple[WeeklyShift, ...] = ()
    leave: tuple[Period, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    max_sessions_per_day: int | None = None


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    type: str
    capacity: int = 1  # patients at once; more than one only for group sessions of one therapy
    gender: RoomGender = RoomGender.ANY
    cleaning_buffer_minutes: int = 0


@dataclass(frozen=True)
class EquipmentPool:
    kind: str
    quantity: int
    name: str = ""


@dataclass(frozen=True)
class Therapy:
    id: str
    name: str
    duration_minutes: int
    room_types: tuple[str, ...]
    follow_up_duration_minutes: int | None = None
    skills: frozenset[str] = frozenset()
    staff_count: int = 1
    prep_minutes: int = 0
    cleanup_minutes: int = 0
    offered_by: frozenset[str] | None = None  # None: every staff member with the skills
    equipment: tuple[str, ...] = ()  # one entry per item needed; repeat a kind to need two
    group_allowed: bool = False  # patients may share a room up to its capacity, same therapy, same time

    def duration(self, follow_up: bool) -> int:
        if follow_up and self.follow_up_duration_minutes is not None:
            return self.follow_up_duration_minutes
        return self.duration_minutes


@dataclass(frozen=True)
class Booking:
    """Something already in the diary: it occupies its staff, room, equipment and patient."""

    id: str
    start: datetime
    end: datetime
    staff_ids: tuple[str, ...] = ()
    room_id: str | None = None
    patient_id: str | None = None
    therapy_id: str | None = None  # gives preparation, clean-up and equipment when known
    equipment: tuple[str, ...] | None = None  # None: the therapy's equipment
    patient_gender: Gender | None = None
    gender_match_required: bool = False


@dataclass(frozen=True)
class Clinic:
    centre: Centre
    staff: tuple[Staff, ...]
    rooms: tuple[Room, ...]
    therapies: tuple[Therapy, ...]
    equipment: tuple[EquipmentPool, ...] = ()
    bookings: tuple[Booking, ...] = ()

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {member.id: member for member in self.staff}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {room.id: room for room in self.rooms}

    @cached_property
    def therapy_by_id(self) -> dict[str, Therapy]:
        return {therapy.id: therapy for therapy in self.therapies}

    @cached_property
    def equipment_quantity(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for pool in self.equipment:
            totals[pool.kind] = totals.get(pool.kind, 0) + pool.quantity
        return totals

    @cached_property
    def equipment_name(self) -> dict[str, str]:
        return {pool.kind: pool.name or pool.kind for pool in self.equipment}


@dataclass(frozen=True)
class Patient:
    id: str
    gender: Gender
    name: str = ""


@dataclass(frozen=True)
class Preferences:
    time_of_day: TimeOfDay | None = None
    same_therapist: bool = False  # soft: keep one therapist per therapy across the plan
    preferred_staff: tuple[str, ...] = ()
    gender_match_required: bool = False  # hard: every staff member has the patient's gender
    max_sessions_per_day: int | None = None  # hard
    unavailable: tuple[Period, ...] = ()  # hard


@dataclass(frozen=True)
class SequenceLink:
    """This session comes after `session_id`: day gap within [min_gap_days, max_gap_days], start after it ends."""

    session_id: str
    min_gap_days: int = 0
    max_gap_days: int | None = None
    min_gap_minutes: int = 0


@dataclass(frozen=True)
class SessionRequest:
    id: str
    therapy_id: str
    day_offset: int  # target day, counted from the plan's start date
    after: tuple[SequenceLink, ...] = ()
    follow_up: bool = False
    fixed_start: datetime | None = None  # only this start time is acceptable


@dataclass(frozen=True)
class PlanRequest:
    """A patient's multi-day plan (or a single appointment: one session)."""

    id: str
    patient: Patient
    start_date: date
    sessions: tuple[SessionRequest, ...]
    preferences: Preferences = field(default_factory=Preferences)
    rest_days: tuple[int, ...] = ()  # day offsets with no session of this plan
    max_days_late: int = 3  # a session may move this many days after its target day
    max_days_early: int = 0
    kind: str = "plan"  # "plan" or "appointment"; only changes how alternatives are offered


def appointment_request(request_id: str, patient: Patient, therapy_id: str, day: date, *,
                        at: time | None = None, preferences: Preferences = Preferences(),
                        follow_up: bool = False, max_days_late: int = 0) -> PlanRequest:
    """A single appointment, either at a requested time (`at`) or anywhere on `day` (+ max_days_late)."""
    fixed = datetime.combine(day, at) if at is not None else None
    session = SessionRequest(id=request_id, therapy_id=therapy_id, day_offset=0, follow_up=follow_up,
                             fixed_start=fixed)
    return PlanRequest(id=request_id, patient=patient, start_date=day, sessions=(session,),
                       preferences=preferences, max_days_late=0 if fixed else max_days_late, kind="appointment")


@dataclass(frozen=True)
class Placement:
    """One booked session: the patient is in `room_id` from start to end with `staff_ids`."""

    request_id: str
    session_id: str
    patient_id: str
    therapy_id: str
    start: datetime
    end: datetime
    room_id: str
    staff_ids: tuple[str, ...]
    follow_up: bool = False

    @property
    def key(self) -> str:
        return f"{self.request_id}/{self.session_id}"

    def as_booking(self) -> Booking:
        """The placement as a diary entry (id = its key), e.g. to book later requests or reschedule around it."""
        return Booking(id=self.key, start=self.start, end=self.end, staff_ids=self.staff_ids, room_id=self.room_id,
                       patient_id=self.patient_id, therapy_id=self.therapy_id)


@dataclass(frozen=True)
class Option:
    """A feasible start with its resources, offered as the earliest option or an alternative."""

    start: datetime
    end: datetime
    room_id: str
    staff_ids: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class Unplaced:
    request_id: str
    session_id: str
    patient_id: str
    therapy_id: str
    reasons: tuple[str, ...]
    earliest: Option | None = None
    alternatives: tuple[Option, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.request_id}/{self.session_id}"
