"""Plain values for booking and the reception calendar: services offered, appointments, slots, waitlist."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

# Appointment statuses (the transition table lives in clinicdesk/domain/appointments.py).
REQUESTED, CONFIRMED, CHECKED_IN, IN_PROGRESS, COMPLETED = "requested", "confirmed", "checked_in", "in_progress", \
    "completed"
CANCELLED, NO_SHOW, RESCHEDULED = "cancelled", "no_show", "rescheduled"
BOOKING_SOURCES = ("front_desk", "phone", "walk_in", "self_service")


@dataclass(frozen=True)
class ServiceItem:
    """Something the clinic books: a consultation or a therapy, with what it needs."""

    id: str
    code: str
    name: str
    category: str  # consultation, therapy, follow_up, ...
    duration_minutes: int
    follow_up_duration_minutes: int | None
    room_types: tuple[str, ...]
    skills: tuple[str, ...]
    staff_count: int
    prep_minutes: int
    cleanup_minutes: int
    equipment_kinds: tuple[str, ...]
    group_allowed: bool
    price: Decimal
    needs_approval: bool
    active: bool = True
    practitioner_ids: tuple[str, ...] = ()  # who offers it; empty: everyone with the skills


@dataclass(frozen=True)
class BookingRequest:
    """What the booking wizard collects before asking for slots."""

    patient_id: str
    service_id: str
    centre_id: str
    day: date
    at: time | None = None  # a requested time; None: any time that day (or the next days)
    search_days: int = 7
    preferred_staff_ids: tuple[str, ...] = ()
    time_of_day: str | None = None  # morning, afternoon, evening
    gender_match_required: bool = False
    follow_up_of: str | None = None  # appointment id of the first visit
    source: str = "front_desk"
    notes: str = ""


@dataclass(frozen=True)
class SlotSuggestion:
    """A bookable slot, best first, with the reasons it was ranked so (centre-local times)."""

    start: datetime  # naive local time in the centre's zone
    end: datetime
    room_id: str
    room_name: str
    staff_ids: tuple[str, ...]
    staff_names: tuple[str, ...]
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotSearchResult:
    suggestions: tuple[SlotSuggestion, ...]
    explanation: str = ""  # why the requested time (or day) is not possible, in plain words
    patient_no_shows: int = 0  # so the desk can see a habit of missed appointments while booking


@dataclass(frozen=True)
class StatusChange:
    at: datetime  # naive local time in the centre's zone, like the appointment's times
    by: str  # the staff member's full name ("system" when nobody was signed in)
    from_status: str  # "" for the booking itself
    to_status: str
    reason: str = ""


@dataclass(frozen=True)
class AppointmentItem:
    id: str
    reference: str  # human-readable, e.g. KOC-A-261126-0007
    centre_id: str
    patient_id: str
    patient_name: str
    patient_uhid: str
    service_id: str
    service_name: str
    start: datetime  # naive local time in the centre's zone
    end: datetime
    room_id: str | None
    room_name: str
    staff_ids: tuple[str, ...]
    staff_names: tuple[str, ...]
    status: str
    source: str
    follow_up_of: str | None = None
    notes: str = ""
    row_version: int = 1
    history: tuple[StatusChange, ...] = field(default_factory=tuple)  # filled by get_appointment only
    approval_pending: bool = False  # requested and waiting for a doctor's approval (approve, not confirm)
    patient_no_shows: int = 0  # this patient's no-shows at any centre
    rescheduled_from: str | None = None  # the appointment this one replaced when it was moved
    rescheduled_to: str | None = None  # set on a 'rescheduled' appointment: the one that now holds the time


@dataclass(frozen=True)
class WaitlistEntry:
    id: str
    patient_id: str
    patient_name: str
    service_id: str
    service_name: str
    centre_id: str
    day: date | None  # waiting for any slot on this day
    staff_id: str | None  # or for this practitioner
    created_at: datetime
    status: str  # waiting, offered, booked, withdrawn
    offered_slot: SlotSuggestion | None = None
    staff_name: str = ""
    appointment_id: str | None = None  # once booked
