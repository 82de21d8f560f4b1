"""Changes to a booked diary: move one plan session, cover a therapist's sick leave, absorb an over-running session."""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from clinicdesk.domain.scheduling.candidates import Candidate, ranked_candidates
from clinicdesk.domain.scheduling.explain import describe, explain_unplaced, staff_description
from clinicdesk.domain.scheduling.model import (
    Booking,
    Clinic,
    Gender,
    Patient,
    Period,
    Placement,
    PlanRequest,
    Preferences,
    SessionRequest,
    Unplaced,
)
from clinicdesk.domain.scheduling.occupancy import Board, Occupied, PlacedSession, occupied_from_booking
from clinicdesk.domain.scheduling.rules import (
    Reason,
    ReasonCode,
    SessionSpec,
    base_mask,
    build_specs,
    equipment_blocked,
    fits_as_is,
    room_mask,
    staff_mask,
    staff_reason_at,
    staff_refusal,
)
from clinicdesk.domain.scheduling.solver import SolverOptions, placed_session
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, iter_bits, to_datetime, to_minute


@dataclass(frozen=True)
class MoveResult:
    placements: tuple[Placement, ...]  # the plan's placements after the move (unchanged when refused)
    moved: tuple[str, ...]  # session ids whose time, room or staff changed
    unplaced: tuple[Unplaced, ...]  # later sessions that no longer fit anywhere
    refused: Unplaced | None = None  # set when the requested time itself is impossible; nothing changed


@dataclass(frozen=True)
class Reassignment:
    booking_id: str
    start: datetime
    old_staff: tuple[str, ...]
    new_staff: tuple[str, ...]


@dataclass(frozen=True)
class NeedsCall:
    booking_id: str
    start: datetime
    patient_id: str | None
    reason: str


@dataclass(frozen=True)
class SickLeaveResult:
    clinic: Clinic  # with the leave recorded and the bookings updated
    reassigned: tuple[Reassignment, ...]
    needs_call: tuple[NeedsCall, ...]


@dataclass(frozen=True)
class Push:
    booking_id: str
    old_start: datetime
    new_start: datetime


@dataclass(frozen=True)
class OverrunResult:
    clinic: Clinic  # with the over-running booking extended and the pushed bookings moved
    pushed: tuple[Push, ...]
    needs_call: tuple[NeedsCall, ...]


def _placement(spec: SessionSpec, start: int, room_id: str, staff_ids: tuple[str, ...]) -> Placement:
    return Placement(request_id=spec.request.id, session_id=spec.session.id, patient_id=spec.patient_id,
                     therapy_id=spec.therapy.id, start=to_datetime(start), end=to_datetime(start + spec.duration),
                     room_id=room_id, staff_ids=tuple(staff_ids), follow_up=spec.session.follow_up)


def _candidate_of(placement: Placement) -> Candidate:
    start = to_minute(placement.start)
    return Candidate((0, start, placement.room_id, placement.staff_ids), 0, start, placement.room_id,
                     placement.staff_ids)


def _followers(plan: PlanRequest, session_id: str) -> set[str]:
    """Sessions that come after `session_id` through 'after' links, directly or not."""
    found: set[str] = set()
    frontier = [session_id]
    while frontier:
        current = frontier.pop()
        for session in plan.sessions:
            if session.id not in found and any(link.session_id == current for link in session.after):
                found.add(session.id)
                frontier.append(session.id)
    return found


