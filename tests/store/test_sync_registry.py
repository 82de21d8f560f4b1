"""The outbox queues exactly what HQ accepts (both follow CLINICDESK_POLICIES); sealed columns never travel."""

import json
import os
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind, validate_operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES, Policy
from clinicdesk.services import admin, appointments, billing_catalogue, patient_records
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.audio_vault import new_recording_key, wrap_recording_key
from clinicdesk.store.crypto import CentreKey, FieldSealer
from clinicdesk.store.database import new_id
from clinicdesk.store.keys import new_key
from clinicdesk.store.models import Base, MedicationRow, PatientRow, WorkingHoursRow
from clinicdesk.store.models_billing import PackageItemRow
from clinicdesk.store.models_consultation import ClinicalNoteRow, RecordingRow
from clinicdesk.store.outbox import OutboxRow, applying_remote_changes, pending_operations
from clinicdesk.store.sync_registry import (
    CENTRE_SEALED_COLUMNS,
    DEVICE_COLUMNS,
    LOCAL_ONLY_COLUMNS,
    SYNCED_TABLES,
    is_synced,
    key_values_of,
    may_travel,
    row_id_of,
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
    assert is_synced("staff") and synced_columns("audit_log") == frozenset()


NEVER_SYNCED = ("settings", "uhid_counters", "booking_counters", "audit_log", "sync_outbox", "sync_state",
                "sync_row_stamps", "blob_sync_state", "blob_sync_cursor", "bill_counters", "lead_assignment",
                "notification_messages", "notification_attempts")
# These rows travel, their bytes as chunks (clinicdesk/sync/blobs.py), never as a field. (A recording's bytes are a
# file beside the database; its row and its centre-wrapped key travel.)
CONTENT_AS_CHUNKS = {"patient_documents": "sealed_content", "session_photos": "sealed_content"}
A_WHOLE_CENTRE = ("centres", "centre_holidays", "rooms", "equipment", "staff", "practitioner_profiles",
                  "working_hours", "staff_leave", "services", "service_practitioners", "protocol_template_versions",
                  "stock_items", "stock_batches", "stock_movements", "consultations", "care_plans", "plan_sessions",
                  "appointment_staff", "waitlist", "incidents", "recording_consents", "transcripts",
                  "service_tariffs", "practitioner_prices", "packages", "package_items", "invoices", "invoice_lines",
                  "instalments", "payments", "insurance_claims", "leads", "lead_events", "lab_results",
                  "intake_form_versions", "intake_form_responses", "feedback", "complaints", "complaint_responses",
                  "clinician_tasks", "care_rules", "rule_firings", "session_flags", "staff_alerts",
                  "notification_templates")
# Records of what happened: HQ refuses an edit and a delete, so a pulled row is only ever inserted (issued bills and
# payments also have triggers that refuse UPDATE and DELETE locally).
APPEND_ONLY = ("transcripts", "invoices", "invoice_lines", "instalments", "payments", "lead_events", "lab_results",
               "intake_form_versions", "intake_form_responses", "feedback", "complaint_responses", "rule_firings",
               "care_rules")


def test_a_whole_centre_travels_but_per_device_and_large_sealed_content_does_not():
    assert set(A_WHOLE_CENTRE) <= SYNCED_TABLES
    assert not set(NEVER_SYNCED) & SYNCED_TABLES
    for table, content in CONTENT_AS_CHUNKS.items():
        assert table in SYNCED_TABLES and content not in synced_columns(table), table
    staff = synced_columns("staff")
    assert {"password_hash", "role", "active", "username"} <= staff  # a password set on one desk works on all
    assert not staff & {"failed_attempts", "last_failed_at", "last_sign_in_at"}  # a lock-out stays on its desk
    assert CLINICDESK_POLICIES.policy("plan_sessions", "status") == Policy.CLINICAL
    assert CLINICDESK_POLICIES.policy("consultations", "started_at") == Policy.CLINICAL
    assert CLINICDESK_POLICIES.is_append_only("stock_movements")
    for table in APPEND_ONLY:
        assert CLINICDESK_POLICIES.is_append_only(table), table
    for table in ("invoices", "invoice_lines", "instalments", "payments"):  # immutable once issued: no field may move
        assert {CLINICDESK_POLICIES.policy(table, f) for f in synced_columns(table)} == {Policy.APPEND_ONLY}, table
    assert CLINICDESK_POLICIES.policy("leads", "status") == Policy.LAST_WRITER  # each move is also a lead event
    assert CLINICDESK_POLICIES.policy("complaints", "status") == Policy.LAST_WRITER
    assert CLINICDESK_POLICIES.policy("insurance_claims", "approved") == Policy.LAST_WRITER
    assert "price" in synced_columns("practitioner_prices") and "updated_at" not in synced_columns("packages")


def test_every_foreign_key_of_a_synced_table_points_at_a_synced_table_or_is_listed():
    # a pulled row whose parent never travels would wait for ever (clinicdesk/sync/page.py holds it back)
    dangling = {(name, fk.parent.name) for name in SYNCED_TABLES for fk in Base.metadata.tables[name].foreign_keys
                if fk.column.table.name not in SYNCED_TABLES}
    assert dangling == set()  # a note drafted from a transcript too: transcripts travel


def test_a_link_row_id_joins_its_key_values_in_key_order_and_splits_back():
    row_id = row_id_of(["0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000002"])
    assert row_id == "0190a1b2-0000-7000-8000-000000000001|0190a1b2-0000-7000-8000-000000000002"
    assert key_values_of(row_id, 2) == tuple(row_id.split("|"))
    with pytest.raises(ValueError, match="joins 2 key value"):
        key_values_of("0190a1b2-0000-7000-8000-000000000001", 2)


def test_every_column_of_a_synced_table_travels_or_is_listed_as_local():
    tables = Base.metadata.tables
    for name in SYNCED_TABLES:
        columns = {column.name for column in tables[name].columns}
        keys = {column.name for column in tables[name].primary_key.columns}
        key = keys if len(keys) == 1 else set()  # a link row's key columns travel as its (fixed) fields
        assert keys - key <= synced_columns(name), name
        local = LOCAL_ONLY_COLUMNS.get(name, frozenset())
        assert synced_columns(name) <= columns, name  # HQ's schema names only real columns
        assert not synced_columns(name) & (local | DEVICE_COLUMNS | key), name
        unlisted = columns - synced_columns(name) - local - DEVICE_COLUMNS - key
        assert not unlisted, f"{name}: decide whether {sorted(unlisted)} sync"
    assert LOCAL_ONLY_COLUMNS.keys() <= SYNCED_TABLES


def test_sealed_columns_and_keyed_hashes_travel_only_sealed_with_the_centre_key_or_stay_local():
    for table in SYNCED_TABLES:
        for column in Base.metadata.tables[table].columns:
            if any(mark in column.name for mark in SEALED_OR_KEYED):
                centre_sealed = column.name in CENTRE_SEALED_COLUMNS.get(table, ())
                assert centre_sealed or column.name in LOCAL_ONLY_COLUMNS.get(table, ()), f"{table}.{column.name}"
                assert centre_sealed == (column.name in synced_columns(table)), f"{table}.{column.name}"


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
        # a sealed column travels only empty (None) or sealed with the centre key, which this database has not
        assert not [name for name, value in fields.items()
                    if any(mark in name for mark in SEALED_OR_KEYED) and value is not None], row.table_name
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


def _link_operations(db, table: str) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(row.kind, row.row_id) for row in session.scalars(
            select(OutboxRow).where(OutboxRow.table_name == table).order_by(OutboxRow.hlc))]


