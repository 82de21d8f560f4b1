"""A therapy session's status table, SOP step records (done, skipped as a deviation) and the board's timing flags."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from clinicdesk.domain.appointments import Event as AppointmentEvent
from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.protocols import SopStep


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PREPARATION = "in_preparation"
    IN_SESSION = "in_session"
    RECOVERY = "recovery"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SessionEvent(StrEnum):
    PREPARE = "prepare"
    START = "start"
    RECOVER = "recover"
    COMPLETE = "complete"
    CANCEL = "cancel"


TRANSITIONS: dict[SessionStatus, dict[SessionEvent, SessionStatus]] = {
    SessionStatus.SCHEDULED: {SessionEvent.PREPARE: SessionStatus.IN_PREPARATION,
                              SessionEvent.CANCEL: SessionStatus.CANCELLED},
    SessionStatus.IN_PREPARATION: {SessionEvent.START: SessionStatus.IN_SESSION,
                                   SessionEvent.CANCEL: SessionStatus.CANCELLED},
    # once oil or medicine has been given the session runs to its end; problems become incidents, not cancellations
    SessionStatus.IN_SESSION: {SessionEvent.RECOVER: SessionStatus.RECOVERY},
    SessionStatus.RECOVERY: {SessionEvent.COMPLETE: SessionStatus.COMPLETED},
    SessionStatus.COMPLETED: {},
    SessionStatus.CANCELLED: {},
}
# The booked appointment moves with the session, so the reception queue and the board agree.
APPOINTMENT_EVENT = {SessionEvent.PREPARE: AppointmentEvent.CHECK_IN, SessionEvent.START: AppointmentEvent.START,
                     SessionEvent.COMPLETE: AppointmentEvent.COMPLETE, SessionEvent.CANCEL: AppointmentEvent.CANCEL}
RUNNING = frozenset({SessionStatus.IN_PREPARATION, SessionStatus.IN_SESSION, SessionStatus.RECOVERY})
STATUS_WORDS = {SessionStatus.SCHEDULED: "scheduled", SessionStatus.IN_PREPARATION: "in preparation",
                SessionStatus.IN_SESSION: "in session", SessionStatus.RECOVERY: "in recovery",
                SessionStatus.COMPLETED: "completed", SessionStatus.CANCELLED: "cancelled"}
_EVENT_WORDS = {SessionEvent.PREPARE: "prepared", SessionEvent.START: "started",
                SessionEvent.RECOVER: "moved to recovery", SessionEvent.COMPLETE: "completed",
                SessionEvent.CANCEL: "cancelled"}


def parse_session_event(value: str) -> SessionEvent:
    try:
        return SessionEvent(value)
    except ValueError:
        raise IllegalTransition(f"'{value}' is not something that can happen to a session; use one of: "
                                + ", ".join(e.value for e in SessionEvent) + ".") from None


class ConsentNeeded(IllegalTransition):
    """Starting was refused because the plan has no procedure consent in force; screens offer the consent form."""


CONSENT_NEEDED = ("Record the patient's procedure consent for this plan before starting: open Consent… on the board "
                  "or in the SOP runner, and have the patient type their name and sign.")


def next_session_status(status: SessionStatus, event: SessionEvent, *, open_mandatory: Iterable[SopStep] = (),
                        consented: bool = True) -> SessionStatus:
    """The status after `event`; refused with a sentence when the table, a missing procedure consent (to start)
    or an open mandatory step (to complete) says no."""
    target = TRANSITIONS[status].get(event)
    if target is None:
        raise IllegalTransition(f"This session is {STATUS_WORDS[status]}, so it cannot be {_EVENT_WORDS[event]}.")
    if event is SessionEvent.START and not consented:
        # no oil, steam or medicine is given before the patient has agreed to the plan's procedures
        raise ConsentNeeded(CONSENT_NEEDED)
    still_open = list(open_mandatory)
    if event is SessionEvent.COMPLETE and still_open:
        steps = ", ".join(f"{step.no} ({step.text})" for step in still_open)
        raise IllegalTransition(f"The session cannot be completed while mandatory SOP steps are open: step {steps}. "
                                "Record those steps first.")
    return target


class StepOutcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepRecord:
    step_no: int
    outcome: StepOutcome
    value: Decimal | None = None
    reason: str = ""
    deviation: bool = False  # skipped, or a measured value outside the SOP's range
    timer_seconds: int | None = None  # how long the timed part really ran


_STEP_LABELS = {"reason": "Reason", "value": "Measured value", "outcome": "Step", "timer_seconds": "Timer"}


def record_step(step: SopStep, outcome: StepOutcome, *, value: Decimal | None = None, reason: str = "",
                timer_seconds: int | None = None) -> StepRecord:
    """Check one SOP step's record: safety checks are never skipped, a skip or an out-of-range value needs a reason."""
    reason = reason.strip()
    problems = {}
    if len(reason) > 300:
        problems["reason"] = "must be at most 300 characters"
    if timer_seconds is not None and not 0 <= timer_seconds <= 6 * 3600:
        problems["timer_seconds"] = "must be between 0 seconds and 6 hours"
    deviation = False
    if outcome is StepOutcome.SKIPPED:
        if step.mandatory:
            problems["outcome"] = (f"{step.no} ({step.text}) is mandatory and cannot be skipped; do it, or stop the "
                                   "session and report an incident")
        elif len(reason) < 3:
            problems["reason"] = "is needed to skip a step; it is recorded as a deviation from the SOP"
        deviation, value = True, None
    elif step.measure is not None:
        if value is None:
            problems["value"] = f"is needed for step {step.no} ({step.measure.quantity}, {step.measure.unit})"
        elif not step.measure.in_range(value):
            deviation = True
            if len(reason) < 3:
                problems["value"] = (f"{value} {step.measure.unit} is outside the SOP's range "
                                     f"({_range_text(step)}); give a reason to record it as a deviation")
    elif value is not None:
        problems["value"] = f"is not measured in step {step.no}"
    if problems:
        raise ValidationError(problems, _STEP_LABELS)
    return StepRecord(step.no, outcome, value, reason, deviation, timer_seconds)


def _range_text(step: SopStep) -> str:
    low, high = step.measure.low, step.measure.high
    if low is not None and high is not None:
        return f"{low}-{high} {step.measure.unit}"
    return f"at least {low}" if low is not None else f"at most {high}"


def open_mandatory_steps(steps: Iterable[SopStep], done: Iterable[int]) -> list[SopStep]:
    """Mandatory steps without a 'done' record, in SOP order."""
    done = set(done)
    return [step for step in steps if step.mandatory and step.no not in done]


LATE_AFTER = timedelta(minutes=10)


def timing_flags(status: SessionStatus, start: datetime, end: datetime, now: datetime) -> tuple[bool, bool]:
    """(late, over-running) for the board: not started ten minutes after its time; still in session past its end."""
    late = status in (SessionStatus.SCHEDULED, SessionStatus.IN_PREPARATION) and now > start + LATE_AFTER
    over = status is SessionStatus.IN_SESSION and now > end
    return late, over
