"""Blob sync between two desks and a real HQ (uvicorn on loopback, centre keys on): a 5 MB recording uploads in
256 KiB chunks, a cut connection resumes with only the missing chunks, the other desk receives it byte-identical; a
document's row arrives before its bytes and says so; documents and photos open on the other desk; a damaged chunk
is refused leaving nothing half-written; a re-run moves nothing. Only ciphertext leaves a desk."""

import json
import os
import sqlite3
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.roles import Role
from clinicdesk.services import (
    consultations,
    patient_records,
    patients,
    recordings,
    session_photos,
    therapy_plans,
)
from clinicdesk.services.context import ServiceContext
from clinicdesk.store import audio_vault
from clinicdesk.store.blob_sync_state import BlobSyncRow, forget_hq_progress
from clinicdesk.store.models import PatientDocumentRow
from clinicdesk.store.models_consent_media import SessionPhotoRow
from clinicdesk.sync.blob_sources import CHUNK_BYTES, recording_path
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import load_hq_settings
from tests.services.helpers import patient_draft
from tests.services.therapy_world import COURSE, START, build_therapy_world
from tests.sync.hq_fixtures import (
    NO_WAIT,
    clock,
    desks_of_one_clinic,
    enrolment_code,
    new_centre,
    serve_hq_url,
)

REFERENCE_TABLES = ("centres", "staff", "settings")  # a second desk starts from the first desk's clinic set-up
PCM_BYTES = 5 * 1024 * 1024  # about 164 s of 16 kHz mono: a 5 MB recording file


@dataclass
class Desk:
    ctx: ServiceContext

    @property
    def db(self):
        return self.ctx.db

    def sync(self, transport: httpx.BaseTransport | None = None):
        return sync_once(self.db, load_hq_settings(self.db.data_dir), transport=transport, **NO_WAIT)

    def blob_rows(self) -> list[BlobSyncRow]:
        with self.db.session() as session:
            return list(session.scalars(select(BlobSyncRow)))


@pytest.fixture
def hq(tmp_path, request):
    """HQ with centre keys on; parametrize indirectly with False for an HQ that hands out none."""
    master_key_file = tmp_path / "hq-keys" / "centre-master-key" if getattr(request, "param", True) else None
    with serve_hq_url(tmp_path, master_key_file=master_key_file) as url:
        yield url


@pytest.fixture
def desks(tmp_path, hq):
    ctx_a, ctx_b = desks_of_one_clinic(tmp_path, REFERENCE_TABLES)
    db_a, db_b = ctx_a.db, ctx_b.db
    centre = new_centre(hq)
    for db, name in ((db_a, "Reception desk A"), (db_b, "Reception desk B")):
        enrol(db.data_dir, hq, enrolment_code(hq, centre), "", device_name=name)
    yield Desk(ctx_a), Desk(ctx_b)
    db_a.close()
    db_b.close()


