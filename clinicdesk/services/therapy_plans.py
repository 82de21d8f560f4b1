"""Care plans: made from a course template, adjusted, auto-scheduled into real appointments, moved through statuses."""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import Event, Source, Status, next_status
from clinicdesk.domain.errors import ClinicError, IllegalTransition, NotFound, ValidationError
from clinicdesk.domain.protocols import Phase, step_to_dict
from clinicdesk.domain.roles import Action
from clinicdesk.domain.scheduling.model import Patient, SequenceLink
from clinicdesk.domain.scheduling.solver import Scheduler
from clinicdesk.domain.therapy_plans import (
    PlanEvent,
    PlannedSession,
    PlanStatus,
    adjust_sessions,
    course_rest_days,
    next_plan_status,
    phase_progress,
    plan_request,
    sessions_from_course,
)
from clinicdesk.domain.therapy_sessions import RUNNING, SessionEvent, SessionStatus
from clinicdesk.services.booking import NewAppointment, insert_appointment, load_subject, record_status
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import engine_gender, load_diary, to_local
from clinicdesk.services.therapy_dto import PhaseCount, PlanSessionItem, PlanSummary, UnplacedSession
from clinicdesk.services.therapy_records import append_event, centre_zone, get_plan, library_in_force
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServiceRow
from clinicdesk.store.models_therapy import CarePlanRow, PlanSessionRow

__all__ = ["PlanNotPlaced", "adjust_plan", "auto_schedule", "create_plan", "plan_summary", "transition_plan"]


class PlanNotPlaced(ClinicError):
    """Auto-scheduling found no place for some sessions; nothing was booked. `unplaced` says which and why."""

    def __init__(self, message: str, unplaced: tuple[UnplacedSession, ...]):
        super().__init__(message)
        self.unplaced = unplaced


def create_plan(ctx: ServiceContext, patient_id: str, course_key: str, start_date: date, *,
                centre_id: str | None = None, notes: str = "") -> tuple[str, Changes]:
    """A planned course for a patient from the template version in force on `start_date`; not yet booked."""
    user = ctx.authorise(Action.THERAPY_PLAN, entity="care_plan")
    if len(notes) > 2000:
        raise ValidationError({"notes": "must be at most 2,000 characters"})
    now = ctx.now()
    with ctx.unit_of_work() as session:
        library = library_in_force(ctx, session, centre_id or user.centre_id)
        course = library.course(course_key, start_date)
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("This patient record no longer exists.")
        planned = sessions_from_course(course)
        service_ids = _service_ids(session, {library.therapies[s.therapy].service_code for s in planned})
        plan = CarePlanRow(id=ctx.make_id(), centre_id=centre_id or user.centre_id, patient_id=patient_id,
                           course_key=course.key, course_version=course.version, name=course.name,
                           start_date=start_date, status=PlanStatus.PLANNED.value,
                           rest_days=list(course_rest_days(course, library.therapies)),
                           max_days_late=course.max_days_late, scheduled=False, notes=notes,
                           doctor_id=user.staff_id, created_at=now, updated_at=now)
        session.add(plan)
        for seq, item in enumerate(planned):
            therapy = library.therapies[item.therapy]
            sop = library.sop(therapy.sop, start_date) if therapy.sop else None
            session.add(PlanSessionRow(
                id=ctx.make_id(), plan_id=plan.id, seq=seq, key=item.key, therapy=item.therapy,
                phase=item.phase.value, service_id=service_ids[therapy.service_code], day_offset=item.day_offset,
                after=[_link_json(link) for link in item.after], status=SessionStatus.SCHEDULED.value,
                sop_key=sop.key if sop else None, sop_version=sop.version if sop else None,
                sop_steps=[step_to_dict(step) for step in sop.steps] if sop else [], updated_at=now))
        session.flush()
        ctx.audit(session, "therapy.plan_create", entity="care_plan", entity_id=plan.id,
                  detail=f"{course.key} v{course.version}, {len(planned)} sessions")
        return plan.id, Changes(therapy=True)


def _service_ids(session: Session, codes: set[str]) -> dict[str, str]:
    found = dict(session.execute(select(ServiceRow.code, ServiceRow.id).where(ServiceRow.code.in_(codes),
                                                                               ServiceRow.active.is_(True))).all())
    missing = sorted(codes - set(found))
    if missing:
        raise ValidationError({"course": "needs these services in the catalogue: " + ", ".join(missing)
                                         + "; add them (Admin > Services) or choose another course"},
                              {"course": "The course"})
    return found


def _link_json(link: SequenceLink) -> dict:
    return {"session": link.session_id, "min_gap_days": link.min_gap_days, "max_gap_days": link.max_gap_days,
            "min_gap_minutes": link.min_gap_minutes}


