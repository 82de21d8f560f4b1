"""Online requests from the patient portal at the desk: list them, confirm (book, move or cancel through the same
paths the reception uses, with source "portal"), decline with a reason, and auto-approve when the clinic allows it.

A request is decided in one write transaction with what it does: the request row and the appointment it made,
moved or cancelled are saved together or not at all. A request the engine refuses stays pending, with the engine's
reason in its decision note, for a person to decide.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import Event, Source, initial_status
from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.portal import booking_refusal, change_refusal
from clinicdesk.domain.roles import Action
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.appointments import reschedule_in, transition_in
from clinicdesk.services.booking import (
    NewAppointment,
    SlotTaken,
    insert_appointment,
    load_subject,
    query_for,
    refusal_text,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.portal_settings import load_settings
from clinicdesk.services.scheduling_adapter import load_diary, to_local
from clinicdesk.services.slot_search import best_at, check_slot, suggest
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_portal import PortalRequestRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow

PENDING, CONFIRMED, DECLINED, WITHDRAWN = "pending", "confirmed", "declined", "withdrawn"
AUTO = "auto"  # decided_by of a request the clinic's auto-approval confirmed
# Only one desk of a centre auto-approves: two desks confirming the same request between syncs would book it twice.
# The centre's first desk keeps device code "A" (HQ hands later desks other codes); the others leave requests to it,
# and any desk's staff can still confirm by hand.
AUTO_APPROVING_DEVICE_CODE = "A"
MAX_REASON = 300
_LABELS = {"reason": "Reason", "request": "This request"}
# The domain's refusal keys (the portal's texts) in the desk's words.
_RULE_WORDS = {
    "booking.refused.disabled": "online booking is switched off for this centre",
    "booking.refused.service": "this service is not bookable online",
    "booking.refused.too_soon": "the time asked for is sooner than the clinic's minimum notice",
    "booking.refused.too_far": "the time asked for is further ahead than the clinic books online",
    "booking.refused.change_too_late": "the appointment starts too soon to be changed online",
}


@dataclass(frozen=True)
class RequestItem:
    """One request as the reception list shows it; times are centre-local (naive), like the calendar's."""

    id: str
    kind: str  # book, reschedule, cancel
    status: str
    patient_id: str
    patient_name: str
    uhid: str
    service_name: str
    requested_start: datetime | None  # the time asked for (book, reschedule)
    current_start: datetime | None  # the appointment's present time (reschedule, cancel)
    requested_at: datetime
    note: str
    decision_note: str
    decided_at: datetime | None
    decided_by: str
    result_appointment_id: str | None


@dataclass(frozen=True)
class AutoApproval:
    confirmed: int = 0
    left_pending: int = 0


def _items(session: Session, rows: list[PortalRequestRow]) -> list[RequestItem]:
    patients = {row.id: row for row in session.scalars(select(PatientRow).where(
        PatientRow.id.in_({r.patient_id for r in rows})))}
    appointments = {row.id: row for row in session.scalars(select(AppointmentRow).where(
        AppointmentRow.id.in_({r.appointment_id for r in rows if r.appointment_id})))}
    service_ids = {r.service_id for r in rows if r.service_id} | {a.service_id for a in appointments.values()}
    services = dict(session.execute(select(ServiceRow.id, ServiceRow.name).where(ServiceRow.id.in_(service_ids))).all())
    zones = {centre_id: centre_zone(session, centre_id) for centre_id in {r.centre_id for r in rows}}
    items = []
    for row in rows:
        zone, patient = zones[row.centre_id], patients.get(row.patient_id)
        appointment = appointments.get(row.appointment_id) if row.appointment_id else None
        service_id = row.service_id or (appointment.service_id if appointment else None)
        items.append(RequestItem(
            id=row.id, kind=row.kind, status=row.status, patient_id=row.patient_id,
            patient_name=f"{patient.given_name} {patient.family_name}".strip() if patient else "(not here yet)",
            uhid=patient.uhid if patient else "", service_name=services.get(service_id, ""),
            requested_start=to_local(row.requested_start, zone) if row.requested_start else None,
            current_start=to_local(appointment.start_at, zone) if appointment else None,
            requested_at=to_local(row.requested_at, zone), note=row.note, decision_note=row.decision_note,
            decided_at=to_local(row.decided_at, zone) if row.decided_at else None, decided_by=row.decided_by or "",
            result_appointment_id=row.result_appointment_id))
    return items


