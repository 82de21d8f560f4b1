"""Push and pull against the HQ server, on the embedded SQLite default and on a real PostgreSQL (as the application
role, under row-level security): one transaction per batch, remembered operation ids, conflicts recorded for a
person, append-only rows refused with a reason, centres kept apart, bad input a 4xx."""

import json
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fastapi.testclient import TestClient

import clinicdesk.server.sync_push as sync_push
from clinicdesk.domain.sync.digest import table_digest
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.server import migrate
from clinicdesk.server.app import create_app
from clinicdesk.server.sync_schemas import MAX_BATCH_OPERATIONS, MAX_PUSH_BODY_BYTES
from tests.server.conftest import ADMIN_TOKEN, HQ
from tests.server.postgres import APP_ROLE, OWNER_ROLE

NOW_MS = 1_795_667_400_000  # the conftest clock: 2026-11-26 04:30 UTC


def new_id() -> str:
    return str(uuid.uuid4())


class Tablet:
    """One device's side of the protocol: makes stamped operations and pushes and pulls them."""

    def __init__(self, hq, device, clock_offset_ms: int = 0):
        self.hq, self.device = hq, device
        self.node = device.id
        self.wall_ms = NOW_MS + clock_offset_ms
        self.counter = 0

    def stamp(self) -> HlcStamp:
        self.counter += 1
        return HlcStamp(self.wall_ms, self.counter, self.node)

    def upsert(self, table: str, row_id: str, fields: dict, base: dict[str, str] | None = None) -> dict:
        """`base`: the stamp text of each field's value this device had seen."""
        seen = {name: HlcStamp.parse(text) for name, text in (base or {}).items()}
        return Operation(new_id(), table, row_id, OpKind.UPSERT, fields, self.stamp(), self.node, seen).to_wire()

    def delete(self, table: str, row_id: str) -> dict:
        return Operation(new_id(), table, row_id, OpKind.DELETE, {}, self.stamp(), self.node).to_wire()

    def batch(self, operations: list[dict], batch_id: str | None = None) -> dict:
        return {"batch_id": batch_id or new_id(), "operations": operations,
                "device_hlc": self.stamp().to_string(), "device_wall_ms": self.wall_ms}

    def push(self, operations: list[dict] | None = None, *, body: dict | None = None):
        return self.hq.client.post("/v1/sync/push", json=body or self.batch(operations), headers=self.device.headers)

    def pushed(self, operations: list[dict]) -> list[dict]:
        response = self.push(operations)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull(self, after: int = 0, limit: int | None = None):
        query = f"after={after}" + (f"&limit={limit}" if limit else "")
        return self.hq.client.get(f"/v1/sync/pull?{query}", headers=self.device.headers)

    def pull_all(self) -> list[dict]:
        response = self.pull()
        assert response.status_code == 200, response.text
        assert response.json()["has_more"] is False
        return response.json()["changes"]

    def summary(self) -> dict:
        response = self.hq.client.get("/v1/sync/summary", headers=self.device.headers)
        assert response.status_code == 200, response.text
        return response.json()


class SyncHQ(HQ):
    """The HQ steps plus a look at the stored tables across every centre (SQLite file; PostgreSQL owner role)."""

    def __init__(self, client: TestClient, read_sql):
        super().__init__(client, database_file=None)
        self.read_sql = read_sql

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(_decoded(value) for value in row) for row in self.read_sql(sql)]

    def count(self, table: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]


def _decoded(value):
    # SQLite hands JSON columns back as text, psycopg as Python values
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _sqlite_reader(database_file):
    def read(sql: str) -> list[tuple]:
        with sqlite3.connect(database_file) as conn:
            return conn.execute(sql).fetchall()
    return read


def _postgres_reader(owner_url: str):
    def read(sql: str) -> list[tuple]:
        with psycopg.connect(owner_url) as conn:
            return conn.execute(sql).fetchall()
    return read


@pytest.fixture(params=["sqlite", "postgresql"])
def hq(request, tmp_path, clock, capsys) -> SyncHQ:
    if request.param == "sqlite":
        database_file = tmp_path / "hq" / "hq.sqlite3"
        url, reader = f"sqlite:///{database_file}", _sqlite_reader(database_file)
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        database = cluster.new_database()
        owner_url = cluster.url(OWNER_ROLE, database).replace("postgresql+psycopg", "postgresql")
        assert migrate.main([owner_url]) == 0  # the owner migrates; the server runs as the application role
        capsys.readouterr()
        url, reader = cluster.url(APP_ROLE, database), _postgres_reader(owner_url)
    with TestClient(create_app(url, admin_token=ADMIN_TOKEN, clock=clock), raise_server_exceptions=False) as client:
        yield SyncHQ(client, reader)


