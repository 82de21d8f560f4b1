"""The clinician task list: calls to make and slots to offer that care rules created, done by a person."""

from sqlalchemy import select

from clinicdesk.domain.errors import IllegalTransition, NotFound
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.rule_dto import TaskItem
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_feedback import ClinicianTaskRow, SessionFlagRow

__all__ = ["complete_task", "list_tasks", "session_flags"]


def list_tasks(ctx: ServiceContext, centre_id: str, *, open_only: bool = True,
               mine_only: bool = False) -> list[TaskItem]:
    """A centre's tasks, soonest due first; `mine_only` keeps those assigned to the signed-in person or to anyone."""
    user = ctx.authorise(Action.CARE_TASKS_WORK, entity="clinician_task")
    with ctx.unit_of_work() as session:
        query = select(ClinicianTaskRow).where(ClinicianTaskRow.centre_id == centre_id)
        if open_only:
            query = query.where(ClinicianTaskRow.done_at.is_(None))
        if mine_only:
            query = query.where((ClinicianTaskRow.assignee_id == user.staff_id)
                                | ClinicianTaskRow.assignee_id.is_(None))
        rows = list(session.scalars(query.order_by(ClinicianTaskRow.due_at, ClinicianTaskRow.id)))
        staff = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        patients = {p.id: f"{p.given_name} {p.family_name}".strip() for p in session.scalars(
            select(PatientRow).where(PatientRow.id.in_({r.patient_id for r in rows if r.patient_id})))}
        return [TaskItem(r.id, r.kind, r.patient_id, patients.get(r.patient_id, ""), r.assignee_id,
                         staff.get(r.assignee_id, ""), r.due_at, r.reason, r.done_at) for r in rows]


def complete_task(ctx: ServiceContext, task_id: str) -> Changes:
    user = ctx.authorise(Action.CARE_TASKS_WORK, entity="clinician_task", entity_id=task_id)
    with ctx.unit_of_work() as session:
        row = session.get(ClinicianTaskRow, task_id)
        if row is None:
            raise NotFound("That task no longer exists.")
        if row.done_at is not None:
            raise IllegalTransition("That task is already done.")
        row.done_at, row.done_by = ctx.now(), user.staff_id
        ctx.audit(session, "clinician_task.done", entity="clinician_task", entity_id=row.id)
        return Changes(therapy=True)


def session_flags(ctx: ServiceContext, session_ids: list[str]) -> dict[str, list[str]]:
    """Marks such as "reduced_intensity" on the given sessions (the board and the SOP runner show them)."""
    ctx.authorise(Action.CARE_TASKS_WORK, entity="session_flag")
    with ctx.unit_of_work() as session:
        flags: dict[str, list[str]] = {}
        for row in session.scalars(select(SessionFlagRow).where(SessionFlagRow.session_id.in_(session_ids))
                                   .order_by(SessionFlagRow.at)):
            flags.setdefault(row.session_id, []).append(row.flag)
        return flags
