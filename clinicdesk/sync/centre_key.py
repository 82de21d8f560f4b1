"""The centre key on a device: fetch it from HQ, store it sealed, and re-seal what was sealed with the device's key."""

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.store import audio_vault
from clinicdesk.store.centre_key_store import load_centre_key, save_centre_key
from clinicdesk.store.crypto import (
    CENTRE_SEAL_MAGIC,
    CENTRE_TOKEN_PREFIX,
    CentreKey,
    FieldSealer,
    SealedValueUnavailable,
)
from clinicdesk.store.database import Database
from clinicdesk.store.models import PatientDocumentRow, PatientRow
from clinicdesk.store.models_consent_media import ProcedureConsentRow, SessionPhotoRow
from clinicdesk.store.models_consultation import (
    ClinicalNoteRow,
    NoteAddendumRow,
    RecordingConsentRow,
    RecordingRow,
    TranscriptRow,
)
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.transport import HqTransport

log = logging.getLogger(__name__)

_CHUNK = 200  # rows re-sealed per flush: bounded memory even for photo and document blobs
_UNAVAILABLE = {"centre_keys_off", "http_404"}  # an HQ without centre keys (or older than them): sync goes on

# Every value sealed with FieldSealer, and the context it was sealed under (services name the same contexts).
_SEALED: tuple[tuple[type, str, Callable[[str], str]], ...] = (
    (PatientRow, "aadhaar_sealed", lambda row_id: f"aadhaar:{row_id}"),
    (ClinicalNoteRow, "sealed_sections", lambda row_id: f"clinical-note:{row_id}"),
    (NoteAddendumRow, "sealed_text", lambda row_id: f"note-addendum:{row_id}"),
    (ProcedureConsentRow, "sealed_signature", lambda row_id: f"procedure-consent:{row_id}"),
    (RecordingConsentRow, "sealed_signature", lambda row_id: f"recording-consent:{row_id}"),
    (TranscriptRow, "sealed_text", lambda row_id: f"transcript:{row_id}"),
    (TranscriptRow, "sealed_segments", lambda row_id: f"transcript:{row_id}:segments"),
    (SessionPhotoRow, "sealed_content", lambda row_id: f"session-photo:{row_id}"),
    (PatientDocumentRow, "sealed_content", lambda row_id: f"document:{row_id}"),
)


@dataclass
class Resealed:
    """What moving to the centre key changed; counts only, never values."""

    values: dict[str, int] = field(default_factory=dict)  # "table.column" -> values re-sealed
    lookup_tokens: int = 0
    recording_keys: int = 0
    unreadable: int = 0  # device-sealed values that no longer opened (damaged); left as they were
    lookup_clashes: int = 0  # an Aadhaar another desk already registered (its token is kept, this one cleared)


def fetch_centre_key(client: HqTransport) -> CentreKey | None:
    """This device's centre key from HQ, or None when HQ hands out none (started without a master key)."""
    try:
        body = client.request("GET", "/v1/centre-key").json()
    except SyncError as error:
        if error.code in _UNAVAILABLE:
            log.info("HQ hands out no centre key (%s); sealed values stay on this device", error.code)
            return None
        raise
    try:
        key = CentreKey(base64.b64decode(body["key"], validate=True))
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise SyncError("HQ's answer did not contain a usable centre key; sync again, and tell the HQ operator if "
                        "this repeats.", code="bad_answer") from None
    if key.key_id != body.get("key_id"):
        raise SyncError("The centre key HQ sent does not match its id; it was damaged on the way. Sync again.",
                        code="bad_answer")
    return key


def ensure_centre_key(database: Database, client: HqTransport) -> bool:
    """Fetch and install the centre key if this database has none yet; True when it was installed now."""
    if database.sealer.has_centre_key:
        return False
    key = fetch_centre_key(client)
    if key is None:
        return False
    install_centre_key(database, key)
    return True


