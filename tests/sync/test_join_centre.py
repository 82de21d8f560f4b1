"""A whole centre syncs: desk A runs a clinic, desk B joins from an empty folder through a real HQ (uvicorn on
loopback) and ends with the same centre, staff, services, rooms, patients, bookings, consultations and plans."""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from clinicdesk.cli import main
from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments, auth, clinical_notes, consultations, patients, prescriptions
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import Database, database_exists
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.models import Base, PatientRow
from clinicdesk.store.outbox import OutboxRow, outbox_counts
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.join import join_centre
from clinicdesk.sync.page import held_back_changes
from tests.conftest import STAFF_PASSWORD
from tests.services.consultation_matrix import TRIPHALA, VISIT
from tests.services.helpers import patient_draft
from tests.services.therapy_world import build_therapy_world
from tests.sync.hq_fixtures import (
    ADMIN_PASSWORD,
    clock,
    enrolment_code,
    new_centre,
    serve_hq_url,
    set_up_clinic_desk,
    sync,
)
from tests.sync.hq_fixtures import synced_rows as synced_rows_less

# what a joining desk must hold, table by table, exactly as the first desk has it
A_CENTRE = ("centres", "rooms", "equipment", "staff", "practitioner_profiles", "working_hours", "services",
            "service_practitioners", "stock_items", "stock_batches", "stock_movements", "patients", "appointments",
            "appointment_staff", "appointment_status_history", "consultations", "prescriptions",
            "prescription_items", "care_plans", "plan_sessions", "session_events", "procedure_consents")


@dataclass
class Clinic:
    ctx: ServiceContext
    appointment: str
    consultation: str
    note: str
    plan: str
    hq_centre: str  # the centre's id at HQ, for enrolment codes

    @property
    def db(self) -> Database:
        return self.ctx.db


@pytest.fixture
def hq_url(tmp_path):
    """A real HQ over plain HTTP on loopback (uvicorn in a thread)."""
    with serve_hq_url(tmp_path) as url:
        yield url


def synced_rows(db: Database, table_name: str) -> dict[str, dict]:
    """Synced rows less sealed values and keyed hashes: they travel only once sealed with a centre key, which this
    HQ (no master key) has not."""
    return synced_rows_less(db, table_name, leave_out=lambda name: "sealed" in name or name == "aadhaar_lookup")


