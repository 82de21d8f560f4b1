"""Placing one appointment inside the caller's write transaction: who and what from rows, the insert, the history."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import Source, Status, format_booking_reference
from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.scheduling.model import Patient, Preferences, TimeOfDay
from clinicdesk.services import notification_planning
from clinicdesk.services.appointment_dto import BookingRequest, SlotSuggestion
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import Diary, engine_gender
from clinicdesk.services.slot_search import SlotQuery, slot_text
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_scheduling import (
    AppointmentRow,
    AppointmentStaffRow,
    AppointmentStatusRow,
    BookingCounterRow,
    ServiceRow,
)

MAX_SEARCH_DAYS = 60
_REQUEST_LABELS = {"source": "Booking source", "search_days": "Days to search", "time_of_day": "Time of day",
                   "notes": "Notes", "day": "Day", "follow_up_of": "First visit", "service_id": "Service",
                   "reason": "Reason"}


class SlotUnavailable(ClinicError):
    """The slot asked for breaks a rule of the diary; the message says which, `suggestions` offers others."""

    def __init__(self, message: str, suggestions=()):
        super().__init__(message)
        self.suggestions: tuple[SlotSuggestion, ...] = tuple(suggestions)


class SlotTaken(SlotUnavailable):
    """Booking refused: the slot is no longer free (another desk was quicker) or never fitted; nothing was saved."""


class RescheduleRefused(SlotUnavailable):
    """The new time does not work; the appointment stays where it was."""


@dataclass(frozen=True)
class Subject:
    """The patient and the service of a booking, as read in the booking's transaction."""

    patient: Patient
    patient_name: str
    service_id: str
    service_name: str
    needs_approval: bool
    active: bool


def load_subject(session: Session, patient_id: str, service_id: str) -> Subject:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound("This patient record no longer exists.")
    service = session.get(ServiceRow, service_id)
    if service is None:
        raise NotFound("That service is not in the catalogue.")
    return Subject(Patient(id=patient.id, gender=engine_gender(patient.sex)),
                   f"{patient.given_name} {patient.family_name}".strip(), service.id, service.name,
                   service.needs_approval, service.active)


def check_request(request: BookingRequest) -> Source:
    """Field checks that need no database; returns the booking source."""
    problems = {}
    if request.source not in {source.value for source in Source}:
        problems["source"] = "must be one of: " + ", ".join(source.value for source in Source)
    if not 1 <= request.search_days <= MAX_SEARCH_DAYS:
        problems["search_days"] = f"must be between 1 and {MAX_SEARCH_DAYS}"
    if request.time_of_day is not None and request.time_of_day not in {t.value for t in TimeOfDay}:
        problems["time_of_day"] = "must be morning, afternoon or evening"
    if len(request.notes) > 1000:
        problems["notes"] = "must be at most 1,000 characters"
    if problems:
        raise ValidationError(problems, _REQUEST_LABELS)
    return Source(request.source)


def check_reason(reason: str) -> str:
    if len(reason) > 250:
        raise ValidationError({"reason": "must be at most 250 characters"}, _REQUEST_LABELS)
    return reason.strip()


def first_visit_end(session: Session, first_visit_id: str | None, patient_id: str, diary: Diary) -> datetime | None:
    """Local end of the first visit a follow-up belongs to; it must be this patient's and must not have fallen away."""
    if first_visit_id is None:
        return None
    first = session.get(AppointmentRow, first_visit_id)
    if first is None or first.patient_id != patient_id:
        raise ValidationError({"follow_up_of": "must be an earlier appointment of the same patient"},
                              _REQUEST_LABELS)
    if first.status in (Status.CANCELLED, Status.NO_SHOW, Status.RESCHEDULED):
        raise ValidationError({"follow_up_of": f"was {first.status.replace('_', '-')}; link the follow-up to a "
                                               "visit that took place or is still booked"}, _REQUEST_LABELS)
    return diary.local(first.end_at)


def no_show_count(session: Session, patient_id: str) -> int:
    return session.scalar(select(func.count()).select_from(AppointmentRow).where(
        AppointmentRow.patient_id == patient_id, AppointmentRow.status == Status.NO_SHOW)) or 0


def query_for(request: BookingRequest, subject: Subject, diary: Diary, now: datetime, first_end: datetime | None,
              *, day: date | None = None, at: time | None = None) -> SlotQuery:
    """The engine's view of a booking request; nothing starts before now (or before the first visit ends)."""
    local_now = diary.local(now).replace(second=0, microsecond=0)
    not_before, words = local_now, "is already past"
    if first_end is not None and first_end > local_now:
        not_before, words = first_end, "is before the first visit ends"
    preferences = Preferences(time_of_day=TimeOfDay(request.time_of_day) if request.time_of_day else None,
                              preferred_staff=tuple(request.preferred_staff_ids),
                              gender_match_required=request.gender_match_required)
    return SlotQuery(patient=subject.patient, therapy_id=subject.service_id, day=day or request.day,
                     at=at if day is not None else request.at, search_days=request.search_days,
                     follow_up=request.follow_up_of is not None, preferences=preferences, not_before=not_before,
                     not_before_words=words, soonest_first=request.source == Source.WALK_IN)


