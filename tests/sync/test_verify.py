"""After each sync the device proves it holds what HQ holds (per-table counts and hashes) against a real HQ under
uvicorn; a tampered HQ or a lost outbox entry is reported, repaired row by row, and verified again."""

import json
import time

import httpx
from sqlalchemy import delete, select

from clinicdesk.cli import main
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import merge_row
from clinicdesk.domain.sync.operations import Operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.services import patients
from clinicdesk.store.models import PatientRow
from clinicdesk.store.outbox import OutboxRow, SyncRowStampRow
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.sync.verify import row_digest
from tests.server import conftest as server_conftest
from tests.server import test_sync_push_pull as sync_push_pull
from tests.sync import test_sync_client
from tests.sync.test_sync_client import NAMES, draft, hq_database

# a real HQ under uvicorn on loopback, and two enrolled desks of one clinic
hq_url, desks = test_sync_client.hq_url, test_sync_client.desks


def hq_patient_state(tmp_path, patient_id: str) -> tuple[dict, dict] | None:
    with hq_database(tmp_path) as hq:
        row = hq.execute("SELECT field_values, field_stamps FROM sync_row_states WHERE table_name = 'patients' "
                         "AND row_id = ?", (patient_id,)).fetchone()
    return None if row is None else (json.loads(row[0]), json.loads(row[1]))


def hq_rows(url: str, credential: str, table: str) -> dict[str, str]:
    response = httpx.get(f"{url}/v1/sync/rows", params={"table": table},
                         headers={"Authorization": f"Bearer {credential}"})
    assert response.status_code == 200, response.text
    return {row["row_id"]: row["sha256"] for row in response.json()["rows"]}


def test_a_clean_sync_is_verified_on_both_desks(desks):
    desk_a, desk_b = desks
    for n in range(3):
        patients.register_patient(desk_a.ctx, draft(NAMES[n], f"98470{n:05d}"))
    first = desk_a.sync()
    assert first.verified is True and first.mismatched_tables == () and first.repaired == {}
    second = desk_b.sync()
    assert second.verified is True and second.pulled >= 3 and second.repaired == {}
    assert desk_b.patients() == desk_a.patients()


def test_hq_lists_row_digests_of_its_own_centre_only_and_refuses_a_table_that_does_not_sync(desks, hq_url):
    desk_a, _ = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    desk_a.sync()
    credential = load_hq_settings(desk_a.db.data_dir).credential
    assert set(hq_rows(hq_url, credential, "patients")) == {patient_id}
    refused = httpx.get(f"{hq_url}/v1/sync/rows", params={"table": "settings"},
                        headers={"Authorization": f"Bearer {credential}"})
    assert refused.status_code == 422 and "not one that syncs" in refused.json()["reason"]
    state = httpx.post(f"{hq_url}/v1/sync/rows/state", json={"table": "patients", "row_ids": [patient_id, "nope"]},
                       headers={"Authorization": f"Bearer {credential}"}).json()
    assert state["missing"] == ["nope"]
    assert {op["row_id"] for op in state["operations"]} == {patient_id}
    assert httpx.get(f"{hq_url}/v1/sync/rows", params={"table": "patients"}).status_code == 401


def test_a_tampered_hq_is_reported_and_repaired_both_ways(desks, tmp_path):
    desk_a, desk_b = desks
    lost_id, _ = patients.register_patient(desk_a.ctx, draft(NAMES[0], "9847000000"))
    changed_id, _ = patients.register_patient(desk_a.ctx, draft(NAMES[1], "9847011111"))
    kept_id, _ = patients.register_patient(desk_a.ctx, draft(NAMES[2], "9847022222"))
    assert desk_a.sync().verified
    untouched = desk_a.patients()[kept_id]

    # HQ loses one row's state, and holds a newer phone for another that the desk never pulled
    newer = HlcStamp(int(time.time() * 1000) + 60_000, 0, "hq").to_string()
    with hq_database(tmp_path) as hq:
        hq.execute("DELETE FROM sync_row_states WHERE row_id = ?", (lost_id,))
        hq.execute("UPDATE sync_row_states SET field_values = json_set(field_values, '$.phone', '+919847099999'), "
                   "field_stamps = json_set(field_stamps, '$.phone', ?) WHERE row_id = ?", (newer, changed_id))
    summary = desk_a.sync()
    assert summary.mismatched_tables == ("patients",)
    assert summary.repaired == {"rows_from_hq": 1, "rows_sent_again": 1}
    assert summary.verified is True

    assert desk_a.patients()[changed_id]["phone"] == "+919847099999"  # HQ's newer value merged in here
    values, _stamps = hq_patient_state(tmp_path, lost_id)  # the lost row went up again, whole
    assert values["given_name"] == NAMES[0] and values["phone"] == desk_a.patients()[lost_id]["phone"]
    assert desk_a.patients()[kept_id] == untouched

    again = desk_a.sync()
    assert again.verified and again.mismatched_tables == () and again.repaired == {}
    other = desk_b.sync()
    assert other.verified and desk_b.patients() == desk_a.patients()


