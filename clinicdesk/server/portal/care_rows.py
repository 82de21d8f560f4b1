"""Loads what the home, progress, check-in and feedback pages need of one patient, through portal.rows only."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinicdesk.server.portal import rows
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.record_values import centre_zone

Row = rows.Row


@dataclass(frozen=True)
class PatientCare:
    """One patient's care plans, their sessions and outcome reports, appointments, and the names pages show."""

    patient: Row
    plans: list[Row]
    sessions: list[Row]  # plan_sessions of those plans
    reports: list[Row]  # outcome_reports of those plans
    appointments: list[Row]
    services: dict[str, Row]  # id -> services row (names only are shown)
    zone: ZoneInfo

    def own_session(self, session_id: str) -> Row | None:
        """A plan session of this patient's plans, or None (another patient's id and an unknown id look alike)."""
        return next((s for s in self.sessions if s["id"] == session_id), None)

    def plan(self, plan_id: str) -> Row | None:
        return next((p for p in self.plans if p["id"] == plan_id), None)

    def appointments_by_id(self) -> dict[str, Row]:
        return {a["id"]: a for a in self.appointments}


def _centre(session: Session, identity: PortalIdentity, patient: Row) -> Row | None:
    """The patient's centre row (its time zone); a centre whose desk names itself differently falls back to the
    centre's only (or first) centre row."""
    named = patient.get("centre_id")
    if isinstance(named, str):
        row = rows.reference_row(session, identity.centre_id, "centres", named)
        if row is not None:
            return row
    candidates = sorted(rows.reference_rows(session, identity.centre_id, "centres"), key=lambda r: r["id"])
    return candidates[0] if candidates else None


def load_care(session: Session, identity: PortalIdentity, *, with_services: bool = True) -> PatientCare | None:
    """Everything of the signed-in patient the pages show, or None when HQ has no live row of that patient."""
    centre, patient_id = identity.centre_id, identity.patient_id
    patient = rows.patient(session, centre, patient_id)
    if patient is None:
        return None
    plans = rows.rows_of_patient(session, centre, "care_plans", patient_id)
    plan_ids = [p["id"] for p in plans]
    sessions = rows.children_of(session, centre, "plan_sessions", "plan_id", plan_ids)
    reports = rows.children_of(session, centre, "outcome_reports", "plan_id", plan_ids)
    appointments = rows.rows_of_patient(session, centre, "appointments", patient_id)
    services = ({s["id"]: s for s in rows.reference_rows(session, centre, "services")} if with_services else {})
    return PatientCare(patient, plans, sessions, reports, appointments, services,
                       centre_zone(_centre(session, identity, patient)))