def test_link_rows_queue_under_their_joined_key_and_saving_the_same_links_again_queues_nothing(admin_ctx):
    world = build_world(admin_ctx)
    service, meera = world.services["CON"], world.staff["meera"]
    link = f"{service}|{meera}"
    assert _link_operations(admin_ctx.db, "service_practitioners") == [("upsert", link)]
    fields = dict(code="CON", name="Consultation", category="consultation", duration_minutes=30,
                  room_types=("consultation",), price=Decimal("1000"))
    appointments.save_service(admin_ctx, service_id=service, practitioner_ids=(meera,), **fields)
    # the same link, replaced by an equal one: a delete would tombstone it on every other desk
    assert _link_operations(admin_ctx.db, "service_practitioners") == [("upsert", link)]
    appointments.save_service(admin_ctx, service_id=service, practitioner_ids=(), **fields)
    assert _link_operations(admin_ctx.db, "service_practitioners") == [("upsert", link), ("delete", link)]
    world.book(service="ABH")
    [(kind, staff_link)] = _link_operations(admin_ctx.db, "appointment_staff")
    appointment_id, staff_id = staff_link.split("|")
    assert kind == "upsert" and staff_id in world.staff.values()
    with admin_ctx.db.session() as session:
        [op] = [o for o in pending_operations(session, 10_000) if o.table == "appointment_staff"]
    assert dict(op.fields) == {"appointment_id": appointment_id, "staff_id": staff_id}
    assert validate_operation(op, CLINICDESK_POLICIES.schema()) == []


