"""The conflict queue, loser log, review items and epoch at HQ, on SQLite and a real PostgreSQL: a person's resolution
is a change every device pulls and converges on, centres never see each other's queue, a reset epoch refuses old
devices, two offline registrations of one person raise one review item, and bad input is a 4xx with a reason."""

import pytest
from fastapi.testclient import TestClient

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.merge import merge_row
from clinicdesk.domain.sync.operations import Operation
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.server import reset_epoch
from clinicdesk.server.app import create_app
from clinicdesk.server.sync_epoch import EPOCH_HEADER
from tests.server import test_sync_push_pull as push_pull
from tests.server.conftest import ADMIN, ADMIN_TOKEN
from tests.server.test_sync_push_pull import Tablet, new_patient

# the push/pull fixtures, parametrised over the embedded SQLite and a real PostgreSQL (application role, RLS on)
hq, kochi, desk, tablet = push_pull.hq, push_pull.kochi, push_pull.desk, push_pull.tablet


def _conflicts(device: Tablet, state: str = "open") -> list[dict]:
    response = device.hq.client.get(f"/v1/sync/conflicts?state={state}", headers=device.device.headers)
    assert response.status_code == 200, response.text
    return response.json()["conflicts"]


def _resolve(device: Tablet, conflict_id: str, body: dict):
    return device.hq.client.post(f"/v1/sync/conflicts/{conflict_id}/resolve", json=body, headers=device.device.headers)


