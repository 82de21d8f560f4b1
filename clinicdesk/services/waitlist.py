"""The waitlist: patients waiting for a day or a practitioner, and the offer of a freed slot to the first who fits."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from clinicdesk.domain.appointments import Source, initial_status
from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.scheduling.model import Preferences
from clinicdesk.services.appointment_dto import SlotSuggestion, WaitlistEntry
from clinicdesk.services.booking import (
    NewAppointment,
    SlotTaken,
    Subject,
    insert_appointment,
    load_subject,
    refusal_text,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import Diary, load_diary, to_local
from clinicdesk.services.slot_search import SlotQuery, best_at, check_slot, suggest
from clinicdesk.store.models import CentreRow, PatientRow, RoomRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow, WaitlistRow

WAITING, OFFERED, BOOKED, WITHDRAWN = "waiting", "offered", "booked", "withdrawn"
_LABELS = {"day": "Day", "staff_id": "Practitioner", "service_id": "Service", "centre_id": "Centre"}


class NoOffer(ClinicError):
    """The waitlist entry has no open offer (already answered, withdrawn or booked)."""


@dataclass(frozen=True)
class FreedSlot:
    """Time given back by a cancellation, an early no-show or a move (UTC), and who gave it back."""

    centre_id: str
    start: datetime
    end: datetime
    room_id: str | None
    staff_ids: tuple[str, ...]
    patient_id: str

    @classmethod
    def of(cls, row: AppointmentRow) -> "FreedSlot":
        return cls(row.centre_id, row.start_at, row.end_at, row.room_id,
                   tuple(sorted(link.staff_id for link in row.staff)), row.patient_id)


# --- joining and reading the waitlist --------------------------------------------------------------------------

def add(ctx: ServiceContext, patient_id: str, service_id: str, centre_id: str, *, day: date | None = None,
        staff_id: str | None = None) -> tuple[str, Changes]:
    """Put a patient on the waitlist for a service, for a day and/or a practitioner (or the first slot at all)."""
    user = ctx.authorise(Action.APPOINTMENT_BOOK, entity="waitlist")
    now = ctx.now()
    with ctx.unit_of_work() as session:
        subject = load_subject(session, patient_id, service_id)
        centre = session.get(CentreRow, centre_id)
        if centre is None:
            raise ValidationError({"centre_id": "does not exist; choose a centre from the list"}, _LABELS)
        if not subject.active:
            raise ValidationError({"service_id": "is no longer offered; choose another service"}, _LABELS)
        if day is not None and day < to_local(now, ZoneInfo(centre.timezone)).date():
            raise ValidationError({"day": "is in the past; choose today or a later day"}, _LABELS)
        if staff_id is not None:
            member = session.get(StaffRow, staff_id)
            if member is None or member.centre_id != centre_id or not member.active:
                raise ValidationError({"staff_id": "must be an active practitioner of this centre"}, _LABELS)
            if not _offers(session, member, service_id):
                raise ValidationError({"staff_id": f"does not offer {subject.service_name}; choose who does, or "
                                                   "wait for anyone"}, _LABELS)
        duplicate = session.scalar(select(WaitlistRow.id).where(
            WaitlistRow.patient_id == patient_id, WaitlistRow.service_id == service_id,
            WaitlistRow.centre_id == centre_id, WaitlistRow.status.in_((WAITING, OFFERED)),
            WaitlistRow.day.is_(None) if day is None else WaitlistRow.day == day,
            WaitlistRow.staff_id.is_(None) if staff_id is None else WaitlistRow.staff_id == staff_id))
        if duplicate:
            raise ValidationError({"service_id": "is already on the waitlist for this patient, day and "
                                                 "practitioner"}, _LABELS)
        row = WaitlistRow(id=ctx.make_id(), centre_id=centre_id, patient_id=patient_id, service_id=service_id,
                          day=day, staff_id=staff_id, status=WAITING, offered_staff_ids=[], created_by=user.staff_id,
                          created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        ctx.audit(session, "waitlist.add", entity="waitlist", entity_id=row.id)
        return row.id, Changes(appointments=True)


def _offers(session: Session, member: StaffRow, service_id: str) -> bool:
    """The same test the scheduler applies: the service's skills, and its list of practitioners if it has one."""
    service = session.get(ServiceRow, service_id)
    offered_by = {link.staff_id for link in service.practitioners}
    skills = set(member.profile.skills) if member.profile else set()
    return set(service.skills) <= skills and (not offered_by or member.id in offered_by)


