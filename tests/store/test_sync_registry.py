"""The outbox queues exactly what HQ accepts (both follow CLINICDESK_POLICIES); sealed columns never travel."""

import json

from sqlalchemy import select, update

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind, validate_operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.services import patient_records
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.database import new_id
from clinicdesk.store.models import Base, MedicationRow, PatientRow
from clinicdesk.store.models_consultation import ClinicalNoteRow
from clinicdesk.store.outbox import OutboxRow, applying_remote_changes, pending_operations
from clinicdesk.store.sync_registry import (
    DEVICE_COLUMNS,
    LOCAL_ONLY_COLUMNS,
    SYNCED_TABLES,
    is_synced,
    synced_columns,
)
from clinicdesk.sync.apply import Applied, apply_operation
from tests.services.scheduling_world import build_world

SEALED_OR_KEYED = ("sealed", "aadhaar_lookup")  # values that only this database's key can open or match


def _outbox_rows(db) -> list[OutboxRow]:
    with db.session() as session:
        return list(session.scalars(select(OutboxRow)))


def test_the_registry_is_the_policy_schema():
    assert SYNCED_TABLES == CLINICDESK_POLICIES.schema().keys()
    for table, fields in CLINICDESK_POLICIES.schema().items():
        assert is_synced(table) and synced_columns(table) == fields
    assert not is_synced("staff") and synced_columns("audit_log") == frozenset()


def test_every_column_of_a_synced_table_travels_or_is_listed_as_local():
    tables = Base.metadata.tables
    for name in SYNCED_TABLES:
        columns = {column.name for column in tables[name].columns}
        [key] = [column.name for column in tables[name].primary_key.columns]
        local = LOCAL_ONLY_COLUMNS.get(name, frozenset())
        assert synced_columns(name) <= columns, name  # HQ's schema names only real columns
        assert not synced_columns(name) & (local | DEVICE_COLUMNS | {key}), name
        unlisted = columns - synced_columns(name) - local - DEVICE_COLUMNS - {key}
        assert not unlisted, f"{name}: decide whether {sorted(unlisted)} sync"
    assert LOCAL_ONLY_COLUMNS.keys() <= SYNCED_TABLES


def test_sealed_columns_and_keyed_hashes_are_never_synced():
    for table in SYNCED_TABLES:
        for column in Base.metadata.tables[table].columns:
            if any(mark in column.name for mark in SEALED_OR_KEYED):
                assert column.name not in synced_columns(table), f"{table}.{column.name}"
                assert column.name in LOCAL_ONLY_COLUMNS[table]


def test_registration_allergy_medication_preferences_and_booking_queue_only_operations_hq_accepts(admin_ctx, clock):
    world = build_world(admin_ctx)  # registers patients through the services
    patient = world.patients["asha"]
    patient_records.add_allergy(admin_ctx, patient, "Sesame oil", severity="severe")
    patient_records.add_medication(admin_ctx, patient, "Triphala churna", dose="5 g", frequency="HS")
    with admin_ctx.db.session() as session:
        medication_id = session.scalar(select(MedicationRow.id).where(MedicationRow.patient_id == patient))
    clock.advance(minutes=5)
    patient_records.stop_medication(admin_ctx, patient, medication_id)
    patient_records.set_preferences(admin_ctx, patient, CommunicationPreferences(channels=("sms", "whatsapp")))
    world.book("asha")

    with admin_ctx.db.session() as session:
        operations = pending_operations(session, limit=1000)
    tables = {op.table for op in operations}
    assert {"patients", "patient_allergies", "patient_medications", "communication_preferences",
            "appointments", "appointment_status_history"} <= tables
    schema = CLINICDESK_POLICIES.schema()
    assert {op.op_id: validate_operation(op, schema) for op in operations if validate_operation(op, schema)} == {}
    stop = [op for op in operations if op.table == "patient_medications" and op.row_id == medication_id][-1]
    assert set(stop.fields) == {"stopped_at"}  # an update carries the changed synced field, not updated_at


def test_sealed_columns_never_appear_in_an_outbox_row(admin_ctx):
    world = build_world(admin_ctx)
    patient = world.patients["asha"]
    with admin_ctx.db.session() as session, session.begin():
        row = session.get(PatientRow, patient)
        row.aadhaar_sealed, row.aadhaar_lookup = b"sealed-here", "ab" * 32
    with admin_ctx.db.session() as session, session.begin():
        session.execute(update(PatientRow).where(PatientRow.id == patient)
                        .values(aadhaar_sealed=b"sealed-again", aadhaar_lookup="cd" * 32, city="Kochi"))
    rows = _outbox_rows(admin_ctx.db)
    assert rows
    for row in rows:
        fields = json.loads(row.fields_json)
        assert not [name for name in fields if any(mark in name for mark in SEALED_OR_KEYED)], row.table_name
    bulk = [json.loads(row.fields_json) for row in rows if row.row_id == patient]
    assert {"city": "Kochi"} in bulk  # the bulk update queued its synced column alone


def test_an_update_of_only_local_columns_queues_nothing(admin_ctx, clock):
    world = build_world(admin_ctx)
    patient = world.patients["asha"]
    before = len(_outbox_rows(admin_ctx.db))
    clock.advance(minutes=5)
    with admin_ctx.db.session() as session, session.begin():
        row = session.get(PatientRow, patient)
        row.aadhaar_sealed, row.updated_at, row.row_version = b"sealed-here", clock(), row.row_version + 1
    with admin_ctx.db.session() as session, session.begin():
        session.execute(update(PatientRow).where(PatientRow.id == patient).values(aadhaar_lookup="ef" * 32))
    assert len(_outbox_rows(admin_ctx.db)) == before


def test_a_pulled_note_is_created_without_its_sealed_content_which_stays_on_the_writing_device(admin_ctx):
    note_id, stamp = new_id(), HlcStamp(1_780_000_000_000, 0, "hq-device")
    fields = {"consultation_id": new_id(), "version": 1, "status": "signed", "written_by": new_id(),
              "written_at": "2026-11-26T04:30:00+00:00", "signed_by": None, "signed_at": None, "content_hash": "ab",
              "source_transcript_id": None}
    op = Operation(new_id(), "clinical_notes", note_id, OpKind.UPSERT, fields, stamp, "hq-device")
    assert validate_operation(op, CLINICDESK_POLICIES.schema()) == []
    with admin_ctx.db.session() as session, session.begin():
        # the consultation is not in this database: check keys at commit, and roll back before it
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        with applying_remote_changes(session):
            assert apply_operation(session, op) == Applied.CHANGED
        session.expunge_all()
        note = session.get(ClinicalNoteRow, note_id)
        assert (note.status, note.content_hash, note.sealed_sections) == ("signed", "ab", b"")
        session.rollback()
