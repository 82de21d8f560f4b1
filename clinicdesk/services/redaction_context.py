"""Redaction's view of a consultation (known names, the patient's token) and the local way back from a token."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.redaction import KnownName
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import load_consultation, patient_row
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models import PatientRow, StaffRow


@dataclass(frozen=True)
class RedactionContext:
    patient_id: str
    patient_token: str  # PATIENT_XXXXXX, stable for this patient on this database
    known_names: tuple[KnownName, ...]


def redaction_context(ctx: ServiceContext, consultation_id: str) -> RedactionContext:
    """The patient, their emergency contact and every member of staff, matched by name before NER guesses."""
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        return load_redaction_context(ctx, session, consultation_id)


def load_redaction_context(ctx: ServiceContext, session: Session, consultation_id: str) -> RedactionContext:
    """redaction_context inside a unit of work the caller has opened (and authorised)."""
    consultation = load_consultation(session, consultation_id)
    patient = patient_row(session, consultation.patient_id)
    patient_name = " ".join(part for part in (patient.given_name, patient.family_name) if part)
    names = [KnownName(patient_name, "patient", patient.id)]
    if patient.emergency_contact_name.strip():
        names.append(KnownName(patient.emergency_contact_name.strip(), "relative"))
    names += [KnownName(name, "staff") for name in session.scalars(select(StaffRow.full_name)) if name.strip()]
    return RedactionContext(patient.id, ctx.db.sealer.patient_pseudonym(patient.id), tuple(names))


_TOKEN_SHAPE = re.compile(r"PATIENT_[0-9A-Z]{6}")


def reidentify(ctx: ServiceContext, token: str) -> str | None:
    """The id of the patient of the user's centre whose token this is; None when it is nobody's.

    Tokens are keyed hashes, so the only way back is to hash every patient's id with this database's key: a scan of
    one centre's patients, quick at clinic sizes, and impossible anywhere the key is not.
    """
    user = ctx.authorise(Action.CONSULT_VIEW, entity="patient")
    wanted = token.strip()
    with ctx.unit_of_work() as session:
        found = None
        if _TOKEN_SHAPE.fullmatch(wanted):
            ids = session.scalars(select(PatientRow.id).where(PatientRow.centre_id == user.centre_id))
            found = next((i for i in ids if ctx.db.sealer.patient_pseudonym(i) == wanted), None)
        ctx.audit(session, "consult.reidentify", entity="patient", entity_id=found or "",
                  outcome="ok" if found else "not_found")
        return found