@pytest.fixture
def clinic(tmp_path, hq_url) -> Clinic:
    """Desk A: a clinic set up and in use (a booked consultation, a signed note, a prescription, a therapy course),
    enrolled at HQ and synced."""
    ctx = set_up_clinic_desk(tmp_path / "desk-a")
    db = ctx.db
    world = build_therapy_world(ctx)
    doctor = world.ctx(Role.DOCTOR)
    request = BookingRequest(world.patient, _service(ctx, "CON-FU"), world.centre, date(2026, 11, 27))
    found = appointments.find_slots(world.ctx(Role.FRONT_DESK), request)
    appointment, _ = appointments.book(world.ctx(Role.FRONT_DESK), request, found.suggestions[0])
    consultation, _ = consultations.start_consultation(doctor, world.patient, appointment)
    clinical_notes.save_transcript(doctor, consultation.id, VISIT, model="tiny.en")
    drafted, _ = clinical_notes.draft_note_from_transcript(doctor, consultation.id)
    prescriptions.add_prescription(doctor, consultation.id, [TRIPHALA])
    note, _ = clinical_notes.sign_note(doctor, drafted.note_id)
    plan = world.scheduled_plan()
    centre = new_centre(hq_url)
    enrol(db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk A")
    first = sync(db)
    assert first.rejected == 0 and first.pushed > 100
    yield Clinic(ctx, appointment, consultation.id, note.note_id, plan, centre)
    db.close()


def _service(ctx: ServiceContext, code: str) -> str:
    return next(s.id for s in appointments.list_services(ctx) if s.code == code)


def test_a_desk_joining_from_an_empty_folder_gets_the_whole_centre(clinic, tmp_path, hq_url):
    code = enrolment_code(hq_url, clinic.hq_centre)
    desk_b, joined = join_centre(tmp_path / "desk-b", hq_url, code, "", device_name="Reception desk B", now=clock)
    try:
        assert joined.device_code == "B" and clinic.db.config.device_code == "A"  # HQ kept A's, gave B the next
        assert LocalConfig.load(desk_b.data_dir).device_code == "B"
        assert joined.staff == _count(clinic.db, "staff") and joined.patients == _count(clinic.db, "patients")
        for table in A_CENTRE:
            assert synced_rows(desk_b, table) == synced_rows(clinic.db, table), table
        with desk_b.session() as session:
            assert outbox_counts(session)["pending"] == 0  # nothing pulled is sent back
            waiting = held_back_changes(session)
        # the note was drafted from a transcript, and transcripts travel too: nothing waits for a parent
        assert waiting == [] and joined.waiting == 0
        assert clinic.note in synced_rows(desk_b, "clinical_notes")

        ctx_b = ServiceContext(desk_b, clock=clock)
        user = auth.sign_in(ctx_b, "vaidya.pk", STAFF_PASSWORD)  # A's password hash travelled
        assert user.role == Role.DOCTOR
        ctx_b.user = auth.sign_in(ctx_b, "admin", ADMIN_PASSWORD)
        with pytest.raises(Exception, match="wrong|not"):
            auth.sign_in(ctx_b, "admin", "not the password at all")

        patient_b, _ = patients.register_patient(ctx_b, patient_draft(given_name="Meenakshi", phone="98470 55555"))
        with desk_b.session() as session:
            uhid = session.get(PatientRow, patient_b).uhid
        assert uhid == "KOC-B-000001"
        pushed = sync(desk_b)
        assert pushed.rejected == 0 and pushed.conflicts == 0
        pulled = sync(clinic.db)
        assert pulled.pulled >= 1 and synced_rows(clinic.db, "patients")[patient_b]["uhid"] == uhid

        before = {table: (synced_rows(clinic.db, table), synced_rows(desk_b, table)) for table in A_CENTRE}
        queued = (_outbox_tables(clinic.db), _outbox_tables(desk_b))
        for db in (clinic.db, desk_b):
            again = sync(db)
            assert again.rejected == 0
        assert before == {table: (synced_rows(clinic.db, table), synced_rows(desk_b, table)) for table in A_CENTRE}
        # Nothing of the centre's rows is queued again, sealed ones included: a value only this desk's key opens
        # is withheld from both the push and the post-sync comparison (clinicdesk/sync/verify.py).
        for db, earlier in zip((clinic.db, desk_b), queued, strict=True):
            assert _outbox_tables(db) == earlier
    finally:
        desk_b.close()


def _outbox_tables(db: Database) -> Counter:
    with db.session() as session:
        return Counter(session.scalars(select(OutboxRow.table_name)))


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar()


def test_joining_refuses_a_folder_that_holds_a_clinic_and_a_wrong_code_leaves_nothing(clinic, tmp_path, hq_url):
    with pytest.raises(SyncError, match="already exists"):
        join_centre(clinic.db.data_dir, hq_url, "AAAA-BBBB-CCCC-DDDD", "", device_name="Desk C")
    target = tmp_path / "desk-c"
    with pytest.raises(SyncError, match="enrolment code is not valid"):
        join_centre(target, hq_url, "AAAA-BBBB-CCCC-DDDD", "", device_name="Desk C")
    assert not target.exists() and not database_exists(target)
    with pytest.raises(SyncError, match="could not be reached"):
        join_centre(target, "http://127.0.0.1:9", "AAAA-BBBB-CCCC-DDDD", "", device_name="Desk C",
                    transport=httpx.MockTransport(_refuse_connection))
    assert not target.exists()


def _refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_the_join_command_prints_one_json_line_and_a_second_join_is_refused(clinic, tmp_path, hq_url, capsys):
    target = tmp_path / "desk-cli"
    code = enrolment_code(hq_url, clinic.hq_centre)
    assert main(["sync", "join", "--data-dir", str(target), "--hq", hq_url, "--code", code,
                 "--name", "Tablet"]) == 0
    result = json.loads(capsys.readouterr().out.strip())
    assert result["device_code"] == "B" and result["staff"] == _count(clinic.db, "staff")
    assert result["patients"] == _count(clinic.db, "patients") and result["pulled"] > 100
    assert main(["sync", "join", "--data-dir", str(target), "--hq", hq_url, "--code", code]) == 1
    assert "already exists" in capsys.readouterr().err