def _refused(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["reason"]
    return body


def _local_state(operations: list[dict]):
    """What a device holds after merging these operations in order, as it does with a pulled page."""
    state = None
    for wire in operations:
        state = merge_row(state, Operation.from_wire(wire), CLINICDESK_POLICIES).new_state
    return state


def _concurrent_names(desk: Tablet, tablet: Tablet):
    created = new_patient(desk)
    desk.pushed([created])
    seen = {"given_name": created["hlc"]}
    at_desk = desk.upsert("patients", created["row_id"], {"given_name": "Aasha"}, base=seen)
    at_tablet = tablet.upsert("patients", created["row_id"], {"given_name": "Usha"}, base=seen)
    desk.pushed([at_desk])
    assert [r["outcome"] for r in tablet.pushed([at_tablet])] == ["conflict"]
    return created, at_desk, at_tablet


def test_a_conflict_is_listed_with_both_versions_and_its_resolution_reaches_every_device(hq, desk, tablet):
    created, at_desk, at_tablet = _concurrent_names(desk, tablet)
    (conflict,) = _conflicts(desk)
    assert (conflict["table"], conflict["row_id"], conflict["field"], conflict["kind"], conflict["state"]) == (
        "patients", created["row_id"], "given_name", "concurrent_edit", "open")
    versions = {v["value"]: v for v in conflict["versions"]}
    assert set(versions) == {"Aasha", "Usha"}
    assert versions["Aasha"]["device_id"] == desk.device.id and versions["Aasha"]["device_name"] == "Reception desk"
    assert versions["Usha"]["device_name"] == "Consultation tablet"
    assert versions["Usha"]["at"] == "2026-11-26T04:30:00+00:00"
    assert _conflicts(tablet) == [conflict]  # every device of the centre sees the same queue

    usha = versions["Usha"]["index"]
    answer = _resolve(tablet, conflict["id"], {"choice": usha, "resolved_by": "Dr. Lakshmi"})
    assert answer.status_code == 200, answer.text
    resolved = answer.json()["conflict"]
    assert (resolved["state"], resolved["resolved_by"], resolved["resolution"]["value"]) == ("resolved",
                                                                                          "Dr. Lakshmi", "Usha")
    assert resolved["resolved_at"] == "2026-11-26T04:30:00+00:00"
    assert _conflicts(desk) == [] and [c["id"] for c in _conflicts(desk, "resolved")] == [conflict["id"]]

    # the resolution is a change stamped later than both versions; each device merges what it pulls and converges
    pulled = desk.pull_all()
    resolution = pulled[-1]["operation"]
    assert resolution["fields"] == {"given_name": "Usha"} and pulled[-1]["pushed_by_device_id"] == "hq"
    assert HlcStamp.parse(resolution["hlc"]) > max(HlcStamp.parse(at_desk["hlc"]), HlcStamp.parse(at_tablet["hlc"]))
    at_the_desk = _local_state([created, at_desk, *(change["operation"] for change in desk.pull_all())])
    at_the_tablet = _local_state([created, at_tablet, *(change["operation"] for change in tablet.pull_all())])
    assert at_the_desk == at_the_tablet
    assert at_the_desk.values["given_name"] == "Usha" and at_the_desk.stamps["given_name"].node == "hq"
    (values,) = hq.rows("SELECT field_values FROM sync_row_states")
    assert values[0]["given_name"] == "Usha"

    again = _refused(_resolve(desk, conflict["id"], {"choice": 0, "resolved_by": "Reception"}), 409)
    assert again["error"] == "already_resolved" and "Dr. Lakshmi" in again["reason"]
    assert len(desk.pull_all()) == len(pulled)  # the refused second resolution wrote nothing


def test_a_person_may_type_a_new_value_and_later_edits_build_on_it(hq, desk, tablet):
    created, _, _ = _concurrent_names(desk, tablet)
    (conflict,) = _conflicts(desk)
    resolved = _resolve(desk, conflict["id"], {"value": "Asha M.", "resolved_by": "reception-1"}).json()["conflict"]
    assert resolved["resolution"]["choice"] is None and resolved["resolution"]["value"] == "Asha M."
    stamp = resolved["resolution"]["stamp"]
    # a device that pulled the resolution (its clock received the stamp) edits on top of it: an ordinary edit
    heard = HlcStamp.parse(stamp)
    tablet.wall_ms, tablet.counter = heard.wall_ms, heard.counter
    (result,) = tablet.pushed([tablet.upsert("patients", created["row_id"], {"given_name": "Asha"},
                                             base={"given_name": stamp})])
    assert result["outcome"] == "applied"
    assert _conflicts(desk) == []


def test_another_centre_can_neither_list_nor_resolve_the_conflict(hq, desk, tablet):
    _concurrent_names(desk, tablet)
    (conflict,) = _conflicts(desk)
    thrissur = Tablet(hq, hq.enrol(hq.centre("Thrissur"), "Thrissur desk"))
    assert _conflicts(thrissur, "all") == []
    refused = _refused(_resolve(thrissur, conflict["id"], {"choice": 0, "resolved_by": "Intruder"}), 404)
    assert refused["error"] == "not_found"
    assert _refused(_resolve(thrissur, "0" * 64, {"choice": 0, "resolved_by": "Intruder"}), 404) == refused
    assert _conflicts(desk) == [conflict]
    assert hq.rows("SELECT resolved_at FROM sync_conflicts") == [(None,)]


def test_a_deleted_row_conflict_can_be_kept_deleted_but_not_restored_yet(hq, kochi, desk):
    late = Tablet(hq, hq.enrol(kochi, "Late tablet"), clock_offset_ms=1000)
    created = new_patient(desk)
    desk.pushed([created])
    desk.pushed([desk.delete("patients", created["row_id"])])
    (result,) = late.pushed([late.upsert("patients", created["row_id"], {"given_name": "Usha"},
                                         base={"given_name": created["hlc"]})])
    assert result["outcome"] == "conflict"
    (conflict,) = _conflicts(desk)
    assert conflict["field"] is None and conflict["kind"] == "edited_after_delete"
    deleted = next(v["index"] for v in conflict["versions"] if v["value"] is None)
    restore = _refused(_resolve(desk, conflict["id"], {"choice": 1 - deleted, "resolved_by": "Reception"}), 409)
    assert restore["error"] == "restore_not_supported"
    kept = _resolve(desk, conflict["id"], {"choice": deleted, "resolved_by": "Reception"})
    assert kept.status_code == 200 and kept.json()["conflict"]["resolution"]["kept"] == "deleted"


def test_the_loser_log_lists_both_values_newest_first(hq, desk, tablet):
    created = new_patient(desk)
    desk.pushed([created])
    seen = {"phone": created["hlc"]}
    desk.pushed([desk.upsert("patients", created["row_id"], {"phone": "9847000009"}, base=seen)])
    tablet.pushed([tablet.upsert("patients", created["row_id"], {"phone": "9847000010"}, base=seen)])
    response = desk.hq.client.get("/v1/sync/loser-log?limit=10", headers=desk.device.headers)
    assert response.status_code == 200, response.text
    (entry,) = response.json()["entries"]
    assert (entry["field"], entry["row_id"]) == ("phone", created["row_id"])
    assert {entry["lost"]["value"], entry["kept"]["value"]} == {"9847000009", "9847000010"}
    assert entry["kept"]["device_name"] in {"Reception desk", "Consultation tablet"}


def _pull_epoch(device: Tablet, epoch: str | None = None):
    headers = {**device.device.headers, **({EPOCH_HEADER: epoch} if epoch else {})}
    return device.hq.client.get("/v1/sync/pull", headers=headers)


def test_after_an_epoch_reset_an_old_device_is_refused_and_changes_nothing(hq, desk):
    first = _pull_epoch(desk)
    epoch = first.headers[EPOCH_HEADER]
    assert first.status_code == 200 and len(epoch) == 36
    body = desk.batch([new_patient(desk)])
    pushed = hq.client.post("/v1/sync/push", json=body, headers={**desk.device.headers, EPOCH_HEADER: epoch})
    assert pushed.status_code == 200 and pushed.headers[EPOCH_HEADER] == epoch

    reset = hq.client.post("/v1/admin/epoch/reset", json={"reason": "restored from backup"}, headers=ADMIN)
    assert reset.status_code == 200, reset.text
    new_epoch = reset.json()["epoch"]
    assert new_epoch != epoch
    before = [hq.count(table) for table in ("sync_changes", "sync_applied_ops", "sync_row_states")]
    stale = hq.client.post("/v1/sync/push", json=desk.batch([new_patient(desk, uhid="KOC-0002")]),
                           headers={**desk.device.headers, EPOCH_HEADER: epoch})
    refused = _refused(stale, 409)
    assert refused["error"] == "epoch_changed" and "full resync" in refused["reason"]
    assert stale.headers[EPOCH_HEADER] == new_epoch
    assert [hq.count(table) for table in ("sync_changes", "sync_applied_ops", "sync_row_states")] == before
    assert _refused(_pull_epoch(desk, epoch), 409)["error"] == "epoch_changed"
    resynced = _pull_epoch(desk, new_epoch)
    assert resynced.status_code == 200 and resynced.headers[EPOCH_HEADER] == new_epoch
    assert len(resynced.json()["changes"]) == 1
    assert _refused(_pull_epoch(desk, "not-an-epoch"), 422)["error"] == "invalid_request"
    assert _refused(hq.client.post("/v1/admin/epoch/reset", json={}, headers=desk.device.headers), 403)


def test_the_reset_command_gives_a_new_epoch(tmp_path, clock, capsys):
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    with TestClient(create_app(url, admin_token=ADMIN_TOKEN, clock=clock)) as client:
        kochi = client.post("/v1/admin/centres", json={"name": "Kochi"}, headers=ADMIN).json()["id"]
        code = client.post("/v1/admin/enrolment-codes", json={"centre_id": kochi}, headers=ADMIN).json()["code"]
        credential = client.post("/v1/enrol", json={"code": code, "device_name": "Desk"}).json()["credential"]
        headers = {"Authorization": f"Bearer {credential}"}
        before = client.get("/v1/sync/pull", headers=headers).headers[EPOCH_HEADER]
        assert reset_epoch.main([url]) == 0
        assert "epoch is now" in capsys.readouterr().out
        after = client.get("/v1/sync/pull", headers=headers).headers[EPOCH_HEADER]
        assert after != before
        assert client.get("/v1/sync/pull", headers={**headers, EPOCH_HEADER: before}).status_code == 409
    assert reset_epoch.main([]) == 2


def _review_items(device: Tablet) -> list[dict]:
    response = device.hq.client.get("/v1/sync/review-items", headers=device.device.headers)
    assert response.status_code == 200, response.text
    return response.json()["review_items"]


def test_two_devices_registering_one_person_offline_raise_one_review_item(hq, desk, tablet):
    at_desk = new_patient(desk)
    at_tablet = new_patient(tablet, uhid="KOC-0002", given_name="MENON,", family_name="asha ", phone="")
    someone_else = new_patient(tablet, uhid="KOC-0003", given_name="Ravi", phone="9847000099")
    desk.pushed([at_desk])
    tablet.pushed([at_tablet, someone_else])
    tablet.pushed([at_tablet])  # a retry raises nothing twice
    (item,) = _review_items(desk)
    assert item["kind"] == "possible_duplicate" and item["state"] == "open"
    assert {item["row_id"], item["other_row_id"]} == {at_desk["row_id"], at_tablet["row_id"]}
    assert item["matched_on"] == ["name", "date_of_birth"]
    # the same phone and date of birth under another spelling of the name, in one batch; nothing is merged
    same_phone = new_patient(desk, uhid="KOC-0004", given_name="Ravindran", phone="+91 98470 00099")
    desk.pushed([same_phone])
    items = {item["row_id"]: item for item in _review_items(desk)}
    assert len(items) == 2
    assert items[same_phone["row_id"]]["other_row_id"] == someone_else["row_id"]
    assert items[same_phone["row_id"]]["matched_on"] == ["phone", "date_of_birth"]
    assert hq.count("sync_row_states") == 4
    thrissur = Tablet(hq, hq.enrol(hq.centre("Thrissur"), "Thrissur desk"))
    thrissur.pushed([new_patient(thrissur)])  # the same person in another centre is not this centre's duplicate
    assert _review_items(thrissur) == [] and len(_review_items(desk)) == 2


@pytest.mark.parametrize("body", [
    {"choice": 0, "value": "x", "resolved_by": "A"}, {"resolved_by": "A"}, {"choice": -1, "resolved_by": "A"},
    {"choice": "0", "resolved_by": "A"}, {"choice": True, "resolved_by": "A"}, {"choice": 0},
    {"choice": 0, "resolved_by": ""}, {"choice": 0, "resolved_by": "x" * 81}, {"choice": 0, "resolved_by": "A\x00"},
    {"choice": 0, "resolved_by": "A", "centre_id": "x"}, {"choice": None, "resolved_by": "A"}, [0], "resolve",
])
def test_malformed_resolutions_are_a_4xx_with_a_reason(hq, desk, tablet, body):
    _concurrent_names(desk, tablet)
    (conflict,) = _conflicts(desk)
    _refused(_resolve(desk, conflict["id"], body), 422)
    assert _conflicts(desk) == [conflict]


def test_other_bad_requests_are_a_4xx_with_a_reason(hq, desk, tablet):
    _concurrent_names(desk, tablet)
    (conflict,) = _conflicts(desk)
    path = f"/v1/sync/conflicts/{conflict['id']}/resolve"
    client, headers = hq.client, desk.device.headers
    _refused(client.post(path, content=b"{not json", headers={**headers, "Content-Type": "application/json"}), 400)
    _refused(client.post(path, content=b"choice=0", headers={**headers, "Content-Type": "text/plain"}), 415)
    assert _refused(_resolve(desk, conflict["id"], {"choice": 5, "resolved_by": "A"}), 422)["error"] == \
        "invalid_choice"
    _refused(_resolve(desk, "x" * 65, {"choice": 0, "resolved_by": "A"}), 422)
    _refused(client.post(path, json={"choice": 0, "resolved_by": "A"}), 401)
    for query in ("state=closed", "limit=0", "limit=501", "centre_id=x"):
        _refused(client.get(f"/v1/sync/conflicts?{query}", headers=headers), 422)
        _refused(client.get(f"/v1/sync/review-items?{query}", headers=headers), 422)
    _refused(client.get("/v1/sync/loser-log?limit=abc", headers=headers), 422)
    _refused(client.post("/v1/admin/epoch/reset", json={"reason": 5}, headers=ADMIN), 422)
    assert _conflicts(desk) == [conflict]