def next_reference(ctx: ServiceContext, session: Session, diary: Diary) -> str:
    """KOC-A-261126-0007: per centre, device and booking day, so two offline desks never issue the same one."""
    booked_on = diary.local(ctx.now()).date()
    device = ctx.db.config.device_code
    counter = session.get(BookingCounterRow, (diary.centre_id, device, booked_on))
    if counter is None:
        counter = BookingCounterRow(centre_id=diary.centre_id, device_code=device, day=booked_on, next_number=1)
        session.add(counter)
    number = counter.next_number
    counter.next_number = number + 1
    return format_booking_reference(diary.centre_code, device, booked_on, number)


def _append_history(ctx: ServiceContext, session: Session, appointment_id: str, *, seq: int, event: str,
                    from_status: str, to_status: Status, reason: str) -> None:
    user = ctx.user
    session.add(AppointmentStatusRow(id=ctx.make_id(), appointment_id=appointment_id, seq=seq, at=ctx.now(),
                                     by_staff_id=user.staff_id if user else None, event=event,
                                     from_status=from_status, to_status=to_status.value, reason=reason[:300]))


def record_status(ctx: ServiceContext, session: Session, row: AppointmentRow, *, event: str, to_status: Status,
                  reason: str = "") -> None:
    """Move the row to `to_status` and append who, when and why to its history."""
    seq = session.scalar(select(func.coalesce(func.max(AppointmentStatusRow.seq), 0))
                         .where(AppointmentStatusRow.appointment_id == row.id)) + 1
    _append_history(ctx, session, row.id, seq=seq, event=event, from_status=row.status, to_status=to_status,
                    reason=reason)
    row.status = to_status.value
    row.updated_at = ctx.now()
    notification_planning.after_status(ctx, session, row, to_status)  # cancelled: its reminders go with it


@dataclass(frozen=True)
class NewAppointment:
    subject: Subject
    start: datetime  # local naive
    end: datetime
    room_id: str
    staff_ids: tuple[str, ...]
    status: Status
    source: Source
    approval_pending: bool = False
    follow_up_of: str | None = None
    rescheduled_from: str | None = None
    gender_match_required: bool = False
    notes: str = ""
    reason: str = ""


def insert_appointment(ctx: ServiceContext, session: Session, diary: Diary, new: NewAppointment) -> AppointmentRow:
    """The row, its staff and its first history entry; the caller has checked the slot in this transaction."""
    now = ctx.now()
    row = AppointmentRow(
        id=ctx.make_id(), reference=next_reference(ctx, session, diary), centre_id=diary.centre_id,
        patient_id=new.subject.patient.id, service_id=new.subject.service_id, room_id=new.room_id,
        start_at=diary.utc(new.start), end_at=diary.utc(new.end), status=new.status.value,
        approval_pending=new.approval_pending,
        source=new.source.value, follow_up_of=new.follow_up_of, rescheduled_from=new.rescheduled_from,
        gender_match_required=new.gender_match_required, notes=new.notes,
        created_by=ctx.user.staff_id if ctx.user else None, created_at=now, updated_at=now)
    row.staff = [AppointmentStaffRow(appointment_id=row.id, staff_id=staff_id) for staff_id in sorted(new.staff_ids)]
    session.add(row)
    _append_history(ctx, session, row.id, seq=1, event="book", from_status="", to_status=new.status,
                    reason=new.reason)
    session.flush()
    notification_planning.after_insert(ctx, session, row)  # its reminders, in the same transaction
    return row


def when_text(start: datetime) -> str:
    return f"{start:%a} {start.day} {start:%b} {start:%H:%M}"


def refusal_text(verb: str, subject: Subject, diary: Diary, start: datetime, room_id: str | None,
                 staff_ids: tuple[str, ...], problems, suggestions) -> str:
    """E.g. "Abhyanga cannot be booked for Thu 26 Nov 10:00 with Rajan in Room 2: Rajan is booked 10:00–11:00."."""
    who = " and ".join(diary.staff_name(staff_id) or "a former staff member" for staff_id in staff_ids)
    room = diary.room_name(room_id)
    text = (f"{subject.service_name} cannot be {verb} {when_text(start)}" + (f" with {who}" if who else "")
            + (f" in {room}" if room else "") + ": " + "; ".join(problems) + ".")
    if suggestions:
        text += " Next free: " + slot_text(diary, suggestions[0]) + "."
    return text


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=1))
