"""Settling a "possible duplicate patient" review item at HQ, on SQLite and a real PostgreSQL: the decision, who and
a note are recorded and listed, nothing is merged, a second settlement and another centre's id change nothing, and
a malformed body is a 4xx with a reason."""

import pytest

from tests.server import test_sync_push_pull as push_pull
from tests.server.test_sync_push_pull import Tablet, new_patient

hq, kochi, desk, tablet = push_pull.hq, push_pull.kochi, push_pull.desk, push_pull.tablet


def _items(device: Tablet, state: str = "open") -> list[dict]:
    response = device.hq.client.get(f"/v1/sync/review-items?state={state}", headers=device.device.headers)
    assert response.status_code == 200, response.text
    return response.json()["review_items"]


def _settle(device: Tablet, item_id: str, body):
    return device.hq.client.post(f"/v1/sync/review-items/{item_id}/settle", json=body, headers=device.device.headers)


def _refused(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["reason"]
    return body


def _one_duplicate(desk: Tablet, tablet: Tablet) -> dict:
    desk.pushed([new_patient(desk)])
    tablet.pushed([new_patient(tablet, uhid="KOC-0002")])
    (item,) = _items(desk)
    return item


def test_a_person_settles_a_possible_duplicate_and_nothing_is_merged(hq, desk, tablet):
    item = _one_duplicate(desk, tablet)
    assert (item["state"], item["decision"], item["resolved_by"]) == ("open", None, None)
    changes_before, rows_before = hq.count("sync_changes"), hq.rows("SELECT row_id FROM sync_row_states")

    answer = _settle(tablet, item["id"], {"decision": "same_person", "settled_by": "Asha Menon",
                                          "note": "Same phone; merge at the next visit"})
    assert answer.status_code == 200, answer.text
    settled = answer.json()["review_item"]
    assert (settled["state"], settled["decision"], settled["resolved_by"], settled["settlement_note"]) == (
        "resolved", "same_person", "Asha Menon", "Same phone; merge at the next visit")
    assert settled["resolved_at"] == "2026-11-26T04:30:00+00:00"
    assert _items(desk) == [] and _items(desk, "resolved") == [settled]  # every device of the centre sees it
    # recorded for a person to merge later: no change for devices, both patient rows still there
    assert hq.count("sync_changes") == changes_before
    assert sorted(hq.rows("SELECT row_id FROM sync_row_states")) == sorted(rows_before) and len(rows_before) == 2

    again = _refused(_settle(desk, item["id"], {"decision": "different_people", "settled_by": "Ravi"}), 409)
    assert again["error"] == "already_settled" and "Asha Menon" in again["reason"]
    assert _items(desk, "resolved") == [settled]


def test_different_people_needs_no_note(hq, desk, tablet):
    item = _one_duplicate(desk, tablet)
    settled = _settle(desk, item["id"], {"decision": "different_people", "settled_by": "reception-1"}).json()
    assert settled["review_item"]["decision"] == "different_people"
    assert settled["review_item"]["settlement_note"] is None


def test_another_centre_cannot_settle_the_item(hq, desk, tablet):
    item = _one_duplicate(desk, tablet)
    thrissur = Tablet(hq, hq.enrol(hq.centre("Thrissur"), "Thrissur desk"))
    body = {"decision": "different_people", "settled_by": "Intruder"}
    refused = _refused(_settle(thrissur, item["id"], body), 404)
    assert refused["error"] == "not_found"
    assert _refused(_settle(thrissur, "0" * 64, body), 404) == refused  # never confirms that the id exists
    assert _items(desk) == [item]


@pytest.mark.parametrize("body", [
    {"decision": "merge", "settled_by": "A"}, {"settled_by": "A"}, {"decision": "same_person"},
    {"decision": "same_person", "settled_by": ""}, {"decision": "same_person", "settled_by": "x" * 81},
    {"decision": "same_person", "settled_by": "A", "note": "n" * 201},
    {"decision": "same_person", "settled_by": "A\x00"}, {"decision": "same_person", "settled_by": "A", "x": 1},
    {"decision": "same_person", "settled_by": "A", "centre_id": "x"}, ["same_person"], "settle",
])
def test_malformed_settlements_are_a_4xx_with_a_reason(hq, desk, tablet, body):
    item = _one_duplicate(desk, tablet)
    _refused(_settle(desk, item["id"], body), 422)
    assert _items(desk) == [item]