def list_entries(ctx: ServiceContext, centre_id: str) -> list[WaitlistEntry]:
    """Who is waiting (first come first) and which offers wait for an answer, at one centre."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="waitlist")
    with ctx.unit_of_work() as session:
        timezone = session.scalar(select(CentreRow.timezone).where(CentreRow.id == centre_id))
        if timezone is None:
            raise NotFound("That centre was not found.")
        zone = ZoneInfo(timezone)
        practitioner = aliased(StaffRow)
        rows = session.execute(
            select(WaitlistRow, PatientRow.given_name, PatientRow.family_name, ServiceRow.name,
                   practitioner.full_name)
            .join(PatientRow, PatientRow.id == WaitlistRow.patient_id)
            .join(ServiceRow, ServiceRow.id == WaitlistRow.service_id)
            .outerjoin(practitioner, practitioner.id == WaitlistRow.staff_id)
            .where(WaitlistRow.centre_id == centre_id, WaitlistRow.status.in_((WAITING, OFFERED)))
            .order_by(WaitlistRow.created_at, WaitlistRow.id)).all()
        offered = [row for row, *_ in rows if row.status == OFFERED]
        staff_names = dict(session.execute(select(StaffRow.id, StaffRow.full_name).where(
            StaffRow.id.in_({staff_id for row in offered for staff_id in row.offered_staff_ids}))).all())
        room_names = dict(session.execute(select(RoomRow.id, RoomRow.name).where(
            RoomRow.id.in_({row.offered_room_id for row in offered if row.offered_room_id}))).all())
    entries = []
    for row, given, family, service, staff_name in rows:
        slot = None
        if row.status == OFFERED and row.offered_start is not None:
            slot = SlotSuggestion(
                start=to_local(row.offered_start, zone), end=to_local(row.offered_end, zone),
                room_id=row.offered_room_id or "", room_name=room_names.get(row.offered_room_id, ""),
                staff_ids=tuple(row.offered_staff_ids),
                staff_names=tuple(staff_names.get(staff_id, "") for staff_id in row.offered_staff_ids), score=0.0,
                reasons=("Freed by a cancellation or a move",))
        entries.append(WaitlistEntry(
            id=row.id, patient_id=row.patient_id, patient_name=f"{given} {family}".strip(),
            service_id=row.service_id, service_name=service, centre_id=row.centre_id, day=row.day,
            staff_id=row.staff_id, created_at=to_local(row.created_at, zone), status=row.status, offered_slot=slot,
            staff_name=staff_name or "", appointment_id=row.appointment_id))
    return entries


# --- offers ----------------------------------------------------------------------------------------------------

def _entry_query(diary: Diary, session: Session, entry: WaitlistRow, start: datetime, now: datetime
                 ) -> tuple[SlotQuery, Subject]:
    subject = load_subject(session, entry.patient_id, entry.service_id)
    query = SlotQuery(patient=subject.patient, therapy_id=entry.service_id, day=start.date(), at=start.time(),
                      search_days=1, follow_up=False,
                      preferences=Preferences(preferred_staff=(entry.staff_id,) if entry.staff_id else ()),
                      not_before=diary.local(now).replace(second=0, microsecond=0))
    return query, subject


def _fitting(diary: Diary, query: SlotQuery, start: datetime, freed: FreedSlot, staff_id: str | None
             ) -> tuple[str, tuple[str, ...]] | None:
    """The freed room and staff if the entry's service fits them, else what the engine finds at that start."""
    if freed.room_id and (staff_id is None or staff_id in freed.staff_ids) and \
            check_slot(diary, query, start, freed.room_id, freed.staff_ids).fits:
        return freed.room_id, freed.staff_ids
    picked = best_at(diary, query, start, staff_ids=(staff_id,) if staff_id else None)
    if picked is not None and check_slot(diary, query, start, *picked).fits:
        return picked
    return None


