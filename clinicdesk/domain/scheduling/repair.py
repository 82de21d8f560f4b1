"""Batch repair: fit an unplaced session by moving what blocks it (ejection chains), or by giving one up for more.

A blocker is moved together with the sessions of its plan tied to it on the same day (Abhyanga and the Swedana
straight after it): moving one of them alone to another day would break the plan's order.
"""

from dataclasses import dataclass

from clinicdesk.domain.scheduling.candidates import Candidate, day_feasible, ranked_candidates
from clinicdesk.domain.scheduling.occupancy import PlacedSession
from clinicdesk.domain.scheduling.rules import ReasonCode, SessionSpec, base_mask, day_refusal
from clinicdesk.domain.scheduling.solver import BookedPlan, placed_session

FIRST_STARTS = 3  # starts tried for the first session put back after a blocker is taken off
SECOND_BLOCKERS = 10  # blockers of a session that found no start, tried at depth 2
LOOKAHEAD_SCAN = 40  # starts scanned for one that leaves the sessions waiting to follow it a possible time
EJECTION_DEPTH = 2  # units moved aside in a chain for one session: its blocker, then the blocker's blocker
TRADE_BLOCKERS = 12  # blocking groups tried for giving up, nearest first
SESSION_ATTEMPTS = 200  # trials for one unplaced session each time it is tried (gains on the benchmark took <= 90)


@dataclass
class RepairBudget:
    """Trials left: one trial takes one group of placed sessions off the diary and tries to put everything back."""

    attempts: int
    session_attempts: int = 0  # left for the session being repaired now

    def spend(self) -> bool:
        if self.attempts <= 0 or self.session_attempts <= 0:
            return False
        self.attempts -= 1
        self.session_attempts -= 1
        return True


@dataclass(frozen=True)
class _Item:
    """A session to be (re)placed: its plan, its index there, and where it was before (None: it was unplaced)."""

    booked: BookedPlan
    index: int
    old: Candidate | None

    @property
    def spec(self) -> SessionSpec:
        return self.booked.specs[self.index]


class _Moves:
    """Changes to the plans on the board, logged so that a chain that fails is undone exactly."""

    def __init__(self, board):
        self.board = board
        self.log: list[tuple[BookedPlan, int, Candidate | None]] = []

    def set(self, booked: BookedPlan, index: int, candidate: Candidate | None) -> None:
        self.log.append((booked, index, booked.chosen[index]))
        self._apply(booked, index, candidate)

    def _apply(self, booked: BookedPlan, index: int, candidate: Candidate | None) -> None:
        spec = booked.specs[index]
        if booked.chosen[index] is not None:
            self.board.unplace(spec.key)
        if candidate is not None:
            self.board.place(placed_session(spec, candidate), spec.patient_id)
        booked.chosen[index] = candidate

    def mark(self) -> int:
        return len(self.log)

    def undo_to(self, mark: int) -> None:
        while len(self.log) > mark:
            booked, index, previous = self.log.pop()
            self._apply(booked, index, previous)

    def commit(self) -> None:
        for booked, index, _ in self.log:
            if booked.chosen[index] is None:
                booked.unplaced.add(index)
            else:
                booked.unplaced.discard(index)
        self.log.clear()


def repair_unplaced(scheduler, attempts: int, only: set[str] | None = None) -> int:
    """Place unplaced sessions by moving what blocks them (depth 1, then 2); returns the sessions gained.

    A move places one more session and keeps every other session placed, each moved one at a start its own plan
    allows (order, gaps, days, the patient's limits); it is kept only if the candidates' own scores say the soft
    score rises (a start's score is worked out when it is placed, so this is an estimate). When no move places a
    session that others wait for, a blocking session nothing depends on may be given up for it if that places more
    sessions in all (or as many, with fewer left without their same-day partner): the count never drops.
    Deterministic: plans, sessions and blockers in a fixed order, bounded by a number of trials, not by the clock.
    """
    return _Repair(scheduler, RepairBudget(attempts)).run(only)


