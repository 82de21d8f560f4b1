"""Appointment statuses as a transition table, the first status of a new booking, and the booking reference."""

import re
from datetime import date
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition


class Status(StrEnum):
    REQUESTED = "requested"  # waiting for a doctor's approval or for the clinic to confirm a self-service request
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"  # moved: a new appointment holds the new time, this one keeps the old one's story


class Event(StrEnum):
    APPROVE = "approve"
    CONFIRM = "confirm"
    CHECK_IN = "check_in"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"
    NO_SHOW = "no_show"
    RESCHEDULE = "reschedule"


class Source(StrEnum):
    FRONT_DESK = "front_desk"
    PHONE = "phone"
    WALK_IN = "walk_in"
    SELF_SERVICE = "self_service"
    PORTAL = "portal"  # asked for on the patient portal, confirmed at the desk (or by its auto-approval)


TRANSITIONS: dict[Status, dict[Event, Status]] = {
    Status.REQUESTED: {Event.APPROVE: Status.CONFIRMED, Event.CONFIRM: Status.CONFIRMED,
                       Event.CANCEL: Status.CANCELLED, Event.RESCHEDULE: Status.RESCHEDULED},
    Status.CONFIRMED: {Event.CHECK_IN: Status.CHECKED_IN, Event.CANCEL: Status.CANCELLED,
                       Event.NO_SHOW: Status.NO_SHOW, Event.RESCHEDULE: Status.RESCHEDULED},
    Status.CHECKED_IN: {Event.START: Status.IN_PROGRESS, Event.CANCEL: Status.CANCELLED},
    Status.IN_PROGRESS: {Event.COMPLETE: Status.COMPLETED},
    Status.COMPLETED: {},
    Status.CANCELLED: {},
    Status.NO_SHOW: {},
    Status.RESCHEDULED: {},
}

# While approval is pending only a doctor's approval (or cancelling or moving) takes a request forward;
# without pending approval there is nothing to approve.
BLOCKED_WHILE_APPROVAL_PENDING = frozenset({Event.CONFIRM})
ONLY_WHILE_APPROVAL_PENDING = frozenset({Event.APPROVE})

# Statuses that hold their staff, room, equipment and patient in the diary.
ACTIVE = frozenset({Status.REQUESTED, Status.CONFIRMED, Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED})
# Statuses that give the time back: the slot may be offered to the waitlist.
FREED = frozenset({Status.CANCELLED, Status.NO_SHOW, Status.RESCHEDULED})

STATUS_WORDS = {
    Status.REQUESTED: "waiting for confirmation", Status.CONFIRMED: "confirmed", Status.CHECKED_IN: "checked in",
    Status.IN_PROGRESS: "in progress", Status.COMPLETED: "completed", Status.CANCELLED: "cancelled",
    Status.NO_SHOW: "marked as a no-show", Status.RESCHEDULED: "moved to another time",
}
EVENT_WORDS = {
    Event.APPROVE: "approved", Event.CONFIRM: "confirmed", Event.CHECK_IN: "checked in", Event.START: "started",
    Event.COMPLETE: "completed", Event.CANCEL: "cancelled", Event.NO_SHOW: "marked as a no-show",
    Event.RESCHEDULE: "moved",
}


def parse_event(value: str) -> Event:
    try:
        return Event(value)
    except ValueError:
        raise IllegalTransition(f"'{value}' is not something that can happen to an appointment; use one of: "
                                + ", ".join(e.value for e in Event) + ".") from None


def next_status(status: Status, event: Event, *, approval_pending: bool = False) -> Status:
    """The status after `event`, or IllegalTransition with a sentence for the desk (nothing changes)."""
    target = TRANSITIONS[status].get(event)
    if target is None:
        raise IllegalTransition(f"This appointment is {STATUS_WORDS[status]}, so it cannot be "
                                f"{EVENT_WORDS[event]}.")
    if approval_pending and event in BLOCKED_WHILE_APPROVAL_PENDING:
        raise IllegalTransition("This appointment needs a doctor's approval first; ask a doctor to approve it.")
    if not approval_pending and event in ONLY_WHILE_APPROVAL_PENDING:
        raise IllegalTransition("This appointment does not need approval; confirm it instead.")
    return target


def check_in_day_problem(event: Event, *, appointment_day: date, today: date) -> str | None:
    """A patient can be checked in only on the day of the appointment (a sentence when not)."""
    if event is Event.CHECK_IN and appointment_day != today:
        return (f"This appointment is on {appointment_day:%a} {appointment_day.day} {appointment_day:%b}, not today; "
                "check the patient in on that day, or move the appointment to today first.")
    return None


def initial_status(*, needs_approval: bool, source: Source) -> Status:
    """A booking that needs a doctor's approval, or that a patient made themselves, waits as requested."""
    if needs_approval or source is Source.SELF_SERVICE:
        return Status.REQUESTED
    return Status.CONFIRMED


_REFERENCE = re.compile(r"^(?P<centre>[A-Z]{2,6})-(?P<device>[A-Z0-9]{1,4})-(?P<day>\d{6})-(?P<number>\d{4,})$")


def format_booking_reference(centre_code: str, device_code: str, booked_on: date, number: int) -> str:
    """E.g. KOC-A-261126-0007: the 7th booking made at Kochi on device A on 26 Nov 2026.

    The date is the day the booking was made, so a moved appointment's reference never names a wrong day.
    """
    if number < 1:
        raise ValueError("booking numbers start at 1")
    return f"{centre_code}-{device_code}-{booked_on:%y%m%d}-{number:04d}"


def is_booking_reference(text: str) -> bool:
    return _REFERENCE.match(text.strip().upper()) is not None
