"""Care plans: the plan status table, a course template turned into dated sessions and a scheduling request."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.protocols import MAX_COURSE_DAYS, Course, Phase, Therapy, rest_after_days
from clinicdesk.domain.scheduling.model import Patient, PlanRequest, Preferences, SequenceLink, SessionRequest
from clinicdesk.domain.therapy_sessions import SessionStatus


class PlanStatus(StrEnum):
    PLANNED = "planned"  # drafted, adjustable, may be auto-scheduled; appointments are held but unconfirmed
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PlanEvent(StrEnum):
    CONFIRM = "confirm"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    CANCEL = "cancel"


TRANSITIONS: dict[PlanStatus, dict[PlanEvent, PlanStatus]] = {
    PlanStatus.PLANNED: {PlanEvent.CONFIRM: PlanStatus.ACTIVE, PlanEvent.CANCEL: PlanStatus.CANCELLED},
    PlanStatus.ACTIVE: {PlanEvent.PAUSE: PlanStatus.PAUSED, PlanEvent.COMPLETE: PlanStatus.COMPLETED,
                        PlanEvent.CANCEL: PlanStatus.CANCELLED},
    PlanStatus.PAUSED: {PlanEvent.RESUME: PlanStatus.ACTIVE, PlanEvent.CANCEL: PlanStatus.CANCELLED},
    PlanStatus.COMPLETED: {},
    PlanStatus.CANCELLED: {},
}
_EVENT_WORDS = {PlanEvent.CONFIRM: "confirmed", PlanEvent.PAUSE: "paused", PlanEvent.RESUME: "resumed",
                PlanEvent.COMPLETE: "completed", PlanEvent.CANCEL: "cancelled"}


def next_plan_status(status: PlanStatus, event: PlanEvent) -> PlanStatus:
    """The status after `event`, or IllegalTransition with a sentence (nothing changes)."""
    target = TRANSITIONS[status].get(event)
    if target is None:
        raise IllegalTransition(f"This care plan is {status.value}, so it cannot be {_EVENT_WORDS[event]}.")
    return target


@dataclass(frozen=True)
class PlannedSession:
    key: str  # pattern key and day, e.g. abh-3: stable across adjustments, the engine's session id
    pattern: str
    therapy: str
    phase: Phase
    day_offset: int
    after: tuple[SequenceLink, ...] = ()


def sessions_from_course(course: Course) -> list[PlannedSession]:
    """Every booked session of a course, in day order; each linked to the latest session of its `after` pattern."""
    made: list[PlannedSession] = []
    days_of: dict[str, list[int]] = {}
    for phase in course.phases:
        for pattern in phase.sessions:
            for day in pattern.days:
                after = ()
                link = pattern.after
                if link is not None:
                    if link.key == pattern.key:  # a series: each follows the one before
                        earlier = [d for d in pattern.days if d < day]
                    else:
                        earlier = [d for d in days_of.get(link.key, ()) if d <= day]
                    if earlier:
                        after = (SequenceLink(f"{link.key}-{max(earlier)}", link.min_gap_days, link.max_gap_days,
                                              link.min_gap_minutes),)
                made.append(PlannedSession(f"{pattern.key}-{day}", pattern.key, pattern.therapy, phase.phase, day,
                                           after))
            days_of[pattern.key] = list(pattern.days)
    order = {session.key: index for index, session in enumerate(made)}
    return sorted(made, key=lambda s: (s.day_offset, order[s.key]))


def course_rest_days(course: Course, therapies: dict[str, Therapy]) -> tuple[int, ...]:
    return tuple(sorted(set(course.rest_days) | rest_after_days(course, therapies)))


def adjust_sessions(sessions: list[PlannedSession], *, drop: Iterable[str] = (), move: dict[str, int] | None = None,
                    rest_days: Iterable[int] = ()) -> list[PlannedSession]:
    """A doctor's changes: drop sessions and move others to another day; links to dropped sessions fall away."""
    drop, move, rest = set(drop), dict(move or {}), set(rest_days)
    known = {s.key for s in sessions}
    problems = {}
    for key in sorted((drop | set(move)) - known):
        problems["sessions"] = f"'{key}' is not a session of this plan"
    for key, day in move.items():
        if not 0 <= day < MAX_COURSE_DAYS:
            problems[f"move.{key}"] = f"must be a day from 0 to {MAX_COURSE_DAYS - 1} of the course"
        elif day in rest:
            problems[f"move.{key}"] = f"day {day} is a rest day of this plan"
    if len(drop) == len(known) and known:
        problems["drop"] = "would leave the plan without sessions; cancel the plan instead"
    if problems:
        raise ValidationError(problems, {"sessions": "Sessions", "drop": "Dropping every session"}
                              | {f"move.{k}": f"The new day of {k}" for k in move})
    kept = []
    for session in sessions:
        if session.key in drop:
            continue
        links = tuple(link for link in session.after if link.session_id not in drop)
        kept.append(replace(session, day_offset=move.get(session.key, session.day_offset), after=links))
    return sorted(kept, key=lambda s: s.day_offset)


def plan_request(plan_id: str, patient: Patient, start_date: date, sessions: list[PlannedSession],
                 service_ids: dict[str, str], *, rest_days: tuple[int, ...] = (), max_days_late: int = 1,
                 preferences: Preferences = Preferences(),
                 fixed_starts: dict[str, datetime] | None = None) -> PlanRequest:
    """The scheduling engine's request; `service_ids` maps a therapy key to the catalogue service it books and
    `fixed_starts` pins sessions (by key) to a local wall-clock start the doctor chose."""
    pinned = fixed_starts or {}
    requests = tuple(SessionRequest(id=s.key, therapy_id=service_ids[s.therapy], day_offset=s.day_offset,
                                    after=s.after, fixed_start=pinned.get(s.key)) for s in sessions)
    return PlanRequest(id=plan_id, patient=patient, start_date=start_date, sessions=requests,
                       preferences=preferences, rest_days=rest_days, max_days_late=max_days_late)


@dataclass(frozen=True)
class PhaseProgress:
    phase: Phase
    planned: int  # sessions still counted in the course (not cancelled)
    completed: int
    cancelled: int


def phase_progress(sessions: Iterable[tuple[Phase, SessionStatus]]) -> list[PhaseProgress]:
    """Planned vs completed sessions for each phase that has any, in course order."""
    counts: dict[Phase, list[int]] = {}
    for phase, status in sessions:
        row = counts.setdefault(phase, [0, 0, 0])
        if status is SessionStatus.CANCELLED:
            row[2] += 1
        else:
            row[0] += 1
            row[1] += status is SessionStatus.COMPLETED
    return [PhaseProgress(phase, *counts[phase]) for phase in Phase if phase in counts]


def all_sessions_done(statuses: Iterable[SessionStatus]) -> bool:
    """A plan is finished when no session is waiting or running (and at least one was completed)."""
    statuses = list(statuses)
    return bool(statuses) and SessionStatus.COMPLETED in statuses and all(
        s in (SessionStatus.COMPLETED, SessionStatus.CANCELLED) for s in statuses)
