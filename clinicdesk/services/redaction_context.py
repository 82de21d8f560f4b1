"""What redaction needs to know about one consultation: the names the clinic knows and the patient's token."""

from dataclasses import dataclass

from sqlalchemy import select

from clinicdesk.domain.redaction import KnownName
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import load_consultation, patient_row
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import StaffRow


@dataclass(frozen=True)
class RedactionContext:
    patient_id: str
    patient_token: str  # PATIENT_XXXXXX, stable for this patient on this database
    known_names: tuple[KnownName, ...]


def redaction_context(ctx: ServiceContext, consultation_id: str) -> RedactionContext:
    """The patient, their emergency contact and every member of staff, matched by name before NER guesses."""
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        consultation = load_consultation(session, consultation_id)
        patient = patient_row(session, consultation.patient_id)
        patient_name = " ".join(part for part in (patient.given_name, patient.family_name) if part)
        names = [KnownName(patient_name, "patient", patient.id)]
        if patient.emergency_contact_name.strip():
            names.append(KnownName(patient.emergency_contact_name.strip(), "relative"))
        names += [KnownName(name, "staff") for name in session.scalars(select(StaffRow.full_name)) if name.strip()]
        return RedactionContext(patient.id, ctx.db.sealer.patient_pseudonym(patient.id), tuple(names))
