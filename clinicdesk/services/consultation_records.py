"""Loading and checking consultation records inside a service's transaction; sealed JSON for notes and transcripts."""

import hashlib
import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.consultations import OPEN, STATUS_WORDS, ConsultationEvent, ConsultationStatus, next_status
from clinicdesk.domain.errors import IllegalTransition, NotFound
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import PatientRow, SettingRow, StaffRow
from clinicdesk.store.models_consultation import ClinicalNoteRow, ConsultationRow, TranscriptRow

RETENTION_SETTING = "recording_retention_days"
DEFAULT_RETENTION_DAYS = 365


def load_consultation(session: Session, consultation_id: str) -> ConsultationRow:
    row = session.get(ConsultationRow, consultation_id)
    if row is None:
        raise NotFound("That consultation was not found.")
    return row


def require_open(row: ConsultationRow, doing: str) -> None:
    """Recording, vitals and prescriptions belong to a consultation in progress, not a waiting or signed one."""
    status = ConsultationStatus(row.status)
    if status not in OPEN:
        raise IllegalTransition(f"This consultation is {STATUS_WORDS[status]}, so you cannot {doing} now."
                                + (" Start the consultation first." if status is ConsultationStatus.WAITING else ""))


def advance(row: ConsultationRow, event: ConsultationEvent, now: datetime) -> None:
    row.status = next_status(ConsultationStatus(row.status), event).value
    row.updated_at = now


def patient_row(session: Session, patient_id: str) -> PatientRow:
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise NotFound("This patient record no longer exists.")
    return row


def patient_name(row: PatientRow) -> str:
    return " ".join(part for part in (row.given_name, row.family_name) if part)


def staff_names(session: Session, ids: set[str]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(StaffRow.id, StaffRow.full_name).where(StaffRow.id.in_(ids))).all())


def local_today(session: Session, centre_id: str, now: datetime) -> date:
    return to_local(now, centre_zone(session, centre_id)).date()


def retention_days(session: Session) -> int:
    value = session.get(SettingRow, RETENTION_SETTING)
    return int(value.value) if value else DEFAULT_RETENTION_DAYS


# --- sealed JSON ----------------------------------------------------------------------------------------------

def canonical_json(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(payload) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def seal_json(ctx: ServiceContext, payload, *, context: str) -> bytes:
    return ctx.db.sealer.seal(canonical_json(payload), context=context)


def open_json(ctx: ServiceContext, sealed: bytes, *, context: str):
    return json.loads(ctx.db.sealer.open(sealed, context=context))


def note_context(note_id: str) -> str:
    return f"clinical-note:{note_id}"


def transcript_context(transcript_id: str) -> str:
    return f"transcript:{transcript_id}"


def latest_note(session: Session, consultation_id: str) -> ClinicalNoteRow | None:
    return session.scalars(select(ClinicalNoteRow).where(ClinicalNoteRow.consultation_id == consultation_id)
                           .order_by(ClinicalNoteRow.version.desc()).limit(1)).first()


def latest_transcript(session: Session, consultation_id: str) -> TranscriptRow | None:
    return session.scalars(select(TranscriptRow).where(TranscriptRow.consultation_id == consultation_id)
                           .order_by(TranscriptRow.created_at.desc(), TranscriptRow.id.desc()).limit(1)).first()
