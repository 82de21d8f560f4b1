"""Patient-reported outcomes after sessions and the progress series of a plan, ready for charts."""

from sqlalchemy import select

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.outcomes import OutcomeReport, check_outcome
from clinicdesk.domain.roles import Action
from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.rule_hooks import outcome_rules
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_dto import OutcomePoint, ProgressSeries
from clinicdesk.services.therapy_plans import phase_counts
from clinicdesk.services.therapy_records import centre_zone, get_plan
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.store.models_therapy import OutcomeReportRow, PlanSessionRow

__all__ = ["progress_series", "record_outcome"]


def record_outcome(ctx: ServiceContext, plan_id: str, report: OutcomeReport, *,
                   session_id: str | None = None) -> tuple[str, Changes]:
    """What the patient reports (symptom scores 0-10, side effects, energy, sleep, digestion), after a session."""
    ctx.authorise(Action.SESSION_RUN, entity="care_plan", entity_id=plan_id)
    report = check_outcome(report)
    with ctx.unit_of_work() as session:
        plan = get_plan(session, plan_id)
        if session_id is not None:
            row = session.get(PlanSessionRow, session_id)
            if row is None or row.plan_id != plan.id:
                raise ValidationError({"session_id": "must be a session of this plan"}, {"session_id": "Session"})
        row = OutcomeReportRow(id=ctx.make_id(), plan_id=plan.id, session_id=session_id,
                               symptom_scores=report.symptom_scores, energy=report.energy, sleep=report.sleep,
                               digestion=report.digestion, side_effects=report.side_effects, at=ctx.now(),
                               by_staff_id=ctx.user.staff_id)
        session.add(row)
        ctx.audit(session, "therapy.outcome", entity="care_plan", entity_id=plan.id)
        outcome_rules(ctx, session, plan, row)  # care rules: call tasks, session flags, messages, in this transaction
        return row.id, Changes(therapy=True)


def progress_series(ctx: ServiceContext, plan_id: str) -> ProgressSeries:
    """Every report of a plan in time order with its course day, plus adherence and per-phase counts."""
    ctx.authorise(Action.THERAPY_VIEW, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work() as session:
        plan = get_plan(session, plan_id)
        zone = centre_zone(session, plan.centre_id)
        keys = {r.id: r.key for r in plan.sessions}
        points = []
        for row in session.scalars(select(OutcomeReportRow).where(OutcomeReportRow.plan_id == plan.id)
                                   .order_by(OutcomeReportRow.at, OutcomeReportRow.id)):
            local = to_local(row.at, zone)
            points.append(OutcomePoint(local, (local.date() - plan.start_date).days, keys.get(row.session_id),
                                       dict(row.symptom_scores), row.energy, row.sleep, row.digestion,
                                       row.side_effects))
        starts = dict(session.execute(select(AppointmentRow.id, AppointmentRow.start_at).where(
            AppointmentRow.id.in_([r.appointment_id for r in plan.sessions if r.appointment_id]))).all())
        now = ctx.now()
        # due: completed (even a little early) or its time has come; cancelled sessions never count
        due = [r for r in plan.sessions if r.status == SessionStatus.COMPLETED or (
            r.status != SessionStatus.CANCELLED and r.appointment_id in starts and starts[r.appointment_id] <= now)]
        return ProgressSeries(plan.id, tuple(sorted({name for p in points for name in p.symptom_scores})),
                              tuple(points), len(due), sum(r.status == SessionStatus.COMPLETED for r in due),
                              phase_counts(list(plan.sessions)))
