"""The portal's only door into synced rows: one patient's rows of one centre, read from HQ's merged row states.

Every function takes the centre and the patient and filters on both in SQL (and PostgreSQL row-level security adds
the centre again): there is no call that reads another patient's rows, so a page cannot leak what it never gets.
Values come as the desks sent them: dates and datetimes as ISO text (datetimes aware, UTC), decimals as text.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.server.sync_models import RowStateRow

Row = dict  # field values plus "id" (the row id)

# Tables whose rows name their patient in `patient_id`.
PATIENT_OWNED_TABLES = frozenset({
    "appointments", "care_plans", "consultations", "consultation_vitals", "prescriptions", "invoices", "feedback",
    "portal_requests", "lab_results", "patient_allergies", "patient_medications", "communication_preferences",
    "incidents", "waitlist",
})


def _as_row(state: RowStateRow) -> Row:
    return {**state.field_values, "id": state.row_id}


def _live(query):
    return query.where(RowStateRow.deleted.is_(None))


def patient(session: Session, centre_id: str, patient_id: str) -> Row | None:
    """The patient's own row, or None when HQ has no live row of that id in that centre."""
    state = session.scalar(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == "patients", RowStateRow.row_id == patient_id)))
    return _as_row(state) if state is not None else None


def rows_of_patient(session: Session, centre_id: str, table: str, patient_id: str) -> list[Row]:
    """Live rows of a patient-owned table whose patient_id is this patient."""
    if table not in PATIENT_OWNED_TABLES:
        raise ValueError(f"{table} is not a table whose rows name their patient")
    states = session.scalars(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == table,
        RowStateRow.field_values["patient_id"].as_string() == patient_id)))
    return [_as_row(s) for s in states]


def children_of(session: Session, centre_id: str, table: str, parent_field: str,
                parent_ids: Iterable[str]) -> list[Row]:
    """Live rows of `table` whose `parent_field` names one of `parent_ids`: the caller passes only ids of rows it
    already read for this patient (a plan's sessions, a prescription's items, an invoice's lines)."""
    ids = sorted(set(parent_ids))
    if not ids:
        return []
    states = session.scalars(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == table,
        RowStateRow.field_values[parent_field].as_string().in_(ids))))
    return [_as_row(s) for s in states]


def owned_row(session: Session, centre_id: str, table: str, row_id: str, patient_id: str) -> Row | None:
    """One row of a patient-owned table, only if it is this patient's (a guessed id of someone else's gives None)."""
    if table not in PATIENT_OWNED_TABLES:
        raise ValueError(f"{table} is not a table whose rows name their patient")
    state = session.scalar(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == table, RowStateRow.row_id == row_id)))
    if state is None or state.field_values.get("patient_id") != patient_id:
        return None
    return _as_row(state)


# Reference tables a patient may see rows of (names of services, staff display names, the centre's address).
REFERENCE_TABLES = frozenset({"centres", "services", "staff", "rooms", "portal_settings", "portal_availability",
                              "protocol_template_versions",
                              "practitioner_profiles"})  # qualifications and registration number, as printed


def reference_rows(session: Session, centre_id: str, table: str) -> list[Row]:
    """Live rows of a centre's reference table. Callers show patients only public columns (a staff member's display
    name, never their password hash or phone)."""
    if table not in REFERENCE_TABLES:
        raise ValueError(f"{table} is not reference data the portal may read")
    states = session.scalars(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == table)))
    return [_as_row(s) for s in states]


def reference_row(session: Session, centre_id: str, table: str, row_id: str) -> Row | None:
    if table not in REFERENCE_TABLES:
        raise ValueError(f"{table} is not reference data the portal may read")
    state = session.scalar(_live(select(RowStateRow).where(
        RowStateRow.centre_id == centre_id, RowStateRow.table_name == table, RowStateRow.row_id == row_id)))
    return _as_row(state) if state is not None else None
