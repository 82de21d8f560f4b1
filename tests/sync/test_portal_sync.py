"""The portal's requests and free times through a real HQ (uvicorn on loopback) and a real desk: a request the
portal writes is pulled, auto-approved through the engine (or confirmed by a person) and the decision, with the
appointment it made, is back at HQ after the same sync; free times reach HQ and a quiet sync queues nothing."""

import uuid

import pytest
from sqlalchemy import func, select

from clinicdesk.domain.roles import Role
from clinicdesk.server.database import open_server_database
from clinicdesk.server.portal.writer import submit_rows
from clinicdesk.server.sync_models import RowStateRow
from clinicdesk.services import appointments, portal_requests
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.portal_after_sync import settle_after_sync
from clinicdesk.services.portal_settings import PortalSettings, save_settings
from clinicdesk.services.scheduling_adapter import to_utc
from clinicdesk.store.models_portal import PortalRequestRow
from clinicdesk.store.outbox import PENDING, OutboxRow
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.settings import load_hq_settings
from tests.services.portal_world import KOCHI, switch_on
from tests.services.scheduling_world import FRIDAY, at, build_world
from tests.sync.hq_fixtures import NO_WAIT, clock, enrolment_code, new_centre, serve_hq_url, set_up_clinic_desk, sync

DAYS_AHEAD = 3


@pytest.fixture
def desk(tmp_path):
    """A clinic with the scheduling world, online booking on, enrolled at a real HQ; (world, hq centre, HQ db)."""
    ctx = set_up_clinic_desk(tmp_path / "desk-a")
    world = build_world(ctx)
    switch_on(world, auto_approve=True, max_days_ahead=DAYS_AHEAD)
    try:
        with serve_hq_url(tmp_path) as hq_url:
            centre = new_centre(hq_url)
            enrol(ctx.db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk",
                  database=ctx.db)
            hq_sessions = open_server_database(f"sqlite:///{tmp_path / 'hq' / 'hq.sqlite3'}")
            try:
                yield world, centre, hq_sessions
            finally:
                hq_sessions.kw["bind"].dispose()
    finally:
        ctx.db.close()


def _sync_as_the_app_does(world):
    """A sync, then the portal's share and its push (what `clinicdesk sync` and "Sync now" run)."""
    db = world.boss.db
    return settle_after_sync(ServiceContext(db, clock=world.boss.clock), load_hq_settings(db.data_dir), sync(db),
                             **NO_WAIT)


def _hq(hq_sessions, centre: str, table: str) -> dict[str, dict]:
    with hq_sessions() as session:
        return {row.row_id: dict(row.field_values) for row in session.scalars(select(RowStateRow).where(
            RowStateRow.centre_id == centre, RowStateRow.table_name == table))}


def _portal_asks(world, centre: str, hq_sessions, *, patient: str, hhmm: str) -> str:
    """A booking request written at HQ exactly as the portal writes one (its own device, through HQ's merge)."""
    request_id = str(uuid.uuid4())
    fields = {"centre_id": world.centre, "patient_id": world.patients[patient], "kind": "book",
              "service_id": world.services["ABH"], "appointment_id": None,
              "requested_start": to_utc(at(FRIDAY, hhmm), KOCHI).isoformat(), "note": "",
              "requested_at": clock().isoformat(), "language": "en", "status": "pending", "decision_note": "",
              "result_appointment_id": None, "decided_at": None, "decided_by": None}
    with hq_sessions.begin() as session:
        submit_rows(session, centre, [("portal_requests", request_id, fields)], clock())
    return request_id


def _pending_outbox(world) -> int:
    with world.boss.db.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.state == PENDING))


def test_free_times_reach_hq_and_a_second_sync_changes_nothing(desk):
    world, centre, hq_sessions = desk
    summary, portal = _sync_as_the_app_does(world)
    assert summary.rejected == 0 and portal.availability_rows == 2 * (DAYS_AHEAD + 1)
    published = _hq(hq_sessions, centre, "portal_availability")
    assert len(published) == 2 * (DAYS_AHEAD + 1)
    friday = next(v for v in published.values() if v["day"] == FRIDAY.isoformat()
                  and v["service_id"] == world.services["ABH"])
    assert "10:00" in friday["starts"]
    assert _hq(hq_sessions, centre, "portal_settings")[world.centre]["auto_approve"] is True

    again, quiet = _sync_as_the_app_does(world)
    assert quiet.availability_rows == 0 and not quiet.wrote
    assert again.pushed == 0 and _pending_outbox(world) == 0
    assert _hq(hq_sessions, centre, "portal_availability") == published


def test_a_portal_request_is_auto_approved_and_the_confirmation_is_at_hq_after_the_same_sync(desk):
    world, centre, hq_sessions = desk
    _sync_as_the_app_does(world)
    request_id = _portal_asks(world, centre, hq_sessions, patient="asha", hhmm="10:00")

    summary, portal = _sync_as_the_app_does(world)

    assert portal.requests_confirmed == 1 and summary.rejected == 0
    decided = _hq(hq_sessions, centre, "portal_requests")[request_id]
    assert (decided["status"], decided["decided_by"]) == ("confirmed", "auto")
    booked = _hq(hq_sessions, centre, "appointments")[decided["result_appointment_id"]]
    assert (booked["source"], booked["status"], booked["patient_id"]) == ("portal", "confirmed",
                                                                          world.patients["asha"])
    assert booked["start_at"] == to_utc(at(FRIDAY, "10:00"), KOCHI).isoformat()
    assert _pending_outbox(world) == 0  # the decision, the booking and the new free times all went


def test_with_auto_approval_off_the_request_waits_and_the_desks_confirmation_syncs_back(desk):
    world, centre, hq_sessions = desk
    save_settings(world.boss, PortalSettings(world.centre, booking_enabled=True, auto_approve=False,
                                             max_days_ahead=DAYS_AHEAD,
                                             bookable_service_ids=(world.services["ABH"],)))
    _sync_as_the_app_does(world)
    request_id = _portal_asks(world, centre, hq_sessions, patient="ravi", hhmm="11:00")

    _summary, portal = _sync_as_the_app_does(world)
    assert portal.requests_confirmed == 0
    assert _hq(hq_sessions, centre, "portal_requests")[request_id]["status"] == "pending"
    with world.boss.db.session() as session:
        assert session.get(PortalRequestRow, request_id).status == "pending"

    reception = world.ctx(Role.FRONT_DESK)
    appointment_id, _ = portal_requests.confirm_request(reception, request_id)
    _sync_as_the_app_does(world)

    decided = _hq(hq_sessions, centre, "portal_requests")[request_id]
    assert (decided["status"], decided["result_appointment_id"], decided["decided_by"]) == (
        "confirmed", appointment_id, reception.user.staff_id)
    assert appointment_id in _hq(hq_sessions, centre, "appointments")
    assert appointments.get_appointment(reception, appointment_id).start == at(FRIDAY, "11:00")
