"""The sync outbox: each write to a synced table queues one operation in its own transaction, and only then."""

import json
import os
import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, literal_column, select, update

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import OpKind
from clinicdesk.services import auth, patient_records
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.patients import register_patient, update_patient
from clinicdesk.store.database import open_database
from clinicdesk.store.models import AllergyRow, AuditEntryRow, Base, PatientRow, SettingRow
from clinicdesk.store.outbox import (
    ALL_FIELDS,
    CLOCK_INFO_KEY,
    OutboxRow,
    SyncRowStampRow,
    SyncStateRow,
    applying_remote_changes,
    install_outbox_hook,
    load_hlc,
    mark_acknowledged,
    mark_rejected,
    mark_sent,
    outbox_counts,
    pending_operations,
)
from clinicdesk.store.sync_registry import CENTRE_SEALED_COLUMNS, DEVICE_COLUMNS, SYNCED_TABLES
from tests.conftest import ADMIN_PASSWORD
from tests.store.test_sigkill_app import _run_and_kill  # the kill loop around sigkill_app_writer.py


def _draft(**changes) -> PatientDraft:
    values = dict(given_name="Zephyrine", family_name="Kuttikrishnan", date_of_birth=date(1984, 3, 9), sex="female",
                  phone="98470 31652")
    return PatientDraft(**(values | changes))


def _outbox(db) -> list[OutboxRow]:
    """Entries in the order they were written (SQLite's rowid), so stamp order is something to check, not given."""
    with db.session() as session:
        return list(session.scalars(select(OutboxRow).order_by(literal_column("rowid"))))


def _count(db, row_type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(row_type))


@pytest.fixture
def admin_ctx(admin_ctx):
    """The clinic set up, and the outbox and row stamps emptied of the set-up's centre and administrator (the first
    test below checks those), so each test sees only what its own writes queued."""
    with admin_ctx.db.session() as session, session.begin():
        session.execute(delete(OutboxRow))
        session.execute(delete(SyncRowStampRow))
    return admin_ctx


def test_setting_up_the_clinic_queues_the_centre_and_administrator_but_not_settings_or_audit(clinic_db, clock):
    ctx = ServiceContext(clinic_db, clock=clock)
    auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    assert _count(clinic_db, AuditEntryRow) > 0  # the set-up did write audit entries, staff, a centre and settings
    with clinic_db.session() as session, session.begin():
        session.add(SettingRow(key="outbox.test", value="x"))
    queued = [(op.table_name, op.kind) for op in _outbox(clinic_db)]
    assert queued == [("centres", "upsert"), ("staff", "upsert")]  # a joining desk gets both; the centre first
    [staff] = [op for op in _outbox(clinic_db) if op.table_name == "staff"]
    assert json.loads(staff.fields_json)["password_hash"].startswith("$argon2id$")
    assert "failed_attempts" not in json.loads(staff.fields_json)


def test_registering_a_patient_queues_one_upsert_of_every_synced_column(admin_ctx):
    patient_id, _ = register_patient(admin_ctx, _draft(aadhaar="2341 2341 2346"))

    [op] = _outbox(admin_ctx.db)
    assert (op.table_name, op.row_id, op.kind, op.state) == ("patients", patient_id, "upsert", "pending")
    fields = json.loads(op.fields_json)
    # no centre key here yet: the sealed Aadhaar and its keyed token stay out of the outbox
    sealed = CENTRE_SEALED_COLUMNS["patients"]
    columns = {c.name for c in PatientRow.__table__.columns} - DEVICE_COLUMNS - sealed - {"id"}
    assert set(fields) == columns and not {"row_version", "created_at", "id"} & set(fields)
    assert fields["given_name"] == "Zephyrine" and fields["date_of_birth"] == "1984-03-09"
    assert fields["family_history"] == "" and fields["aadhaar_last4"] == "2346"
    with admin_ctx.db.session() as session:
        row = session.get(PatientRow, patient_id)
        assert row.aadhaar_sealed and row.aadhaar_lookup  # stored here, sealed with this database's key
        assert "aadhaar_sealed" not in fields and "aadhaar_lookup" not in fields  # so they never travel
        assert fields["uhid"] == row.uhid
    assert json.loads(op.base_json) == {}  # a new row: this device had seen no earlier value