def _planned(rows: list[PlanSessionRow]) -> list[PlannedSession]:
    return [PlannedSession(r.key, r.key.rsplit("-", 1)[0], r.therapy, Phase(r.phase), r.day_offset, tuple(
        SequenceLink(a["session"], a["min_gap_days"], a["max_gap_days"], a["min_gap_minutes"]) for a in r.after))
        for r in rows]


def _editable(plan: CarePlanRow) -> None:
    if plan.status != PlanStatus.PLANNED or plan.scheduled:
        raise IllegalTransition("Only a planned course that is not yet scheduled can be adjusted; this one is "
                                + ("already scheduled." if plan.scheduled else f"{plan.status}."))


def adjust_plan(ctx: ServiceContext, plan_id: str, *, drop: tuple[str, ...] = (), move: dict[str, int] | None = None,
                start_date: date | None = None) -> Changes:
    """A doctor's changes before scheduling: drop sessions, move sessions to other days, start on another date."""
    ctx.authorise(Action.THERAPY_PLAN, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work() as session:
        plan = get_plan(session, plan_id)
        _editable(plan)
        rows = list(plan.sessions)
        kept = {s.key: s for s in adjust_sessions(_planned(rows), drop=drop, move=move, rest_days=plan.rest_days)}
        for row in rows:
            if row.key not in kept:
                session.delete(row)
                continue
            row.day_offset = kept[row.key].day_offset
            row.after = [_link_json(link) for link in kept[row.key].after]
            row.updated_at = ctx.now()
        if start_date is not None:
            plan.start_date = start_date
        plan.updated_at = ctx.now()
        ctx.audit(session, "therapy.plan_adjust", entity="care_plan", entity_id=plan.id,
                  detail=f"dropped {len(drop)}, moved {len(move or {})}")
        return Changes(therapy=True)


def auto_schedule(ctx: ServiceContext, plan_id: str, *,
                  fixed_starts: dict[str, datetime] | None = None) -> tuple[int, Changes]:
    """Book every session through the scheduling engine as held appointments, all or nothing, under the write lock.

    `fixed_starts` pins sessions (by key) to centre-local wall-clock starts; the engine still checks every rule.

    Returns the number of sessions booked; PlanNotPlaced (nothing saved) lists each unplaced session with the
    engine's reasons.
    """
    ctx.authorise(Action.THERAPY_PLAN, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work(write_lock=True) as session:
        plan = get_plan(session, plan_id)
        _editable(plan)
        rows = list(plan.sessions)
        zone = centre_zone(session, plan.centre_id)
        if plan.start_date <= to_local(ctx.now(), zone).date():
            raise ValidationError({"start_date": "must be tomorrow or later to schedule the course; move the start "
                                                 "date first"}, {"start_date": "The first day"})
        planned = _planned(rows)
        last_day = plan.start_date + timedelta(days=max(r.day_offset for r in rows) + plan.max_days_late)
        diary = load_diary(session, plan.centre_id, plan.start_date, last_day, patient_ids=(plan.patient_id,))
        patient = session.get(PatientRow, plan.patient_id)
        service_of = {r.therapy: r.service_id for r in rows}
        request = plan_request(plan.id, Patient(plan.patient_id, engine_gender(patient.sex)), plan.start_date,
                               planned, service_of, rest_days=tuple(plan.rest_days),
                               max_days_late=plan.max_days_late, fixed_starts=fixed_starts)
        outcome = Scheduler(diary.clinic).book(request)
        if outcome.unplaced:
            by_key = {r.key: r for r in rows}
            unplaced = tuple(UnplacedSession(u.session_id, by_key[u.session_id].therapy,
                                             by_key[u.session_id].day_offset, u.reasons) for u in outcome.unplaced)
            first = unplaced[0]
            raise PlanNotPlaced(f"{len(unplaced)} of {len(rows)} sessions could not be placed, so nothing was "
                                f"booked. First: {first.key} (day {first.day_offset}): "
                                + ("; ".join(first.reasons) or "no free slot") + ".", unplaced)
        by_key = {r.key: r for r in rows}
        subjects = {}
        for placement in outcome.placements:
            row = by_key[placement.session_id]
            if row.service_id not in subjects:
                subjects[row.service_id] = load_subject(session, plan.patient_id, row.service_id)
            appointment = insert_appointment(ctx, session, diary, NewAppointment(
                subject=subjects[row.service_id], start=placement.start, end=placement.end,
                room_id=placement.room_id, staff_ids=placement.staff_ids, status=Status.REQUESTED,
                source=Source.FRONT_DESK, notes=f"Care plan: {plan.name}, {row.key}",
                reason="Auto-scheduled from a care plan"))
            row.appointment_id = appointment.id
            row.updated_at = ctx.now()
        plan.scheduled = True
        plan.updated_at = ctx.now()
        ctx.audit(session, "therapy.plan_schedule", entity="care_plan", entity_id=plan.id,
                  detail=f"{len(outcome.placements)} sessions booked")
        return len(outcome.placements), Changes(therapy=True, appointments=True)


def transition_plan(ctx: ServiceContext, plan_id: str, event: str, *, reason: str = "") -> Changes:
    """Confirm (holds become confirmed appointments), pause, resume or cancel (future appointments are freed)."""
    ctx.authorise(Action.THERAPY_PLAN, entity="care_plan", entity_id=plan_id)
    try:
        move = PlanEvent(event)
    except ValueError:
        raise IllegalTransition(f"'{event}' is not something that can happen to a care plan.") from None
    with ctx.unit_of_work(write_lock=True) as session:
        plan = get_plan(session, plan_id)
        target = next_plan_status(PlanStatus(plan.status), move)
        rows = list(plan.sessions)
        if move is PlanEvent.CONFIRM:
            if not plan.scheduled:
                raise IllegalTransition("Schedule the course before confirming it.")
            for row in rows:
                _move_appointment(ctx, session, row.appointment_id, Event.CONFIRM, reason)
        if move is PlanEvent.CANCEL:
            if any(SessionStatus(row.status) in RUNNING for row in rows):
                raise IllegalTransition("A session of this course is under way; finish it before cancelling.")
            for row in rows:
                if row.status == SessionStatus.SCHEDULED:
                    append_event(ctx, session, row, event=SessionEvent.CANCEL.value,
                                 to_status=SessionStatus.CANCELLED, reason=reason or "Care plan cancelled")
                    _move_appointment(ctx, session, row.appointment_id, Event.CANCEL, reason or "Care plan cancelled")
        plan.status = target.value
        plan.updated_at = ctx.now()
        ctx.audit(session, f"therapy.plan_{move.value}", entity="care_plan", entity_id=plan.id)
        return Changes(therapy=True, appointments=move in (PlanEvent.CONFIRM, PlanEvent.CANCEL))


def _move_appointment(ctx: ServiceContext, session: Session, appointment_id: str | None, event: Event,
                      reason: str) -> None:
    row = session.get(AppointmentRow, appointment_id) if appointment_id else None
    if row is None or Status(row.status) in (Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW,
                                              Status.RESCHEDULED):
        return
    target = next_status(Status(row.status), event, approval_pending=row.approval_pending)
    record_status(ctx, session, row, event=event.value, to_status=target, reason=reason)


def phase_counts(rows: list[PlanSessionRow]) -> tuple[PhaseCount, ...]:
    return tuple(PhaseCount(p.phase.value, p.planned, p.completed, p.cancelled)
                 for p in phase_progress((Phase(r.phase), SessionStatus(r.status)) for r in rows))


def plan_summary(ctx: ServiceContext, plan_id: str) -> PlanSummary:
    """The plan with planned vs completed sessions per phase, each session's time, the regimen and the cautions."""
    ctx.authorise(Action.THERAPY_VIEW, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work() as session:
        plan = get_plan(session, plan_id)
        library = library_in_force(ctx, session, plan.centre_id)
        zone = centre_zone(session, plan.centre_id)
        rows = list(plan.sessions)
        times = {a.id: (a.start_at, a.end_at) for a in session.scalars(select(AppointmentRow).where(
            AppointmentRow.id.in_([r.appointment_id for r in rows if r.appointment_id])))}
        items = tuple(PlanSessionItem(
            r.id, r.key, library.therapies[r.therapy].name if r.therapy in library.therapies else r.therapy, r.phase,
            r.day_offset, r.status, r.appointment_id,
            to_local(times[r.appointment_id][0], zone) if r.appointment_id in times else None,
            to_local(times[r.appointment_id][1], zone) if r.appointment_id in times else None) for r in rows)
        course = next((c for c in library.courses if c.key == plan.course_key and c.version == plan.course_version),
                      None)
        return PlanSummary(
            id=plan.id, patient_id=plan.patient_id, centre_id=plan.centre_id, name=plan.name,
            course_key=plan.course_key, course_version=plan.course_version, status=plan.status,
            start_date=plan.start_date, scheduled=plan.scheduled, phases=phase_counts(rows), sessions=items,
            regimen={p.phase.value: p.regimen for p in course.phases} if course else {},
            contraindications=course.contraindications if course else (),
            expected_outcomes=course.expected_outcomes if course else ())