def test_a_row_only_the_device_has_is_found_and_sent(desks, tmp_path):
    desk_a, desk_b = desks
    assert desk_a.sync().verified
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    with desk_a.db.session() as session, session.begin():  # the outbox entry is lost; the row and stamps stay
        session.execute(delete(OutboxRow).where(OutboxRow.row_id == patient_id))
    summary = desk_a.sync()
    assert summary.mismatched_tables == ("patients",)
    assert summary.repaired.get("rows_sent_again") == 1 and summary.verified
    assert hq_patient_state(tmp_path, patient_id) is not None
    with desk_a.db.session() as session:
        [requeued] = session.scalars(select(OutboxRow).where(OutboxRow.row_id == patient_id)).all()
        stamps = json.loads(session.get(SyncRowStampRow, ("patients", patient_id)).stamps_json)
    assert requeued.state == "acknowledged"
    assert requeued.hlc == stamps["*"]  # the very change HQ lacked, under its own stamp: others see a repeat
    assert desk_b.sync().verified and patient_id in desk_b.patients()


def test_a_change_hq_refused_is_not_a_mismatch_and_is_not_forced_back(desks):
    desk_a, _ = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    desk_a.sync()
    with desk_a.db.session() as session, session.begin():  # HQ refuses a new UHID: it waits for staff instead
        session.get(PatientRow, patient_id).uhid = "KOC-A-999999"
    summary = desk_a.sync()
    assert summary.rejected == 1
    assert summary.verified and summary.mismatched_tables == () and summary.repaired == {}
    with desk_a.db.session() as session:
        assert session.get(PatientRow, patient_id).uhid == "KOC-A-999999"  # not overwritten by the repair


def test_the_command_line_summary_reports_the_mismatch_and_the_repair(desks, tmp_path, capsys):
    desk_a, _ = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    assert main(["sync", "--data-dir", str(desk_a.db.data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True
    with hq_database(tmp_path) as hq:
        hq.execute("DELETE FROM sync_row_states WHERE row_id = ?", (patient_id,))
    assert main(["sync", "--data-dir", str(desk_a.db.data_dir)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["verified"] is True and summary["mismatched_tables"] == ["patients"]
    assert summary["repaired"] == {"rows_from_hq": 0, "rows_sent_again": 1}
    assert "Lakshmi" not in json.dumps(summary)  # figures and table names, never values


# --- the row endpoints alone, on SQLite and on PostgreSQL (row-level security) -----------------------------------

postgres_cluster = server_conftest.postgres_cluster
server_hq = sync_push_pull.hq


def test_row_digests_and_row_state_match_hq_and_stay_inside_the_centre(server_hq):
    hq = server_hq
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    desk, other = sync_push_pull.Tablet(hq, hq.enrol(kochi)), sync_push_pull.Tablet(hq, hq.enrol(thrissur))
    created = sync_push_pull.new_patient(desk)
    gone = sync_push_pull.new_patient(desk, uhid="KOC-0002")
    edited = desk.upsert("patients", created["row_id"], {"phone": "9847000002"}, base={"phone": created["hlc"]})
    desk.pushed([created, gone, edited, desk.delete("patients", gone["row_id"])])

    listed = hq.client.get("/v1/sync/rows?table=patients&limit=1", headers=desk.device.headers).json()
    assert listed["has_more"] is True and len(listed["rows"]) == 1
    rest = hq.client.get(f"/v1/sync/rows?table=patients&after={listed['next_after']}",
                         headers=desk.device.headers).json()
    digests = {row["row_id"]: row["sha256"] for row in listed["rows"] + rest["rows"]}
    answer = hq.client.post("/v1/sync/rows/state", json={"table": "patients", "row_ids": sorted(digests)},
                            headers=desk.device.headers).json()
    states = {}
    for wire in answer["operations"]:  # merged as a device merges them, they rebuild HQ's digests exactly
        op = Operation.from_wire(wire)
        states[op.row_id] = merge_row(states.get(op.row_id), op, CLINICDESK_POLICIES).new_state
    assert answer["missing"] == [] and answer["operations"][0]["kind"] in ("upsert", "delete")
    assert {row_id: row_digest(row_id, {k: s.to_string() for k, s in state.stamps.items()},
                               state.deleted.to_string() if state.deleted else None)
            for row_id, state in states.items()} == digests
    assert states[gone["row_id"]].is_deleted and states[created["row_id"]].values["phone"] == "9847000002"

    # another centre's device sees none of it, even naming the row ids
    assert hq.client.get("/v1/sync/rows?table=patients", headers=other.device.headers).json()["rows"] == []
    foreign = hq.client.post("/v1/sync/rows/state", json={"table": "patients", "row_ids": sorted(digests)},
                             headers=other.device.headers).json()
    assert foreign["operations"] == [] and sorted(foreign["missing"]) == sorted(digests)
    refused = hq.client.post("/v1/sync/rows/state", json={"table": "patients", "row_ids": [], "centre_id": kochi},
                             headers=other.device.headers)
    assert refused.status_code == 422
    epoch = hq.client.get("/v1/sync/epoch", headers=desk.device.headers).json()
    assert epoch["epoch"] == desk.pull().headers["X-ClinicDesk-Epoch"] and epoch["started_at"]
