"""Batch rescue: re-book a plan that misses several sessions, pushing aside whatever costs the fewest sessions.

Repair (repair.py) never loses more than it gains at any one step, so a short course whose every day is tight (a
7-day Purvakarma for a man who needs two male therapists at once) stays half booked when each of its sessions
alone would cost one other session. Here the whole plan is booked again first: each missing session takes the start
that sets aside the fewest sessions of other plans (its same-day partner must still fit), then everything set aside
goes back wherever it can. The plan's new booking is kept only if more sessions are placed in all.
"""

from dataclasses import dataclass

from clinicdesk.domain.scheduling.candidates import Candidate, day_candidates
from clinicdesk.domain.scheduling.repair import SESSION_ATTEMPTS, RepairBudget, _Item, _Repair
from clinicdesk.domain.scheduling.rules import SessionSpec, day_refusal, fits_as_is
from clinicdesk.domain.scheduling.solver import BookedPlan

RESCUE_MISSING = 2  # plans missing at least this many sessions are booked again as a whole
STARTS_PER_DAY = 40  # starts weighed on one day, best first, when working out what a session would push aside
FORCED_TRIES = 6  # starts actually tried, fewest sessions pushed aside first


@dataclass(frozen=True)
class _Option:
    pushed: int  # sessions set aside
    score: int
    candidate: Candidate
    units: tuple[tuple[_Item, ...], ...]  # in the way: same staff, room or patient at an overlapping time
    sharing: tuple[tuple[_Item, ...], ...]  # using the same kind of equipment meanwhile: set aside only if short

    @property
    def order(self) -> tuple:
        return (self.pushed, -self.score, self.candidate.start, self.candidate.room_id, self.candidate.staff_ids)


def rescue_plans(scheduler, attempts: int, only: set[str] | None = None) -> int:
    """Book again, one by one, the plans that miss several sessions (most missing first); returns sessions gained.
    `only`: just these plans."""
    rescuer = _Rescuer(_Repair(scheduler, RepairBudget(attempts)))
    plans = sorted((booked for booked in scheduler.booked.values() if len(booked.unplaced) >= RESCUE_MISSING
                    and (only is None or booked.request.id in only)),
                   key=lambda booked: -len(booked.unplaced))
    gained = 0
    for booked in plans:
        if rescuer.repair.budget.attempts <= 0:
            break
        gained += rescuer.rescue(booked)
    return gained


