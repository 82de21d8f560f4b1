"""Feasible starts for one session, each with its best-scoring staff and room, ranked best first."""

import heapq
from dataclasses import dataclass

from clinicdesk.domain.scheduling import scoring
from clinicdesk.domain.scheduling.occupancy import Board
from clinicdesk.domain.scheduling.rules import (
    SessionSpec,
    base_mask,
    day_refusal,
    enough_staff_mask,
    joinable_groups,
    room_mask,
    staff_mask,
)
from clinicdesk.domain.scheduling.timegrid import iter_bits


@dataclass(frozen=True, order=True)
class Candidate:
    """A start with its resources; ordering puts the best score first, then the earliest start."""

    rank: tuple
    score: int
    start: int
    room_id: str
    staff_ids: tuple[str, ...]
    joins_group: bool = False


def _candidate(score: int, start: int, room_id: str, staff_ids: tuple[str, ...], joins_group: bool) -> Candidate:
    return Candidate((-score, start, room_id, staff_ids), score, start, room_id, staff_ids, joins_group)


class StaffCosts:
    """Soft cost of giving the session to a set of staff on a day (load, therapist change, preferred staff)."""

    def __init__(self, board: Board, spec: SessionSpec):
        preferences = spec.preferences
        self.board = board
        self.spec = spec
        self.preferred = frozenset(preferences.preferred_staff)
        self.used = frozenset(board.staff_used(spec.request.id, spec.therapy.id)) \
            if preferences.same_therapist else None

    def sort_cost(self, staff_id: str, day: int) -> int:
        """Per-person cost used to pick staff greedily; exact for one person, close for several."""
        cost = scoring.STAFF_LOAD * self.board.occupancy.staff_day_count[(staff_id, day)]
        if self.used is not None and staff_id not in self.used:
            cost += scoring.THERAPIST_CHANGE
        if self.preferred and staff_id not in self.preferred:
            cost += scoring.NOT_PREFERRED_STAFF
        return cost

    def exact(self, staff_ids: tuple[str, ...], day: int, with_load: bool) -> int:
        cost = scoring.not_preferred_penalty(self.spec.preferences, staff_ids)
        if with_load:
            cost += scoring.STAFF_LOAD * sum(self.board.occupancy.staff_day_count[(staff_id, day)]
                                             for staff_id in staff_ids)
        if self.used is not None:
            count = self.spec.staff_count
            cost += (scoring.therapist_change_penalty(len(self.used | set(staff_ids)), count)
                     - scoring.therapist_change_penalty(len(self.used), count))
        return cost


def day_candidates(board: Board, spec: SessionSpec, day: int, *, relaxed: bool = False) -> list[Candidate]:
    """One candidate per feasible start on the day (cheapest staff and room at that start) plus group joins."""
    if day_refusal(board, spec, day, relaxed=relaxed) is not None:
        return []
    base = base_mask(board, spec, day)
    if not base:
        return []
    grid = board.grid
    costs = StaffCosts(board, spec)
    fixed_points = scoring.PLACED_POINTS - scoring.day_penalty(day, spec.target_day)
    candidates = []
    for group in joinable_groups(board, spec, day):
        if base >> grid.slot_of(group.start) & 1:
            score = (fixed_points - scoring.time_of_day_penalty(spec.preferences, group.start)
                     - costs.exact(group.staff_ids, day, with_load=False))
            candidates.append(_candidate(score, group.start, group.room_id, group.staff_ids, True))
    staff = []
    for staff_id in spec.eligible_staff:
        mask = staff_mask(board, spec, staff_id, day) & base
        if mask:
            staff.append((costs.sort_cost(staff_id, day), staff_id, mask))
    needed = spec.staff_count
    if len(staff) < needed:
        return sorted(candidates)
    staff.sort()
    rooms = []
    room_counts = board.occupancy.room_day_count
    for room_id in spec.eligible_rooms:
        mask = room_mask(board, spec, room_id, day) & base
        if mask:
            rooms.append((scoring.ROOM_LOAD * room_counts[(room_id, day)], room_id, mask))
    rooms.sort()
    any_room = 0
    for _, _, mask in rooms:
        any_room |= mask
    feasible = base & any_room & enough_staff_mask([mask for _, _, mask in staff], needed, grid.full_mask)
    staff_cost: dict[tuple[str, ...], int] = {}  # the same few teams come up at most starts
    for slot in iter_bits(feasible):
        bit = 1 << slot
        room_cost, room_id = next((cost, room_id) for cost, room_id, mask in rooms if mask & bit)
        chosen = []
        for _, staff_id, mask in (staff if needed else ()):
            if mask & bit:
                chosen.append(staff_id)
                if len(chosen) == needed:
                    break
        staff_ids = tuple(sorted(chosen))
        cost = staff_cost.get(staff_ids)
        if cost is None:
            cost = staff_cost[staff_ids] = costs.exact(staff_ids, day, with_load=True)
        start = grid.start_minute(day, slot)
        score = fixed_points - scoring.time_of_day_penalty(spec.preferences, start) - room_cost - cost
        candidates.append(_candidate(score, start, room_id, staff_ids, False))
    return sorted(candidates)


def day_feasible(board: Board, spec: SessionSpec, day: int) -> bool:
    """True when some start on the day is possible: the masks of day_candidates without building candidates."""
    if day_refusal(board, spec, day) is not None:
        return False
    base = base_mask(board, spec, day)
    if not base:
        return False
    if any(base >> board.grid.slot_of(group.start) & 1 for group in joinable_groups(board, spec, day)):
        return True
    any_room = 0
    for room_id in spec.eligible_rooms:
        any_room |= room_mask(board, spec, room_id, day)
    base &= any_room
    if not base:
        return False
    staff_masks = [mask for mask in (staff_mask(board, spec, staff_id, day) & base for staff_id in spec.eligible_staff)
                   if mask]
    return len(staff_masks) >= spec.staff_count and bool(
        base & enough_staff_mask(staff_masks, spec.staff_count, board.grid.full_mask))


def search_days(spec: SessionSpec) -> list[int]:
    """Days of the session's window, nearest to the target day first."""
    return sorted(range(spec.first_day, spec.last_day + 1), key=lambda day: (abs(day - spec.target_day), day))


def ranked_candidates(board: Board, spec: SessionSpec):
    """Yield candidates best first, working out a further day only when it could still beat the best left.

    Valid only while the board is as it was when iteration started (the search undoes later sessions first).
    """
    days = search_days(spec)
    heap: list[Candidate] = []
    next_day = 0
    while True:
        while next_day < len(days) and (not heap or -heap[0].rank[0] <= _day_bound(spec, days[next_day])):
            for candidate in day_candidates(board, spec, days[next_day]):
                heapq.heappush(heap, candidate)
            next_day += 1
        if not heap:
            return
        yield heapq.heappop(heap)


def _day_bound(spec: SessionSpec, day: int) -> int:
    return scoring.PLACED_POINTS - scoring.day_penalty(day, spec.target_day)


def earliest_candidate(board: Board, spec: SessionSpec, first_day: int, days: int) -> Candidate | None:
    """The earliest start from `first_day` on, ignoring the plan window and maximum gaps (other rules hold)."""
    for day in range(first_day, first_day + days):
        found = day_candidates(board, spec, day, relaxed=True)
        if found:
            return min(found, key=lambda candidate: (candidate.start, candidate.rank))
    return None