class _Repair:
    def __init__(self, scheduler, budget: RepairBudget):
        self.scheduler = scheduler
        self.board = scheduler.board
        self.budget = budget
        self.moves = _Moves(scheduler.board)
        self.owner: dict[str, tuple[BookedPlan, int]] = {}
        self.index_of: dict[str, dict[str, int]] = {}
        for booked in scheduler.booked.values():
            self.index_of[booked.request.id] = booked.index_of
            for index, spec in enumerate(booked.specs):
                self.owner[spec.key] = (booked, index)

    def run(self, only: set[str] | None = None) -> int:
        """Passes over the unplaced sessions until one gains nothing; a session is tried again only when something
        changed since it last failed."""
        gained = changes = 0
        failed_at: dict[str, int] = {}
        progress = True
        while progress and self.budget.attempts > 0:
            progress = False
            for request in self.scheduler.requests:
                if only is not None and request.id not in only:
                    continue
                booked = self.scheduler.booked[request.id]
                for index in sorted(booked.unplaced):
                    if self.budget.attempts <= 0:
                        return gained
                    key = booked.specs[index].key
                    if index not in booked.unplaced or failed_at.get(key) == changes \
                            or not self._predecessors_placed(booked, index):
                        continue
                    self.budget.session_attempts = SESSION_ATTEMPTS
                    won = 1 if self._insert(booked, index) else self._trade(booked, index)
                    if won is None:
                        failed_at[key] = changes
                        continue
                    self.moves.commit()
                    gained += won
                    changes += 1
                    progress = True
        return gained

    # ---- one unplaced session -----------------------------------------------------------------------------------

    def _insert(self, booked: BookedPlan, index: int) -> bool:
        spec = booked.specs[index]
        # a start that leaves the sessions waiting to follow it a start, if there is one: else they are lost with it
        waiting = [_Item(booked, other, None) for other in self._unplaced_successors(booked, index)]
        direct = (waiting and self._next_start(_Item(booked, index, None), waiting, [], strict=True)) \
            or next(ranked_candidates(self.board, spec), None)
        if direct is not None:
            self.moves.set(booked, index, direct)
            return True
        target = _Item(booked, index, None)
        tried: set[str] = set()
        for blocker in self._blockers(spec, exclude={spec.key}):
            if blocker.key in tried:
                continue
            if not self.budget.spend():
                return False
            unit = self._unit(blocker.key)
            tried.update(item.spec.key for item in unit)
            if self._eject(target, unit, depth=EJECTION_DEPTH):
                return True
        return False

    def _eject(self, target: _Item, unit: list[_Item], depth: int) -> bool:
        """Take the unit off and put the target and the unit back, the target first unless it must follow the unit."""
        mark = self.moves.mark()
        for item in unit:
            self.moves.set(item.booked, item.index, None)
        keys = {item.spec.key for item in unit}
        follows_unit = target.booked is unit[0].booked and any(
            f"{target.spec.request.id}/{link.session_id}" in keys for link in target.spec.session.after)
        order = sorted(unit + [target], key=lambda item: item.index) if follows_unit else [target] + unit
        # a chain, not a tree: go on only if taking the unit off gave the session a start (or the unit is what it
        # follows, to be put back at another start first)
        if (follows_unit or self._has_start(target.spec)) and \
                self._put_back(order, gain=0, avoid=keys | {target.spec.key}, depth=depth):
            return True
        self.moves.undo_to(mark)
        return False

    def _has_start(self, spec: SessionSpec) -> bool:
        """Some start exists on the board as it is now (bitmasks only: cheaper than building the candidates)."""
        return any(day_feasible(self.board, spec, day) for day in range(spec.first_day, spec.last_day + 1))

    def _put_back(self, items: list[_Item], gain: int, avoid: set[str], depth: int, starts: int = FIRST_STARTS
                  ) -> bool:
        """Place the items in turn at their best starts (the first at one of its best `starts`); when one finds
        none, move a unit blocking it too (depth permitting). True, with the board changed, only if all fit and the
        soft score rises; otherwise the board is as it was."""
        if not items:
            return gain > 0
        first, rest = items[0], items[1:]
        tried: list[Candidate] = []
        for _ in range(starts):
            candidate = self._next_start(first, rest, tried, strict=depth <= 1)
            if candidate is None:
                break
            tried.append(candidate)
            mark = self.moves.mark()
            self.moves.set(first.booked, first.index, candidate)
            if self._put_back(rest, gain + candidate.score - _score(first.old), avoid, depth, starts=1):
                return True
            self.moves.undo_to(mark)
        if tried or depth <= 1:
            return False
        for blocker in self._blockers(first.spec, exclude=avoid, leave_linked=True)[:SECOND_BLOCKERS]:
            if not self.budget.spend():
                return False
            unit = self._unit(blocker.key)
            if any(item.spec.key in avoid for item in unit):
                continue
            mark = self.moves.mark()
            for item in unit:
                self.moves.set(item.booked, item.index, None)
            moved = {item.spec.key for item in unit}
            # a chain, not a tree: only a unit whose removal gives this session a start is worth going on with
            if self._has_start(first.spec) and \
                    self._put_back([first, *rest, *unit], gain, avoid | moved, depth - 1, starts=1):
                return True
            self.moves.undo_to(mark)
        return False

    def _next_start(self, item: _Item, rest: list[_Item], tried: list[Candidate], strict: bool) -> Candidate | None:
        """The item's best start not tried yet that leaves the items waiting to follow it a possible start.

        Ranked afresh each time (an iterator is only valid while the board stays as it was). Unless `strict`, a start
        whose followers could fit only if staff, rooms or the patient's daily limit were freed is taken when no start
        lets them fit as things are: moving another blocker aside may free those.
        """
        followers = [other for other in rest if other.booked is item.booked and any(
            link.session_id == item.spec.session.id for link in other.spec.session.after)]
        fallback = None
        for scanned, candidate in enumerate(ranked_candidates(self.board, item.spec)):
            if scanned >= LOOKAHEAD_SCAN:
                break
            if candidate in tried:
                continue
            if not followers:
                return candidate
            mark = self.moves.mark()
            self.moves.set(item.booked, item.index, candidate)
            fits = all(self._has_start(other.spec) for other in followers)
            could_fit = not fits and not strict and fallback is None and all(
                self._could_follow(other.spec) for other in followers)
            self.moves.undo_to(mark)
            if fits:
                return candidate
            if could_fit:
                fallback = candidate
        return fallback

    def _could_follow(self, spec: SessionSpec) -> bool:
        """Some day allows a start if staff, rooms and the patient's daily limit are left aside."""
        for day in range(spec.first_day, spec.last_day + 1):
            refusal = day_refusal(self.board, spec, day)
            if refusal is None or refusal.code == ReasonCode.PATIENT_DAILY_LIMIT:
                if base_mask(self.board, spec, day):
                    return True
        return False

    # ---- giving one session up for several -------------------------------------------------------------------

    def _trade(self, booked: BookedPlan, index: int) -> int | None:
        """Give up a blocking session (one nothing placed follows) when the session, and the sessions of its plan
        that can then follow it, outnumber what is given up, or equal it and leave fewer sessions stranded without
        their same-day partner. Returns the net number of sessions gained, or None with the board as it was.

        Moves that keep everything placed cannot unlock a plan whose first session found no start: everything after
        it waits. Placing the first one at the cost of one other session lets the rest of that plan follow.
        """
        spec = booked.specs[index]
        if not any(successor in booked.index_of for successor, _ in spec.successors):
            return None  # nothing waits on it: one for one gains nothing
        for blocker in self._blockers(spec, exclude={spec.key})[:TRADE_BLOCKERS]:
            unit = self._unit(blocker.key)
            if unit[0].booked is booked or self._has_placed_followers(unit):
                continue
            if not self.budget.spend():
                return None
            plans = (booked, unit[0].booked)
            stranded = sum(_stranded(plan) for plan in plans)
            mark = self.moves.mark()
            for item in unit:
                self.moves.set(item.booked, item.index, None)
            if self._insert(booked, index):
                net = 1 + self._fill(booked) + self._fill(unit[0].booked) - len(unit)
                if net > 0 or (net == 0 and sum(_stranded(plan) for plan in plans) < stranded):
                    return net
            self.moves.undo_to(mark)
        return None

    def _unplaced_successors(self, booked: BookedPlan, index: int, same_day: bool = False) -> list[int]:
        """Sessions of the plan waiting to follow this one (`same_day`: only those that must follow it that day)."""
        index_of = booked.index_of
        return [index_of[successor] for successor, link in booked.specs[index].successors
                if successor in index_of and booked.chosen[index_of[successor]] is None
                and (not same_day or link.max_gap_days == 0)]

    def _has_placed_followers(self, unit: list[_Item]) -> bool:
        """Some placed session outside the unit comes after one of its sessions (it would be stranded)."""
        keys = {item.spec.key for item in unit}
        for item in unit:
            for successor, _ in item.spec.successors:
                key = f"{item.spec.request.id}/{successor}"
                if key not in keys and key in self.board.placed:
                    return True
        return False

    def _fill(self, booked: BookedPlan) -> int:
        """Place what it can of the plan's unplaced sessions, in plan order (moving blockers aside as _insert does)."""
        placed = 0
        for index in range(len(booked.specs)):
            if booked.chosen[index] is None and self._predecessors_placed(booked, index) \
                    and self._insert(booked, index):
                placed += 1
        return placed

    # ---- who is in the way ----------------------------------------------------------------------------------------

    def _blockers(self, spec: SessionSpec, exclude: set[str], leave_linked: bool = False) -> list[PlacedSession]:
        """Placed plan sessions on the session's possible days that hold what it needs: a qualified staff member, a
        suitable room, its equipment, or its patient. Nearest the target day first, then by start and key.

        Days the session cannot take for a reason other than the patient's daily limit are left out. The sessions it
        follows come first (they may have left it no time that day); with `leave_linked` they, and the sessions that
        follow it, are never moved (it is being placed and needs them where they are). Existing diary bookings and
        fixed-time sessions are never moved.
        """
        days = set()
        for day in range(spec.first_day, spec.last_day + 1):
            refusal = day_refusal(self.board, spec, day)
            if refusal is None or refusal.code == ReasonCode.PATIENT_DAILY_LIMIT:
                days.add(day)
        predecessors = [f"{spec.request.id}/{link.session_id}" for link in spec.session.after]
        staff, rooms = set(spec.eligible_staff), set(spec.eligible_rooms)
        kinds = {kind for kind, _ in spec.equipment_needs}
        linked = set()
        if leave_linked:
            linked = {f"{spec.request.id}/{link.session_id}" for link in spec.session.after}
            linked |= {f"{spec.request.id}/{successor}" for successor, _ in spec.successors}
        found = []
        for key, placed in self.board.placed.items():
            if key in exclude or key in linked or placed.day not in days or key not in self.owner:
                continue
            owner, index = self.owner[key]
            other = owner.specs[index]
            if other.fixed_start is not None:
                continue
            if (other.patient_id == spec.patient_id or placed.room_id in rooms or staff.intersection(placed.staff_ids)
                    or kinds.intersection(kind for kind, _ in other.equipment_needs)):
                found.append(placed)
        found.sort(key=lambda placed: (abs(placed.day - spec.target_day), placed.start, placed.key))
        if not leave_linked:  # the sessions it follows may have left it no time: moving them comes first
            found = [self.board.placed[key] for key in predecessors
                     if key in self.board.placed and key not in exclude] + found
        return found

    def _unit(self, key: str) -> list[_Item]:
        """The placed session and the placed sessions of its plan tied to it on the same day, in plan order."""
        booked, index = self.owner[key]
        index_of = self.index_of[booked.request.id]
        seen = {index}
        waiting = [index]
        while waiting:
            spec = booked.specs[waiting.pop()]
            ties = [link.session_id for link in spec.session.after if link.max_gap_days == 0]
            ties += [successor for successor, link in spec.successors if link.max_gap_days == 0]
            for session_id in ties:
                other = index_of.get(session_id)
                if other is not None and other not in seen and booked.chosen[other] is not None:
                    seen.add(other)
                    waiting.append(other)
        return [_Item(booked, other, booked.chosen[other]) for other in sorted(seen)]

    def _predecessors_placed(self, booked: BookedPlan, index: int) -> bool:
        index_of = self.index_of[booked.request.id]
        return all(booked.chosen[index_of[link.session_id]] is not None
                   for link in booked.specs[index].session.after if link.session_id in index_of)


def _stranded(booked: BookedPlan) -> int:
    """Placed sessions of the plan whose same-day partner after them is not placed (Abhyanga without its Basti)."""
    index_of = booked.index_of
    count = 0
    for index, spec in enumerate(booked.specs):
        if booked.chosen[index] is not None and any(
                link.max_gap_days == 0 and successor in index_of and booked.chosen[index_of[successor]] is None
                for successor, link in spec.successors):
            count += 1
    return count


def _score(candidate: Candidate | None) -> int:
    return candidate.score if candidate is not None else 0
