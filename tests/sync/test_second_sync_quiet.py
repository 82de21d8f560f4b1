"""A second sync in a row sends nothing, receives nothing and is verified, although sealed values stay on their desk
until a centre key exists; and the post-sync repair never makes a row half, nor one page.py holds back."""

import dataclasses
import json
from datetime import UTC, datetime

from sqlalchemy import select

from clinicdesk.cli import main
from clinicdesk.domain.sync.operations import Operation
from clinicdesk.services import patients, sync_status
from clinicdesk.store.models import PatientRow, SettingRow
from clinicdesk.store.outbox import OutboxRow
from clinicdesk.sync.join import join_centre
from clinicdesk.sync.page import HELD_BACK_KEY, MISSING_PARENT, held_back_changes
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.sync.transport import HqTransport
from clinicdesk.sync.verify import local_rows, repair_table, row_digest
from tests.sync.hq_fixtures import clock, enrolment_code
from tests.sync.test_join_centre import _outbox_tables, clinic, hq_url, sync  # noqa: F401 (fixtures)
from tests.sync.test_sync_client import desks, draft  # noqa: F401 (fixture)
from tests.sync.test_verify import hq_rows


def assert_quiet(summary) -> None:
    assert (summary.pushed, summary.pulled, summary.rejected, summary.conflicts) == (0, 0, 0, 0), summary
    assert summary.verified and summary.mismatched_tables == () and summary.repaired == {}, summary


def _no_sealed_value_queued(db) -> bool:
    with db.session() as session:
        texts = session.scalars(select(OutboxRow.fields_json).where(
            OutboxRow.table_name.in_(("clinical_notes", "procedure_consents"))))
        return all("sealed" not in text for text in texts)


def test_syncing_again_is_quiet_on_the_first_desk_and_on_a_desk_that_joined(clinic, tmp_path, hq_url):  # noqa: F811
    queued = _outbox_tables(clinic.db)
    assert_quiet(sync(clinic.db))
    assert _outbox_tables(clinic.db) == queued  # nothing queued again: the signed note and consent stay as sent
    assert _no_sealed_value_queued(clinic.db)

    desk_b, _joined = join_centre(tmp_path / "desk-b", hq_url, enrolment_code(hq_url, clinic.hq_centre), "",
                                  device_name="Reception desk B", now=clock)
    try:
        first = sync(desk_b)
        assert first.verified and first.pushed == 0 and first.repaired == {}, first
        assert_quiet(sync(desk_b))
        assert _outbox_tables(desk_b) == {}
        assert_quiet(sync(clinic.db))
    finally:
        desk_b.close()


def _edited_patient(desk_a) -> str:
    """A patient registered and synced, then a required field edited and synced: HQ holds the row under two
    stamps, so its state's older upsert lacks given_name."""
    patient_id, _ = patients.register_patient(desk_a.ctx, draft("Lakshmi", "9847012345"))
    desk_a.sync()
    with desk_a.db.session() as session:
        version = session.get(PatientRow, patient_id).row_version
    patients.update_patient(desk_a.ctx, patient_id, dataclasses.replace(draft("Lakshmi", "9847012345"),
                                                                        given_name="Lakshmi Devi"),
                            expected_version=version)
    assert desk_a.sync().verified
    return patient_id


