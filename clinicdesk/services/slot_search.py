"""Asks the scheduling engine for ranked slots, checks one chosen slot, and puts its reasons into the desk's words."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from clinicdesk.domain.scheduling import scoring
from clinicdesk.domain.scheduling.candidates import Candidate, day_candidates, ranked_candidates
from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.explain import alternatives_near, describe, explain_unplaced
from clinicdesk.domain.scheduling.model import (
    Patient,
    Period,
    Placement,
    PlanRequest,
    Preferences,
    appointment_request,
)
from clinicdesk.domain.scheduling.occupancy import Board
from clinicdesk.domain.scheduling.rules import (
    ReasonCode,
    SessionSpec,
    build_specs,
    fits_as_is,
    refusals_at,
    room_refusal,
    staff_refusal,
)
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, format_clock, format_day, to_datetime, to_minute
from clinicdesk.services.appointment_dto import SlotSuggestion
from clinicdesk.services.scheduling_adapter import Diary

SEARCH_GRID = 15  # minutes between suggested starts: a tidy diary
FINE_GRID = 5  # walk-ins start "now", a dragged block may land on any 5 minutes; the check accepts both


@dataclass(frozen=True)
class SlotQuery:
    """One appointment to place: who, what, which day (and maybe time), with what wishes; local naive times."""

    patient: Patient
    therapy_id: str
    day: date
    at: time | None
    search_days: int
    follow_up: bool
    preferences: Preferences
    not_before: datetime | None = None  # now, or the end of the first visit for a follow-up
    not_before_words: str = "is already past"  # what a start before `not_before` is, for the desk
    soonest_first: bool = False  # a walk-in wants the earliest start, whatever else the score says
    request_id: str = "request"

    def plan(self, *, at: time | None = None, day: date | None = None, max_days_late: int | None = None
             ) -> PlanRequest:
        preferences = self.preferences
        if self.not_before is not None:  # nothing may start before it: the engine sees the patient as away
            since = min(datetime.combine(day or self.day, time()), self.not_before) - timedelta(days=1)
            preferences = replace(preferences, unavailable=preferences.unavailable + (
                Period(since, self.not_before),))
        return appointment_request(
            self.request_id, self.patient, self.therapy_id, day or self.day, at=at, preferences=preferences,
            follow_up=self.follow_up,
            max_days_late=self.search_days - 1 if max_days_late is None else max_days_late)


def _grid_for(start: datetime | None, query: SlotQuery) -> int:
    if query.soonest_first or (start is not None and (start.minute % SEARCH_GRID or start.second)):
        return FINE_GRID
    return SEARCH_GRID


def too_early(query: SlotQuery, start: datetime) -> str | None:
    """E.g. "Thu 26 Nov 09:00 is already past", or None when the start is not too early."""
    if query.not_before is None or start >= query.not_before:
        return None
    minute = to_minute(start)
    return f"{format_day(minute // MINUTES_PER_DAY)} {format_clock(minute)} {query.not_before_words}"


# --- suggestions -----------------------------------------------------------------------------------------------

def _suggestion(diary: Diary, board: Board, spec: SessionSpec, candidate: Candidate, query: SlotQuery,
                requested: datetime | None) -> SlotSuggestion:
    start = to_datetime(candidate.start)
    return SlotSuggestion(
        start=start, end=start + timedelta(minutes=spec.duration), room_id=candidate.room_id,
        room_name=diary.room_name(candidate.room_id), staff_ids=tuple(candidate.staff_ids),
        staff_names=tuple(diary.staff_name(staff_id) for staff_id in candidate.staff_ids),
        score=float(candidate.score), reasons=_reasons(diary, board, spec, candidate, query, requested))


def _reasons(diary: Diary, board: Board, spec: SessionSpec, candidate: Candidate, query: SlotQuery,
             requested: datetime | None) -> tuple[str, ...]:
    """Why this slot ranks where it does, from the same terms the engine scores with."""
    reasons = []
    day = candidate.start // MINUTES_PER_DAY
    if requested is not None:
        reasons.append(distance_text(requested, to_datetime(candidate.start)))
    elif query.soonest_first:
        reasons.append("The soonest start")
    else:
        late = day - query.day.toordinal()
        reasons.append("On the day asked" if late == 0 else f"{late} day{'s' if late > 1 else ''} after the day asked")
    wish = query.preferences.time_of_day
    if wish is not None:
        missed = scoring.time_of_day_penalty(query.preferences, candidate.start)
        reasons.append(f"Not in the {wish.value} as preferred" if missed else f"In the {wish.value}, as preferred")
    if query.preferences.preferred_staff:
        names = " and ".join(diary.staff_name(staff_id) for staff_id in candidate.staff_ids)
        if scoring.not_preferred_penalty(query.preferences, candidate.staff_ids):
            reasons.append("The preferred practitioner is not free then")
        else:
            reasons.append(f"With {names}, as preferred")
    if candidate.joins_group:
        reasons.append("Joins the group session already booked then")
    for staff_id in candidate.staff_ids:
        others = board.occupancy.staff_day_count[(staff_id, day)]
        name = diary.staff_name(staff_id)
        reasons.append(f"{name} has {others} other session{'s' if others != 1 else ''} that day" if others
                       else f"{name} has no other session that day")
    return tuple(reasons)


def distance_text(asked: datetime, start: datetime) -> str:
    """How far a start is from the time asked: "At the time asked", "2 h 15 min later", "1 day earlier".

    Under a day it is hours and minutes; from a day on it is calendar days (Thu 16:45 to Sun 12:00 is
    "3 days later", never "67 h 15 min"), because that is how the desk tells the patient.
    """
    minutes = int((start - asked) / timedelta(minutes=1))
    if minutes == 0:
        return "At the time asked"
    direction = "later" if minutes > 0 else "earlier"
    gap = abs(minutes)
    if gap >= MINUTES_PER_DAY:
        days = abs((start.date() - asked.date()).days)
        return f"{days} day{'s' if days != 1 else ''} {direction}"
    hours, rest = divmod(gap, 60)
    if not hours:
        return f"{rest} min {direction}"
    return f"{hours} h {rest} min {direction}" if rest else f"{hours} h {direction}"


def _words(reasons) -> str:
    return " ".join(reason for reason in reasons if not reason.startswith("Alternatives:"))


def suggest(diary: Diary, query: SlotQuery, count: int) -> tuple[list[SlotSuggestion], str]:
    """Up to `count` slots, best first, and (when the time or day asked for is impossible) why, in plain words."""
    requested = datetime.combine(query.day, query.at) if query.at is not None else None
    board = Board(diary.clinic, _grid_for(requested, query))
    if requested is not None:
        return _suggest_at(diary, board, query, requested, count)
    spec = build_specs(board, query.plan())[0]
    if query.soonest_first:
        found = sorted((candidate for day in range(spec.first_day, spec.last_day + 1)
                        for candidate in day_candidates(board, spec, day)), key=lambda c: (c.start, c.rank))
    else:
        found = []
        for candidate in ranked_candidates(board, spec):
            found.append(candidate)
            if len(found) >= count:
                break
    found = found[:count]
    explanation = ""
    if not found or found[0].start // MINUTES_PER_DAY != spec.first_day:
        one_day = replace(spec, last_day=spec.first_day)
        explanation = _words(explain_unplaced(board, one_day, search_days=max(query.search_days, 7),
                                              alternatives=count).reasons)
    return [_suggestion(diary, board, spec, candidate, query, None) for candidate in found], explanation


def _suggest_at(diary: Diary, board: Board, query: SlotQuery, requested: datetime, count: int
                ) -> tuple[list[SlotSuggestion], str]:
    spec = build_specs(board, query.plan(at=query.at))[0]
    start = to_minute(requested)
    early = too_early(query, requested)
    exact = [] if early else sorted(day_candidates(board, spec, start // MINUTES_PER_DAY))
    explanation = ""
    if early:
        explanation = early[0].upper() + early[1:] + "."
    elif not exact:
        explanation = _words(explain_unplaced(board, spec, search_days=max(query.search_days, 7),
                                              alternatives=count).reasons)
    near = [candidate for candidate in alternatives_near(board, spec, start, count + 1)
            if not exact or candidate.start != start]
    chosen = (exact[:1] + near)[:count]
    return [_suggestion(diary, board, spec, candidate, query, requested) for candidate in chosen], explanation


# --- checking one chosen slot ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SlotCheck:
    """The verdict on one start with given room and staff: fits, or the phrases that say why not."""

    fits: bool
    problems: tuple[str, ...] = ()


def check_slot(diary: Diary, query: SlotQuery, start: datetime, room_id: str | None,
               staff_ids: tuple[str, ...]) -> SlotCheck:
    """Every hard rule for this exact slot, twice: the engine's own rules, then the independent checker."""
    board = Board(diary.clinic, FINE_GRID)
    plan = query.plan(at=start.time(), day=start.date(), max_days_late=0)
    spec = build_specs(board, plan)[0]
    minute = to_minute(start)
    early = too_early(query, start)
    if early:
        return SlotCheck(False, (early,))
    if start.second or minute % FINE_GRID or room_id is None:
        return SlotCheck(False, ("the start must be on a 5-minute mark with a room chosen",))
    fits = fits_as_is(board, spec, minute, room_id, tuple(sorted(staff_ids)))
    placement = Placement(request_id=plan.id, session_id=plan.sessions[0].id, patient_id=query.patient.id,
                          therapy_id=query.therapy_id, start=start, end=start + timedelta(minutes=spec.duration),
                          room_id=room_id, staff_ids=tuple(sorted(staff_ids)), follow_up=query.follow_up)
    checker_problems = validate_schedule(diary.clinic, [placement], [plan])
    if fits and not checker_problems:
        return SlotCheck(True)
    phrases = explain_choice(board, spec, minute, room_id, tuple(staff_ids))
    if not phrases:
        phrases = [_name_ids(diary, problem) for problem in checker_problems] or ["it no longer fits the diary"]
    return SlotCheck(False, tuple(phrases))