def move_session(clinic: Clinic, plan: PlanRequest, placements, session_id: str, new_start: datetime, *,
                 other_placements=(), other_requests=(), options: SolverOptions = SolverOptions()) -> MoveResult:
    """Move one session of a booked plan; keep what is not after it, re-place followers only if they must move.

    `placements` are the plan's current placements; `other_placements` are other plans' sessions (kept fixed);
    `other_requests` are those plans, so that a daily limit the patient set in one of them holds here too.
    """
    board = Board(clinic, options.slot_minutes)
    for other in other_placements:
        board.place(placed_session_from(other), other.patient_id)
    for request in (plan, *other_requests):
        board.register_patient_limit(request.patient.id, request.preferences.max_sessions_per_day)
    specs = build_specs(board, plan)
    by_id = {spec.session.id: spec for spec in specs}
    current = {placement.session_id: placement for placement in placements}
    if session_id not in by_id:
        raise ValueError(f"plan {plan.id} has no session {session_id!r}")
    affected = _followers(plan, session_id) | {session_id}
    for spec in specs:
        if spec.session.id not in affected and spec.session.id in current:
            board.place(placed_session(spec, _candidate_of(current[spec.session.id])), spec.patient_id)
    start = to_minute(new_start)
    moved_spec = replace(by_id[session_id], fixed_start=start)  # still within its plan window
    old = current.get(session_id)
    if old is not None and fits_as_is(board, moved_spec, start, old.room_id, old.staff_ids):
        chosen = Candidate((0,), 0, start, old.room_id, old.staff_ids)  # same therapist and room if they are free
    else:
        chosen = next(ranked_candidates(board, moved_spec), None)
    if chosen is None:
        refused = explain_unplaced(board, moved_spec, search_days=options.earliest_search_days,
                                   alternatives=options.alternatives)
        return MoveResult(tuple(placements), (), (), refused)
    board.place(placed_session(moved_spec, chosen), moved_spec.patient_id)
    result = {spec.session.id: current[spec.session.id] for spec in specs
              if spec.session.id not in affected and spec.session.id in current}
    result[session_id] = _placement(moved_spec, start, chosen.room_id, chosen.staff_ids)
    moved = [session_id]
    unplaced = []
    for spec in specs:
        name = spec.session.id
        if name not in affected or name == session_id:
            continue
        before = current.get(name)
        if before is not None and fits_as_is(board, spec, to_minute(before.start), before.room_id, before.staff_ids):
            board.place(placed_session(spec, _candidate_of(before)), spec.patient_id)
            result[name] = before
            continue
        candidate = next(ranked_candidates(board, spec), None)
        if candidate is None:
            unplaced.append(explain_unplaced(board, spec, search_days=options.earliest_search_days,
                                             alternatives=options.alternatives))
            continue
        board.place(placed_session(spec, candidate), spec.patient_id)
        result[name] = _placement(spec, candidate.start, candidate.room_id, candidate.staff_ids)
        moved.append(name)
    ordered = tuple(result[session.id] for session in plan.sessions if session.id in result)
    return MoveResult(ordered, tuple(moved), tuple(unplaced))


def placed_session_from(placement: Placement) -> PlacedSession:
    return PlacedSession(request_id=placement.request_id, session_id=placement.session_id,
                         therapy_id=placement.therapy_id, start=to_minute(placement.start),
                         end=to_minute(placement.end), room_id=placement.room_id, staff_ids=placement.staff_ids,
                         follow_up=placement.follow_up)


def booking_spec(board: Board, booking: Booking) -> SessionSpec | None:
    """The rules for an existing booking, as if it were a one-session request at its own time and length."""
    therapy = board.clinic.therapy_by_id.get(booking.therapy_id or "")
    if therapy is None:
        return None
    start, end = to_minute(booking.start), to_minute(booking.end)
    patient = Patient(id=booking.patient_id or f"booking:{booking.id}", gender=booking.patient_gender or Gender.OTHER)
    request = PlanRequest(
        id=f"booking:{booking.id}", patient=patient, start_date=booking.start.date(),
        sessions=(SessionRequest(id="session", therapy_id=therapy.id, day_offset=0),),
        preferences=Preferences(gender_match_required=booking.gender_match_required and booking.patient_gender
                                is not None), max_days_late=0)
    spec = build_specs(board, request)[0]
    return replace(spec, duration=end - start, fixed_start=None)


def _with_bookings(clinic: Clinic, changed: dict[str, Booking]) -> Clinic:
    return replace(clinic, bookings=tuple(changed.get(booking.id, booking) for booking in clinic.bookings))


