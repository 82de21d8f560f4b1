"""The appointment status table: every legal move, every illegal one refused with a sentence; references."""

import itertools
from datetime import date

import pytest

from clinicdesk.domain.appointments import (
    ACTIVE,
    FREED,
    TRANSITIONS,
    Event,
    Source,
    Status,
    check_in_day_problem,
    format_booking_reference,
    initial_status,
    is_booking_reference,
    next_status,
    parse_event,
)
from clinicdesk.domain.errors import IllegalTransition

S, E = Status, Event
LEGAL = {
    (S.REQUESTED, E.APPROVE): S.CONFIRMED,  # only while approval is pending
    (S.REQUESTED, E.CONFIRM): S.CONFIRMED,  # only when no approval is pending
    (S.REQUESTED, E.CANCEL): S.CANCELLED,
    (S.REQUESTED, E.RESCHEDULE): S.RESCHEDULED,
    (S.CONFIRMED, E.CHECK_IN): S.CHECKED_IN,
    (S.CONFIRMED, E.CANCEL): S.CANCELLED,
    (S.CONFIRMED, E.NO_SHOW): S.NO_SHOW,
    (S.CONFIRMED, E.RESCHEDULE): S.RESCHEDULED,
    (S.CHECKED_IN, E.START): S.IN_PROGRESS,
    (S.CHECKED_IN, E.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, E.COMPLETE): S.COMPLETED,
}
ILLEGAL = [pair for pair in itertools.product(Status, Event) if pair not in LEGAL]


def test_the_table_is_exactly_the_documented_moves():
    table = {(status, event): target for status, moves in TRANSITIONS.items() for event, target in moves.items()}
    assert table == LEGAL
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("status", "event"), sorted(LEGAL), ids=lambda v: v.value)
def test_every_legal_move(status, event):
    pending = event is E.APPROVE
    assert next_status(status, event, approval_pending=pending) is LEGAL[(status, event)]


@pytest.mark.parametrize(("status", "event"), ILLEGAL, ids=lambda v: v.value)
def test_every_illegal_move_is_refused_with_a_sentence(status, event):
    for pending in (False, True):
        with pytest.raises(IllegalTransition, match=r"^This appointment is .+, so it cannot be .+\.$"):
            next_status(status, event, approval_pending=pending)


def test_a_pending_approval_is_given_by_approving_not_by_confirming():
    with pytest.raises(IllegalTransition, match="needs a doctor's approval first"):
        next_status(S.REQUESTED, E.CONFIRM, approval_pending=True)
    with pytest.raises(IllegalTransition, match="does not need approval; confirm it instead"):
        next_status(S.REQUESTED, E.APPROVE, approval_pending=False)
    # while approval is pending the request may still be cancelled or moved
    assert next_status(S.REQUESTED, E.CANCEL, approval_pending=True) is S.CANCELLED
    assert next_status(S.REQUESTED, E.RESCHEDULE, approval_pending=True) is S.RESCHEDULED


def test_final_statuses_have_no_way_out_and_free_or_hold_the_diary():
    for status in (S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.RESCHEDULED):
        assert TRANSITIONS[status] == {}
    assert FREED == {S.CANCELLED, S.NO_SHOW, S.RESCHEDULED}
    assert ACTIVE | FREED == set(Status) and not ACTIVE & FREED


@pytest.mark.parametrize(("needs_approval", "source", "expected"), [
    (False, Source.FRONT_DESK, S.CONFIRMED), (False, Source.PHONE, S.CONFIRMED), (False, Source.WALK_IN, S.CONFIRMED),
    (False, Source.SELF_SERVICE, S.REQUESTED), (True, Source.FRONT_DESK, S.REQUESTED),
    (True, Source.WALK_IN, S.REQUESTED)])
def test_first_status_of_a_booking(needs_approval, source, expected):
    assert initial_status(needs_approval=needs_approval, source=source) is expected


def test_unknown_events_are_refused_by_name():
    assert parse_event("check_in") is E.CHECK_IN
    with pytest.raises(IllegalTransition, match="'teleport' is not something"):
        parse_event("teleport")


def test_check_in_only_on_the_day():
    day = date(2026, 11, 26)
    assert check_in_day_problem(E.CHECK_IN, appointment_day=day, today=day) is None
    assert "Fri 27 Nov, not today" in check_in_day_problem(E.CHECK_IN, appointment_day=date(2026, 11, 27), today=day)
    assert check_in_day_problem(E.CANCEL, appointment_day=date(2026, 11, 27), today=day) is None


def test_booking_reference_names_centre_device_day_and_number():
    reference = format_booking_reference("KOC", "A", date(2026, 11, 26), 7)
    assert reference == "KOC-A-261126-0007"
    assert is_booking_reference(reference) and is_booking_reference(" koc-a-261126-0007 ")
    assert format_booking_reference("PUN", "B2", date(2027, 1, 5), 12345) == "PUN-B2-270105-12345"
    assert not is_booking_reference("KOC-A-000007")
    with pytest.raises(ValueError):
        format_booking_reference("KOC", "A", date(2026, 11, 26), 0)
