"""Online requests at the desk: confirm books, moves or cancels through the reception's paths (source "portal"),
decline needs a reason, auto-approval confirms only what the rules and the engine allow."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments, portal_requests
from clinicdesk.services.booking import SlotTaken
from clinicdesk.services.portal_after_sync import run_after_sync
from clinicdesk.store.models_portal import PortalRequestRow
from clinicdesk.store.outbox import OutboxRow
from tests.services.helpers import audit_rows
from tests.services.portal_world import portal_request, switch_on
from tests.services.scheduling_world import FRIDAY, THURSDAY, at


def _row(world, request_id) -> PortalRequestRow:
    with world.boss.db.session() as session:
        return session.get(PortalRequestRow, request_id)


def test_confirming_a_booking_request_books_it_with_source_portal_and_records_the_decision(world, desk):
    switch_on(world)
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"), note="Back pain since Monday")
    assert portal_requests.pending_count(desk, world.centre) == 1
    [item] = portal_requests.list_requests(desk, world.centre)
    assert (item.kind, item.patient_name, item.service_name, item.requested_start) == (
        "book", "Asha Menon", "Abhyanga", at(FRIDAY, "10:00"))

    appointment_id, changes = portal_requests.confirm_request(desk, request_id)

    assert changes.appointments
    booked = appointments.get_appointment(desk, appointment_id)
    assert (booked.start, booked.source, booked.status, booked.notes) == (
        at(FRIDAY, "10:00"), "portal", "confirmed", "Back pain since Monday")
    row = _row(world, request_id)
    assert (row.status, row.result_appointment_id, row.decided_by) == (
        "confirmed", appointment_id, desk.user.staff_id)
    assert portal_requests.pending_count(desk, world.centre) == 0
    assert [r.entity_id for r in audit_rows(desk, action="portal_request.confirm")] == [request_id]


def test_a_request_for_a_time_no_longer_free_stays_pending_with_the_engines_reason(world, desk):
    switch_on(world)
    for patient in ("ravi", "lata"):  # both abhyanga rooms taken on Friday at 10:00
        world.book(patient, day=FRIDAY, at="10:00")
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    with pytest.raises(SlotTaken) as refused:
        portal_requests.confirm_request(desk, request_id)
    assert "Abhyanga" in str(refused.value)
    assert _row(world, request_id).status == "pending"


def test_declining_needs_a_reason_which_the_patient_reads(world, desk):
    switch_on(world)
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    with pytest.raises(ValidationError, match="Reason is required"):
        portal_requests.decline_request(desk, request_id, "  ")
    assert _row(world, request_id).status == "pending"
    portal_requests.decline_request(desk, request_id, "The therapist is on leave that week; please pick another day")
    row = _row(world, request_id)
    assert (row.status, row.decision_note) == ("declined",
                                               "The therapist is on leave that week; please pick another day")
    with pytest.raises(ValidationError, match="already declined"):
        portal_requests.confirm_request(desk, request_id)


def test_a_therapist_may_not_decide_requests(world):
    switch_on(world)
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    with pytest.raises(PermissionDenied):
        portal_requests.confirm_request(world.ctx(Role.THERAPIST), request_id)


def test_reschedule_and_cancel_requests_go_through_the_reception_services(world, desk):
    switch_on(world)
    first = world.book("asha", day=FRIDAY, at="10:00")
    second = world.book("ravi", day=FRIDAY, at="11:00")
    move = portal_request(world, "reschedule", service=None, appointment_id=first, local_start=at(FRIDAY, "14:00"))
    cancel = portal_request(world, "cancel", patient="ravi", service=None, appointment_id=second)

    moved_to, _ = portal_requests.confirm_request(desk, move)
    portal_requests.confirm_request(desk, cancel)

    assert appointments.get_appointment(desk, first).status == "rescheduled"
    assert appointments.get_appointment(desk, moved_to).start == at(FRIDAY, "14:00")
    assert appointments.get_appointment(desk, second).status == "cancelled"
    assert _row(world, cancel).result_appointment_id == second


def test_a_request_naming_another_patients_appointment_is_refused(world, desk):
    switch_on(world)
    ravis = world.book("ravi", day=FRIDAY, at="11:00")
    request_id = portal_request(world, "cancel", service=None, appointment_id=ravis)  # asha's request
    with pytest.raises(Exception, match="not this patient's"):
        portal_requests.confirm_request(desk, request_id)
    assert appointments.get_appointment(desk, ravis).status == "confirmed"


def test_auto_approval_confirms_a_free_slot_and_leaves_the_rest_for_a_person(world, desk):
    switch_on(world, auto_approve=True)
    fits = portal_request(world, local_start=at(FRIDAY, "10:00"))
    too_soon = portal_request(world, patient="ravi", local_start=at(THURSDAY, "14:00"))  # today
    not_bookable = portal_request(world, patient="lata", service="SHI", local_start=at(FRIDAY, "11:00"))

    result = run_after_sync(world.boss)

    assert (result.requests_confirmed, result.requests_left_pending) == (1, 2)
    confirmed = _row(world, fits)
    assert (confirmed.status, confirmed.decided_by) == ("confirmed", "auto")
    assert appointments.get_appointment(desk, confirmed.result_appointment_id).source == "portal"
    assert _row(world, too_soon).status == "pending"
    assert "minimum notice" in _row(world, too_soon).decision_note
    assert "not bookable online" in _row(world, not_bookable).decision_note


def test_with_auto_approval_off_every_request_waits_for_a_person(world):
    switch_on(world, auto_approve=False)
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    assert run_after_sync(world.boss).requests_confirmed == 0
    row = _row(world, request_id)
    assert (row.status, row.decision_note) == ("pending", "")


def test_only_the_centres_first_desk_auto_approves_so_two_desks_never_book_one_request_twice(world):
    switch_on(world, auto_approve=True)
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    world.boss.db.config.device_code = "B"  # the same clinic file, seen as a later desk of the centre
    try:
        assert run_after_sync(world.boss).requests_confirmed == 0
        assert _row(world, request_id).status == "pending"
    finally:
        world.boss.db.config.device_code = "A"
    assert run_after_sync(world.boss).requests_confirmed == 1
    assert _row(world, request_id).status == "confirmed"


def _queued(world, table: str) -> int:
    with world.boss.db.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.table_name == table))


def test_an_auto_approval_the_engine_refuses_is_noted_once_and_not_rewritten(world):
    switch_on(world, auto_approve=True)
    for patient in ("ravi", "lata"):
        world.book(patient, day=FRIDAY, at="10:00")
    request_id = portal_request(world, local_start=at(FRIDAY, "10:00"))
    first = run_after_sync(world.boss)
    note = _row(world, request_id).decision_note
    assert note.startswith("Not confirmed automatically") and "Abhyanga" in note
    queued = _queued(world, "portal_requests")
    second = run_after_sync(world.boss)
    assert (first.requests_left_pending, second.requests_left_pending) == (1, 1)
    assert _queued(world, "portal_requests") == queued  # the same reason again is no change to sync
    assert second.availability_rows == 0 and not second.wrote


def test_auto_approval_moves_and_cancels_unless_the_appointment_is_too_close(world, desk):
    switch_on(world, auto_approve=True)
    saturday = FRIDAY + timedelta(days=1)
    far = world.book("asha", day=saturday, at="10:00")
    cancel_far = world.book("ravi", day=saturday, at="11:00")
    close = world.book("lata", day=THURSDAY, at="15:00")  # today: inside the 24 h notice
    move = portal_request(world, "reschedule", service=None, appointment_id=far, local_start=at(saturday, "14:00"))
    cancel = portal_request(world, "cancel", patient="ravi", service=None, appointment_id=cancel_far)
    too_late = portal_request(world, "cancel", patient="lata", service=None, appointment_id=close)

    result = run_after_sync(world.boss)

    assert (result.requests_confirmed, result.requests_left_pending) == (2, 1)
    moved = appointments.get_appointment(desk, _row(world, move).result_appointment_id)
    assert (moved.start, moved.rescheduled_from) == (at(saturday, "14:00"), far)
    assert appointments.get_appointment(desk, cancel_far).status == "cancelled"
    assert (_row(world, cancel).status, _row(world, cancel).result_appointment_id) == ("confirmed", cancel_far)
    assert appointments.get_appointment(desk, close).status == "confirmed"
    assert "too soon to be changed online" in _row(world, too_late).decision_note
    history = appointments.get_appointment(desk, cancel_far).history
    assert (history[-1].to_status, history[-1].reason) == ("cancelled", "Cancelled by the patient online")