def reassign_for_sick_leave(clinic: Clinic, staff_id: str, start: datetime, end: datetime, *,
                            options: SolverOptions = SolverOptions()) -> SickLeaveResult:
    """Record leave [start, end) and give each affected booking another qualified, free person at the same time.

    A booking keeps its time and room; when nobody qualified is free, or the rest of its staff cannot work it
    either, it is listed as needing a call to the patient.
    """
    member = clinic.staff_by_id[staff_id]
    clinic = replace(clinic, staff=tuple(replace(m, leave=m.leave + (Period(start, end),)) if m.id == staff_id else m
                                         for m in clinic.staff))
    board = Board(clinic, options.slot_minutes)
    affected = []
    for booking in sorted(clinic.bookings, key=lambda item: (item.start, item.id)):
        if staff_id not in booking.staff_ids:
            continue
        entry = occupied_from_booking(clinic, booking)
        if entry.work_start < to_minute(end) and to_minute(start) < entry.work_end:
            affected.append(booking)
            # the rest of its staff stay on it, so they are not free to cover another affected booking
            board.remove_booking(booking.id)
            board.occupancy.add(occupied_from_booking(clinic, _without(booking, staff_id)))
    changed: dict[str, Booking] = {}
    reassigned, needs_call = [], []
    group_cover: dict[str, str] = {}  # a group's patients share their staff: one cover for the whole group
    for booking in affected:
        keep = _without(booking, staff_id)
        board.remove_booking(booking.id)
        spec = booking_spec(board, booking)
        booking_start = to_minute(booking.start)
        problem = _booking_problem(board, spec, keep)
        shared = occupied_from_booking(clinic, booking).shared_key
        replacement = None if problem else _cover(board, spec, keep, group_cover.get(shared))
        if replacement is not None:
            updated = replace(booking, staff_ids=tuple(sorted(keep.staff_ids + (replacement,))))
            reassigned.append(Reassignment(booking.id, booking.start, booking.staff_ids, updated.staff_ids))
            group_cover.setdefault(shared, replacement)
        else:
            updated = keep  # the sick person is off it either way
            needs_call.append(NeedsCall(booking.id, booking.start, booking.patient_id,
                                        f"{member.name} is on leave and {problem}" if problem else
                                        _no_cover_reason(board, spec, member.name, booking_start,
                                                         booking.staff_ids)))
        changed[booking.id] = updated
        board.occupancy.add(occupied_from_booking(clinic, updated))
    return SickLeaveResult(_with_bookings(clinic, changed), tuple(reassigned), tuple(needs_call))


def _without(booking: Booking, staff_id: str) -> Booking:
    return replace(booking, staff_ids=tuple(other for other in booking.staff_ids if other != staff_id))


def _booking_problem(board: Board, spec: SessionSpec | None, booking: Booking) -> str | None:
    """Why a booking cannot stand as it is (its staff, room, patient or equipment), in words; None when it can.

    The diary may have changed since it was made (a roster change, a clash entered by hand), and a booking the
    engine rewrites must keep every hard rule, not only the one that made it change.
    """
    if spec is None:
        return None
    entry = occupied_from_booking(board.clinic, booking)
    for staff_id in booking.staff_ids:
        if staff_id not in board.clinic.staff_by_id:
            return f"{staff_id} is not on the staff list"
        reason = _staff_problem(board, spec, staff_id, entry)
        if reason is not None:
            return describe(board, spec, reason)
    clash = _clash(board, entry)
    return describe(board, spec, clash) if clash else None


def _staff_problem(board: Board, spec: SessionSpec, staff_id: str, entry: Occupied) -> Reason | None:
    """Why this person cannot work the booking: the rules for the therapy, the roster, the daily limit, other work."""
    member = board.clinic.staff_by_id[staff_id]
    reason = staff_refusal(spec.therapy, member, spec.request.patient.gender, spec.preferences)
    if reason is not None:
        return reason
    if not board.calendar.covers(staff_id, entry.work_start, entry.work_end):
        return staff_reason_at(board, spec, staff_id, entry.start) or Reason(ReasonCode.STAFF_OFF_SHIFT, staff_id)
    busy = board.occupancy.staff.overlapping(staff_id, entry.work_start, entry.work_end)
    for start, end, tag in busy:
        if tag != entry.shared_key:
            return Reason(ReasonCode.STAFF_BUSY, staff_id, start=start, end=end, other=tag)
    # someone already working this group session is counted for it: staying in it or joining it adds nothing
    counted = board.occupancy.staff_day_count[(staff_id, entry.day)] + (not busy)
    if member.max_sessions_per_day is not None and counted > member.max_sessions_per_day:
        return Reason(ReasonCode.STAFF_DAILY_LIMIT, staff_id, count=member.max_sessions_per_day)
    return None