def explain_choice(board: Board, spec: SessionSpec, start: int, room_id: str, staff_ids: tuple[str, ...]
                   ) -> list[str]:
    """Why this start fails with exactly this room and these staff, naming each resource that is in the way."""
    clinic = board.clinic
    phrases = []
    room = clinic.room_by_id.get(room_id)
    if room is None:
        phrases.append("that room is not in use at this centre")
    else:
        refusal = room_refusal(spec.therapy, room, spec.request.patient.gender)
        if refusal is not None:
            phrases.append(describe(board, spec, refusal))
    present = []
    for staff_id in staff_ids:
        member = clinic.staff_by_id.get(staff_id)
        if member is None:
            phrases.append("a chosen staff member does not work at this centre now")
            continue
        present.append(staff_id)
        refusal = staff_refusal(spec.therapy, member, spec.request.patient.gender, spec.preferences)
        if refusal is not None:
            phrases.append(describe(board, spec, refusal))
    if len(staff_ids) != spec.staff_count:
        phrases.append(f"{spec.therapy.name} needs {spec.staff_count} staff, {len(staff_ids)} chosen")
    restricted = replace(spec, eligible_rooms=(room_id,) if room is not None else spec.eligible_rooms,
                         eligible_staff=tuple(present))
    # "not enough staff" speaks of everyone qualified; here only the chosen people count, and each is named
    phrases.extend(describe(board, restricted, reason) for reason in refusals_at(board, restricted, start)
                   if reason.code is not ReasonCode.NOT_ENOUGH_STAFF)
    seen: list[str] = []
    for phrase in phrases:
        if phrase not in seen:
            seen.append(phrase)
    return seen