@pytest.fixture
def kochi(hq):
    return hq.centre("Kochi")


@pytest.fixture
def desk(hq, kochi) -> Tablet:
    return Tablet(hq, hq.enrol(kochi, "Reception desk"))


@pytest.fixture
def tablet(hq, kochi) -> Tablet:
    return Tablet(hq, hq.enrol(kochi, "Consultation tablet"))


def new_patient(device: Tablet, **fields) -> dict:
    return device.upsert("patients", new_id(), {"uhid": "KOC-0001", "given_name": "Asha", "family_name": "Menon",
                                                "date_of_birth": "1980-02-01", "phone": "9847000001", **fields})


def test_push_then_pull_round_trip_in_sequence_order_with_pages(desk, tablet):
    created = new_patient(desk)
    edited = desk.upsert("patients", created["row_id"], {"phone": "9847000002"},
                         base={"phone": created["hlc"]})
    second = new_patient(desk, uhid="KOC-0002")
    results = desk.pushed([created, edited, second])
    assert results == [{"op_id": op["op_id"], "outcome": "applied", "reason": ""} for op in (created, edited, second)]

    first_page = tablet.pull(after=0, limit=2).json()
    assert [c["seq"] for c in first_page["changes"]] == [1, 2]
    assert first_page["changes"][0]["operation"] == created
    assert first_page["changes"][0]["pushed_by_device_id"] == desk.device.id
    assert (first_page["next_after"], first_page["has_more"]) == (2, True)
    rest = tablet.pull(after=2, limit=2).json()
    assert [c["operation"] for c in rest["changes"]] == [second]
    assert (rest["next_after"], rest["has_more"]) == (3, False)
    assert tablet.pull(after=3).json() == {"changes": [], "next_after": 3, "has_more": False}

    # the summary is what a device computes from the same merged stamps
    summary = tablet.summary()
    expected = table_digest([(created["row_id"], {**{f: created["hlc"] for f in created["fields"]},
                                                  "phone": edited["hlc"]}, None),
                             (second["row_id"], dict.fromkeys(second["fields"], second["hlc"]), None)])
    assert summary["last_seq"] == 3
    assert summary["tables"]["patients"] == {"rows": 2, "deleted": 0, "sha256": expected.sha256}
    assert summary["tables"]["appointments"]["rows"] == 0


def test_the_same_batch_twice_changes_nothing_and_gets_the_same_answers(hq, desk):
    created = new_patient(desk)
    not_synced = desk.upsert("no_such_table", new_id(), {"x": 1})
    body = desk.batch([created, not_synced])
    first = desk.push(body=body)
    before = (hq.count("sync_changes"), desk.summary())
    second = desk.push(body=body)
    assert second.status_code == first.status_code == 200
    assert second.json()["results"] == first.json()["results"]
    assert [r["outcome"] for r in first.json()["results"]] == ["applied", "rejected"]
    assert (hq.count("sync_changes"), desk.summary()) == before
    assert len(desk.pull_all()) == 1
    # the same operations in a new batch (a retry after a lost answer) are recognised by their ids too
    assert desk.pushed([created]) == first.json()["results"][:1]
    # and an operation repeated inside one batch is applied once
    again = new_patient(desk)
    assert [r["outcome"] for r in desk.pushed([again, again])] == ["applied", "applied"]
    assert len(desk.pull_all()) == 2
    assert hq.count("sync_applied_ops") == 3


def test_an_operation_id_reused_for_other_content_is_rejected_and_changes_nothing(hq, desk):
    created = new_patient(desk)
    desk.pushed([created])
    forged = {**created, "fields": {**created["fields"], "given_name": "Someone else"}}
    (result,) = desk.pushed([forged])
    assert result["outcome"] == "rejected"
    assert "already used for a different change" in result["reason"]
    (values,) = hq.rows("SELECT field_values FROM sync_row_states")
    assert values[0]["given_name"] == "Asha"


