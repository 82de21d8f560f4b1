"""The outgoing message's transition table and back-off."""

from datetime import UTC, datetime, timedelta

import pytest

from clinicdesk.domain.errors import IllegalTransition
from clinicdesk.domain.notifications.queue import (
    MAX_COUNTED_ATTEMPTS,
    MessageStatus,
    Outcome,
    after_attempt,
    move,
    retry_delay,
)

NOW = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (7, 64), (8, 120), (20, 120)])
def test_back_off_doubles_up_to_two_hours(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("outcome", "attempts", "status", "retry_in"), [
    (Outcome.ACCEPTED, 1, MessageStatus.SENT, None),
    (Outcome.OFFLINE, 0, MessageStatus.DUE, timedelta(minutes=1)),
    (Outcome.TEMPORARY, 1, MessageStatus.DUE, timedelta(minutes=1)),
    (Outcome.TEMPORARY, 3, MessageStatus.DUE, timedelta(minutes=4)),
    (Outcome.TEMPORARY, MAX_COUNTED_ATTEMPTS, MessageStatus.FAILED, None),
    (Outcome.PERMANENT, 1, MessageStatus.FAILED, None),
    (Outcome.UNCERTAIN, 1, MessageStatus.FAILED, None),
])
def test_after_an_attempt(outcome, attempts, status, retry_in):
    got_status, retry_at = after_attempt(outcome, counted_attempts=attempts, now=NOW)
    assert got_status is status
    assert retry_at == (NOW + retry_in if retry_in else None)


@pytest.mark.parametrize(("start", "to"), [
    ("sent", MessageStatus.DUE), ("cancelled", MessageStatus.DUE), ("sent", MessageStatus.CANCELLED),
    ("scheduled", MessageStatus.SENT), ("failed", MessageStatus.SENT), ("sending", MessageStatus.CANCELLED),
])
def test_illegal_moves_are_refused(start, to):
    with pytest.raises(IllegalTransition):
        move(start, to)


def test_a_failed_message_may_be_retried():
    assert move("failed", MessageStatus.DUE) is MessageStatus.DUE