def offer_freed_slot(ctx: ServiceContext, session: Session, freed: FreedSlot, *,
                     skip_entry_ids: tuple[str, ...] = ()) -> str | None:
    """Offer freed time to the first waiting patient (first come, first served) whose day and practitioner match
    and whose service the engine fits at that start; in the caller's transaction. Returns the entry offered."""
    timezone = session.scalar(select(CentreRow.timezone).where(CentreRow.id == freed.centre_id))
    zone = ZoneInfo(timezone)
    start = to_local(freed.start, zone)
    conditions = [WaitlistRow.centre_id == freed.centre_id, WaitlistRow.status == WAITING,
                  WaitlistRow.patient_id != freed.patient_id,
                  or_(WaitlistRow.day.is_(None), WaitlistRow.day == start.date())]
    if skip_entry_ids:
        conditions.append(WaitlistRow.id.not_in(skip_entry_ids))
    if freed.staff_ids:
        conditions.append(or_(WaitlistRow.staff_id.is_(None), WaitlistRow.staff_id.in_(freed.staff_ids)))
    else:
        conditions.append(WaitlistRow.staff_id.is_(None))
    waiting = session.scalars(select(WaitlistRow).where(*conditions)
                              .order_by(WaitlistRow.created_at, WaitlistRow.id)).all()
    if not waiting:
        return None
    now = ctx.now()
    diary = load_diary(session, freed.centre_id, start.date(), start.date(),
                       patient_ids=tuple(sorted({entry.patient_id for entry in waiting})))
    for entry in waiting:
        if not session.get(ServiceRow, entry.service_id).active:
            continue
        query, _ = _entry_query(diary, session, entry, start, now)
        chosen = _fitting(diary, query, start, freed, entry.staff_id)
        if chosen is None:
            continue
        room_id, staff_ids = chosen
        therapy = diary.clinic.therapy_by_id[entry.service_id]
        entry.status = OFFERED
        entry.offered_start = diary.utc(start)
        entry.offered_end = diary.utc(start) + timedelta(minutes=therapy.duration(False))
        entry.offered_room_id, entry.offered_staff_ids = room_id, list(staff_ids)
        entry.offered_at, entry.updated_at = now, now
        session.flush()
        ctx.audit(session, "waitlist.offer", entity="waitlist", entity_id=entry.id)
        return entry.id
    return None


def _open_offer(session: Session, entry_id: str) -> WaitlistRow:
    entry = session.get(WaitlistRow, entry_id)
    if entry is None:
        raise NotFound("That waitlist entry no longer exists.")
    if entry.status != OFFERED:
        raise NoOffer(f"This waitlist entry is {entry.status}, with no offer open; refresh the waitlist.")
    return entry


def _clear_offer(entry: WaitlistRow, now: datetime) -> FreedSlot:
    freed = FreedSlot(entry.centre_id, entry.offered_start, entry.offered_end, entry.offered_room_id,
                      tuple(entry.offered_staff_ids), entry.patient_id)
    entry.status = WAITING
    entry.offered_start = entry.offered_end = entry.offered_room_id = entry.offered_at = None
    entry.offered_staff_ids = []
    entry.updated_at = now
    return freed


