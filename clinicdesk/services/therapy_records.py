"""Shared reading for the therapy services: plan and session rows, their SOP snapshot, the centre's zone."""

from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.protocols import Library, SopStep, step_from_dict
from clinicdesk.domain.therapy_sessions import SessionStatus
from clinicdesk.services import protocol_library
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.store.models import CentreRow
from clinicdesk.store.models_consent_media import ProcedureConsentRow
from clinicdesk.store.models_therapy import CarePlanRow, PlanSessionRow, SessionEventRow, SopStepRecordRow


def get_plan(session: Session, plan_id: str) -> CarePlanRow:
    plan = session.get(CarePlanRow, plan_id)
    if plan is None:
        raise NotFound("That care plan no longer exists.")
    return plan


def get_session(session: Session, session_id: str) -> tuple[PlanSessionRow, CarePlanRow]:
    row = session.get(PlanSessionRow, session_id)
    if row is None:
        raise NotFound("That therapy session no longer exists.")
    return row, session.get(CarePlanRow, row.plan_id)


def active_consent(session: Session, plan_id: str) -> ProcedureConsentRow | None:
    """The plan's procedure consent in force (signed and not withdrawn), if any."""
    return session.scalars(select(ProcedureConsentRow).where(ProcedureConsentRow.plan_id == plan_id,
                                                             ProcedureConsentRow.withdrawn_at.is_(None))).first()


def consented_plans(session: Session, plan_ids: set[str]) -> set[str]:
    """Which of these plans have a procedure consent in force (one query for a whole board)."""
    return set(session.scalars(select(ProcedureConsentRow.plan_id).where(
        ProcedureConsentRow.plan_id.in_(plan_ids), ProcedureConsentRow.withdrawn_at.is_(None))))


def centre_zone(session: Session, centre_id: str) -> ZoneInfo:
    return ZoneInfo(session.scalar(select(CentreRow.timezone).where(CentreRow.id == centre_id)) or "Asia/Kolkata")


def library_in_force(ctx: ServiceContext, session: Session, centre_id: str) -> Library:
    """Shipped templates plus the admin's versions, as in force on the centre's today."""
    return protocol_library.effective_library(session, to_local(ctx.now(), centre_zone(session, centre_id)).date())


def sop_steps(row: PlanSessionRow) -> list[SopStep]:
    return [step_from_dict(step) for step in row.sop_steps]


def step_records(session: Session, session_id: str) -> dict[int, SopStepRecordRow]:
    rows = session.scalars(select(SopStepRecordRow).where(SopStepRecordRow.session_id == session_id))
    return {row.step_no: row for row in rows}


def done_steps(session: Session, session_id: str) -> set[int]:
    return {no for no, row in step_records(session, session_id).items() if row.outcome == "done"}


def append_event(ctx: ServiceContext, session: Session, row: PlanSessionRow, *, event: str, to_status: SessionStatus,
                 reason: str = "") -> None:
    """Move the session and stamp who and when in its append-only history."""
    seq = session.scalar(select(func.coalesce(func.max(SessionEventRow.seq), 0))
                         .where(SessionEventRow.session_id == row.id)) + 1
    session.add(SessionEventRow(id=ctx.make_id(), session_id=row.id, seq=seq, at=ctx.now(),
                                by_staff_id=ctx.user.staff_id if ctx.user else None, event=event,
                                from_status=row.status, to_status=to_status.value, reason=reason[:300]))
    row.status = to_status.value
    row.updated_at = ctx.now()