def list_requests(ctx: ServiceContext, centre_id: str, *, pending: bool = True, limit: int = 200) -> list[RequestItem]:
    """Pending requests oldest first (the reception works them in order), or decided ones newest first."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="portal_request")
    with ctx.unit_of_work() as session:
        query = select(PortalRequestRow).where(PortalRequestRow.centre_id == centre_id)
        if pending:
            query = query.where(PortalRequestRow.status == PENDING).order_by(PortalRequestRow.requested_at)
        else:
            query = query.where(PortalRequestRow.status != PENDING).order_by(
                PortalRequestRow.decided_at.desc(), PortalRequestRow.requested_at.desc())
        return _items(session, list(session.scalars(query.limit(max(1, min(limit, 1000))))))


def pending_count(ctx: ServiceContext, centre_id: str) -> int:
    """The number on the sidebar's "Online requests"."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="portal_request")
    with ctx.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(PortalRequestRow).where(
            PortalRequestRow.centre_id == centre_id, PortalRequestRow.status == PENDING)) or 0


def _pending_row(session: Session, request_id: str) -> PortalRequestRow:
    row = session.get(PortalRequestRow, request_id)
    if row is None:
        raise NotFound("That online request was not found; sync and look again.")
    if row.status != PENDING:
        raise ValidationError({"request": f"was already {row.status}; nothing was changed"}, _LABELS)
    return row


def _patients_appointment(session: Session, row: PortalRequestRow) -> AppointmentRow:
    appointment = session.get(AppointmentRow, row.appointment_id) if row.appointment_id else None
    if appointment is None or appointment.patient_id != row.patient_id:
        raise NotFound("The appointment this request names is not this patient's, or is not here yet.")
    return appointment


def _book(ctx: ServiceContext, session: Session, row: PortalRequestRow) -> str:
    """The reception's booking path (clinicdesk/services/booking.py) for the time asked, with source "portal"."""
    if row.service_id is None or row.requested_start is None:
        raise ValidationError({"request": "names no service or time to book"}, _LABELS)
    subject = load_subject(session, row.patient_id, row.service_id)
    if not subject.active:
        raise ValidationError({"request": "asks for a service the clinic no longer offers"}, _LABELS)
    zone = centre_zone(session, row.centre_id)
    start = to_local(row.requested_start, zone).replace(second=0, microsecond=0)
    diary = load_diary(session, row.centre_id, start.date(), start.date(), patient_ids=(row.patient_id,))
    request = BookingRequest(patient_id=row.patient_id, service_id=row.service_id, centre_id=row.centre_id,
                             day=start.date(), at=start.time(), search_days=1, source=Source.PORTAL.value)
    query = query_for(request, subject, diary, ctx.now(), None, day=start.date(), at=start.time())
    picked = best_at(diary, query, start)
    if picked is None:  # nobody and nowhere free then: the engine's own account of why
        suggestions, explanation = suggest(diary, query, 3)
        raise SlotTaken(explanation or f"{subject.service_name} cannot be booked then.", suggestions)
    room_id, staff_ids = picked
    checked = check_slot(diary, query, start, room_id, staff_ids)
    if not checked.fits:
        raise SlotTaken(refusal_text("booked for", subject, diary, start, room_id, staff_ids, checked.problems, ()))
    therapy = diary.clinic.therapy_by_id[row.service_id]
    status = initial_status(needs_approval=subject.needs_approval, source=Source.PORTAL)
    appointment = insert_appointment(ctx, session, diary, NewAppointment(
        subject=subject, start=start, end=start + timedelta(minutes=therapy.duration(False)), room_id=room_id,
        staff_ids=staff_ids, status=status, source=Source.PORTAL, approval_pending=subject.needs_approval,
        notes=row.note.strip()[:1000], reason="Asked for online"))
    ctx.audit(session, "appointment.book", entity="appointment", entity_id=appointment.id,
              detail=f"{appointment.reference}; source portal; status {status.value}")
    return appointment.id


def _carry_out(ctx: ServiceContext, session: Session, row: PortalRequestRow) -> str:
    """Book, move or cancel; the id of the appointment that holds the result."""
    if row.kind == "book":
        return _book(ctx, session, row)
    appointment = _patients_appointment(session, row)
    if row.kind == "reschedule":
        if row.requested_start is None:
            raise ValidationError({"request": "names no new time"}, _LABELS)
        new_start = to_local(row.requested_start, centre_zone(session, row.centre_id))
        return reschedule_in(ctx, session, appointment.id, new_start, reason="Asked for online")
    if row.kind == "cancel":
        transition_in(ctx, session, appointment.id, Event.CANCEL, reason="Cancelled by the patient online")
        return appointment.id
    raise ValidationError({"request": f"is of an unknown kind ({row.kind[:20]})"}, _LABELS)


