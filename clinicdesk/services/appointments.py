"""Booking and the reception calendar: the service catalogue, slot search, book, status moves, reschedule, lists."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from clinicdesk.domain import admin_rules
from clinicdesk.domain.appointments import (
    FREED,
    Event,
    Source,
    Status,
    check_in_day_problem,
    initial_status,
    next_status,
    parse_event,
)
from clinicdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.scheduling.model import Preferences
from clinicdesk.services import waitlist
from clinicdesk.services.appointment_dto import (
    AppointmentItem,
    BookingRequest,
    ServiceItem,
    SlotSearchResult,
    SlotSuggestion,
)
from clinicdesk.services.appointment_views import load_history, load_items, local_time
from clinicdesk.services.booking import (
    NewAppointment,
    RescheduleRefused,
    SlotTaken,
    check_reason,
    check_request,
    first_visit_end,
    insert_appointment,
    load_subject,
    minutes_between,
    no_show_count,
    query_for,
    record_status,
    refusal_text,
    when_text,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import load_diary, with_length
from clinicdesk.services.slot_search import SlotQuery, best_at, check_slot, suggest
from clinicdesk.store.models import CentreRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServicePractitionerRow, ServiceRow

__all__ = ["RescheduleRefused", "SlotTaken", "book", "find_slots", "get_appointment", "list_range", "list_services",
           "recent_visits", "reschedule", "save_service", "today_queue", "transition"]

NEXT_SUGGESTIONS = 3  # offered with a refusal
ALTERNATIVE_DAYS = 7  # how far a refusal looks for the next free slots
_SERVICE_LABELS = {"code": "Code", "name": "Name", "category": "Category", "duration_minutes": "Duration",
                   "follow_up_duration_minutes": "Follow-up duration", "room_types": "Room types",
                   "staff_count": "Staff needed", "prep_minutes": "Preparation", "cleanup_minutes": "Clean-up",
                   "price": "Price", "practitioner_ids": "Practitioners", "skills": "Skills",
                   "equipment_kinds": "Equipment"}
SERVICE_CATEGORIES = ("consultation", "therapy", "procedure")


# --- the service catalogue -------------------------------------------------------------------------------------

def _service_item(row: ServiceRow) -> ServiceItem:
    return ServiceItem(
        id=row.id, code=row.code, name=row.name, category=row.category, duration_minutes=row.duration_minutes,
        follow_up_duration_minutes=row.follow_up_duration_minutes, room_types=tuple(row.room_types),
        skills=tuple(row.skills), staff_count=row.staff_count, prep_minutes=row.prep_minutes,
        cleanup_minutes=row.cleanup_minutes, equipment_kinds=tuple(row.equipment_kinds),
        group_allowed=row.group_allowed, price=row.price, needs_approval=row.needs_approval, active=row.active,
        practitioner_ids=tuple(sorted(link.staff_id for link in row.practitioners)))


def list_services(ctx: ServiceContext, *, include_inactive: bool = False) -> list[ServiceItem]:
    """The catalogue for the booking wizard (active only) or the admin screen (everything)."""
    ctx.require_user()
    with ctx.unit_of_work() as session:
        query = select(ServiceRow).options(selectinload(ServiceRow.practitioners)) \
            .order_by(ServiceRow.category, ServiceRow.name)
        if not include_inactive:
            query = query.where(ServiceRow.active.is_(True))
        return [_service_item(row) for row in session.scalars(query)]


def _service_problems(*, code: str, name: str, category: str, duration_minutes: int,
                      follow_up_duration_minutes: int | None, room_types, skills, staff_count: int,
                      prep_minutes: int, cleanup_minutes: int, equipment_kinds, price: Decimal) -> dict[str, str]:
    problems = {}
    if not code or len(code) > 12 or not code.replace("-", "").isalnum():
        problems["code"] = "must be 1-12 letters, digits or hyphens, for example ABH-60"
    if not name.strip() or len(name) > 120:
        problems["name"] = "is required (at most 120 characters)"
    if category not in SERVICE_CATEGORIES:
        problems["category"] = "must be one of: " + ", ".join(SERVICE_CATEGORIES)
    if not 5 <= duration_minutes <= 600:
        problems["duration_minutes"] = "must be between 5 and 600 minutes"
    if follow_up_duration_minutes is not None and not 5 <= follow_up_duration_minutes <= 600:
        problems["follow_up_duration_minutes"] = "must be between 5 and 600 minutes, or empty"
    if not room_types or any(kind not in admin_rules.ROOM_TYPES for kind in room_types):
        problems["room_types"] = "must name at least one of: " + ", ".join(admin_rules.ROOM_TYPES)
    if any(not skill.strip() or len(skill) > 40 for skill in skills):
        problems["skills"] = "must each be a word of at most 40 characters"
    if any(not kind.strip() or len(kind) > 40 for kind in equipment_kinds):
        problems["equipment_kinds"] = "must each be an equipment kind of at most 40 characters"
    if not 0 <= staff_count <= 6:
        problems["staff_count"] = "must be between 0 and 6"
    if not 0 <= prep_minutes <= 120:
        problems["prep_minutes"] = "must be between 0 and 120 minutes"
    if not 0 <= cleanup_minutes <= 120:
        problems["cleanup_minutes"] = "must be between 0 and 120 minutes"
    if price < 0 or price > Decimal("1000000") or price != price.quantize(Decimal("0.01")):
        problems["price"] = "must be between 0 and 10,00,000 rupees, in rupees and paise"
    return problems


def save_service(ctx: ServiceContext, *, code: str, name: str, category: str, duration_minutes: int,
                 room_types: tuple[str, ...], price: Decimal, follow_up_duration_minutes: int | None = None,
                 skills: tuple[str, ...] = (), staff_count: int = 1, prep_minutes: int = 0, cleanup_minutes: int = 0,
                 equipment_kinds: tuple[str, ...] = (), group_allowed: bool = False, needs_approval: bool = False,
                 practitioner_ids: tuple[str, ...] = (), active: bool = True,
                 service_id: str | None = None) -> tuple[str, Changes]:
    """Add a service to the catalogue (service_id None) or change one; existing bookings keep their times."""
    ctx.authorise(Action.SERVICE_MANAGE, entity="service", entity_id=service_id or "")
    code, price = code.strip().upper(), Decimal(price)
    skills = tuple(sorted({skill.strip().lower() for skill in skills}))
    problems = _service_problems(code=code, name=name, category=category, duration_minutes=duration_minutes,
                                 follow_up_duration_minutes=follow_up_duration_minutes, room_types=room_types,
                                 skills=skills, staff_count=staff_count, prep_minutes=prep_minutes,
                                 cleanup_minutes=cleanup_minutes, equipment_kinds=equipment_kinds, price=price)
    if problems:
        raise ValidationError(problems, _SERVICE_LABELS)
    now = ctx.now()
    try:
        with ctx.unit_of_work() as session:
            known = set(session.scalars(select(StaffRow.id).where(StaffRow.id.in_(practitioner_ids))))
            if known != set(practitioner_ids):
                raise ValidationError({"practitioner_ids": "must all be staff members of the clinic"},
                                      _SERVICE_LABELS)
            if service_id:
                row = session.get(ServiceRow, service_id, options=[selectinload(ServiceRow.practitioners)])
                if row is None:
                    raise NotFound("That service was not found.")
            else:
                row = ServiceRow(id=ctx.make_id(), created_at=now)
                session.add(row)
            row.code, row.name, row.category = code, name.strip(), category
            row.duration_minutes, row.follow_up_duration_minutes = duration_minutes, follow_up_duration_minutes
            row.room_types, row.skills = list(room_types), list(skills)
            row.staff_count, row.prep_minutes, row.cleanup_minutes = staff_count, prep_minutes, cleanup_minutes
            row.equipment_kinds, row.group_allowed = [kind.strip() for kind in equipment_kinds], group_allowed
            row.price, row.needs_approval, row.active, row.updated_at = price, needs_approval, active, now
            row.practitioners = [ServicePractitionerRow(service_id=row.id, staff_id=staff_id)
                                 for staff_id in sorted(set(practitioner_ids))]
            session.flush()
            ctx.audit(session, "service.save", entity="service", entity_id=row.id, detail=f"code {code}")
            return row.id, Changes(appointments=True)
    except IntegrityError:
        raise ValidationError({"code": "is already used by another service"}, _SERVICE_LABELS) from None


# --- finding and booking a slot --------------------------------------------------------------------------------

def find_slots(ctx: ServiceContext, request: BookingRequest, count: int = 5) -> SlotSearchResult:
    """Free slots for the request, best first with reasons; when the time or day asked for is impossible, why."""
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="appointment")
    check_request(request)
    count = max(1, min(count, 20))
    with ctx.unit_of_work() as session:
        subject = load_subject(session, request.patient_id, request.service_id)
        if not subject.active:
            raise ValidationError({"service_id": "is no longer offered; choose another service"})
        last_day = request.day + timedelta(days=request.search_days - 1)
        diary = load_diary(session, request.centre_id, request.day, last_day, patient_ids=(request.patient_id,))
        if request.day < diary.local(ctx.now()).date():
            raise ValidationError({"day": "is in the past; choose today or a later day"})
        first_end = first_visit_end(session, request.follow_up_of, request.patient_id, diary)
        query = query_for(request, subject, diary, ctx.now(), first_end)
        suggestions, explanation = suggest(diary, query, count)
        wide_last = request.day + timedelta(days=max(request.search_days, ALTERNATIVE_DAYS) - 1)
        if wide_last > last_day and (explanation or any(s.start.date() > last_day for s in suggestions)):
            # alternatives and "earliest option" look further ahead than the days searched: read those days too
            diary = load_diary(session, request.centre_id, request.day, wide_last, patient_ids=(request.patient_id,))
            suggestions, explanation = suggest(diary, query, count)
        no_shows = no_show_count(session, request.patient_id)
    return SlotSearchResult(tuple(suggestions), explanation, no_shows)


def book(ctx: ServiceContext, request: BookingRequest, slot: SlotSuggestion, *,
         check_in: bool = False) -> tuple[str, Changes]:
    """Book the chosen slot after checking every hard rule again under the write lock, so two desks can never
    both get it; the one that comes second gets SlotTaken with the reason and the next free slots.

    `check_in` books a patient who is standing at the desk (a walk-in) already checked in, in the same
    transaction: the history shows the booking and the check-in, and if either is refused nothing is saved.
    """
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="appointment")
    if check_in:
        ctx.authorise(Action.APPOINTMENT_UPDATE, entity="appointment")
    source = check_request(request)
    notes = request.notes.strip()
    with ctx.unit_of_work(write_lock=True) as session:
        subject = load_subject(session, request.patient_id, request.service_id)
        if not subject.active:
            raise ValidationError({"service_id": "is no longer offered; choose another service"})
        day = slot.start.date()
        diary = load_diary(session, request.centre_id, day, day, patient_ids=(request.patient_id,))
        first_end = first_visit_end(session, request.follow_up_of, request.patient_id, diary)
        query = query_for(request, subject, diary, ctx.now(), first_end, day=day, at=slot.start.time())
        checked = check_slot(diary, query, slot.start, slot.room_id, tuple(slot.staff_ids))
        if not checked.fits:
            suggestions, _ = _next_free(session, request.centre_id, query, slot.start, leave_out=())
            raise SlotTaken(refusal_text("booked for", subject, diary, slot.start, slot.room_id, slot.staff_ids,
                                         checked.problems, suggestions), suggestions)
        end = _end_of(diary, query, slot.start)  # the service decides the length, not the slot it was shown in
        status = initial_status(needs_approval=subject.needs_approval, source=source)
        if check_in:  # refuse before anything is written: a walk-in that cannot be checked in is not booked
            checked_in = next_status(status, Event.CHECK_IN, approval_pending=subject.needs_approval)
            problem = check_in_day_problem(Event.CHECK_IN, appointment_day=slot.start.date(),
                                           today=diary.local(ctx.now()).date())
            if problem:
                raise IllegalTransition(problem)
        row = insert_appointment(ctx, session, diary, NewAppointment(
            subject=subject, start=slot.start, end=end, room_id=slot.room_id, staff_ids=tuple(slot.staff_ids),
            status=status, source=source,
            approval_pending=subject.needs_approval, follow_up_of=request.follow_up_of,
            gender_match_required=request.gender_match_required, notes=notes))
        ctx.audit(session, "appointment.book", entity="appointment", entity_id=row.id,
                  detail=f"{row.reference}; source {source.value}; status {status.value}")
        if check_in:
            record_status(ctx, session, row, event=Event.CHECK_IN.value, to_status=checked_in)
            session.flush()
            ctx.audit(session, "appointment.check_in", entity="appointment", entity_id=row.id,
                      detail=f"{status.value} -> {checked_in.value}")
        return row.id, Changes(appointments=True)


def _end_of(diary, query: SlotQuery, start: datetime) -> datetime:
    therapy = diary.clinic.therapy_by_id[query.therapy_id]
    return start + timedelta(minutes=therapy.duration(query.follow_up))


def _next_free(session, centre_id: str, query: SlotQuery, start: datetime, *, leave_out: tuple[str, ...],
               length: int | None = None, not_this: SlotSuggestion | None = None
               ) -> tuple[list[SlotSuggestion], str]:
    """The free slots nearest to a refused start and the engine's words for it (in the same transaction).

    `not_this` is where a moved appointment already is: the diary leaves it out so its own time counts as free,
    but offering it back as "next free" would be offering to move it nowhere.
    """
    day = start.date()
    diary = load_diary(session, centre_id, day, day + timedelta(days=ALTERNATIVE_DAYS - 1),
                       patient_ids=(query.patient.id,), leave_out=leave_out)
    if length is not None:
        diary = replace(diary, clinic=with_length(diary.clinic, query.therapy_id, length))
    snapped = start - timedelta(minutes=start.minute % 5, seconds=start.second, microseconds=start.microsecond)
    wanted = NEXT_SUGGESTIONS + (1 if not_this is not None else 0)
    suggestions, explanation = suggest(diary, replace(query, day=day, at=snapped.time(),
                                                      search_days=ALTERNATIVE_DAYS, soonest_first=False), wanted)
    if not_this is not None:
        suggestions = [s for s in suggestions if not _same_slot(s, not_this)]
    return suggestions[:NEXT_SUGGESTIONS], explanation


def _same_slot(a: SlotSuggestion, b: SlotSuggestion) -> bool:
    return a.start == b.start and a.room_id == b.room_id and set(a.staff_ids) == set(b.staff_ids)


# --- status moves ----------------------------------------------------------------------------------------------

def transition(ctx: ServiceContext, appointment_id: str, event: str, *, reason: str = "") -> Changes:
    """Approve, confirm, check in, start, complete, cancel or mark a no-show; who, when and why go in the history.

    A cancellation or an early no-show frees the slot, and the first suitable waiting patient is offered it.
    """
    move = parse_event(event)
    if move is Event.APPROVE:
        ctx.authorise(Action.APPOINTMENT_APPROVE, entity="appointment", entity_id=appointment_id)
    elif move in (Event.CONFIRM, Event.CANCEL):
        ctx.authorise(Action.APPOINTMENT_BOOK, entity="appointment", entity_id=appointment_id)
    elif move is Event.RESCHEDULE:
        raise IllegalTransition("To move an appointment, choose its new time (reschedule); nothing was changed.")
    else:
        ctx.authorise(Action.APPOINTMENT_UPDATE, entity="appointment", entity_id=appointment_id)
    reason = check_reason(reason)
    with ctx.unit_of_work(write_lock=True) as session:
        return transition_in(ctx, session, appointment_id, move, reason=reason)


def transition_in(ctx: ServiceContext, session, appointment_id: str, move: Event, *, reason: str = "") -> Changes:
    """The status move inside the caller's write transaction, once the caller has authorised it and checked the
    reason (the patient portal's requests are decided this way, with the request's own row in the same one)."""
    now = ctx.now()
    row = session.get(AppointmentRow, appointment_id)
    if row is None:
        raise NotFound("That appointment no longer exists.")
    before = Status(row.status)
    after = next_status(before, move, approval_pending=row.approval_pending)
    timezone = _centre_timezone(session, row.centre_id)
    problem = check_in_day_problem(move, appointment_day=local_time(row.start_at, timezone).date(),
                                   today=local_time(now, timezone).date())
    if problem:
        raise IllegalTransition(problem)
    record_status(ctx, session, row, event=move.value, to_status=after, reason=reason)
    if move is Event.APPROVE:
        row.approval_pending = False
    session.flush()
    ctx.audit(session, f"appointment.{move.value}", entity="appointment", entity_id=row.id,
              detail=f"{before.value} -> {after.value}")
    if after in FREED and row.start_at > now:
        waitlist.offer_freed_slot(ctx, session, waitlist.FreedSlot.of(row))
    return Changes(appointments=True)


# --- moving an appointment -------------------------------------------------------------------------------------

def reschedule(ctx: ServiceContext, appointment_id: str, new_start: datetime, *, room_id: str | None = None,
               staff_ids: tuple[str, ...] | None = None, reason: str = "") -> Changes:
    """Move an appointment to `new_start` (centre-local), checking every hard rule as a new booking would.

    The old appointment becomes 'rescheduled' and a new one holds the new time (same patient, service, length and
    approval state); room and staff stay unless given or no longer free. The old slot goes to the waitlist.
    Refused moves raise RescheduleRefused with the engine's explanation and nearby free slots.
    """
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="appointment", entity_id=appointment_id)
    reason = check_reason(reason)
    with ctx.unit_of_work(write_lock=True) as session:
        reschedule_in(ctx, session, appointment_id, new_start, room_id=room_id, staff_ids=staff_ids, reason=reason)
        return Changes(appointments=True)


def reschedule_in(ctx: ServiceContext, session, appointment_id: str, new_start: datetime, *,
                  room_id: str | None = None, staff_ids: tuple[str, ...] | None = None, reason: str = "") -> str:
    """The move inside the caller's write transaction, once the caller has authorised it and checked the reason;
    returns the id of the appointment that now holds the new time (the portal's requests are decided this way)."""
    new_start = new_start.replace(tzinfo=None, second=0, microsecond=0)
    now = ctx.now()
    row = session.get(AppointmentRow, appointment_id, options=[selectinload(AppointmentRow.staff)])
    if row is None:
        raise NotFound("That appointment no longer exists.")
    before = Status(row.status)
    next_status(before, Event.RESCHEDULE, approval_pending=row.approval_pending)  # refuses a checked-in one
    subject = load_subject(session, row.patient_id, row.service_id)
    day = new_start.date()
    diary = load_diary(session, row.centre_id, day, day, patient_ids=(row.patient_id,), leave_out=(row.id,))
    length = minutes_between(row.start_at, row.end_at)
    diary = replace(diary, clinic=with_length(diary.clinic, row.service_id, length))
    old_staff = tuple(sorted(link.staff_id for link in row.staff))
    target_room, target_staff = room_id or row.room_id, tuple(sorted(staff_ids)) if staff_ids else old_staff
    if diary.local(row.start_at) == new_start and target_room == row.room_id and target_staff == old_staff:
        raise ValidationError({"start": "is where the appointment already is; choose another time or room"},
                              {"start": "The new time"})
    first_end = first_visit_end(session, row.follow_up_of, row.patient_id, diary) if row.follow_up_of else None
    query = _move_query(subject, diary, now, first_end, new_start, row.gender_match_required)
    checked = check_slot(diary, query, new_start, target_room, target_staff)
    if not checked.fits and (room_id is None or staff_ids is None):
        picked = best_at(diary, query, new_start, room_id=room_id, staff_ids=tuple(staff_ids) if staff_ids
                         else None)
        if picked is not None:
            target_room, target_staff = picked
            checked = check_slot(diary, query, new_start, target_room, target_staff)
    if not checked.fits:
        here = diary.local(row.start_at)
        current = SlotSuggestion(start=here, end=here + timedelta(minutes=length), room_id=row.room_id or "",
                                 room_name="", staff_ids=old_staff, staff_names=(), score=0.0)
        suggestions, explanation = _next_free(session, row.centre_id, query, new_start, leave_out=(row.id,),
                                              length=length, not_this=current)
        if room_id is None and staff_ids is None and explanation:  # nobody free: the engine's whole story
            raise RescheduleRefused(explanation.replace("cannot be booked at", "cannot be moved to"),
                                    suggestions)
        raise RescheduleRefused(refusal_text("moved to", subject, diary, new_start, target_room, target_staff,
                                             checked.problems, suggestions), suggestions)
    old_when = when_text(diary.local(row.start_at))
    moved = insert_appointment(ctx, session, diary, NewAppointment(
        subject=subject, start=new_start, end=new_start + timedelta(minutes=length), room_id=target_room,
        staff_ids=target_staff, status=Status.REQUESTED if before is Status.REQUESTED else Status.CONFIRMED,
        source=Source(row.source), approval_pending=row.approval_pending, follow_up_of=row.follow_up_of,
        rescheduled_from=row.id, gender_match_required=row.gender_match_required, notes=row.notes,
        reason=_joined(f"Moved here from {old_when} ({row.reference})", reason)))
    record_status(ctx, session, row, event=Event.RESCHEDULE.value, to_status=Status.RESCHEDULED,
                  reason=_joined(f"Moved to {when_text(new_start)} ({moved.reference})", reason))
    # follow-ups keep pointing at the visit that will take place
    session.execute(update(AppointmentRow).where(AppointmentRow.follow_up_of == row.id)
                    .values(follow_up_of=moved.id).execution_options(synchronize_session=False))
    session.flush()
    ctx.audit(session, "appointment.reschedule", entity="appointment", entity_id=row.id,
              detail=f"{row.reference} -> {moved.reference}")
    if row.start_at > now:
        waitlist.offer_freed_slot(ctx, session, waitlist.FreedSlot.of(row))
    return moved.id


def _move_query(subject, diary, now: datetime, first_end: datetime | None, start: datetime,
                gender_match_required: bool) -> SlotQuery:
    local_now = diary.local(now).replace(second=0, microsecond=0)
    not_before, words = local_now, "is already past"
    if first_end is not None and first_end > local_now:
        not_before, words = first_end, "is before the first visit ends"
    return SlotQuery(patient=subject.patient, therapy_id=subject.service_id, day=start.date(), at=start.time(),
                     search_days=1, follow_up=False, preferences=Preferences(
                         gender_match_required=gender_match_required), not_before=not_before,
                     not_before_words=words)


def _joined(note: str, reason: str) -> str:
    return f"{note}: {reason}" if reason else note


# --- reading the diary -----------------------------------------------------------------------------------------

def _centre_timezone(session, centre_id: str) -> str:
    timezone = session.scalar(select(CentreRow.timezone).where(CentreRow.id == centre_id))
    if timezone is None:
        raise NotFound("That centre was not found.")
    return timezone


def _local_days(session, centre_id: str, first: date, last: date) -> list[AppointmentItem]:
    """Appointments starting on local days first..last, in one statement.

    The centre's zone is joined in that same statement, so the UTC filter is widened by the largest offsets any
    zone has (-12 h to +14 h) and the exact local days are kept after conversion.
    """
    low = datetime.combine(first, datetime.min.time(), UTC) - timedelta(hours=14)
    high = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=12)
    items = load_items(session, AppointmentRow.centre_id == centre_id, AppointmentRow.start_at >= low,
                       AppointmentRow.start_at < high)
    return [item for item in items if first <= item.start.date() <= last]


