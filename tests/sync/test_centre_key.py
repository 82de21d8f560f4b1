"""Two desks of one centre share the centre key through a real HQ (uvicorn on loopback): a note signed on desk A
reads on desk B, an Aadhaar entered on A shows masked on B and is found as a duplicate there, values sealed before
enrolment travel once re-sealed, and a recording key wrapped on A unwraps on B."""

import dataclasses
import json
import sqlite3
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import merge_row
from clinicdesk.domain.sync.operations import Operation, OpKind, Outcome
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.services import clinical_notes, consultations, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store import audio_vault
from clinicdesk.store.crypto import is_centre_sealed
from clinicdesk.store.database import Database
from clinicdesk.store.models_consultation import ClinicalNoteRow, TranscriptRow
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.settings import load_hq_settings
from tests.sync.hq_fixtures import (
    NO_WAIT,
    desks_of_one_clinic,
    enrolment_code,
    new_centre,
    serve_hq_url,
    set_up_clinic_desk,
)

REFERENCE_TABLES = ("centres", "staff")  # desk B joins desk A's clinic: same centre and staff, copied once
AADHAAR = "234123412346"
VISIT = [(0.0, 4.0, "I have pain in my knees and lower back."),
         (4.0, 9.0, "This looks like sandhivata with vata aggravation."),
         (9.0, 14.0, "Take Yogaraja Guggulu two tablets twice daily after food for 30 days.")]


def serve_hq(tmp_path, *, with_master_key: bool = True):
    """A real HQ over plain HTTP on loopback, yielding its address; its master key file beside its database."""
    return serve_hq_url(tmp_path, master_key_file=tmp_path / "hq" / "centre-master-key" if with_master_key else None)


@dataclasses.dataclass
class Desk:
    ctx: ServiceContext

    @property
    def db(self) -> Database:
        return self.ctx.db

    def enrol(self, hq_url: str, centre_id: str, name: str, *, fetch_key_now: bool) -> None:
        enrol(self.db.data_dir, hq_url, enrolment_code(hq_url, centre_id), "", device_name=name,
              database=self.db if fetch_key_now else None)

    def sync(self):
        return sync_once(self.db, load_hq_settings(self.db.data_dir), **NO_WAIT)

    def signed_note(self) -> tuple[str, str]:
        """(consultation id, note id) of a note drafted from a transcript and signed, all through the services."""
        patient_id, _ = patients.register_patient(self.ctx, draft("Consult", "9847090001"))
        consultation, _ = consultations.start_consultation(self.ctx, patient_id)
        clinical_notes.save_transcript(self.ctx, consultation.id, VISIT, model="tiny.en")
        note, _ = clinical_notes.draft_note_from_transcript(self.ctx, consultation.id)
        signed, _ = clinical_notes.sign_note(self.ctx, note.note_id, acknowledge_unsupported=True)
        return consultation.id, signed.note_id

    def hand_transcripts_to(self, other: "Desk") -> None:
        """Transcripts travel as sealed chunks, not as synced fields (another part of the sync); a note cites its
        transcript, so the other desk gets them here, as they are (sealed), before the note's own change arrives."""
        with self.db.engine.connect() as source:
            rows = [dict(row._mapping) for row in source.execute(select(TranscriptRow.__table__))]
        columns = list(rows[0])
        target = other.db.engine.raw_connection()  # below SQLAlchemy: the pragma must run outside a transaction
        try:
            target.execute("PRAGMA foreign_keys = OFF")  # its consultation comes with the next pull
            target.executemany(f"INSERT INTO transcripts ({', '.join(columns)}) "
                               f"VALUES ({', '.join('?' for _ in columns)})",
                               [tuple(_raw(row[c]) for c in columns) for row in rows])
            target.commit()
            target.execute("PRAGMA foreign_keys = ON")
        finally:
            target.close()


