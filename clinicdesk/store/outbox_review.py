"""The "needs attention" list: changes HQ refused, in staff's words, sent again under a new id or kept here only."""

import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.sync.operations import OpKind
from clinicdesk.store.models import Base, PatientRow
from clinicdesk.store.outbox import ALL_FIELDS, PENDING, REJECTED, OutboxRow, SyncRowStampRow, load_hlc, save_hlc
from clinicdesk.store.outbox import wire_value as to_wire

# States of a refused change once a person has dealt with it (the row is never deleted: it is the device's record).
RESENT = "resent"  # sent again under a new operation id; the new operation is an ordinary pending one
SETTLED = "settled"  # kept on this device only; HQ's refusal stands and it is never sent again

TABLE_LABELS: Mapping[str, str] = {
    "patients": "Patient details",
    "patient_allergies": "Patient allergy",
    "patient_medications": "Current medicine",
    "communication_preferences": "Contact preferences",
    "appointments": "Appointment",
    "appointment_status_history": "Appointment history",
    "ayurvedic_assessments": "Ayurvedic assessment",
    "clinical_notes": "Consultation note",
    "note_addenda": "Note addendum",
    "prescriptions": "Prescription",
    "prescription_items": "Prescription line",
    "consultation_vitals": "Consultation vitals",
    "session_events": "Therapy session event",
    "sop_step_records": "Therapy step record",
    "session_vitals": "Therapy session vitals",
    "session_dosages": "Therapy session dosage",
    "outcome_reports": "Outcome report",
    "patient_consents": "Patient consent",
    "procedure_consents": "Procedure consent",
}
FIELD_LABELS: Mapping[str, str] = {
    "given_name": "Given name", "family_name": "Family name", "name_local": "Name in local script",
    "date_of_birth": "Date of birth", "abha_number": "ABHA number", "abha_address": "ABHA address",
    "aadhaar_last4": "Aadhaar (last 4 digits)", "uhid": "UHID", "start_at": "Start time", "end_at": "End time",
    "approval_pending": "Waiting for approval", "removed_at": "Removed on", "stopped_at": "Stopped on",
    "withdrawn_at": "Withdrawn on", "phone": "Phone", "alt_phone": "Other phone", "pincode": "PIN code",
}
# Tables whose row id is the patient's own id.
_PATIENT_KEYED = frozenset({"patients", "communication_preferences"})


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table.replace("_", " ").capitalize())


def field_label(field: str | None) -> str:
    if field is None:
        return "The whole record"
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


@dataclass(frozen=True)
class PatientWords:
    """How staff recognise a patient: the name and the UHID."""

    patient_id: str
    name: str
    uhid: str

    @property
    def text(self) -> str:
        return f"{self.name} ({self.uhid})" if self.uhid else self.name


@dataclass(frozen=True)
class RecordWords:
    """A synced row in words: its kind ("Patient allergy") and, when it belongs to a patient, who."""

    table: str
    row_id: str
    kind: str
    patient: PatientWords | None

    @property
    def text(self) -> str:
        return f"{self.kind} of {self.patient.text}" if self.patient else f"{self.kind} {self.row_id[:8]}"


def _patient_id_of(session: Session, table: str, row_id: str, fields: Mapping[str, object]) -> str | None:
    if table in _PATIENT_KEYED:
        return row_id
    local = Base.metadata.tables.get(table)
    if local is None or "patient_id" not in local.c or "id" not in local.c:
        return None
    found = session.execute(select(local.c.patient_id).where(local.c.id == row_id)).scalar()
    return str(found) if found else (str(fields["patient_id"]) if fields.get("patient_id") else None)


def patient_words(session: Session, patient_ids: Iterable[str]) -> dict[str, PatientWords]:
    ids = sorted(set(patient_ids))
    words = {}
    for start in range(0, len(ids), 500):
        for row in session.execute(select(PatientRow.id, PatientRow.given_name, PatientRow.family_name,
                                          PatientRow.uhid).where(PatientRow.id.in_(ids[start:start + 500]))):
            words[row.id] = PatientWords(row.id, f"{row.given_name} {row.family_name}".strip(), row.uhid)
    return words


def describe_records(session: Session, records: Iterable[tuple[str, str, Mapping[str, object]]]
                     ) -> dict[tuple[str, str], RecordWords]:
    """(table, row id, fields known from elsewhere) -> RecordWords; a patient this device does not hold yet is named
    by the record's kind alone."""
    owners = {(table, row_id): _patient_id_of(session, table, row_id, fields) for table, row_id, fields in records}
    patients = patient_words(session, [pid for pid in owners.values() if pid])
    return {(table, row_id): RecordWords(table, row_id, table_label(table), patients.get(pid) if pid else None)
            for (table, row_id), pid in owners.items()}


@dataclass(frozen=True)
class RejectedChange:
    """One change HQ refused, in words: which record, which fields, when, and HQ's reason."""

    op_id: str
    record: RecordWords
    kind: str  # upsert or delete
    fields: tuple[str, ...]  # field labels; empty for a delete
    at: datetime
    reason: str
    state: str  # rejected, resent or settled


