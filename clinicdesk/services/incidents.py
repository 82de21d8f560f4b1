"""Incidents and near misses: reported from the floor, then investigated, resolved and closed by a doctor."""

from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.incidents import IncidentEvent, Resolution, check_report, next_resolution
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.therapy_dto import IncidentItem
from clinicdesk.services.therapy_records import get_session
from clinicdesk.store.models import StaffRow
from clinicdesk.store.models_therapy import IncidentRow

__all__ = ["list_incidents", "report_incident", "update_incident"]


def report_incident(ctx: ServiceContext, *, severity: str, description: str, immediate_action: str = "",
                    session_id: str | None = None, patient_id: str | None = None,
                    follow_up_owner_id: str | None = None, centre_id: str | None = None) -> tuple[str, Changes]:
    """Record what happened, what was done at once and who follows it up; linked to a session when there was one."""
    user = ctx.authorise(Action.SESSION_RUN, entity="incident")
    report = check_report(severity, description, immediate_action)
    now = ctx.now()
    with ctx.unit_of_work() as session:
        if session_id is not None:
            row, plan = get_session(session, session_id)
            patient_id, centre_id = plan.patient_id, plan.centre_id
        if follow_up_owner_id is not None and session.get(StaffRow, follow_up_owner_id) is None:
            raise ValidationError({"follow_up_owner_id": "must be a member of staff"},
                                  {"follow_up_owner_id": "Follow-up owner"})
        incident = IncidentRow(
            id=ctx.make_id(), centre_id=centre_id or user.centre_id, session_id=session_id, patient_id=patient_id,
            severity=report.severity.value, description=report.description,
            immediate_action=report.immediate_action, follow_up_owner_id=follow_up_owner_id,
            status=Resolution.OPEN.value, resolution="", reported_by=user.staff_id, occurred_at=now,
            created_at=now, updated_at=now)
        session.add(incident)
        session.flush()
        ctx.audit(session, "incident.report", entity="incident", entity_id=incident.id,
                  detail=report.severity.value)
        return incident.id, Changes(therapy=True)


def update_incident(ctx: ServiceContext, incident_id: str, event: str, *, note: str = "") -> Changes:
    """Investigate, resolve (with what was done), close or reopen an incident."""
    ctx.authorise(Action.INCIDENT_MANAGE, entity="incident", entity_id=incident_id)
    try:
        move = IncidentEvent(event)
    except ValueError:
        raise ValidationError({"event": "must be one of: " + ", ".join(e.value for e in IncidentEvent)}) from None
    with ctx.unit_of_work() as session:
        row = session.get(IncidentRow, incident_id)
        if row is None:
            raise NotFound("That incident no longer exists.")
        row.status = next_resolution(Resolution(row.status), move, note=note).value
        if note.strip():
            row.resolution = (row.resolution + "\n" if row.resolution else "") + note.strip()[:1000]
        row.updated_at = ctx.now()
        ctx.audit(session, f"incident.{move.value}", entity="incident", entity_id=row.id)
        return Changes(therapy=True)


def _item(row: IncidentRow) -> IncidentItem:
    return IncidentItem(row.id, row.session_id, row.patient_id, row.severity, row.description, row.immediate_action,
                        row.follow_up_owner_id, row.status, row.resolution, row.occurred_at)


def list_incidents(ctx: ServiceContext, centre_id: str, *, open_only: bool = True) -> list[IncidentItem]:
    """A centre's incidents, newest first; by default those not yet resolved."""
    ctx.authorise(Action.THERAPY_VIEW, entity="incident")
    with ctx.unit_of_work() as session:
        query = select(IncidentRow).where(IncidentRow.centre_id == centre_id)
        if open_only:
            query = query.where(IncidentRow.status.in_((Resolution.OPEN, Resolution.INVESTIGATING)))
        return [_item(row) for row in session.scalars(query.order_by(IncidentRow.occurred_at.desc()))]