def test_repair_leaves_a_row_page_holds_back_to_page(desks):  # noqa: F811
    desk_a, desk_b = desks
    patient_id = _edited_patient(desk_a)
    settings = load_hq_settings(desk_b.db.data_dir)
    with HqTransport(settings.url, settings.credential) as client:
        page = client.request("GET", "/v1/sync/pull", params={"after": 0, "limit": 500}).json()
        changes = [Operation.from_wire(c["operation"]) for c in page["changes"]]
        mine = [op for op in changes if op.row_id == patient_id]
        assert len(mine) == 2
        with desk_b.db.session() as session, session.begin():  # as page.py keeps a row whose parent has not come
            reason = MISSING_PARENT.format(parent="centres")
            session.add(SettingRow(key=HELD_BACK_KEY, value=json.dumps(
                [{"operation": op.to_wire(), "reason": reason} for op in mine])))
        changed, queued = repair_table(desk_b.db, client, "patients", [patient_id], clock)
    assert (changed, queued) == (0, 0)
    with desk_b.db.session() as session:
        assert session.get(PatientRow, patient_id) is None  # never made from part of its fields
        assert [h.operation for h in held_back_changes(session)] == mine  # still waiting, whole
    later = desk_b.sync()  # page.py applies the held-back changes with the next page, parents being here
    assert later.verified and later.repaired == {}, later
    assert desk_b.patients()[patient_id] == desk_a.patients()[patient_id]
    with desk_b.db.session() as session:
        assert held_back_changes(session) == []


def test_repair_makes_a_row_this_desk_lacks_whole_even_when_hq_holds_it_under_several_stamps(desks):  # noqa: F811
    desk_a, desk_b = desks
    patient_id = _edited_patient(desk_a)
    settings = load_hq_settings(desk_b.db.data_dir)
    with HqTransport(settings.url, settings.credential) as client:
        changed, queued = repair_table(desk_b.db, client, "patients", [patient_id], clock)
    assert (changed, queued) == (1, 0)
    assert desk_b.patients()[patient_id] == desk_a.patients()[patient_id]
    assert desk_b.patients()[patient_id]["given_name"] == "Lakshmi Devi"
    with desk_b.db.session() as session:
        stamps, deleted = local_rows(session, "patients")[patient_id]
    assert row_digest(patient_id, stamps, deleted) == hq_rows(settings.url, settings.credential, "patients")[patient_id]
    after_pull = desk_b.sync()  # the same changes arriving by pull are repeats
    assert after_pull.verified and after_pull.repaired == {}, after_pull


def test_changes_waiting_for_a_record_are_counted_in_the_summary_and_shown_with_their_sentences(desks, capsys, qtbot):  # noqa: F811
    from clinicdesk.ui.sync.status_widget import AMBER, SyncStatusWidget

    _desk_a, desk_b = desks
    orphan = Operation.from_wire({  # a patient of a centre that has not reached this desk
        "op_id": "01a21868-0000-7000-8000-000000000001", "table": "patients",
        "row_id": "01a21868-0000-7000-8000-0000000000aa", "kind": "upsert",
        "fields": {"centre_id": "01a21868-0000-7000-8000-0000000000cc", "uhid": "KOC-Z-000001", "given_name": "Uma",
                   "date_of_birth": "1990-01-01", "sex": "female", "phone": "9847000000"},
        "hlc": "001764131400000-000000-zz", "device_id": "zz", "base": {}})
    with desk_b.db.session() as session, session.begin():
        session.add(SettingRow(key=HELD_BACK_KEY, value=json.dumps(
            [{"operation": orphan.to_wire(), "reason": MISSING_PARENT.format(parent="centres")}])))
    summary = desk_b.sync()
    assert summary.held_back == 1 and summary.verified and summary.as_json()["held_back"] == 1
    assert main(["sync", "--data-dir", str(desk_b.db.data_dir)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["held_back"] == 1 and "Uma" not in json.dumps(printed)

    status = sync_status.sync_status(desk_b.ctx)
    sentence = "A change to patients waits for the centres record it belongs to, which has not reached this device yet."
    assert status.held_back == (sentence,)
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    widget.show_status(status, UTC, now)
    assert "1 change waits for records that have not arrived yet" in widget.text.text()
    assert sentence in widget.text.toolTip() and widget.colour == AMBER

    quiet = dataclasses.replace(status, held_back=())
    widget.show_status(quiet, UTC, now)
    assert "arrived" not in widget.text.text() and sentence not in widget.text.toolTip()
    many = dataclasses.replace(status, held_back=(sentence,) * 3)
    widget.show_status(many, UTC, now)
    assert "3 changes wait for records" in widget.text.text() and f"{sentence} (3 changes)" in widget.text.toolTip()
