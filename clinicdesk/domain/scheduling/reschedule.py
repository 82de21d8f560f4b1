"""Changes to a booked diary: move one plan session, cover a therapist's sick leave, absorb an over-running session."""

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
from clinicdesk.domain.scheduling.occupancy import Board, PlacedSession, occupied_from_booking
from clinicdesk.domain.scheduling.rules import (
    SessionSpec,
    base_mask,
    build_specs,
    fits_as_is,
    room_mask,
    staff_mask,
    staff_reason_at,
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
                 other_placements=(), options: SolverOptions = SolverOptions()) -> MoveResult:
    """Move one session of a booked plan; keep what is not after it, re-place followers only if they must move.

    `placements` are the plan's current placements; `other_placements` are other plans' sessions (kept fixed).
    """
    board = Board(clinic, options.slot_minutes)
    for other in other_placements:
        board.place(placed_session_from(other), other.patient_id)
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

    A booking keeps its time and room; when nobody qualified is free it is listed as needing a call to the patient.
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
            board.remove_booking(booking.id)
    changed: dict[str, Booking] = {}
    reassigned, needs_call = [], []
    for booking in affected:
        spec = booking_spec(board, booking)
        booking_start = to_minute(booking.start)
        keep = tuple(other for other in booking.staff_ids if other != staff_id)
        replacement = None
        if spec is not None:
            day = booking_start // MINUTES_PER_DAY
            bit = 1 << board.grid.slot_of(booking_start) if booking_start % board.grid.slot_minutes == 0 else 0
            candidates = sorted(
                (board.occupancy.staff_day_count[(other, day)], other) for other in spec.eligible_staff
                if other not in booking.staff_ids and bit and staff_mask(board, spec, other, day) & bit)
            replacement = candidates[0][1] if candidates else None
        if replacement is not None:
            updated = replace(booking, staff_ids=tuple(sorted(keep + (replacement,))))
            reassigned.append(Reassignment(booking.id, booking.start, booking.staff_ids, updated.staff_ids))
        else:
            updated = replace(booking, staff_ids=keep)  # the sick person is off it either way
            needs_call.append(NeedsCall(booking.id, booking.start, booking.patient_id,
                                        _no_cover_reason(board, spec, member.name, booking_start,
                                                         booking.staff_ids)))
        changed[booking.id] = updated
        board.occupancy.add(occupied_from_booking(clinic, updated))
    return SickLeaveResult(_with_bookings(clinic, changed), tuple(reassigned), tuple(needs_call))


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
    moves to the earliest later start that fits the same staff and room; when none does, it needs a call.
    """
    running = next(booking for booking in clinic.bookings if booking.id == booking_id)
    extended = replace(running, end=new_end)
    board = Board(clinic, options.slot_minutes)
    board.remove_booking(booking_id)
    board.occupancy.add(occupied_from_booking(clinic, extended))
    chain = _following_chain(clinic, extended)
    for booking in chain:
        board.remove_booking(booking.id)
    changed = {booking_id: extended}
    pushed, needs_call = [], []
    for booking in chain:
        spec = booking_spec(board, booking)
        start = to_minute(booking.start)
        new_start = None
        if spec is not None and _fits_same_resources(board, spec, booking, start):
            new_start = start
        elif spec is not None:
            new_start = _earliest_same_resources(board, spec, booking)
        if new_start is None:
            needs_call.append(NeedsCall(booking.id, booking.start, booking.patient_id,
                                        "it cannot move later the same day with the same staff and room"))
            board.occupancy.add(occupied_from_booking(clinic, booking))
            continue
        if new_start != start:
            moved = replace(booking, start=to_datetime(new_start),
                            end=to_datetime(new_start + to_minute(booking.end) - start))
            changed[booking.id] = moved
            pushed.append(Push(booking.id, booking.start, moved.start))
            booking = moved
        board.occupancy.add(occupied_from_booking(clinic, booking))
    return OverrunResult(_with_bookings(clinic, changed), tuple(pushed), tuple(needs_call))


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


def _fits_same_resources(board: Board, spec: SessionSpec, booking: Booking, start: int) -> bool:
    """Still possible at its own time? (Times off the booking grid are checked directly against what is busy.)"""
    if start % board.grid.slot_minutes == 0:
        return bool(_same_resources_mask(board, spec, booking, start // MINUTES_PER_DAY)
                    >> board.grid.slot_of(start) & 1)
    entry = occupied_from_booking(board.clinic, booking)
    occupancy = board.occupancy
    return not any(occupancy.staff.overlapping(staff_id, entry.work_start, entry.work_end)
                   for staff_id in entry.staff_ids) \
        and not (entry.room_id and occupancy.rooms.overlapping(entry.room_id, entry.work_start, entry.room_end)) \
        and not (entry.patient_id and occupancy.patients.overlapping(entry.patient_id, entry.start, entry.end))


def _earliest_same_resources(board: Board, spec: SessionSpec, booking: Booking) -> int | None:
    start = to_minute(booking.start)
    day = start // MINUTES_PER_DAY
    for slot in iter_bits(_same_resources_mask(board, spec, booking, day)):
        candidate = board.grid.start_minute(day, slot)
        if candidate >= start:
            return candidate
    return None