def list_range(ctx: ServiceContext, centre_id: str, start_day: date, end_day: date) -> list[AppointmentItem]:
    """Every appointment starting between two days (both included) at a centre, in local time, in one query."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="appointment")
    if end_day < start_day:
        raise ValidationError({"end_day": "is before the first day"}, {"end_day": "The last day"})
    with ctx.unit_of_work() as session:
        return _local_days(session, centre_id, start_day, end_day)


def get_appointment(ctx: ServiceContext, appointment_id: str) -> AppointmentItem:
    """One appointment with its who/when/why history."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="appointment", entity_id=appointment_id)
    with ctx.unit_of_work() as session:
        found = load_items(session, AppointmentRow.id == appointment_id)
        if not found:
            raise NotFound("That appointment no longer exists.")
        item = found[0]
        return replace(item, history=load_history(session, item.id, _centre_timezone(session, item.centre_id)))


VISITED = (Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED)  # the patient came: something to follow up
MAX_RECENT_VISITS = 50


def recent_visits(ctx: ServiceContext, patient_id: str, *, limit: int = 10) -> list[AppointmentItem]:
    """The patient's visits that took place (checked in, in progress or completed), newest first, at any centre:
    what the booking wizard offers as "Follow-up of"."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="appointment")
    limit = max(1, min(limit, MAX_RECENT_VISITS))
    with ctx.unit_of_work() as session:
        return load_items(session, AppointmentRow.patient_id == patient_id,
                          AppointmentRow.status.in_([status.value for status in VISITED]),
                          order_by=(AppointmentRow.start_at.desc(), AppointmentRow.reference.desc()), limit=limit)


_QUEUE_ORDER = {Status.IN_PROGRESS: 0, Status.CHECKED_IN: 1, Status.CONFIRMED: 2, Status.REQUESTED: 2,
                Status.COMPLETED: 3, Status.NO_SHOW: 4, Status.CANCELLED: 5, Status.RESCHEDULED: 5}


def today_queue(ctx: ServiceContext, centre_id: str, today: date) -> list[AppointmentItem]:
    """The day at the desk: in the room first, then waiting, then still to come, then done and fallen away."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="appointment")
    with ctx.unit_of_work() as session:
        items = _local_days(session, centre_id, today, today)
    return sorted(items, key=lambda item: (_QUEUE_ORDER[Status(item.status)], item.start, item.reference))
