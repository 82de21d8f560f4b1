"""Batch improvement: re-book a plan that misses sessions together with a plan that crowds it out."""

from clinicdesk.domain.scheduling.solver import placed_session
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY


def improve_plans(scheduler, rounds: int, neighbours: int) -> int:
    """Pairwise re-booking until a round gains nothing; returns the number of sessions gained.

    A pair that gained nothing is not tried again until one of its two plans has changed: the rest of the diary
    matters too, but retrying every pair each round costs far more than the rare gain it finds.
    """
    gained = 0
    versions: dict[str, int] = {}
    failed: set[tuple] = set()
    for _ in range(rounds):
        gained_this_round = 0
        for request in list(scheduler.requests):
            booked = scheduler.booked[request.id]
            if not booked.unplaced:
                continue
            for other_id in crowding_plans(scheduler, booked)[:neighbours]:
                attempt = (request.id, versions.get(request.id, 0), other_id, versions.get(other_id, 0))
                if attempt in failed:
                    continue
                won = _rebook_group(scheduler, [booked, scheduler.booked[other_id]])
                if not won:
                    failed.add(attempt)
                    continue
                gained_this_round += won
                for changed in (request.id, other_id):
                    versions[changed] = versions.get(changed, 0) + 1
                break
        gained += gained_this_round
        if not gained_this_round:
            break
    return gained


def crowding_plans(scheduler, booked) -> list[str]:
    """Other plans using, on the days the missing sessions could take, the staff or rooms those sessions need.

    Most shared bookings first; ties go to the plan booked earlier (deterministic).
    """
    days, staff, rooms = set(), set(), set()
    for index in booked.unplaced:
        spec = booked.specs[index]
        days.update(range(spec.first_day, spec.last_day + 1))
        staff.update(spec.eligible_staff)
        rooms.update(spec.eligible_rooms)
    order = {request.id: position for position, request in enumerate(scheduler.requests)}
    counts = {}
    for request in scheduler.requests:
        if request.id == booked.request.id:
            continue
        other = scheduler.booked[request.id]
        shared = sum(1 for candidate in other.chosen if candidate is not None
                     and candidate.start // MINUTES_PER_DAY in days
                     and (candidate.room_id in rooms or staff.intersection(candidate.staff_ids)))
        if shared:
            counts[request.id] = shared
    return sorted(counts, key=lambda request_id: (-counts[request_id], order[request_id]))


def _rebook_group(scheduler, group: list) -> int:
    """Book the group's plans afresh, the first (the unlucky one) first; keep it only if more sessions are placed.

    Returns the number of sessions gained, or 0 with the diary exactly as it was.
    """
    before = sum(booked.placed_count for booked in group)
    for booked in group:
        _take_off(scheduler.board, booked)
    tried = [(booked, *scheduler.search(booked.specs)) for booked in group]
    gain = sum(_count(chosen) for _, chosen, _ in tried) - before
    if gain > 0:
        for booked, chosen, unplaced in tried:
            booked.chosen, booked.unplaced = chosen, unplaced
        return gain
    for booked, chosen, _ in reversed(tried):
        for spec, candidate in zip(booked.specs, chosen, strict=True):
            if candidate is not None:
                scheduler.board.unplace(spec.key)
    for booked in group:
        _put_back(scheduler.board, booked)
    return 0


def _count(chosen: list) -> int:
    return sum(1 for candidate in chosen if candidate is not None)


def _take_off(board, booked) -> None:
    for spec, candidate in zip(booked.specs, booked.chosen, strict=True):
        if candidate is not None:
            board.unplace(spec.key)


def _put_back(board, booked) -> None:
    for spec, candidate in zip(booked.specs, booked.chosen, strict=True):
        if candidate is not None:
            board.place(placed_session(spec, candidate), spec.patient_id)