def accept_offer(ctx: ServiceContext, entry_id: str) -> tuple[str, Changes]:
    """Book the offered slot for the waiting patient, checked like any booking. If it was taken meanwhile, the
    entry goes back to waiting and SlotTaken says so, with the next free slots."""
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="waitlist", entity_id=entry_id)
    now = ctx.now()
    refusal: SlotTaken | None = None
    with ctx.unit_of_work(write_lock=True) as session:
        entry = _open_offer(session, entry_id)
        timezone = session.scalar(select(CentreRow.timezone).where(CentreRow.id == entry.centre_id))
        start = to_local(entry.offered_start, ZoneInfo(timezone))
        diary = load_diary(session, entry.centre_id, start.date(), start.date(), patient_ids=(entry.patient_id,))
        query, subject = _entry_query(diary, session, entry, start, now)
        staff_ids = tuple(entry.offered_staff_ids)
        checked = check_slot(diary, query, start, entry.offered_room_id, staff_ids)
        if not checked.fits or not subject.active:
            room_id = entry.offered_room_id
            _clear_offer(entry, now)
            ctx.audit(session, "waitlist.offer_lapsed", entity="waitlist", entity_id=entry.id)
            wider = load_diary(session, entry.centre_id, start.date(), start.date() + timedelta(days=6),
                               patient_ids=(entry.patient_id,))
            suggestions, _ = suggest(wider, query, 3)
            refusal = SlotTaken(refusal_text("booked for", subject, diary, start, room_id, staff_ids,
                                             checked.problems or ("the service is no longer offered",),
                                             suggestions) + " The patient is back on the waitlist.", suggestions)
        else:
            end = start + timedelta(minutes=diary.clinic.therapy_by_id[entry.service_id].duration(False))
            row = insert_appointment(ctx, session, diary, NewAppointment(
                subject=subject, start=start, end=end, room_id=entry.offered_room_id, staff_ids=staff_ids,
                status=initial_status(needs_approval=subject.needs_approval, source=Source.FRONT_DESK),
                source=Source.FRONT_DESK, approval_pending=subject.needs_approval,
                reason="Booked from the waitlist"))
            entry.status, entry.appointment_id, entry.updated_at = BOOKED, row.id, now
            session.flush()
            ctx.audit(session, "waitlist.accept", entity="waitlist", entity_id=entry.id,
                      detail=f"appointment {row.reference}")
            appointment_id = row.id
    if refusal is not None:
        raise refusal
    return appointment_id, Changes(appointments=True)


def decline_offer(ctx: ServiceContext, entry_id: str) -> Changes:
    """The patient said no: they keep waiting, and the slot is offered to the next suitable patient."""
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="waitlist", entity_id=entry_id)
    now = ctx.now()
    with ctx.unit_of_work(write_lock=True) as session:
        entry = _open_offer(session, entry_id)
        freed = _clear_offer(entry, now)
        session.flush()
        ctx.audit(session, "waitlist.decline", entity="waitlist", entity_id=entry.id)
        if freed.start is not None and freed.start > now:
            offer_freed_slot(ctx, session, freed, skip_entry_ids=(entry.id,))
    return Changes(appointments=True)


def withdraw(ctx: ServiceContext, entry_id: str) -> Changes:
    """Take a patient off the waitlist (an open offer lapses and passes on)."""
    ctx.authorise(Action.APPOINTMENT_BOOK, entity="waitlist", entity_id=entry_id)
    now = ctx.now()
    with ctx.unit_of_work(write_lock=True) as session:
        entry = session.get(WaitlistRow, entry_id)
        if entry is None:
            raise NotFound("That waitlist entry no longer exists.")
        if entry.status not in (WAITING, OFFERED):
            raise NoOffer(f"This waitlist entry is already {entry.status}.")
        freed = _clear_offer(entry, now) if entry.status == OFFERED else None
        entry.status, entry.updated_at = WITHDRAWN, now
        session.flush()
        ctx.audit(session, "waitlist.withdraw", entity="waitlist", entity_id=entry.id)
        if freed is not None and freed.start > now:
            offer_freed_slot(ctx, session, freed, skip_entry_ids=(entry.id,))
    return Changes(appointments=True)