class Wire(httpx.BaseTransport):
    """Passes requests to HQ and counts them by (method, first two path parts); can cut the line after the Nth
    chunk upload (that chunk reaches HQ, its answer is lost, nothing gets through afterwards), or flip a byte of
    the Nth chunk HQ sends back."""

    def __init__(self, cut_after_chunk_puts: int | None = None, damage_chunk_get: int | None = None):
        self.inner = httpx.HTTPTransport()
        self.counts: dict[tuple[str, str], int] = {}
        self.cut_after, self.damage_get, self.cut = cut_after_chunk_puts, damage_chunk_get, False

    def count(self, method: str, what: str) -> int:
        return self.counts.get((method, what), 0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("connection refused", request=request)
        what = "/".join(request.url.path.split("/")[:3])  # "/v1/chunks", "/v1/blobs", "/v1/sync"
        key = (request.method, what)
        self.counts[key] = self.counts.get(key, 0) + 1
        response = self.inner.handle_request(request)
        body = response.read()
        if key == ("PUT", "/v1/chunks") and self.counts[key] == self.cut_after:
            self.cut = True
            raise httpx.ReadError("connection reset by peer", request=request)
        if key == ("GET", "/v1/chunks") and self.counts[key] == self.damage_get:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def hq_chunk_count(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "hq" / "hq.sqlite3") as hq:
        return hq.execute("SELECT COUNT(*) FROM blob_chunks").fetchone()[0]


def record(ctx: ServiceContext, patient_id: str) -> str:
    """A finished recording of PCM_BYTES of audio, written through the audio vault."""
    item, _ = consultations.start_consultation(ctx, patient_id)
    recordings.record_recording_consent(ctx, item.id, "verbal", witnessed_by=ctx.user.staff_id)
    start, _ = recordings.begin_recording(ctx, item.id)
    pcm = bytes(range(256)) * (PCM_BYTES // 256)
    with audio_vault.EncryptedAudioWriter(start.path, start.recording_key, sample_rate=start.sample_rate) as writer:
        writer.write(pcm)
    recordings.finish_recording(ctx, start.recording_id, PCM_BYTES / 32000)
    return item.id, start.recording_id


def test_a_recording_resumes_after_a_cut_and_arrives_byte_identical_and_a_rerun_moves_nothing(desks, tmp_path):
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, patient_draft(given_name="Meera"))
    _, recording_id = record(desk_a.ctx, patient_id)
    original = recording_path(desk_a.db.data_dir, recording_id).read_bytes()
    chunks = -(-len(original) // CHUNK_BYTES)
    assert len(original) > 5_000_000 and chunks == 21

    cut = Wire(cut_after_chunk_puts=8)
    with pytest.raises(SyncError, match="could not be reached"):
        desk_a.sync(transport=cut)
    assert hq_chunk_count(tmp_path) == 8  # the 8th arrived; only its answer was lost
    [state] = desk_a.blob_rows()
    assert (state.direction, state.state, state.chunks_confirmed) == ("up", "planned", 7)
    assert len(json.loads(state.chunk_hashes_json)) == chunks

    resumed = Wire()
    summary = desk_a.sync(transport=resumed)
    assert resumed.count("PUT", "/v1/chunks") == chunks - 8  # only what HQ lacked
    assert resumed.count("PUT", "/v1/blobs") == 1 and summary.blobs_up == 1
    assert hq_chunk_count(tmp_path) == chunks
    [state] = desk_a.blob_rows()
    assert (state.state, state.chunks_confirmed, state.hq_seq) == ("uploaded", chunks, 1)
    with sqlite3.connect(tmp_path / "hq" / "hq.sqlite3") as hq:  # HQ holds the file's bytes as they are on disk
        [(order,)] = hq.execute("SELECT chunk_hashes FROM blob_manifests").fetchall()
        content = dict(hq.execute("SELECT sha256, content FROM blob_chunks").fetchall())
    assert b"".join(content[sha] for sha in json.loads(order)) == original and original[:8] == audio_vault.MAGIC
    assert bytes(range(64)) not in original  # the audio itself never leaves: only the vault's ciphertext

    received = desk_b.sync(transport=(wire_b := Wire()))
    assert received.blobs_down == 1 and wire_b.count("GET", "/v1/chunks") == chunks
    assert recording_path(desk_b.db.data_dir, recording_id).read_bytes() == original
    assert oct(recording_path(desk_b.db.data_dir, recording_id).stat().st_mode & 0o777) == "0o600"

    for desk in (desk_a, desk_b):
        again = Wire()
        summary = desk.sync(transport=again)
        assert (summary.blobs_up, summary.blobs_down) == (0, 0)
        assert {key: n for key, n in again.counts.items() if key[1] == "/v1/chunks"} == {}  # nothing moved
        assert again.count("PUT", "/v1/blobs") == 0


def test_a_damaged_chunk_from_hq_is_refused_and_nothing_half_written_is_left(desks):
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, patient_draft(given_name="Meera"))
    consultation_id, recording_id = record(desk_a.ctx, patient_id)
    desk_a.sync()
    vault = recording_path(desk_b.db.data_dir, recording_id).parent

    with pytest.raises(SyncError, match="arrived damaged"):
        desk_b.sync(transport=Wire(damage_chunk_get=5))
    leftovers = sorted(path.name for path in vault.iterdir()) if vault.exists() else []
    assert leftovers == []  # neither the file nor a temporary part of it
    assert [(row.direction, row.state) for row in desk_b.blob_rows()] == [("down", "wanted")]

    assert desk_b.sync().blobs_down == 1  # the next sync fetches it whole
    assert recording_path(desk_b.db.data_dir, recording_id).read_bytes() == \
        recording_path(desk_a.db.data_dir, recording_id).read_bytes()

    recordings.withdraw_recording_consent(desk_a.ctx, consultation_id)  # deleted on A: the file goes on B too
    desk_a.sync()
    desk_b.sync()
    assert not recording_path(desk_b.db.data_dir, recording_id).exists()
    assert [(row.direction, row.state) for row in desk_b.blob_rows()] == [("down", "gone")]


def test_a_document_row_arrives_before_its_bytes_and_says_so_then_opens_on_the_other_desk(desks):
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, patient_draft(given_name="Meera"))
    scan = os.urandom(600 * 1024)  # three chunks once sealed
    patient_records.add_document(desk_a.ctx, patient_id, title="MRI knee", mime_type="application/pdf",
                                 content=scan)
    assert desk_a.sync().blobs_up == 1
    with desk_a.db.session() as session:
        [document] = session.scalars(select(PatientDocumentRow)).all()
        sealed = bytes(document.sealed_content)
    assert scan[:64] not in sealed  # only ciphertext left the desk

    class NoBlobs(Wire):
        def handle_request(self, request):
            if request.url.path.startswith(("/v1/blobs", "/v1/chunks")):
                raise httpx.ConnectError("connection refused", request=request)
            return super().handle_request(request)

    with pytest.raises(SyncError):
        desk_b.sync(transport=NoBlobs())  # the rows arrive; the bytes do not
    with pytest.raises(NotFound, match="still downloading from HQ"):
        patient_records.open_document(desk_b.ctx, patient_id, document.id)

    assert desk_b.sync().blobs_down == 1
    with desk_b.db.session() as session:
        assert bytes(session.get(PatientDocumentRow, document.id).sealed_content) == sealed
    assert patient_records.open_document(desk_b.ctx, patient_id, document.id) == ("MRI knee", "application/pdf",
                                                                                  scan)
    assert desk_b.sync().blobs_down == 0 and desk_a.sync().blobs_up == 0

    with desk_a.db.session() as session, session.begin():  # as a full resync after an HQ restore would
        forget_hq_progress(session)
    wire = Wire()
    assert desk_a.sync(transport=wire).blobs_up == 1  # HQ still holds it: the same manifest is accepted again
    assert wire.count("PUT", "/v1/chunks") == 0 and wire.count("PUT", "/v1/blobs") == 1
    assert [(row.state, row.hq_seq) for row in desk_a.blob_rows() if row.direction == "up"] == [("uploaded", 1)]


