"""Batch shake-up: book a few crowded plans again in another order, repair, and keep the diary if it is no worse.

Re-booking pairs, repair and rescue each stop where no single step of theirs gains; the diary is then one of many
where every such step fails. Taking a plan that misses sessions and some of the plans crowding it off the diary,
booking them again in a shuffled order and repairing what they miss moves to a neighbouring diary; it is kept when it
places at least as many sessions (scoring about as well), so the search can walk across equally good diaries to a
better one. The best diary seen is the one left at the end. The shuffling uses a fixed seed: the same requests give
the same diary every time.
"""

import random

from clinicdesk.domain.scheduling.candidates import day_feasible
from clinicdesk.domain.scheduling.improve import _put_back, _take_off, crowding_plans
from clinicdesk.domain.scheduling.repair import repair_unplaced
from clinicdesk.domain.scheduling.rescue import rescue_plans
from clinicdesk.domain.scheduling.rules import without_links

SEED = 1
NEIGHBOURS = 8  # crowding plans the shaken ones are drawn from
SIDEWAYS_SLACK = 50  # score (half of one session's points) a diary with as many sessions may lose and still be kept
REPAIR_ATTEMPTS = 3000  # repair and rescue trials per round, for the shaken plans only
PATIENCE = 100  # rounds without a better diary before shaking stops


def shake_plans(scheduler, rounds: int, group_size: int) -> int:
    """Shake `rounds` times (a plan missing sessions and `group_size` of its neighbours); returns sessions gained."""
    contested = _contested(scheduler)
    if not contested:
        return 0
    rng = random.Random(SEED)
    start = best_placed = _placed(scheduler)
    best_score = _estimate(scheduler)
    best = _snapshot(scheduler)
    since_best = 0
    for _ in range(rounds):
        missing = [request_id for request_id in contested if scheduler.booked[request_id].unplaced]
        if not missing or since_best >= PATIENCE:
            break
        since_best += 1
        unlucky = scheduler.booked[missing[rng.randrange(len(missing))]]
        near = crowding_plans(scheduler, unlucky)[:NEIGHBOURS]
        group = [unlucky] + [scheduler.booked[other] for other in rng.sample(near, min(group_size, len(near)))]
        placed, score = _placed(scheduler), _estimate(scheduler)
        before = _snapshot(scheduler)
        for booked in group:
            _take_off(scheduler.board, booked)
        rng.shuffle(group)
        for booked in group:
            booked.chosen, booked.unplaced = scheduler.search(booked.specs)
        ids = {booked.request.id for booked in group}
        repair_unplaced(scheduler, REPAIR_ATTEMPTS, only=ids)
        rescue_plans(scheduler, REPAIR_ATTEMPTS, only=ids)
        now_placed, now_score = _placed(scheduler), _estimate(scheduler)
        if now_placed < placed or (now_placed == placed and now_score < score - SIDEWAYS_SLACK):
            _restore(scheduler, before)
        elif (now_placed, now_score) > (best_placed, best_score):
            best, best_placed, best_score = _snapshot(scheduler), now_placed, now_score
            since_best = 0
    _restore(scheduler, best)
    return best_placed - start


def _contested(scheduler) -> list[str]:
    """Plans with an unplaced session that would have a start if no other plan were booked: only other plans stand
    in its way, so shaking them may help (sessions the rules alone rule out are left alone). In booking order."""
    plans = list(scheduler.booked.values())
    for booked in plans:
        _take_off(scheduler.board, booked)
    contested = []
    for request in scheduler.requests:
        booked = scheduler.booked[request.id]
        for index in booked.unplaced:
            spec = booked.specs[index]
            alone = without_links(spec)
            if any(day_feasible(scheduler.board, alone, day) for day in range(spec.first_day, spec.last_day + 1)):
                contested.append(request.id)
                break
    for booked in plans:
        _put_back(scheduler.board, booked)
    return contested


def _placed(scheduler) -> int:
    return sum(booked.placed_count for booked in scheduler.booked.values())


def _estimate(scheduler) -> int:
    """The soft score as the candidates saw it when placed (loads shift later; close enough to compare diaries)."""
    return sum(candidate.score for booked in scheduler.booked.values() for candidate in booked.chosen
               if candidate is not None)


def _snapshot(scheduler) -> dict[str, tuple[list, set[int]]]:
    return {request_id: (list(booked.chosen), set(booked.unplaced)) for request_id, booked in scheduler.booked.items()}


def _restore(scheduler, snapshot: dict[str, tuple[list, set[int]]]) -> None:
    changed = [booked for request_id, booked in scheduler.booked.items() if booked.chosen != snapshot[request_id][0]]
    for booked in changed:  # all off first: a plan put back must not meet another's sessions still at new times
        _take_off(scheduler.board, booked)
    for booked in changed:
        chosen, unplaced = snapshot[booked.request.id]
        booked.chosen, booked.unplaced = list(chosen), set(unplaced)
        _put_back(scheduler.board, booked)
