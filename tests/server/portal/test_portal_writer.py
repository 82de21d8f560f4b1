"""The portal's writer: rows go through HQ's merge as the centre's "portal" device, land in the merged row states
and the change log, a desk's pull sees them, a refused row rolls the whole batch back, and the portal's clock never
goes back (not across a restart, not when the wall clock is set back, not behind a desk's later stamp)."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.server.database import open_server_database
from clinicdesk.server.portal.writer import PORTAL_DEVICE_ID, PortalWriteRejected, submit_rows
from clinicdesk.server.sync_models import ChangeRow, RowStateRow

NOW_MS = 1_795_667_400_000  # the conftest clock: 2026-11-26 04:30 UTC


def _request_fields(centre_id: str, **changes) -> dict:
    fields = {"centre_id": centre_id, "patient_id": str(uuid.uuid4()), "kind": "book",
              "service_id": str(uuid.uuid4()), "appointment_id": None, "requested_start": "2026-11-28T04:30:00+00:00",
              "note": "", "requested_at": "2026-11-26T04:30:00+00:00", "language": "en", "status": "pending",
              "decision_note": "", "result_appointment_id": None, "decided_at": None, "decided_by": None}
    return {**fields, **changes}


@pytest.fixture
def centre(hq):
    return hq.centre("Kochi")


@pytest.fixture
def sessions(hq, database_file):
    factory = open_server_database(f"sqlite:///{database_file}")
    yield factory
    factory.kw["bind"].dispose()


def _state(sessions, centre_id, table, row_id) -> RowStateRow | None:
    with sessions() as session:
        return session.get(RowStateRow, (centre_id, table, row_id))


def _changes(sessions, centre_id) -> list[ChangeRow]:
    with sessions() as session:
        return list(session.scalars(select(ChangeRow).where(ChangeRow.centre_id == centre_id)
                                    .order_by(ChangeRow.server_seq)))


def test_rows_land_in_row_states_and_the_change_log_as_the_portal_device(sessions, centre, clock):
    request_id = str(uuid.uuid4())
    fields = _request_fields(centre)
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, fields)], clock())
    state = _state(sessions, centre, "portal_requests", request_id)
    assert state.field_values == fields
    assert {HlcStamp.parse(text).node for text in state.field_stamps.values()} == {PORTAL_DEVICE_ID}
    [change] = _changes(sessions, centre)
    assert (change.table_name, change.row_id, change.pushed_by_device_id) == ("portal_requests", request_id,
                                                                              PORTAL_DEVICE_ID)
    assert change.operation["fields"] == fields and change.operation["device_id"] == PORTAL_DEVICE_ID
    assert uuid.UUID(change.op_id).version == 7


def test_an_edit_of_a_row_names_what_it_saw_and_wins(sessions, centre, clock):
    request_id = str(uuid.uuid4())
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, _request_fields(centre))], clock())
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, {"status": "withdrawn"})], clock())
    first, second = _changes(sessions, centre)
    assert second.operation["base"] == {"status": first.hlc}
    assert _state(sessions, centre, "portal_requests", request_id).field_values["status"] == "withdrawn"


def test_a_rejected_row_raises_and_the_caller_rolls_back_the_whole_batch(sessions, centre, clock):
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    with pytest.raises(PortalWriteRejected, match="portal_requests") as raised:
        with sessions.begin() as session:
            submit_rows(session, centre, [("portal_requests", good, _request_fields(centre)),
                                          ("portal_requests", bad, {"no_such_field": 1})], clock())
    assert "no_such_field" in str(raised.value)  # the field's name, never a value
    assert _state(sessions, centre, "portal_requests", good) is None
    assert _changes(sessions, centre) == []


def test_a_fixed_field_cannot_be_changed_afterwards(sessions, centre, clock):
    request_id = str(uuid.uuid4())
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, _request_fields(centre))], clock())
    with pytest.raises(PortalWriteRejected), sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, {"kind": "cancel"})], clock())
    assert _state(sessions, centre, "portal_requests", request_id).field_values["kind"] == "book"


def test_stamps_keep_rising_across_a_restart_with_the_wall_clock_set_back(hq, database_file, centre, clock):
    ids = [str(uuid.uuid4()) for _ in range(3)]
    first = open_server_database(f"sqlite:///{database_file}")
    with first.begin() as session:
        submit_rows(session, centre, [("portal_requests", ids[0], _request_fields(centre)),
                                      ("portal_requests", ids[1], _request_fields(centre))], clock())
    first.kw["bind"].dispose()
    restarted = open_server_database(f"sqlite:///{database_file}")  # a new process: nothing kept in memory
    with restarted.begin() as session:
        submit_rows(session, centre, [("portal_requests", ids[2], _request_fields(centre))],
                    clock() - timedelta(hours=2))
    stamps = [HlcStamp.parse(change.hlc) for change in _changes(restarted, centre)]
    restarted.kw["bind"].dispose()
    assert len(stamps) == 3 and stamps == sorted(stamps) and len(set(stamps)) == 3
    assert stamps[2].wall_ms >= stamps[1].wall_ms


def test_the_portal_orders_after_a_desk_whose_clock_runs_ahead(hq, sessions, centre, clock):
    device = hq.enrol(centre)
    request_id = str(uuid.uuid4())
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, _request_fields(centre))], clock())
    ahead = HlcStamp(NOW_MS + 3_600_000, 0, device.id)  # the desk's clock is an hour fast
    decision = Operation(str(uuid.uuid4()), "portal_requests", request_id, OpKind.UPSERT,
                         {"status": "declined", "decision_note": "Fully booked"}, ahead, device.id)
    pushed = hq.client.post("/v1/sync/push", headers=device.headers, json={
        "batch_id": str(uuid.uuid4()), "operations": [decision.to_wire()], "device_hlc": ahead.to_string(),
        "device_wall_ms": NOW_MS + 3_600_000})
    assert pushed.status_code == 200, pushed.text
    with sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, {"status": "withdrawn"})], clock())
    assert _state(sessions, centre, "portal_requests", request_id).field_values["status"] == "withdrawn"
    assert HlcStamp.parse(_changes(sessions, centre)[-1].hlc) > ahead


def test_nothing_to_write_writes_nothing(sessions, centre, clock):
    with sessions.begin() as session:
        submit_rows(session, centre, [], clock())
    assert _changes(sessions, centre) == []
