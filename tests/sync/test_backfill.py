"""Rows that were never queued (written before their table synced, or by an older version) are queued at the next
sync, parents first and without sealed values HQ could not open, so a desk joining later still gets everything."""

import dataclasses
import json

from sqlalchemy import delete, func, select

from clinicdesk.services import auth, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.models import Base, PatientRow
from clinicdesk.store.outbox import OutboxRow, SyncRowStampRow, outbox_counts
from clinicdesk.store.sync_registry import CENTRE_SEALED_COLUMNS
from clinicdesk.sync.backfill import backfill_outbox, synced_tables_in_key_order
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.join import join_centre
from tests.services.therapy_world import build_therapy_world
from tests.sync.hq_fixtures import clock, enrolment_code, hq_admin
from tests.sync.test_join_centre import A_CENTRE, ADMIN_PASSWORD, hq_url, sync, synced_rows  # noqa: F401 (fixture)


def set_up_clinic(data_dir) -> Database:
    """A clinic in use (staff, services, rooms, stock, patients, a course with its signed consent)."""
    db = create_database(data_dir, passphrase=None)
    ctx = ServiceContext(db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    build_therapy_world(ctx).scheduled_plan()
    return db


def forget_sync_history(db: Database) -> None:
    """As a database made before its tables synced: no stamps, nothing queued."""
    with db.session() as session, session.begin():
        session.execute(delete(SyncRowStampRow))
        session.execute(delete(OutboxRow))


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar()


def test_backfill_queues_every_unstamped_row_once_parents_first_in_batches(tmp_path):
    db = set_up_clinic(tmp_path / "desk-a")
    try:
        forget_sync_history(db)
        done = backfill_outbox(db, batch=7)  # several batches per table
        expected = {table.name: _count(db, table.name) for table in synced_tables_in_key_order()}
        assert done.tables == {table: n for table, n in expected.items() if n}
        assert done.tables["patients"] >= 1 and done.tables["staff"] > 7
        with db.session() as session:
            queued = list(session.scalars(select(OutboxRow).order_by(OutboxRow.hlc)))
            stamps = session.scalar(select(func.count()).select_from(SyncRowStampRow))
        assert len(queued) == done.rows == stamps and {op.kind for op in queued} == {"upsert"}
        order = [table.name for table in synced_tables_in_key_order()]
        places = [order.index(op.table_name) for op in queued]
        assert places == sorted(places)  # every parent table's rows are stamped before any child's
        # the consent's signature is sealed with this database's own key: it stays here until a centre key exists
        consents = [json.loads(op.fields_json) for op in queued if op.table_name == "procedure_consents"]
        assert consents and all(not CENTRE_SEALED_COLUMNS["procedure_consents"] & set(f) for f in consents)
        assert all("patient_id" in f for f in consents)

        assert backfill_outbox(db).rows == 0  # idempotent: every row has its stamps now
        with db.session() as session:
            assert outbox_counts(session)["pending"] == done.rows
    finally:
        db.close()


def test_a_desk_joining_later_gets_the_rows_that_were_never_queued(tmp_path, hq_url):  # noqa: F811
    db = set_up_clinic(tmp_path / "desk-a")
    try:
        forget_sync_history(db)
        centre = hq_admin(hq_url, "POST", "/v1/admin/centres", {"name": "Kochi"})["id"]
        enrol(db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk A")
        first = sync(db)
        assert first.rejected == 0 and first.pushed > 100 and first.verified
        desk_b, joined = join_centre(tmp_path / "desk-b", hq_url, enrolment_code(hq_url, centre), "",
                                     device_name="Reception desk B", now=clock)
        try:
            assert joined.waiting == 0 and joined.staff == _count(db, "staff") and joined.patients >= 1
            for table in A_CENTRE:
                assert synced_rows(desk_b, table) == synced_rows(db, table), table
            assert _count(desk_b, "procedure_consents") == _count(db, "procedure_consents") == 1
            again = sync(db)
            assert again.pushed == 0 and again.verified
        finally:
            desk_b.close()
    finally:
        db.close()


def test_an_edit_of_a_row_never_queued_waits_for_the_backfill_which_sends_it_whole(tmp_path):
    db = set_up_clinic(tmp_path / "desk-a")
    try:
        ctx = ServiceContext(db, clock=clock)
        ctx.user = auth.sign_in(ctx, "admin", ADMIN_PASSWORD)
        with db.session() as session:
            patient = session.scalars(select(PatientRow)).first()
            patient_id, version = patient.id, patient.row_version
        forget_sync_history(db)
        profile = patients.get_profile(ctx, patient_id)
        patients.update_patient(ctx, patient_id, dataclasses.replace(profile.draft, given_name="Lakshmi Devi"),
                                expected_version=version)
        with db.session() as session:  # a lone edit would reach HQ as a row without its other fields
            assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0
            assert session.get(SyncRowStampRow, ("patients", patient_id)) is None
        backfill_outbox(db)
        with db.session() as session:
            [insert] = session.scalars(select(OutboxRow).where(OutboxRow.row_id == patient_id)).all()
        fields = json.loads(insert.fields_json)
        assert fields["given_name"] == "Lakshmi Devi" and {"uhid", "phone", "date_of_birth", "sex"} <= set(fields)
    finally:
        db.close()
