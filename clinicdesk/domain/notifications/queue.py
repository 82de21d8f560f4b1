"""The outgoing message's life as a transition table, and how long to wait before the next try."""

from datetime import datetime, timedelta
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition


class MessageStatus(StrEnum):
    SCHEDULED = "scheduled"  # planned for later
    DUE = "due"  # its time has come; waits for the sender (or for the network)
    SENDING = "sending"  # claimed by the sender in its own transaction, before the channel is called
    SENT = "sent"  # the channel accepted it
    FAILED = "failed"  # refused, out of tries, or interrupted where a resend might duplicate it: the desk decides
    CANCELLED = "cancelled"  # withdrawn: the visit moved or was cancelled, do-not-disturb, no consented channel


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    OFFLINE = "offline"  # the server could not be reached: nothing left the desk, so try again without counting
    TEMPORARY = "temporary"  # reached but refused for now (HTTP 5xx, 429, SMTP 4xx): back off and retry
    PERMANENT = "permanent"  # refused for good (HTTP 4xx, bad address, no settings): a person must look
    UNCERTAIN = "uncertain"  # cut off after the message was handed over: it may have arrived, so never resend blindly


_TRANSITIONS: dict[MessageStatus, frozenset[MessageStatus]] = {
    MessageStatus.SCHEDULED: frozenset({MessageStatus.DUE, MessageStatus.SENDING, MessageStatus.CANCELLED}),
    MessageStatus.DUE: frozenset({MessageStatus.SENDING, MessageStatus.CANCELLED, MessageStatus.SCHEDULED}),
    MessageStatus.SENDING: frozenset({MessageStatus.SENT, MessageStatus.DUE, MessageStatus.FAILED}),
    MessageStatus.FAILED: frozenset({MessageStatus.DUE, MessageStatus.CANCELLED}),
    MessageStatus.SENT: frozenset(),
    MessageStatus.CANCELLED: frozenset(),
}
OPEN = frozenset({MessageStatus.SCHEDULED, MessageStatus.DUE, MessageStatus.FAILED})  # may still be withdrawn
MAX_COUNTED_ATTEMPTS = 6  # temporary refusals before a message is given up as failed (offline tries do not count)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)
OFFLINE_RETRY = timedelta(minutes=1)  # the sender wakes every minute anyway


def move(current: str, to: MessageStatus) -> MessageStatus:
    """Check a move against the table; an illegal one raises and nothing changes."""
    before = MessageStatus(current)
    if to not in _TRANSITIONS[before]:
        raise IllegalTransition(f"A {before.value} message cannot become {to.value}; nothing was changed.")
    return to


def retry_delay(counted_attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4, 8... minutes after the 1st, 2nd, 3rd... refusal, at most two hours."""
    return min(FIRST_RETRY * (2 ** max(counted_attempts - 1, 0)), LONGEST_WAIT)


def after_attempt(outcome: Outcome, *, counted_attempts: int, now: datetime
                  ) -> tuple[MessageStatus, datetime | None]:
    """Where a message goes after one try (`counted_attempts` includes this try if it counts) and when to retry."""
    if outcome is Outcome.ACCEPTED:
        return MessageStatus.SENT, None
    if outcome is Outcome.OFFLINE:
        return MessageStatus.DUE, now + OFFLINE_RETRY
    if outcome is Outcome.TEMPORARY and counted_attempts < MAX_COUNTED_ATTEMPTS:
        return MessageStatus.DUE, now + retry_delay(counted_attempts)
    return MessageStatus.FAILED, None


def counts(outcome: Outcome) -> bool:
    return outcome in (Outcome.TEMPORARY, Outcome.PERMANENT, Outcome.UNCERTAIN)


def idempotency_key(message_id: str) -> str:
    """Stable for the life of the message, so a gateway that honours it delivers a repeated request once."""
    return f"clinicdesk-{message_id}"