def _name_ids(diary: Diary, problem: str) -> str:
    """The checker names staff and rooms by id; the desk knows them by name."""
    for member in diary.clinic.staff:
        problem = problem.replace(member.id, member.name)
    for room in diary.clinic.rooms:
        problem = problem.replace(room.id, room.name)
    return problem


def slot_text(diary: Diary, suggestion: SlotSuggestion) -> str:
    """E.g. "Thu 26 Nov 10:15 with Rajan Pillai in Abhyanga B (men)"."""
    minute = to_minute(suggestion.start)
    who = " and ".join(suggestion.staff_names)
    return (f"{format_day(minute // MINUTES_PER_DAY)} {format_clock(minute)}"
            + (f" with {who}" if who else "") + (f" in {suggestion.room_name}" if suggestion.room_name else ""))


def best_at(diary: Diary, query: SlotQuery, start: datetime, *, room_id: str | None = None,
            staff_ids: tuple[str, ...] | None = None) -> tuple[str, tuple[str, ...]] | None:
    """The engine's best room and staff for this exact start, keeping whichever of them the desk fixed."""
    board = Board(diary.clinic, FINE_GRID)
    spec = build_specs(board, query.plan(at=start.time(), day=start.date(), max_days_late=0))[0]
    if room_id is not None:
        spec = replace(spec, eligible_rooms=tuple(room for room in spec.eligible_rooms if room == room_id))
    if staff_ids is not None:
        spec = replace(spec, eligible_staff=tuple(staff for staff in spec.eligible_staff if staff in staff_ids))
    minute = to_minute(start)
    if too_early(query, start) or minute % FINE_GRID:
        return None
    found = [candidate for candidate in day_candidates(board, spec, minute // MINUTES_PER_DAY)
             if candidate.start == minute]
    if not found:
        return None
    best = min(found)
    return best.room_id, tuple(best.staff_ids)