@pytest.mark.parametrize("hq", [False], indirect=True)
def test_without_a_centre_key_a_document_stays_here_and_a_recording_file_still_travels(desks):
    desk_a, _ = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, patient_draft(given_name="Meera"))
    patient_records.add_document(desk_a.ctx, patient_id, title="Report", mime_type="text/plain",
                                 content=b"sealed with this desk's own key")
    _, recording_id = record(desk_a.ctx, patient_id)
    summary = desk_a.sync()
    # No other desk could open a value sealed with desk A's own key: it waits for the centre key's re-seal. The
    # recording file is encrypted with its own key either way (that key travels once wrapped for the centre).
    assert summary.blobs_up == 1
    assert [(row.kind, row.owner_id) for row in desk_a.blob_rows()] == [("recording", recording_id)]


def test_a_session_photo_travels_sealed_and_opens_on_the_other_desk(desks):
    desk_a, desk_b = desks
    world = build_therapy_world(desk_a.ctx)
    plan_id, _ = therapy_plans.create_plan(world.ctx(Role.DOCTOR), world.patient, COURSE, START)
    session_id = therapy_plans.plan_summary(world.ctx(Role.DOCTOR), plan_id).sessions[0].id
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(300 * 1024)
    photo_id, _ = session_photos.add_photo(world.ctx(Role.THERAPIST), session_id, "before", "image/jpeg", jpeg)
    assert desk_a.sync().blobs_up == 1
    assert desk_b.sync().blobs_down == 1
    doctor_on_b = ServiceContext(desk_b.db, user=world.users[Role.DOCTOR], clock=clock)
    assert session_photos.open_photo(doctor_on_b, session_id, photo_id) == ("image/jpeg", jpeg)
    with desk_a.db.session() as a, desk_b.db.session() as b:
        assert bytes(b.get(SessionPhotoRow, photo_id).sealed_content) == bytes(a.get(SessionPhotoRow, photo_id)
                                                                               .sealed_content)