def test_concurrent_clinical_edits_from_two_devices_become_one_conflict(hq, desk, tablet):
    created = new_patient(desk)
    desk.pushed([created])
    seen = {"given_name": created["hlc"]}
    at_desk = desk.upsert("patients", created["row_id"], {"given_name": "Aasha"}, base=seen)
    at_tablet = tablet.upsert("patients", created["row_id"], {"given_name": "Usha"}, base=seen)
    assert [r["outcome"] for r in desk.pushed([at_desk])] == ["applied"]
    (result,) = tablet.pushed([at_tablet])
    assert result["outcome"] == "conflict"
    assert "conflict queue" in result["reason"] and "Usha" not in result["reason"]
    tablet.pushed([at_tablet])  # a retry records nothing twice

    conflicts = hq.rows("SELECT table_name, row_id, field, kind, versions, resolved_at "
                                       "FROM sync_conflicts")
    assert len(conflicts) == 1
    table, row_id, field, kind, versions, resolved_at = conflicts[0]
    assert (table, row_id, field, kind, resolved_at) == ("patients", created["row_id"], "given_name",
                                                         "concurrent_edit", None)
    assert {v["value"] for v in versions} == {"Aasha", "Usha"}
    # both edits travel to every device, so each merges to the same state and sees the same conflict
    assert [c["operation"]["op_id"] for c in desk.pull_all()] == [created["op_id"], at_desk["op_id"],
                                                                   at_tablet["op_id"]]


def test_a_concurrent_low_risk_edit_is_merged_and_the_loser_logged(hq, desk, tablet):
    created = new_patient(desk)
    desk.pushed([created])
    seen = {"phone": created["hlc"]}
    desk.pushed([desk.upsert("patients", created["row_id"], {"phone": "9847000009"}, base=seen)])
    (result,) = tablet.pushed([tablet.upsert("patients", created["row_id"], {"phone": "9847000010"}, base=seen)])
    assert result["outcome"] == "merged"
    assert hq.count("sync_loser_log") == 1
    assert hq.count("sync_conflicts") == 0


def test_changing_an_append_only_record_is_rejected_with_a_reason(hq, desk):
    note = desk.upsert("clinical_notes", new_id(), {"consultation_id": new_id(), "version": 1, "status": "signed",
                                                   "content_hash": "ab"})
    desk.pushed([note])
    change = desk.upsert("clinical_notes", note["row_id"], {"content_hash": "cd"}, base={"content_hash": note["hlc"]})
    removal = desk.delete("clinical_notes", note["row_id"])
    changed, removed = desk.pushed([change, removal])
    assert changed["outcome"] == removed["outcome"] == "rejected"
    assert "fixed when the record is created" in changed["reason"]
    assert "append-only" in removed["reason"]
    assert [c["operation"]["op_id"] for c in desk.pull_all()] == [note["op_id"]]
    (stamps, deleted), = hq.rows("SELECT field_stamps, deleted FROM sync_row_states")
    assert stamps["content_hash"] == note["hlc"] and deleted is None


def test_a_device_of_another_centre_gets_nothing_and_changes_nothing(hq, kochi, desk):
    thrissur_desk = Tablet(hq, hq.enrol(hq.centre("Thrissur"), "Thrissur desk"))
    created = new_patient(desk)
    desk.pushed([created])
    kochi_summary = desk.summary()

    assert thrissur_desk.pull_all() == []
    assert thrissur_desk.summary()["tables"]["patients"]["rows"] == 0
    # Kochi's row id and even Kochi's operation id, pushed from Thrissur, make Thrissur's own row
    guessed = {**thrissur_desk.upsert("patients", created["row_id"], {"given_name": "Intruder"}),
               "op_id": created["op_id"]}
    (result,) = thrissur_desk.pushed([guessed])
    assert result["outcome"] == "applied"
    assert desk.summary() == kochi_summary
    assert [c["operation"]["op_id"] for c in desk.pull_all()] == [created["op_id"]]
    assert [c["operation"]["fields"] for c in thrissur_desk.pull_all()] == [{"given_name": "Intruder"}]
    by_centre = dict(hq.rows("SELECT centre_id, field_values FROM sync_row_states"))
    assert by_centre[kochi]["given_name"] == "Asha"
    assert hq.rows("SELECT COUNT(DISTINCT centre_id) FROM sync_changes") == [(2,)]
    # naming a centre anywhere is refused, not ignored
    assert thrissur_desk.hq.client.get(f"/v1/sync/pull?centre_id={kochi}",
                                       headers=thrissur_desk.device.headers).status_code == 422
    smuggled = {**thrissur_desk.batch([new_patient(thrissur_desk)]), "centre_id": kochi}
    assert thrissur_desk.push(body=smuggled).status_code == 422