def _clash(board: Board, entry: Occupied) -> Reason | None:
    """The first thing on the board the entry's staff, room, patient or equipment collide with (its group aside)."""
    occupancy = board.occupancy
    own = entry.shared_key
    for staff_id in entry.staff_ids:
        for start, end, tag in occupancy.staff.overlapping(staff_id, entry.work_start, entry.work_end):
            if tag != own:
                return Reason(ReasonCode.STAFF_BUSY, staff_id, start=start, end=end, other=tag)
    if entry.room_id is not None:
        for start, end, tag in occupancy.rooms.overlapping(entry.room_id, entry.work_start, entry.room_end):
            if tag != own:
                return Reason(ReasonCode.ROOM_BUSY, entry.room_id, start=start, end=end, other=tag)
    if entry.patient_id is not None:
        for start, end, tag in occupancy.patients.overlapping(entry.patient_id, entry.start, entry.end):
            return Reason(ReasonCode.PATIENT_BUSY, entry.patient_id, start=start, end=end, other=tag)
    for kind, need in sorted(Counter(entry.equipment).items()):
        for start, end in equipment_blocked(board, kind, need, entry.day):
            if start < entry.work_end and entry.work_start < end:
                return Reason(ReasonCode.EQUIPMENT_BUSY, kind, start=start, end=end,
                              count=board.clinic.equipment_quantity.get(kind, 0))
    return None


def _cover(board: Board, spec: SessionSpec | None, booking: Booking, group_choice: str | None) -> str | None:
    """Who takes over: the person already covering its group, else the least busy qualified person who is free."""
    if spec is None:
        return None
    entry = occupied_from_booking(board.clinic, booking)
    day = entry.day
    order = sorted(spec.eligible_staff, key=lambda other: (other != group_choice,
                                                           board.occupancy.staff_day_count[(other, day)], other))
    return next((other for other in order
                 if other not in booking.staff_ids and _staff_problem(board, spec, other, entry) is None), None)


def _no_cover_reason(board: Board, spec: SessionSpec | None, name: str, start: int, exclude) -> str:
    if spec is None:
        return f"{name} is on leave and the booking has no therapy recorded, so nobody can be checked to cover it"
    others = [staff_reason_at(board, spec, other, start) for other in spec.eligible_staff if other not in exclude]
    details = [describe(board, spec, reason) for reason in others if reason is not None]
    who = staff_description(board, spec)
    if not details:
        return f"{name} is on leave and no other {who} works at the centre"
    return f"{name} is on leave and no other {who} is free ({'; '.join(details[:4])})"


def push_after_overrun(clinic: Clinic, booking_id: str, new_end: datetime, *,
                       options: SolverOptions = SolverOptions()) -> OverrunResult:
    """Extend a running booking to `new_end` and push the later bookings it now collides with, in order.

    The bookings that follow on the same day and share staff, a room or the patient with it (directly or through
    each other) are put back one by one in their original order: each keeps its time if it still fits, otherwise
    moves to the earliest later start that fits the same staff and room; when none does, it needs a call and stays
    where it is until then, so nothing else may be pushed into its place.
    """
    running = next(booking for booking in clinic.bookings if booking.id == booking_id)
    extended = replace(running, end=new_end)
    chain = _following_chain(clinic, extended)
    stuck: dict[str, str] = {}
    while True:
        # A booking found stuck keeps its time, which may be where an earlier booking was just pushed: start again
        # with it fixed. Each round fixes one more booking, so this ends within len(chain) + 1 rounds.
        changed, pushed, newly_stuck = _push_chain(clinic, extended, chain, stuck, options)
        if newly_stuck is None:
            break
        stuck[newly_stuck[0]] = newly_stuck[1]
    needs_call = tuple(NeedsCall(booking.id, booking.start, booking.patient_id, stuck[booking.id])
                       for booking in chain if booking.id in stuck)
    return OverrunResult(_with_bookings(clinic, changed), tuple(pushed), needs_call)