def rejected_changes(session: Session, *, include_done: bool = False) -> list[RejectedChange]:
    """Refused changes waiting for a person, oldest first; with include_done also those already sent again or kept."""
    states = (REJECTED, RESENT, SETTLED) if include_done else (REJECTED,)
    rows = session.scalars(select(OutboxRow).where(OutboxRow.state.in_(states)).order_by(OutboxRow.hlc)).all()
    parsed = [(row, json.loads(row.fields_json)) for row in rows]
    words = describe_records(session, [(row.table_name, row.row_id, fields) for row, fields in parsed])
    return [RejectedChange(row.op_id, words[(row.table_name, row.row_id)], row.kind,
                           tuple(field_label(name) for name in sorted(fields)), row.created_at, row.result_reason,
                           row.state) for row, fields in parsed]


class NotRefused(LookupError):
    """The change is not (or no longer) one HQ refused: someone dealt with it already, or it never was."""


def _refused_row(session: Session, op_id: str) -> OutboxRow:
    row = session.get(OutboxRow, op_id)
    if row is None or row.state != REJECTED:
        raise NotRefused(op_id)
    return row


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _current_values(session: Session, table: str, row_id: str, names: Iterable[str]) -> dict | None:
    local = Base.metadata.tables.get(table)
    if local is None or "id" not in local.c:
        return None
    row = session.execute(select(local).where(local.c.id == row_id)).mappings().first()
    return None if row is None else {name: to_wire(row[name]) for name in names if name in row}


def send_again(session: Session, op_id: str, *, at: datetime, by: str) -> str:
    """Queue a refused change again under a new operation id and a fresh stamp; returns the new id.

    HQ remembers every operation id with its answer, so the same id sent again would only get the same refusal.
    The new operation carries this device's current values of the same fields (after a settled conflict that is
    what the device shows) and, as its base, the stamps this device holds now, so HQ judges it as a fresh edit.
    The refused one stays, marked as sent again, as the device's record."""
    row = _refused_row(session, op_id)
    fields = json.loads(row.fields_json)
    stamps_row = session.get(SyncRowStampRow, (row.table_name, row.row_id))
    stamps = json.loads(stamps_row.stamps_json) if stamps_row else {}
    if row.kind == OpKind.UPSERT:
        current = _current_values(session, row.table_name, row.row_id, fields)
        fields = {**fields, **current} if current is not None else fields
        base = _seen_by_hq(row, stamps, fields)
    else:
        base = {}
    hlc = load_hlc(session)
    stamp = hlc.now(int(time.time() * 1000)).to_string()  # real time, as the outbox hook stamps local changes
    save_hlc(session, hlc)
    new_id = uuid7(unix_ms=time.time_ns() // 1_000_000, random_bytes=secrets.token_bytes(10))
    session.add(OutboxRow(op_id=new_id, table_name=row.table_name, row_id=row.row_id, kind=row.kind,
                          fields_json=_dumps(fields), base_json=_dumps(base), hlc=stamp, created_at=at,
                          state=PENDING, result_reason=""))
    if stamps_row is not None:  # later local edits build on the new stamp, as after any local change
        if row.kind == OpKind.DELETE:
            stamps_row.deleted_hlc = stamp
        else:
            stamps_row.stamps_json = _dumps({**stamps, **dict.fromkeys(fields, stamp)})
    row.state = RESENT
    row.result_reason = f"Sent again by {by} as {new_id}. HQ had said: {row.result_reason}"[:300]
    session.flush()
    return new_id


def _seen_by_hq(row: OutboxRow, stamps: Mapping[str, str], fields: Iterable[str]) -> dict[str, str]:
    """Per field, the stamp of the value HQ holds as far as this device knows: the field's stamp here, unless that is
    the refused change's own stamp (HQ never took it), in which case the stamp the refused change was based on."""
    refused_base, default = json.loads(row.base_json), stamps.get(ALL_FIELDS)
    seen = {}
    for name in fields:
        stamp = stamps.get(name, default)
        if stamp == row.hlc:
            stamp = refused_base.get(name)
        if stamp:
            seen[name] = stamp
    return seen


def keep_on_device(session: Session, op_id: str, *, at: datetime, by: str, why: str) -> None:
    """Stop sending a refused change: it stays here, marked settled with who, when and why; HQ's refusal stands.

    This device keeps its value, but no longer claims it is newer than HQ's: each field the refused change stamped
    goes back to the stamp of the value HQ holds, so comparing with HQ finds no difference to repair (which would
    send it again) and a later change at HQ reaches this device as usual."""
    row = _refused_row(session, op_id)
    stamps_row = session.get(SyncRowStampRow, (row.table_name, row.row_id))
    if stamps_row is not None and row.kind == OpKind.UPSERT:
        stamps = json.loads(stamps_row.stamps_json)
        default = stamps.get(ALL_FIELDS)
        mine = [name for name in json.loads(row.fields_json) if stamps.get(name, default) == row.hlc]
        restored = _seen_by_hq(row, stamps, mine)
        if restored:
            stamps_row.stamps_json = _dumps({**stamps, **restored})
    elif stamps_row is not None and stamps_row.deleted_hlc == row.hlc:
        stamps_row.deleted_hlc = None  # the delete HQ refused stays on this device only
    row.state = SETTLED
    row.result_reason = (f"Kept on this device only by {by} on {at:%Y-%m-%d %H:%M} UTC: {why}. "
                         f"HQ had said: {row.result_reason}")[:300]
    session.flush()