def _refused(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["reason"]
    return body


def test_bad_batches_are_a_4xx_with_a_reason_and_change_nothing(hq, desk):
    good = new_patient(desk)
    too_many = [new_patient(desk) for _ in range(MAX_BATCH_OPERATIONS + 1)]
    assert "at most 500" in _refused(desk.push(too_many), 422)["reason"]
    missing_stamp = {key: value for key, value in good.items() if key != "hlc"}
    for bad_op in (missing_stamp, {**good, "fields": ["not", "an", "object"]}, {**good, "op_id": "OP-1"},
                   {**good, "version": 2}, "not an operation"):
        _refused(desk.push([good, bad_op]), 422)
    for bad_body in ({**desk.batch([good]), "device_hlc": "yesterday"}, {**desk.batch([good]), "device_wall_ms": -1},
                     {**desk.batch([good]), "batch_id": None}):
        _refused(desk.push(body=bad_body), 422)
    huge = desk.upsert("clinical_notes", new_id(), {"sealed_sections": "x" * (MAX_PUSH_BODY_BYTES + 1)})
    _refused(desk.push([huge]), 413)
    _refused(hq.client.post("/v1/sync/push", json=desk.batch([good])), 401)
    for query in ("after=-1", "after=abc", "limit=0", "limit=1001", f"after={2**64}"):
        _refused(hq.client.get(f"/v1/sync/pull?{query}", headers=desk.device.headers), 422)
    assert hq.count("sync_applied_ops") == hq.count("sync_changes") == 0
    # a well-formed operation that says something wrong is answered "rejected", each with its own reason
    results = desk.pushed([{**good, "op_id": new_id(), "hlc": "tuesday"}, {**good, "op_id": new_id(), "table": "staff"},
                           desk.upsert("patients", "row-7", {"phone": "1"}), good])
    assert [r["outcome"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert "stamp" in results[0]["reason"] and "not synced" in results[1]["reason"]
    assert results[2]["reason"] == "Row id must be a lower-case UUID."


def test_a_crash_mid_batch_applies_nothing_and_the_retry_applies_once(hq, desk, monkeypatch):
    operations = [new_patient(desk, uhid=f"KOC-000{n}") for n in range(3)]
    real_merge, calls = sync_push.merge_row, []

    def merge_then_crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(sync_push, "merge_row", merge_then_crash)
    body = desk.batch(operations)
    crashed = desk.push(body=body)
    assert crashed.status_code == 500
    assert crashed.json()["error"] == "server_error"
    for table in ("sync_applied_ops", "sync_changes", "sync_row_states", "sync_sequences"):
        assert hq.count(table) == 0, table

    monkeypatch.setattr(sync_push, "merge_row", real_merge)
    assert [r["outcome"] for r in desk.push(body=body).json()["results"]] == ["applied"] * 3
    assert [r["outcome"] for r in desk.push(body=body).json()["results"]] == ["applied"] * 3
    assert [c["seq"] for c in desk.pull_all()] == [1, 2, 3]
    assert hq.count("sync_row_states") == 3


def test_the_server_clock_moves_past_the_device_and_warns_a_clock_that_is_far_off(hq, kochi):
    on_time = Tablet(hq, hq.enrol(kochi, "On time"), clock_offset_ms=90_000)
    a_day_ahead = Tablet(hq, hq.enrol(kochi, "Ahead"), clock_offset_ms=24 * 3600 * 1000)
    answer = on_time.push([new_patient(on_time)]).json()
    assert "clock_warning" not in answer
    ahead = a_day_ahead.push([new_patient(a_day_ahead)]).json()
    assert "1 day ahead of the HQ server's clock" in ahead["clock_warning"]
    assert HlcStamp.parse(ahead["server_hlc"]).wall_ms >= a_day_ahead.wall_ms
    assert HlcStamp.parse(ahead["server_hlc"]) > HlcStamp.parse(answer["server_hlc"])


def test_a_delete_travels_as_a_tombstone(hq, desk, tablet):
    appointment = desk.upsert("appointments", new_id(), {"reference": "A-1", "room_id": new_id()})
    desk.pushed([appointment])
    (result,) = tablet.pushed([tablet.delete("appointments", appointment["row_id"])])
    assert result["outcome"] == "applied"
    assert [c["operation"]["kind"] for c in desk.pull_all()] == ["upsert", "delete"]
    assert desk.summary()["tables"]["appointments"] == {**desk.summary()["tables"]["appointments"], "rows": 1,
                                                        "deleted": 1}


def test_pushes_racing_in_one_centre_keep_one_gapless_sequence(hq, desk, tablet):
    created = new_patient(desk)
    desk.pushed([created])
    seen = {"phone": created["hlc"]}

    def push_edits(device: Tablet) -> list[int]:
        return [device.push([device.upsert("patients", created["row_id"], {"phone": f"98470{n:05d}"}, base=seen),
                             new_patient(device, uhid=f"KOC-{n}")]).status_code for n in range(8)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = [status for batch in pool.map(push_edits, [desk, tablet]) for status in batch]
    assert statuses == [200] * 16
    # the locked per-centre sequence: numbers commit in order, so a cursor never skips one that commits later
    assert [change["seq"] for change in desk.pull_all()] == list(range(1, 34))
    assert hq.count("sync_row_states") == 17