def _push_chain(clinic: Clinic, extended: Booking, chain: list[Booking], stuck: dict[str, str],
                options: SolverOptions):
    """One pass over the chain with the `stuck` bookings left in place; stops at the first other booking stuck."""
    board = Board(clinic, options.slot_minutes)
    board.remove_booking(extended.id)
    board.occupancy.add(occupied_from_booking(clinic, extended))
    movable = [booking for booking in chain if booking.id not in stuck]
    for booking in movable:
        board.remove_booking(booking.id)
    changed = {extended.id: extended}
    pushed = []
    for booking in movable:
        spec = booking_spec(board, booking)
        start = to_minute(booking.start)
        if _fits_same_resources(board, spec, booking, start):
            new_start = start
        elif spec is None:
            return changed, pushed, (booking.id, "it has no therapy recorded, so a later time cannot be checked")
        elif any(staff_id not in spec.eligible_staff for staff_id in booking.staff_ids):
            return changed, pushed, (booking.id, "it cannot be moved as it is: not everyone on it is a "
                                                 f"{staff_description(board, spec)}")
        else:
            new_start = _earliest_same_resources(board, spec, booking)
            if new_start is None:
                return changed, pushed, (booking.id, "it cannot move later the same day with the same staff and room")
        if new_start != start:
            moved = replace(booking, start=to_datetime(new_start),
                            end=to_datetime(new_start + to_minute(booking.end) - start))
            changed[booking.id] = moved
            pushed.append(Push(booking.id, booking.start, moved.start))
            booking = moved
        board.occupancy.add(occupied_from_booking(clinic, booking))
    return changed, pushed, None


def _following_chain(clinic: Clinic, source: Booking) -> list[Booking]:
    """Later bookings that day linked to `source` by staff, room or patient, directly or through each other."""
    day = source.start.date()
    later = sorted((booking for booking in clinic.bookings if booking.id != source.id
                    and booking.start.date() == day and booking.start >= source.start),
                   key=lambda booking: (booking.start, booking.id))
    linked = [source]
    chain = []
    for booking in later:
        if any(_shares_resources(booking, other) for other in linked):
            linked.append(booking)
            chain.append(booking)
    return chain


def _shares_resources(first: Booking, second: Booking) -> bool:
    return bool(set(first.staff_ids) & set(second.staff_ids)) \
        or (first.room_id is not None and first.room_id == second.room_id) \
        or (first.patient_id is not None and first.patient_id == second.patient_id)


def _same_resources_mask(board: Board, spec: SessionSpec, booking: Booking, day: int) -> int:
    mask = base_mask(board, spec, day)
    if booking.room_id is not None:
        mask &= room_mask(board, spec, booking.room_id, day)
    for staff_id in booking.staff_ids:
        mask &= staff_mask(board, spec, staff_id, day)
    return mask


def _fits_same_resources(board: Board, spec: SessionSpec | None, booking: Booking, start: int) -> bool:
    """Still possible at its own time? (Without a therapy or off the grid: checked directly against what is busy.)"""
    if spec is not None and start % board.grid.slot_minutes == 0:
        return bool(_same_resources_mask(board, spec, booking, start // MINUTES_PER_DAY)
                    >> board.grid.slot_of(start) & 1)
    return _clash(board, occupied_from_booking(board.clinic, booking)) is None


def _earliest_same_resources(board: Board, spec: SessionSpec, booking: Booking) -> int | None:
    start = to_minute(booking.start)
    day = start // MINUTES_PER_DAY
    for slot in iter_bits(_same_resources_mask(board, spec, booking, day)):
        candidate = board.grid.start_minute(day, slot)
        if candidate >= start:
            return candidate
    return None