def install_centre_key(database: Database, key: CentreKey) -> Resealed:
    """Store the key and re-seal every device-sealed value with it, in one transaction; then seal with it.

    Synced columns changed here enter the outbox like any edit, so HQ and the centre's other devices receive the
    re-sealed values. A database that already holds a different centre key is refused: its values belong to
    another centre (enrolled with another HQ or centre), and mixing keys would strand them.
    """
    with database.session() as session, session.begin():
        stored = load_centre_key(session.connection(), database.key)
        if stored is not None and stored.key_id != key.key_id:
            raise SyncError(f"This database already holds the key of another centre ({stored.key_id}); HQ now "
                            f"sends {key.key_id}. Ask the HQ admin: this device may be enrolled with the wrong "
                            "centre.", code="centre_key_mismatch")
        if stored is None:
            save_centre_key(session.connection(), database.key, key)
        resealed = reseal_with_centre_key(session, FieldSealer(database.key), FieldSealer(database.key, key))
    database.sealer.adopt_centre_key(key)  # only now: a failed commit must not leave values sealed with a lost key
    log.info("centre key %s installed; re-sealed %s values, %d lookup tokens, %d recording keys (%d unreadable)",
             key.key_id, sum(resealed.values.values()), resealed.lookup_tokens, resealed.recording_keys,
             resealed.unreadable)
    return resealed


def reseal_with_centre_key(session: Session, device: FieldSealer, centre: FieldSealer) -> Resealed:
    """Re-seal (inside the caller's transaction) every value not yet sealed with the centre key; idempotent."""
    result = Resealed()
    for model, column, context in _SEALED:
        result.values[f"{model.__tablename__}.{column}"] = _reseal_column(session, model, column, context, device,
                                                                          centre, result)
    result.recording_keys = _rewrap_recording_keys(session, device, centre)
    return result


def _device_sealed(model: type, column: str):
    attribute = getattr(model, column)
    return (attribute.is_not(None), func.length(attribute) > 0,
            func.substr(attribute, 1, len(CENTRE_SEAL_MAGIC)) != CENTRE_SEAL_MAGIC)


def _in_chunks(session: Session, model: type, *conditions):
    """Rows matching `conditions`, a chunk at a time by id, flushed and let go between chunks."""
    after = ""
    while True:
        rows = list(session.scalars(select(model).where(model.id > after, *conditions).order_by(model.id)
                                    .limit(_CHUNK)))
        if not rows:
            return
        yield rows
        after = rows[-1].id
        session.flush()  # the outbox hook queues the synced columns' new values here
        for row in rows:
            session.expunge(row)


def _reseal_column(session: Session, model: type, column: str, context: Callable[[str], str], device: FieldSealer,
                   centre: FieldSealer, result: Resealed) -> int:
    count = 0
    for rows in _in_chunks(session, model, *_device_sealed(model, column)):
        for row in rows:
            try:
                plain = device.open(getattr(row, column), context=context(row.id))
            except SealedValueUnavailable:  # a damaged value: leave it, count it, never log what it was
                result.unreadable += 1
                continue
            setattr(row, column, centre.seal(plain, context=context(row.id)))
            if model is PatientRow:
                _recompute_aadhaar_lookup(session, row, plain.decode(), centre, result)
            count += 1
    return count


def _recompute_aadhaar_lookup(session: Session, row: PatientRow, aadhaar: str, centre: FieldSealer,
                              result: Resealed) -> None:
    token = centre.lookup_token(aadhaar, kind="aadhaar")
    with session.no_autoflush:  # one operation per patient: the sealed number and its token travel together
        clash = session.scalar(select(PatientRow.id).where(PatientRow.aadhaar_lookup == token,
                                                           PatientRow.id != row.id))
    if clash is not None:  # registered on another desk too (pulled before this device had the key): keep theirs
        row.aadhaar_lookup = None
        result.lookup_clashes += 1
    else:
        row.aadhaar_lookup = token
    result.lookup_tokens += 1


def _rewrap_recording_keys(session: Session, device: FieldSealer, centre: FieldSealer) -> int:
    count = 0
    for rows in _in_chunks(session, RecordingRow, RecordingRow.wrapped_key.is_not(None)):
        for row in rows:
            if audio_vault.is_wrapped_with_centre_key(row.wrapped_key):
                continue
            try:
                key = audio_vault.unwrap_recording_key(device, row.wrapped_key, recording_id=row.id)
            except audio_vault.AudioVaultError:
                continue
            row.wrapped_key = audio_vault.wrap_recording_key(centre, key, recording_id=row.id)
            count += 1
    return count


def device_lookup_tokens_left(session: Session) -> int:
    """Patients whose Aadhaar token is still keyed by this database (0 once the centre key is in place)."""
    return session.scalar(select(func.count()).select_from(PatientRow).where(
        PatientRow.aadhaar_lookup.is_not(None), PatientRow.aadhaar_lookup.not_like(f"{CENTRE_TOKEN_PREFIX}%"))) or 0
