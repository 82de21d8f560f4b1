"""Which patient records a verified phone opens, across centres: the patient's own record (its `phone`), and the
records of children under 18 whose parent or guardian gave this phone as their emergency contact."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinicdesk.domain.identifiers import normalise_indian_phone
from clinicdesk.server.sync_models import RowStateRow

GUARDIAN_RELATIONS = ("parent", "mother", "father", "guardian")
ADULT_AGE = 18


@dataclass(frozen=True)
class PhoneRecord:
    centre_id: str
    patient_id: str
    as_guardian: bool

    def as_json(self) -> dict:
        return {"centre_id": self.centre_id, "patient_id": self.patient_id, "as_guardian": self.as_guardian}

    @classmethod
    def from_json(cls, data: dict) -> "PhoneRecord":
        return cls(str(data["centre_id"]), str(data["patient_id"]), bool(data["as_guardian"]))


def stored_forms(normalised: str) -> list[str]:
    """The ways a desk may have saved the number. Desks save the normalised +91 form (clinicdesk.domain.patients
    validates with normalise_indian_phone); older imports may hold the bare 10 digits or a trunk 0."""
    ten = normalised[3:]
    return [normalised, ten, "0" + ten, "91" + ten]


def adult_cutoff(today: date) -> str:
    """ISO date of the 18th birthday of someone born today 18 years ago: born after it means under 18 (ISO dates
    compare correctly as text, so no cast can fail on a malformed value)."""
    try:
        return today.replace(year=today.year - ADULT_AGE).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28).isoformat()


def _same_phone(stored: object, normalised: str) -> bool:
    try:
        return isinstance(stored, str) and normalise_indian_phone(stored) == normalised
    except ValueError:
        return False


def records_of_phone(session: Session, normalised_phone: str, today: date) -> list[PhoneRecord]:
    """The records this phone opens, own records first; on PostgreSQL through the SECURITY DEFINER function of
    migration 0010, which answers only (centre, patient, as guardian) and nothing else of any row."""
    forms = stored_forms(normalised_phone)
    cutoff = adult_cutoff(today)
    if session.get_bind().dialect.name == "postgresql":
        found = [PhoneRecord(c, p, g) for c, p, g in session.execute(
            text("SELECT centre_id, patient_id, as_guardian FROM clinicdesk_portal_records_of_phone(:forms, :cutoff)"),
            {"forms": forms, "cutoff": cutoff}).all()]
    else:
        found = _records_on_sqlite(session, normalised_phone, forms, cutoff)
    own = {(r.centre_id, r.patient_id) for r in found if not r.as_guardian}
    unique = {(r.centre_id, r.patient_id, r.as_guardian): r for r in found
              if not (r.as_guardian and (r.centre_id, r.patient_id) in own)}
    return sorted(unique.values(), key=lambda r: (r.as_guardian, r.centre_id, r.patient_id))


def _records_on_sqlite(session: Session, normalised: str, forms: list[str], cutoff: str) -> list[PhoneRecord]:
    values = RowStateRow.field_values
    phone, contact = values["phone"].as_string(), values["emergency_contact_phone"].as_string()
    rows = session.execute(select(RowStateRow.centre_id, RowStateRow.row_id, values).where(
        RowStateRow.table_name == "patients", RowStateRow.deleted.is_(None),
        phone.in_(forms) | contact.in_(forms))).all()
    found = []
    for centre_id, row_id, fields in rows:
        if _same_phone(fields.get("phone"), normalised):
            found.append(PhoneRecord(centre_id, row_id, False))
        if (_same_phone(fields.get("emergency_contact_phone"), normalised)
                and str(fields.get("emergency_contact_relation", "")).strip().lower() in GUARDIAN_RELATIONS
                and str(fields.get("date_of_birth") or "") > cutoff):
            found.append(PhoneRecord(centre_id, row_id, True))
    return found