class _Rescuer:
    def __init__(self, repair: _Repair):
        self.repair = repair
        self.board = repair.board
        self.moves = repair.moves

    def rescue(self, booked: BookedPlan) -> int:
        """Book the plan again at the cost of other plans, put back what was set aside; keep it only if it gains."""
        mark = self.moves.mark()
        net = -booked.placed_count
        for index in range(len(booked.specs)):  # its own sessions may sit where the missing ones cannot follow
            self.moves.set(booked, index, None)
        losers: list[BookedPlan] = []
        for index in range(len(booked.specs)):
            if not self.repair._predecessors_placed(booked, index):
                continue
            self.repair.budget.session_attempts = SESSION_ATTEMPTS
            if self._insert_leaving_partners_time(booked, index):
                net += 1
                continue
            pushed = self._force(booked, index)
            if pushed is not None:
                net += 1 - len(pushed)
                losers += [item.booked for item in pushed if item.booked not in losers]
            elif self.repair._insert(booked, index):  # its partner is lost either way
                net += 1
        for loser in losers:
            net += self.repair._fill(loser)
        if net > 0:
            self.moves.commit()
            return net
        self.moves.undo_to(mark)
        return 0

    def _insert_leaving_partners_time(self, booked: BookedPlan, index: int) -> bool:
        """Place it without setting anything aside, only where the sessions waiting to follow it still have a time."""
        mark = self.moves.mark()
        if not self.repair._insert(booked, index):
            return False
        partners = [booked.specs[other] for other in self.repair._unplaced_successors(booked, index, same_day=True)]
        if all(self.repair._has_start(partner) for partner in partners):
            return True
        self.moves.undo_to(mark)
        return False

    def _force(self, booked: BookedPlan, index: int) -> list[_Item] | None:
        """Place the session where it sets aside the fewest sessions of other plans; returns those set aside."""
        spec = booked.specs[index]
        options: list[_Option] = []
        for day in range(spec.first_day, spec.last_day + 1):
            if day_refusal(self.board, spec, day) is None:
                options += self._options_on(booked, index, day)
        for option in sorted(options, key=lambda option: option.order)[:FORCED_TRIES]:
            if not self.repair.budget.spend():
                return None
            mark = self.moves.mark()
            pushed = []
            for units in (option.units, option.sharing):
                for item in (item for unit in units for item in unit):
                    self.moves.set(item.booked, item.index, None)
                    pushed.append(item)
                candidate = option.candidate
                if fits_as_is(self.board, spec, candidate.start, candidate.room_id, candidate.staff_ids):
                    self.moves.set(booked, index, candidate)
                    return pushed
            self.moves.undo_to(mark)
        return None

    def _options_on(self, booked: BookedPlan, index: int, day: int) -> list[_Option]:
        """Starts the session would have on the day with every movable group of other plans off it, each with the
        groups in its way. A start that leaves a same-day partner waiting to follow it no time is left out."""
        spec = booked.specs[index]
        units = self._movable_units(spec, day, booked)
        mark = self.moves.mark()
        for unit in units:
            for item in unit:
                self.moves.set(item.booked, item.index, None)
        partners = [booked.specs[other] for other in self.repair._unplaced_successors(booked, index, same_day=True)]
        options = []
        for candidate in day_candidates(self.board, spec, day)[:STARTS_PER_DAY]:
            if partners and not self._partners_fit(booked, index, candidate, partners):
                continue
            in_way = tuple(unit for unit in units if any(_clashes(spec, candidate, item) for item in unit))
            sharing = tuple(unit for unit in units if unit not in in_way
                            and any(_shares_equipment(spec, candidate, item) for item in unit))
            options.append(_Option(sum(len(unit) for unit in in_way), candidate.score, candidate, in_way, sharing))
        self.moves.undo_to(mark)
        return options

    def _partners_fit(self, booked: BookedPlan, index: int, candidate: Candidate, partners: list[SessionSpec]) -> bool:
        mark = self.moves.mark()
        self.moves.set(booked, index, candidate)
        fits = all(self.repair._has_start(partner) for partner in partners)
        self.moves.undo_to(mark)
        return fits

    def _movable_units(self, spec: SessionSpec, day: int, booked: BookedPlan) -> list[tuple[_Item, ...]]:
        """Groups of other plans on the day, holding what the session needs, that nothing placed depends on."""
        units, seen = [], set()
        for blocker in self.repair._blockers(spec, exclude={spec.key}):
            if blocker.day != day or blocker.key in seen:
                continue
            unit = self.repair._unit(blocker.key)
            seen.update(item.spec.key for item in unit)
            if unit[0].booked is not booked and not self.repair._has_placed_followers(unit):
                units.append(tuple(unit))
        return units


def _clashes(spec: SessionSpec, candidate: Candidate, item: _Item) -> bool:
    """Whether a placed session holds the candidate's staff, room or patient at an overlapping time (prep, clean-up
    and cleaning buffers included, generously: the real check follows)."""
    other, placed = item.spec, item.old
    (start, end), (other_start, other_end) = _work_span(spec, candidate.start), _work_span(other, placed.start)
    buffer = 60  # room cleaning buffers: at most an hour in any clinic we know
    if other.patient_id == spec.patient_id and placed.start < candidate.start + spec.duration \
            and candidate.start < placed.start + other.duration:
        return True
    if other_start < end and start < other_end and set(placed.staff_ids) & set(candidate.staff_ids):
        return True
    return placed.room_id == candidate.room_id and other_start < end + buffer and start < other_end + buffer


def _shares_equipment(spec: SessionSpec, candidate: Candidate, item: _Item) -> bool:
    other = item.spec
    (start, end), (other_start, other_end) = _work_span(spec, candidate.start), _work_span(other, item.old.start)
    return other_start < end and start < other_end and bool(
        {kind for kind, _ in other.equipment_needs} & {kind for kind, _ in spec.equipment_needs})


def _work_span(spec: SessionSpec, start: int) -> tuple[int, int]:
    """From preparation to the end of clean-up: while staff and equipment are held."""
    return start - spec.prep, start + spec.duration + spec.cleanup
