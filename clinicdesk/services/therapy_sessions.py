"""The centre's session board and moving a session along its status table, each move stamped with who and when."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import Status, check_in_day_problem, next_status
from clinicdesk.domain.errors import IllegalTransition, NotFound
from clinicdesk.domain.roles import Action
from clinicdesk.domain.therapy_plans import PlanEvent, PlanStatus, all_sessions_done, next_plan_status
from clinicdesk.domain.therapy_sessions import (
    APPOINTMENT_EVENT,
    SessionEvent,
    SessionStatus,
    next_session_status,
    open_mandatory_steps,
    parse_session_event,
    timing_flags,
)
from clinicdesk.services.booking import record_status
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_dto import BoardItem, SessionDetail, SessionEventItem, StepView
from clinicdesk.services.therapy_records import (
    active_consent,
    append_event,
    centre_zone,
    consented_plans,
    done_steps,
    get_session,
    library_in_force,
    sop_steps,
    step_records,
)
from clinicdesk.store.models import PatientRow, RoomRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.store.models_therapy import (
    DosageRow,
    PlanSessionRow,
    SessionEventRow,
    StockBatchRow,
    StockItemRow,
    StockMovementRow,
    VitalsRow,
)

__all__ = ["day_board", "move_session", "session_detail"]


def _board_items(ctx: ServiceContext, session: Session, *where) -> list[BoardItem]:
    rows = session.execute(select(PlanSessionRow, AppointmentRow).join(
        AppointmentRow, AppointmentRow.id == PlanSessionRow.appointment_id).where(*where)
        .order_by(AppointmentRow.start_at, AppointmentRow.id)).all()
    if not rows:
        return []
    zone = centre_zone(session, rows[0][1].centre_id)
    names = {p.id: f"{p.given_name} {p.family_name}".strip() for p in session.scalars(
        select(PatientRow).where(PatientRow.id.in_({a.patient_id for _, a in rows})))}
    rooms = dict(session.execute(select(RoomRow.id, RoomRow.name)).all())
    staff = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
    therapies = library_in_force(ctx, session, rows[0][1].centre_id).therapies
    consented = consented_plans(session, {row.plan_id for row, _ in rows})
    now = ctx.now()
    items = []
    for row, appointment in rows:
        records = step_records(session, row.id)
        done = {no for no, r in records.items() if r.outcome == "done"}
        start, end = to_local(appointment.start_at, zone), to_local(appointment.end_at, zone)
        late, over = timing_flags(SessionStatus(row.status), appointment.start_at, appointment.end_at, now)
        items.append(BoardItem(
            session_id=row.id, plan_id=row.plan_id, appointment_id=appointment.id, patient_id=appointment.patient_id,
            patient_name=names.get(appointment.patient_id, ""),
            therapy=therapies[row.therapy].name if row.therapy in therapies else row.therapy,
            room_name=rooms.get(appointment.room_id, ""),
            staff_names=tuple(staff.get(link.staff_id, "") for link in appointment.staff),
            staff_ids=tuple(link.staff_id for link in appointment.staff), status=row.status,
            start=start, end=end, started_at=to_local(row.started_at, zone) if row.started_at else None,
            ended_at=to_local(row.ended_at, zone) if row.ended_at else None, late=late, over_running=over,
            open_mandatory_steps=len(open_mandatory_steps(sop_steps(row), done)),
            deviations=sum(r.deviation for r in records.values()), consented=row.plan_id in consented))
    return items


def day_board(ctx: ServiceContext, centre_id: str, day: date) -> list[BoardItem]:
    """Every care-plan session at a centre on a local day, in time order, with late and over-running flags."""
    ctx.authorise(Action.THERAPY_VIEW, entity="plan_session")
    with ctx.unit_of_work() as session:
        zone = centre_zone(session, centre_id)
        low = datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
        return _board_items(ctx, session, AppointmentRow.centre_id == centre_id, AppointmentRow.start_at >= low,
                            AppointmentRow.start_at < low + timedelta(days=1))


def session_detail(ctx: ServiceContext, session_id: str) -> SessionDetail:
    """What the SOP runner shows: the steps with their records, the history, vitals, dosages and materials."""
    ctx.authorise(Action.THERAPY_VIEW, entity="plan_session", entity_id=session_id)
    with ctx.unit_of_work() as session:
        found = _board_items(ctx, session, PlanSessionRow.id == session_id)
        if not found:
            raise NotFound("That session is not scheduled (or no longer exists).")
        row, plan = get_session(session, session_id)
        zone = centre_zone(session, plan.centre_id)
        records = step_records(session, session_id)
        steps = []
        for step in sop_steps(row):
            record = records.get(step.no)
            measure = step.measure
            steps.append(StepView(
                step.no, step.text, step.mandatory, step.safety_check, step.timer_seconds,
                measure.quantity if measure else None, measure.unit if measure else "",
                measure.low if measure else None, measure.high if measure else None,
                tuple((m.item, m.quantity) for m in step.materials), record.outcome if record else None,
                record.value if record else None, record.reason if record else "",
                record.deviation if record else False))
        staff = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        events = tuple(SessionEventItem(to_local(e.at, zone), staff.get(e.by_staff_id, ""), e.event, e.from_status,
                                        e.to_status, e.reason) for e in session.scalars(
            select(SessionEventRow).where(SessionEventRow.session_id == session_id).order_by(SessionEventRow.seq)))
        vitals = tuple({"moment": v.moment, "pulse_bpm": v.pulse_bpm, "bp_systolic": v.bp_systolic,
                        "bp_diastolic": v.bp_diastolic, "temperature_c": v.temperature_c, "weight_kg": v.weight_kg,
                        "at": to_local(v.at, zone)} for v in session.scalars(
            select(VitalsRow).where(VitalsRow.session_id == session_id).order_by(VitalsRow.at)))
        dosages = tuple({"medicine": d.medicine, "quantity": d.quantity, "unit": d.unit, "route": d.route,
                         "at": to_local(d.at, zone)} for d in session.scalars(
            select(DosageRow).where(DosageRow.session_id == session_id).order_by(DosageRow.at)))
        materials = tuple({"item": item.name, "code": item.code, "batch_no": batch.batch_no,
                           "quantity": -movement.quantity, "unit": item.unit, "step_no": movement.step_no}
                          for movement, item, batch in session.execute(
            select(StockMovementRow, StockItemRow, StockBatchRow)
            .join(StockItemRow, StockItemRow.id == StockMovementRow.item_id)
            .join(StockBatchRow, StockBatchRow.id == StockMovementRow.batch_id)
            .where(StockMovementRow.session_id == session_id).order_by(StockMovementRow.at)))
        return SessionDetail(found[0], tuple(steps), events, vitals, dosages, materials)


def move_session(ctx: ServiceContext, session_id: str, event: str, *, reason: str = "") -> Changes:
    """Prepare, start, recover, complete or cancel a session; its appointment moves along with it.

    Refused (nothing changes) when the table does not allow it, the plan is not active, it is not the session's day,
    for starting, while the plan has no procedure consent in force, or, for completion, while a mandatory SOP step
    is open. Completing the last session completes the plan.
    """
    ctx.authorise(Action.SESSION_RUN, entity="plan_session", entity_id=session_id)
    move = parse_session_event(event)
    with ctx.unit_of_work(write_lock=True) as session:
        row, plan = get_session(session, session_id)
        if plan.status != PlanStatus.ACTIVE:
            raise IllegalTransition(f"The care plan is {plan.status}; "
                                    + ("confirm it first." if plan.status == PlanStatus.PLANNED else
                                       "resume it first." if plan.status == PlanStatus.PAUSED else
                                       "its sessions can no longer change."))
        appointment = session.get(AppointmentRow, row.appointment_id) if row.appointment_id else None
        if appointment is None:
            raise IllegalTransition("This session has no appointment yet; schedule the course first.")
        open_steps = open_mandatory_steps(sop_steps(row), done_steps(session, row.id)) \
            if move is SessionEvent.COMPLETE else ()
        consented = active_consent(session, plan.id) is not None if move is SessionEvent.START else True
        target = next_session_status(SessionStatus(row.status), move, open_mandatory=open_steps, consented=consented)
        zone = centre_zone(session, appointment.centre_id)
        if move is SessionEvent.PREPARE:
            problem = check_in_day_problem(APPOINTMENT_EVENT[move], appointment_day=to_local(
                appointment.start_at, zone).date(), today=to_local(ctx.now(), zone).date())
            if problem:
                raise IllegalTransition(problem.replace("check the patient in", "prepare the session"))
        appointment_event = APPOINTMENT_EVENT.get(move)
        if appointment_event is not None and appointment.status not in (Status.CANCELLED, Status.COMPLETED):
            after = next_status(Status(appointment.status), appointment_event,
                                approval_pending=appointment.approval_pending)
            record_status(ctx, session, appointment, event=appointment_event.value, to_status=after, reason=reason)
        if move is SessionEvent.START:
            row.started_at = ctx.now()
        if move is SessionEvent.RECOVER:
            row.ended_at = ctx.now()
        append_event(ctx, session, row, event=move.value, to_status=target, reason=reason)
        ctx.audit(session, f"therapy.session_{move.value}", entity="plan_session", entity_id=row.id)
        session.flush()
        if move in (SessionEvent.COMPLETE, SessionEvent.CANCEL) and all_sessions_done(
                SessionStatus(s.status) for s in plan.sessions):
            plan.status = next_plan_status(PlanStatus(plan.status), PlanEvent.COMPLETE).value
            plan.updated_at = ctx.now()
            ctx.audit(session, "therapy.plan_complete", entity="care_plan", entity_id=plan.id)
        return Changes(therapy=True, appointments=appointment_event is not None)