def test_rows_a_save_replaces_travel_as_deletes_of_the_old_and_inserts_of_the_new(admin_ctx):
    world = build_world(admin_ctx)
    rajan = world.staff["rajan"]
    with admin_ctx.db.session() as session:
        old_hours = set(session.scalars(select(WorkingHoursRow.id).where(WorkingHoursRow.staff_id == rajan)))
    assert old_hours
    item = next(s for s in admin.list_staff(admin_ctx) if s.id == rajan)
    admin.update_staff(admin_ctx, rajan, StaffDraft(item.username, "Rajan P. Pillai", item.role, item.centre_id,
                                                    item.gender, hours=item.hours))
    queued = {(kind, row_id) for kind, row_id in _link_operations(admin_ctx.db, "working_hours")}
    assert {("delete", row_id) for row_id in old_hours} <= queued  # else the old hours would live on elsewhere



def test_a_recording_key_and_sealed_transcripts_and_forms_travel_only_with_the_centre_key():
    sealer = FieldSealer(new_key())
    device_wrapped = wrap_recording_key(sealer, new_recording_key(), recording_id="r1")
    device_sealed = sealer.seal(b"transcript text", context="transcript:t1")
    sealer.adopt_centre_key(CentreKey(os.urandom(32)))
    centre_wrapped = wrap_recording_key(sealer, new_recording_key(), recording_id="r2")
    centre_sealed = sealer.seal(b"transcript text", context="transcript:t2")
    assert not may_travel("recordings", "wrapped_key", device_wrapped)  # only this database could unwrap it
    assert may_travel("recordings", "wrapped_key", centre_wrapped)
    assert not may_travel("recordings", "wrapped_key", centre_sealed)  # a sealed field is not a wrapped key
    for table, column in (("transcripts", "sealed_text"), ("transcripts", "sealed_segments"),
                          ("intake_form_responses", "sealed_answers")):
        assert column in synced_columns(table), column
        assert not may_travel(table, column, device_sealed) and may_travel(table, column, centre_sealed), column


def test_package_items_replaced_on_save_travel_as_deletes_of_the_old_and_inserts_of_the_new(admin_ctx):
    item = PackageItemDraft("session", "Therapy sessions", "999312", Decimal("0"), Decimal("2200"), Decimal("3"),
                            exempt=True)
    draft = PackageDraft("PK3", "Abhyanga 3 days", (item,), discount=Decimal("0"), instalments=1,
                         instalment_days=7)
    package_id, _ = billing_catalogue.save_package(admin_ctx, draft)
    with admin_ctx.db.session() as session:
        old_items = set(session.scalars(select(PackageItemRow.id)))
    billing_catalogue.save_package(admin_ctx, PackageDraft("PK3", "Abhyanga 3 days", (item, item),
                                                           discount=Decimal("0"), instalments=1, instalment_days=7),
                                   package_id=package_id)
    with admin_ctx.db.session() as session:
        new_items = set(session.scalars(select(PackageItemRow.id))) - old_items
    queued = set(_link_operations(admin_ctx.db, "package_items"))
    assert len(new_items) == 2 and {("upsert", row_id) for row_id in new_items} <= queued
    assert {("delete", row_id) for row_id in old_items} <= queued  # else the old item would live on elsewhere


def test_a_pulled_recording_without_a_centre_wrapped_key_is_created_with_an_empty_key(admin_ctx):
    recording_id, stamp = new_id(), HlcStamp(1_780_000_000_000, 0, "hq-device")
    fields = {"consultation_id": new_id(), "file_name": "recordings/r.cdrec", "sample_rate": 16000, "channels": 1,
              "seconds": "12.50", "state": "complete", "started_at": "2026-11-26T04:30:00+00:00",
              "started_by": new_id(), "delete_after": "2027-11-26", "deleted_at": None, "deletion_reason": ""}
    op = Operation(new_id(), "recordings", recording_id, OpKind.UPSERT, fields, stamp, "hq-device")
    assert validate_operation(op, CLINICDESK_POLICIES.schema()) == []
    with admin_ctx.db.session() as session, session.begin():
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # its consultation is not here
        with applying_remote_changes(session):
            assert apply_operation(session, op) == Applied.CHANGED
        session.expunge_all()
        recording = session.get(RecordingRow, recording_id)
        assert (recording.state, recording.wrapped_key) == ("complete", b"")  # not playable here until a key comes
        session.rollback()
