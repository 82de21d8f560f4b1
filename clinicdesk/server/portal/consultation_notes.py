"""A patient's signed consultation notes at HQ: which ones exist, and their patient-facing sections, opened with the
centre key. Drafts, transcripts, addenda and every other section stay closed."""

import base64
import binascii
import json
import secrets

from sqlalchemy.orm import Session

from clinicdesk.server.centre_keys import MasterKey, unwrap_centre_key
from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.errors import ApiError
from clinicdesk.server.models import CentreKeyRow
from clinicdesk.server.portal.record_scope import RecordScope
from clinicdesk.server.portal.record_values import as_datetime
from clinicdesk.store.crypto import CentreKey, FieldSealer, SealedValueUnavailable
from clinicdesk.store.keys import DatabaseKey

# What a patient is shown of a signed note: the diagnosis and the doctor's advice, nothing the doctor wrote for
# colleagues (history, examination, internal remarks) and never the transcript it was drafted from.
PATIENT_SECTIONS = ("assessment", "plan")


class NoteUnavailable(Exception):
    """A signed note's text cannot be opened at HQ (no centre key there, or the value is damaged)."""


class NoteOpener:
    """Opens note sections sealed with the centre key. HQ has no database key of its own for these values, so the
    sealer's device key is a throwaway: a value sealed only with a desk's own key stays closed here, as it should."""

    def __init__(self, centre_key: CentreKey):
        self._sealer = FieldSealer(DatabaseKey(secrets.token_bytes(32)), centre_key)

    def sections(self, note: dict) -> dict[str, tuple[str, ...]]:
        """The patient-facing sections as lines of text; NoteUnavailable when they cannot be opened here."""
        sealed = note.get("sealed_sections")
        try:
            raw = base64.b64decode(sealed, validate=True) if isinstance(sealed, str) else bytes(sealed or b"")
            payload = json.loads(self._sealer.open(raw, context=f"clinical-note:{note['id']}"))
        except (binascii.Error, TypeError, ValueError, SealedValueUnavailable):
            raise NoteUnavailable("a signed note's text cannot be opened at HQ") from None
        parts = payload.get("sections", {}) if isinstance(payload, dict) else {}
        return {name: tuple(str(s.get("text", "")).strip() for s in parts.get(name, ())
                            if isinstance(s, dict) and str(s.get("text", "")).strip())
                for name in PATIENT_SECTIONS}


def signed_notes(scope: RecordScope) -> list[tuple[dict, dict]]:
    """(note, consultation) for each of the patient's consultations with a signed note: the latest signed version,
    newest first."""
    consultations = {row["id"]: row for row in scope.of_patient("consultations")}
    latest: dict[str, dict] = {}
    for note in scope.children("clinical_notes", "consultation_id", consultations):
        if note.get("status") != "signed" or not note.get("signed_at"):
            continue
        held = latest.get(note["consultation_id"])
        if held is None or int(note.get("version") or 0) > int(held.get("version") or 0):
            latest[note["consultation_id"]] = note
    found = [(note, consultations[cid]) for cid, note in latest.items()]
    return sorted(found, key=lambda pair: (as_datetime(pair[0]["signed_at"]), pair[0]["id"]), reverse=True)


def signed_note(scope: RecordScope, note_id: str) -> tuple[dict, dict] | None:
    """The note of this id if it is one of the patient's signed notes (a draft, an older version or someone
    else's note gives None)."""
    return next((pair for pair in signed_notes(scope) if pair[0]["id"] == note_id), None)


def latest_signed_sections(scope: RecordScope, consultation_id: str | None,
                           opener: NoteOpener) -> dict[str, tuple[str, ...]]:
    """The visit's signed diagnosis and advice, or nothing when the visit has no signed note or it cannot be
    opened here (a prescription still prints its medicines)."""
    pair = next((pair for pair in signed_notes(scope) if pair[1]["id"] == consultation_id), None)
    if pair is None:
        return {}
    try:
        return opener.sections(pair[0])
    except NoteUnavailable:
        return {}


def latest_signed_of_patient(scope: RecordScope, opener: NoteOpener | None) -> dict[str, tuple[str, ...]]:
    """The patient's most recently signed diagnosis and advice (what the desk's discharge summary prints)."""
    notes = signed_notes(scope)
    if not notes or opener is None:
        return {}
    try:
        return opener.sections(notes[0][0])
    except NoteUnavailable:
        return {}


def stored_centre_key(session: Session, centre_id: str, master: MasterKey) -> CentreKey | None:
    """The centre's key, unwrapped with HQ's master key, read only: the portal never makes one (a centre without a
    key has no note it could open). None when HQ holds none or was started with another master key."""
    enter_centre(session, centre_id)
    row = session.get(CentreKeyRow, centre_id)
    if row is None:
        return None
    try:
        return unwrap_centre_key(master, row)
    except ApiError:
        return None


def note_opener_for(portal, session: Session, centre_id: str) -> NoteOpener | None:
    """How this portal opens notes: its `centre_key_lookup(session, centre_id)` if it has one, else the stored key
    unwrapped with its `centre_master_key`; None when it has neither (summaries are then listed, not opened)."""
    lookup = getattr(portal, "centre_key_lookup", None)
    master = getattr(portal, "centre_master_key", None)
    if lookup is not None:
        key = lookup(session, centre_id)
    elif master is not None:
        key = stored_centre_key(session, centre_id, master)
    else:
        key = None
    return NoteOpener(key) if key is not None else None
