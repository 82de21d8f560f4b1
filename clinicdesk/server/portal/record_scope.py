"""One patient's records at one centre, as the portal's document builders read them (always through portal.rows)."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinicdesk.server.portal import rows
from clinicdesk.server.portal.record_values import address_lines, centre_zone


@dataclass(frozen=True)
class RecordScope:
    """The session, the signed-in patient's centre and id, and the two rows every document prints."""

    session: Session
    centre_id: str
    patient_id: str
    patient: dict
    centre: dict

    @property
    def zone(self) -> ZoneInfo:
        return centre_zone(self.centre)

    @property
    def address_lines(self) -> tuple[str, ...]:
        return address_lines(self.centre)

    def of_patient(self, table: str) -> list[dict]:
        return rows.rows_of_patient(self.session, self.centre_id, table, self.patient_id)

    def owned(self, table: str, row_id: str) -> dict | None:
        return rows.owned_row(self.session, self.centre_id, table, row_id, self.patient_id)

    def children(self, table: str, parent_field: str, parent_ids) -> list[dict]:
        return rows.children_of(self.session, self.centre_id, table, parent_field, parent_ids)

    def staff_name(self, staff_id: str | None) -> str:
        """A staff member's display name only (never their phone, e-mail or password hash)."""
        if not staff_id:
            return ""
        staff = rows.reference_row(self.session, self.centre_id, "staff", staff_id)
        return (staff or {}).get("full_name") or ""


def open_scope(session: Session, centre_id: str, patient_id: str) -> RecordScope | None:
    """None when HQ holds no live record of this patient in this centre."""
    patient = rows.patient(session, centre_id, patient_id)
    if patient is None:
        return None
    # HQ's centre (the identity's) is not the desk's centre row: the patient row names the desk's own
    centre = rows.reference_row(session, centre_id, "centres", patient.get("centre_id") or "") or {}
    return RecordScope(session, centre_id, patient_id, patient, centre)