def _decide(row: PortalRequestRow, status: str, *, now: datetime, by: str, note: str = "",
            result: str | None = None) -> None:
    row.status, row.decision_note, row.decided_at, row.decided_by = status, note[:MAX_REASON], now, by
    row.result_appointment_id = result


def confirm_request(ctx: ServiceContext, request_id: str) -> tuple[str, Changes]:
    """A person confirms: the booking, move or cancellation is carried out now, checked again by the engine; when
    it no longer fits, the engine's reason is raised (SlotTaken, RescheduleRefused...) and nothing changes."""
    user = ctx.authorise(Action.APPOINTMENT_BOOK, entity="portal_request", entity_id=request_id)
    with ctx.unit_of_work(write_lock=True) as session:
        row = _pending_row(session, request_id)
        result = _carry_out(ctx, session, row)
        _decide(row, CONFIRMED, now=ctx.now(), by=user.staff_id, result=result)
        ctx.audit(session, "portal_request.confirm", entity="portal_request", entity_id=row.id, detail=row.kind)
        return result, Changes(appointments=True)


def decline_request(ctx: ServiceContext, request_id: str, reason: str) -> Changes:
    """A person declines with a reason the patient will read on the portal (required, at most 300 characters)."""
    user = ctx.authorise(Action.APPOINTMENT_BOOK, entity="portal_request", entity_id=request_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "is required: the patient reads it on the portal"}, _LABELS)
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"must be at most {MAX_REASON} characters"}, _LABELS)
    with ctx.unit_of_work(write_lock=True) as session:
        row = _pending_row(session, request_id)
        _decide(row, DECLINED, now=ctx.now(), by=user.staff_id, note=reason)
        ctx.audit(session, "portal_request.decline", entity="portal_request", entity_id=row.id, detail=row.kind)
        return Changes(appointments=True)


def _rule_refusal(session: Session, row: PortalRequestRow, rules, now: datetime) -> str | None:
    """What the clinic's online rules say against deciding this request without a person, in the desk's words."""
    key = None
    if row.kind in ("reschedule", "cancel"):
        appointment = _patients_appointment(session, row)
        key = change_refusal(rules, appointment.start_at, now)
        service_id = appointment.service_id
    else:
        service_id = row.service_id or ""
    if key is None and row.kind in ("book", "reschedule"):
        if row.requested_start is None:
            return "it names no time"
        key = booking_refusal(rules, service_id, row.requested_start, now)
    return _RULE_WORDS.get(key, key) if key else None


def auto_approve_in(ctx: ServiceContext, session: Session) -> AutoApproval:
    """Every pending request of a centre whose auto-approval is on, each in a savepoint: confirmed when the rules
    allow it and the engine still finds the slot free; otherwise left pending with the reason for a person.

    Runs as nobody (the clinic's setting decided it): history and audit say "system", decided_by says "auto".
    """
    if ctx.db.config.device_code != AUTO_APPROVING_DEVICE_CODE:
        return AutoApproval()
    system = replace(ctx, user=None)
    now = ctx.now()
    confirmed = left = 0
    rows = session.scalars(select(PortalRequestRow).where(PortalRequestRow.status == PENDING)
                           .order_by(PortalRequestRow.requested_at, PortalRequestRow.id)).all()
    settings = {}
    for row in rows:
        if row.centre_id not in settings:
            settings[row.centre_id] = load_settings(session, row.centre_id)
        if not settings[row.centre_id].auto_approve:
            continue
        try:
            with session.begin_nested():
                refusal = _rule_refusal(session, row, settings[row.centre_id].rules, now)
                if refusal:
                    raise ClinicError(f"{refusal[0].upper()}{refusal[1:]}.")
                result = _carry_out(system, session, row)
                _decide(row, CONFIRMED, now=now, by=AUTO, result=result)
                system.audit(session, "portal_request.auto_confirm", entity="portal_request", entity_id=row.id,
                             detail=row.kind)
            confirmed += 1
        except ClinicError as error:
            note = f"Not confirmed automatically: {error}"[:MAX_REASON]
            if row.decision_note != note:  # written once: the same reason again would be a change to sync
                row.decision_note = note
            left += 1
    return AutoApproval(confirmed, left)