def _raw(value):
    """A value as SQLAlchemy stores it in SQLite: UTC datetimes naive, as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def draft(given_name: str, phone: str, aadhaar: str = "") -> PatientDraft:
    return PatientDraft(given_name=given_name, family_name="Nair", date_of_birth=date(1984, 3, 9), sex="female",
                        phone=phone, city="Kochi", aadhaar=aadhaar)


@pytest.fixture
def hq_url(tmp_path):
    with serve_hq(tmp_path) as url:
        yield url


@pytest.fixture
def desks(tmp_path, hq_url):
    """Desk A sets the clinic up; desk B joins the same clinic (its centre and staff copied). Neither is enrolled."""
    ctx_a, ctx_b = desks_of_one_clinic(tmp_path, REFERENCE_TABLES)
    yield Desk(ctx_a), Desk(ctx_b)
    ctx_a.db.close()
    ctx_b.db.close()


@pytest.fixture
def centre(hq_url) -> str:
    return new_centre(hq_url)


def test_a_note_and_an_aadhaar_written_before_enrolment_read_on_the_other_desk_after_sync(desks, hq_url, centre,
                                                                                          tmp_path):
    desk_a, desk_b = desks
    consultation_id, note_id = desk_a.signed_note()  # sealed with desk A's own key: it cannot travel yet
    patient_id, _ = patients.register_patient(desk_a.ctx, draft("Lakshmi", "9847012345", AADHAAR))

    desk_a.enrol(hq_url, centre, "Reception desk A", fetch_key_now=True)  # re-sealed at enrolment
    desk_b.enrol(hq_url, centre, "Reception desk B", fetch_key_now=False)  # gets the key at its first sync
    assert desk_a.db.sealer.has_centre_key and not desk_b.db.sealer.has_centre_key
    with desk_a.db.session() as session:
        assert is_centre_sealed(session.get(ClinicalNoteRow, note_id).sealed_sections)
    assert desk_a.sync().rejected == 0  # the re-sealed values, sent after their records, are accepted
    desk_a.hand_transcripts_to(desk_b)
    desk_b.sync()
    assert desk_b.db.sealer.centre_key_id == desk_a.db.sealer.centre_key_id

    note = clinical_notes.get_note(desk_b.ctx, consultation_id)  # through the service, as the screen reads it
    assert (note.note_id, note.status, note.signed_by_name) == (note_id, "signed", "Asha Menon")
    heard = " ".join(sentence.text for part in note.sections.values() for sentence in part)
    assert "sandhivata" in heard.lower()
    assert note.sections == clinical_notes.get_note(desk_a.ctx, consultation_id).sections

    profile = patients.get_profile(desk_b.ctx, patient_id)
    assert profile.aadhaar_masked.endswith("2346") and AADHAAR not in profile.aadhaar_masked
    assert patients.reveal_aadhaar(desk_b.ctx, patient_id).replace(" ", "") == AADHAAR
    with pytest.raises(ValidationError, match="already registered to patient"):
        patients.register_patient(desk_b.ctx, draft("Lakshmi N", "9847099999", AADHAAR))

    hq = sqlite3.connect(tmp_path / "hq" / "hq.sqlite3")
    dump = b"".join(bytes(str(row), "utf-8") for row in hq.execute("SELECT * FROM sync_row_states"))
    hq.close()
    assert b"sandhivata" not in dump.lower() and AADHAAR.encode() not in dump  # HQ holds only sealed values


def test_a_note_and_an_addendum_written_after_enrolment_read_on_the_other_desk(desks, hq_url, centre):
    desk_a, desk_b = desks
    for desk, name in ((desk_a, "Reception desk A"), (desk_b, "Reception desk B")):
        desk.enrol(hq_url, centre, name, fetch_key_now=True)
    consultation_id, note_id = desk_a.signed_note()
    clinical_notes.add_addendum(desk_a.ctx, note_id, "X-ray: joint space narrowing, both knees.")
    desk_a.sync()
    desk_a.hand_transcripts_to(desk_b)
    desk_b.sync()
    note = clinical_notes.get_note(desk_b.ctx, consultation_id)
    assert [addendum.text for addendum in note.addenda] == ["X-ray: joint space narrowing, both knees."]
    assert note.sections == clinical_notes.get_note(desk_a.ctx, consultation_id).sections


def test_a_duplicate_aadhaar_registered_on_the_other_desk_is_found(desks, hq_url, centre):
    desk_a, desk_b = desks
    for desk, name in ((desk_a, "Reception desk A"), (desk_b, "Reception desk B")):
        desk.enrol(hq_url, centre, name, fetch_key_now=True)
    patients.register_patient(desk_a.ctx, draft("Lakshmi", "9847012345", AADHAAR))
    desk_a.sync()
    desk_b.sync()
    with pytest.raises(ValidationError, match="already registered to patient KOC-A-"):
        patients.register_patient(desk_b.ctx, draft("Lakshmi N", "9847099999", AADHAAR))


def test_a_recording_key_wrapped_on_one_desk_unwraps_on_the_other(desks, hq_url, centre):
    desk_a, desk_b = desks
    for desk, name in ((desk_a, "Reception desk A"), (desk_b, "Reception desk B")):
        desk.enrol(hq_url, centre, name, fetch_key_now=False)
        desk.sync()
    key = audio_vault.new_recording_key()
    wrapped = audio_vault.wrap_recording_key(desk_a.db.sealer, key, recording_id="rec-1")
    assert audio_vault.unwrap_recording_key(desk_b.db.sealer, wrapped, recording_id="rec-1") == key
    with pytest.raises(audio_vault.WrongRecordingKey):
        audio_vault.unwrap_recording_key(desk_b.db.key, wrapped, recording_id="rec-1")  # the database key alone


def test_without_a_master_key_at_hq_sync_goes_on_and_sealed_values_stay_home(tmp_path):
    with serve_hq(tmp_path, with_master_key=False) as url:
        ctx = set_up_clinic_desk(tmp_path / "desk")
        db = ctx.db
        desk = Desk(ctx)
        desk.enrol(url, new_centre(url), "Desk", fetch_key_now=True)
        patient_id, _ = patients.register_patient(ctx, draft("Lakshmi", "9847012345", AADHAAR))
        summary = desk.sync()
        assert summary.rejected == 0 and not db.sealer.has_centre_key
        assert patients.reveal_aadhaar(ctx, patient_id).replace(" ", "") == AADHAAR
        hq = sqlite3.connect(tmp_path / "hq" / "hq.sqlite3")
        [values] = [json.loads(row[0]) for row in hq.execute(
            "SELECT field_values FROM sync_row_states WHERE table_name = 'patients' AND row_id = ?", (patient_id,))]
        hq.close()
        assert values["aadhaar_last4"] == "2346"
        assert "aadhaar_sealed" not in values and "aadhaar_lookup" not in values  # sealed with the desk's own key
        db.close()


def test_hq_accepts_the_first_sealed_value_of_an_append_only_field_in_a_later_operation():
    """Re-sealing after enrolment sends a note's body in an operation after the one that created the note; HQ's
    merge accepts it as the field's first value, and refuses a second, different one."""
    note, created = str(uuid.uuid4()), HlcStamp(1_780_000_000_000, 0, "desk-a")
    insert_op = Operation(str(uuid.uuid4()), "clinical_notes", note, OpKind.UPSERT,
                          {"consultation_id": "c1", "version": 1, "status": "signed"}, created, "desk-a")
    created_outcome = merge_row(None, insert_op, CLINICDESK_POLICIES)
    assert created_outcome.result.outcome == Outcome.APPLIED
    resealed = Operation(str(uuid.uuid4()), "clinical_notes", note, OpKind.UPSERT, {"sealed_sections": "c2VhbGVk"},
                         HlcStamp(1_780_000_100_000, 0, "desk-a"), "desk-a", base={"sealed_sections": created})
    first = merge_row(created_outcome.new_state, resealed, CLINICDESK_POLICIES)
    assert first.result.outcome == Outcome.APPLIED and first.new_state.values["sealed_sections"] == "c2VhbGVk"
    changed = Operation(str(uuid.uuid4()), "clinical_notes", note, OpKind.UPSERT, {"sealed_sections": "b3RoZXI="},
                        HlcStamp(1_780_000_200_000, 0, "desk-a"), "desk-a")
    second = merge_row(first.new_state, changed, CLINICDESK_POLICIES)
    assert second.result.outcome == Outcome.REJECTED and second.new_state.values["sealed_sections"] == "c2VhbGVk"