def test_pending_operations_are_valid_wire_operations_of_this_device(admin_ctx):
    patient_id, _ = register_patient(admin_ctx, _draft())
    patient_records.add_allergy(admin_ctx, patient_id, "Sesame oil", severity="severe")
    with admin_ctx.db.session() as session:
        node = load_hlc(session).node
        ops = pending_operations(session, limit=10)
    assert [(op.table, op.kind) for op in ops] == [("patients", OpKind.UPSERT), ("patient_allergies", OpKind.UPSERT)]
    assert all(op.device_id == node == op.hlc.node for op in ops)
    assert ops[1].fields["substance"] == "Sesame oil" and ops[1].fields["patient_id"] == patient_id


def test_a_failed_validation_or_a_rolled_back_service_leaves_no_outbox_entry(admin_ctx, monkeypatch):
    with pytest.raises(ValidationError):
        register_patient(admin_ctx, _draft(given_name=""))

    # the patient row is flushed (and the outbox row with it) before the audit entry fails: all of it rolls back
    def failing_audit(session, action, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(admin_ctx, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        register_patient(admin_ctx, _draft())
    assert _count(admin_ctx.db, PatientRow) == 0
    assert _outbox(admin_ctx.db) == [] and _count(admin_ctx.db, SyncRowStampRow) == 0


def test_the_outbox_entry_commits_or_rolls_back_with_its_row(admin_ctx):
    db = admin_ctx.db
    patient_id = _patient(admin_ctx)
    with db.session() as session:
        session.begin()
        session.add(AllergyRow(id="01a2b3c4-0000-7000-8000-000000000001", patient_id=patient_id,
                               substance="Ghee", recorded_at=datetime(2026, 11, 26, tzinfo=UTC)))
        session.flush()
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 2  # seen inside the transaction
        session.rollback()
    assert [op.table_name for op in _outbox(db)] == ["patients"]


def _patient(ctx) -> str:
    patient_id, _ = register_patient(ctx, _draft())
    return patient_id


def test_an_update_queues_only_the_changed_fields_with_the_stamps_they_replace(admin_ctx, clock):
    patient_id = _patient(admin_ctx)
    [inserted] = _outbox(admin_ctx.db)
    clock.advance(minutes=5)
    update_patient(admin_ctx, patient_id, _draft(phone="94473 80916", city="Kochi"), expected_version=1)

    [_, op] = _outbox(admin_ctx.db)
    assert (op.table_name, op.row_id, op.kind) == ("patients", patient_id, "upsert")
    assert json.loads(op.fields_json) == {"phone": "+919447380916", "city": "Kochi"}  # updated_at stays local
    assert json.loads(op.base_json) == dict.fromkeys(("phone", "city"), inserted.hlc)
    with admin_ctx.db.session() as session:
        stamps = json.loads(session.get(SyncRowStampRow, ("patients", patient_id)).stamps_json)
    assert stamps == {ALL_FIELDS: inserted.hlc, "phone": op.hlc, "city": op.hlc}


def test_saving_without_a_change_queues_nothing(admin_ctx):
    patient_id = _patient(admin_ctx)
    update_patient(admin_ctx, patient_id, _draft(), expected_version=1)  # same values at the same (frozen) time
    assert len(_outbox(admin_ctx.db)) == 1


def test_a_delete_queues_a_tombstone(admin_ctx):
    patient_id = _patient(admin_ctx)
    patient_records.add_allergy(admin_ctx, patient_id, "Sesame oil")
    with admin_ctx.db.session() as session, session.begin():
        allergy = session.scalars(select(AllergyRow)).one()
        allergy_id = allergy.id
        session.delete(allergy)

    op = _outbox(admin_ctx.db)[-1]
    assert (op.table_name, op.row_id, op.kind, json.loads(op.fields_json)) == (
        "patient_allergies", allergy_id, "delete", {})
    with admin_ctx.db.session() as session:
        assert session.get(SyncRowStampRow, ("patient_allergies", allergy_id)).deleted_hlc == op.hlc


def test_update_and_delete_statements_are_queued_like_changes_to_loaded_rows(admin_ctx):
    patient_id = _patient(admin_ctx)
    other_id, _ = register_patient(admin_ctx, _draft(given_name="Anuradha", phone="90221 47835"))
    patient_records.add_allergy(admin_ctx, patient_id, "Ghee")
    with admin_ctx.db.session() as session, session.begin():
        allergy_id = session.scalars(select(AllergyRow.id)).one()
        session.execute(update(PatientRow).where(PatientRow.id == patient_id).values(city="Kochi", family_name="K")
                        .execution_options(synchronize_session=False))
        session.execute(update(PatientRow).where(PatientRow.id == other_id).values(city="")  # already "": no change
                        .execution_options(synchronize_session=False))
        session.execute(delete(AllergyRow).where(AllergyRow.patient_id == patient_id)
                        .execution_options(synchronize_session=False))

    *_, updated, deleted = _outbox(admin_ctx.db)
    assert (updated.table_name, updated.row_id, updated.kind) == ("patients", patient_id, "upsert")
    assert json.loads(updated.fields_json) == {"city": "Kochi", "family_name": "K"}
    assert json.loads(updated.base_json) == dict.fromkeys(("city", "family_name"), _outbox(admin_ctx.db)[0].hlc)
    assert (deleted.table_name, deleted.row_id, deleted.kind) == ("patient_allergies", allergy_id, "delete")
    assert len(_outbox(admin_ctx.db)) == 5


def test_stamps_strictly_increase_even_when_the_wall_clock_stands_still_or_goes_back(admin_ctx):
    db = admin_ctx.db
    patient_id = _patient(admin_ctx)
    for substance in ("Ghee", "Sesame oil", "Triphala"):
        patient_records.add_allergy(admin_ctx, patient_id, substance)
    walls = [datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC), datetime(2001, 1, 1, tzinfo=UTC)]
    for index, wall in enumerate(walls):
        with db.session() as session, session.begin():
            session.info[CLOCK_INFO_KEY] = lambda wall=wall: wall
            session.get(PatientRow, patient_id).occupation = f"teacher {index}"

    written = [HlcStamp.parse(op.hlc) for op in _outbox(db)]
    assert len(written) == 7 and written == sorted(set(written))  # distinct and ordered
    year_2030_ms = int(walls[0].timestamp() * 1000)
    # a standing clock advances the counter; the year-2001 clock cannot move the stamp back
    assert [(s.wall_ms, s.counter) for s in written[-3:]] == [(year_2030_ms, 0), (year_2030_ms, 1), (year_2030_ms, 2)]
    with db.session() as session:
        assert session.get(SyncStateRow, 1).last_hlc == written[-1].to_string()


def test_the_clock_and_node_survive_reopening_the_database(admin_ctx):
    db = admin_ctx.db
    _patient(admin_ctx)
    [before] = _outbox(db)
    data_dir = db.data_dir
    db.close()
    reopened = open_database(data_dir)
    try:
        with reopened.session() as session, session.begin():
            session.info[CLOCK_INFO_KEY] = lambda: datetime(2001, 1, 1, tzinfo=UTC)
            session.add(AllergyRow(id="01a2b3c4-0000-7000-8000-000000000002", patient_id=before.row_id,
                                   substance="Ghee", recorded_at=datetime(2026, 11, 26, tzinfo=UTC)))
        after = _outbox(reopened)[-1]
    finally:
        reopened.close()
    assert HlcStamp.parse(after.hlc) > HlcStamp.parse(before.hlc)
    assert HlcStamp.parse(after.hlc).node == HlcStamp.parse(before.hlc).node


def test_changes_pulled_from_hq_are_not_queued_again(admin_ctx):
    patient_id = _patient(admin_ctx)
    with admin_ctx.db.session() as session, session.begin(), applying_remote_changes(session):
        session.get(PatientRow, patient_id).city = "Thrissur"
    assert len(_outbox(admin_ctx.db)) == 1


def test_installing_the_hook_twice_still_queues_one_entry_per_change(admin_ctx):
    install_outbox_hook(admin_ctx.db._factory)
    install_outbox_hook(admin_ctx.db._factory)
    _patient(admin_ctx)
    assert len(_outbox(admin_ctx.db)) == 1


def test_the_sync_client_moves_operations_through_their_states(admin_ctx):
    patient_id = _patient(admin_ctx)
    for substance in ("Ghee", "Sesame oil", "Triphala"):
        patient_records.add_allergy(admin_ctx, patient_id, substance)
    db = admin_ctx.db
    with db.session() as session, session.begin():
        first_two = [op.op_id for op in pending_operations(session, limit=2)]
        everything = [op.op_id for op in pending_operations(session, limit=100)]
        assert everything[:2] == first_two and len(everything) == 4
        assert mark_sent(session, everything[:3]) == 3
        assert [op.op_id for op in pending_operations(session, limit=100)] == everything  # unanswered: sent again
        assert mark_acknowledged(session, everything[:2], reason="applied") == 2
        assert mark_rejected(session, [everything[2]], reason="Allergy substance is not recognised at HQ.") == 1
        assert mark_sent(session, everything[:3]) == 0  # answered operations never go back into flight
        assert [op.op_id for op in pending_operations(session, limit=100)] == everything[3:]
        assert outbox_counts(session) == {"pending": 1, "sent": 0, "acknowledged": 2, "rejected": 1}
        rejected = session.get(OutboxRow, everything[2])
        assert (rejected.state, rejected.result_reason) == ("rejected", "Allergy substance is not recognised at HQ.")


def test_the_registry_names_real_tables_and_leaves_private_ones_out():
    tables = Base.metadata.tables
    assert SYNCED_TABLES <= tables.keys()
    # one row id per operation: a key of two columns only for link rows (clinicdesk/store/sync_registry.py)
    assert {name for name in SYNCED_TABLES if len(tables[name].primary_key.columns) != 1} == {
        "appointment_staff", "service_practitioners", "practitioner_prices"}
    private = {"audit_log", "settings", "uhid_counters", "sync_outbox", "sync_state", "sync_row_stamps"}
    assert not SYNCED_TABLES & private
    assert {"patients", "patient_allergies", "patient_medications", "patient_consents", "communication_preferences",
            "appointments", "clinical_notes", "prescriptions", "session_events"} <= SYNCED_TABLES


@pytest.mark.slow
def test_killing_a_writer_mid_transaction_keeps_each_patient_and_its_outbox_entry_together(admin_ctx):
    db = admin_ctx.db
    data_dir, key_hex, user = db.data_dir, db.key.raw.hex(), admin_ctx.user
    db.close()
    env = dict(os.environ, CLINICDESK_TEST_KEY_HEX=key_hex)
    rng = random.Random(random.randrange(1 << 30))
    acked: list[str] = []
    for round_no in range(1, 5):
        acked += _run_and_kill([str(data_dir), user.staff_id, user.centre_id, str(round_no)], env,
                               rng.uniform(0.05, 0.3))

    reopened = open_database(data_dir)
    try:
        with reopened.session() as session:
            patients = set(session.scalars(select(PatientRow.id)))
            queued = session.scalars(select(OutboxRow.row_id).where(OutboxRow.table_name == "patients")).all()
            stamped = set(session.scalars(select(SyncRowStampRow.row_id)))
            last = session.get(SyncStateRow, 1).last_hlc
            newest = session.scalar(select(func.max(OutboxRow.hlc)))
    finally:
        reopened.close()
    assert acked and set(acked) <= patients
    assert sorted(queued) == sorted(patients)  # every patient has exactly one entry; no entry without its patient
    assert stamped == patients
    assert last == newest  # the saved clock committed with the newest entry
