"""Greedy placement with bounded backtracking: each session takes its best feasible candidate, in plan order."""

from dataclasses import dataclass, replace

from clinicdesk.domain.scheduling.candidates import Candidate, day_feasible, ranked_candidates
from clinicdesk.domain.scheduling.explain import explain_unplaced
from clinicdesk.domain.scheduling.model import Clinic, Placement, PlanRequest, Unplaced
from clinicdesk.domain.scheduling.occupancy import Board, PlacedSession
from clinicdesk.domain.scheduling.rules import SessionSpec, build_specs, without_links
from clinicdesk.domain.scheduling.scoring import ScoreBreakdown, score_schedule
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, to_datetime

BUMP_TRIES = 8  # placed sessions tried, latest first, when making room for a session that others follow
LOOKAHEAD_CANDIDATES = 24  # candidates a session scans for one that leaves its followers a day, before giving up


@dataclass(frozen=True)
class SolverOptions:
    slot_minutes: int = 15
    backtrack_limit: int = 20  # backtracking steps for one session before it is given up as unplaced
    plan_backtrack_limit: int = 80  # all backtracking steps of one plan: keeps a long, crowded plan fast
    repair_rollouts: int = 6  # per plan: repairs checked by playing the rest of the plan out both ways
    earliest_search_days: int = 28  # how far an unplaced session looks for its earliest option
    alternatives: int = 3  # alternatives offered for an appointment whose requested time is impossible
    explain: bool = True
    improve_rounds: int = 4  # batch only: passes over the plans that still miss sessions
    improve_neighbours: int = 6  # batch only: crowding plans tried with each of them
    repair_attempts: int = 20_000  # batch only: blockers moved aside, per cycle, to fit sessions still unplaced
    improve_cycles: int = 3  # batch only: re-booking plans and repairing sessions take turns while either gains
    shake_rounds: int = 150  # batch only: times a few crowded plans are booked again in another order (shake.py)
    shake_group: int = 2  # batch only: neighbours shaken with a plan that misses sessions


@dataclass(frozen=True)
class ScheduleResult:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    score: ScoreBreakdown


@dataclass(frozen=True)
class PlanOutcome:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]


class Scheduler:
    """Books requests one after another into one clinic's diary; deterministic for the same inputs."""

    def __init__(self, clinic: Clinic, options: SolverOptions = SolverOptions()):
        self.clinic = clinic
        self.options = options
        self.board = Board(clinic, options.slot_minutes)
        self.requests: list[PlanRequest] = []
        self.booked: dict[str, BookedPlan] = {}
        self.placements: list[Placement] = []
        self.unplaced: list[Unplaced] = []

    def book(self, request: PlanRequest) -> PlanOutcome:
        """Place every session of a plan (or the one session of an appointment) that the hard rules allow."""
        self.board.register_patient_limit(request.patient.id, request.preferences.max_sessions_per_day)
        specs = build_specs(self.board, request)
        chosen, unplaced = self.search(specs)
        booked = BookedPlan(request, specs, chosen, unplaced)
        self.booked[request.id] = booked
        self.requests.append(request)
        outcome = self._outcome(booked)
        self.placements.extend(outcome.placements)
        self.unplaced.extend(outcome.unplaced)
        return outcome

    def improve(self) -> int:
        """Batch only: re-book plans with unplaced sessions together with the plans crowding them out.

        Booking one plan after another (as a desk does) leaves early plans the best days; when a later plan then
        misses sessions, this takes it and one neighbour off the diary, books the unlucky plan first and the
        neighbour after it, and keeps the swap only if more sessions are placed. Then each session still missing is
        tried with the sessions blocking it moved to other starts, or traded for one that unlocks more (repair.py),
        and a plan missing several is booked again at the least cost to others (rescue.py). What one step changes can
        give the others new openings, so they take turns while any gains. Last, a few crowded plans at a time are
        booked again in another order and repaired, keeping each diary that is no worse (shake.py). Returns the
        sessions gained.
        """
        from clinicdesk.domain.scheduling.improve import improve_plans
        from clinicdesk.domain.scheduling.repair import repair_unplaced
        from clinicdesk.domain.scheduling.rescue import rescue_plans
        from clinicdesk.domain.scheduling.shake import shake_plans

        def settle() -> int:
            return (repair_unplaced(self, self.options.repair_attempts)
                    + rescue_plans(self, self.options.repair_attempts))

        gained = 0
        for _ in range(self.options.improve_cycles):
            cycle = improve_plans(self, self.options.improve_rounds, self.options.improve_neighbours) + settle()
            gained += cycle
            if not cycle:
                break
        if self.options.shake_rounds:
            gained += shake_plans(self, self.options.shake_rounds, self.options.shake_group)
            gained += settle()
        self.refresh()  # even with nothing gained, starts may have moved
        return gained

    def refresh(self) -> None:
        """Work the placements and explanations out again from the plans as they now stand."""
        self.placements, self.unplaced = [], []
        for request in self.requests:
            outcome = self._outcome(self.booked[request.id])
            self.placements.extend(outcome.placements)
            self.unplaced.extend(outcome.unplaced)

    def search(self, specs: list[SessionSpec]) -> tuple[list, set[int]]:
        """Run the plan search on the board as it is now (the plan's own sessions must be off it)."""
        search = _PlanSearch(self.board, specs, self.options)
        unplaced = search.run()
        return list(search.chosen), unplaced

    def _outcome(self, booked: "BookedPlan") -> PlanOutcome:
        request, specs = booked.request, booked.specs
        unplaced = {}
        for index in sorted(booked.unplaced):
            spec = specs[index]
            unplaced[spec.session.id] = explain_unplaced(
                self.board, spec, search_days=self.options.earliest_search_days,
                alternatives=self.options.alternatives) if self.options.explain else Unplaced(
                request.id, spec.session.id, spec.patient_id, spec.therapy.id, reasons=())
        placements = {}
        for spec, candidate in zip(specs, booked.chosen, strict=True):
            if candidate is not None:
                placements[spec.session.id] = Placement(
                    request_id=request.id, session_id=spec.session.id, patient_id=spec.patient_id,
                    therapy_id=spec.therapy.id, start=to_datetime(candidate.start),
                    end=to_datetime(candidate.start + spec.duration), room_id=candidate.room_id,
                    staff_ids=candidate.staff_ids, follow_up=spec.session.follow_up)
        # report in the order the plan lists its sessions
        return PlanOutcome(
            placements=tuple(placements[s.id] for s in request.sessions if s.id in placements),
            unplaced=tuple(unplaced[s.id] for s in request.sessions if s.id in unplaced))

    def result(self) -> ScheduleResult:
        return ScheduleResult(tuple(self.placements), tuple(self.unplaced),
                              score_schedule(self.clinic, self.requests, self.placements))


@dataclass
class BookedPlan:
    """One request as it stands on the board: its sessions, the candidate each took (None: unplaced)."""

    request: PlanRequest
    specs: list[SessionSpec]
    chosen: list
    unplaced: set[int]

    @property
    def index_of(self) -> dict[str, int]:
        return {spec.session.id: index for index, spec in enumerate(self.specs)}

    @property
    def placed_count(self) -> int:
        return sum(1 for candidate in self.chosen if candidate is not None)


def solve(clinic: Clinic, requests, options: SolverOptions = SolverOptions()) -> ScheduleResult:
    """Book the requests in the order given (as a reception desk would), improve the batch, score the result."""
    scheduler = Scheduler(clinic, replace(options, explain=False))
    for request in requests:
        scheduler.book(request)
    scheduler.improve()
    scheduler.options = options  # explanations are worked out once, on the final diary
    scheduler.refresh()
    return scheduler.result()


def placed_session(spec: SessionSpec, candidate: Candidate) -> PlacedSession:
    return PlacedSession(request_id=spec.request.id, session_id=spec.session.id, therapy_id=spec.therapy.id,
                         start=candidate.start, end=candidate.start + spec.duration, room_id=candidate.room_id,
                         staff_ids=candidate.staff_ids, follow_up=spec.session.follow_up)


class _PlanSearch:
    """Depth-first over the plan's sessions; on a dead end, go back to the latest session that could be the cause."""

    def __init__(self, board: Board, specs: list[SessionSpec], options: SolverOptions):
        self.board = board
        self.specs = specs
        self.session_budget = options.backtrack_limit
        self.plan_budget = options.plan_backtrack_limit
        self.budget = 0
        self.rollouts = options.repair_rollouts
        self.chosen: list[Candidate | None] = [None] * len(specs)
        self.iterators: list = [None] * len(specs)
        self.unplaced: set[int] = set()
        self.index_of = {spec.session.id: index for index, spec in enumerate(specs)}
        self.followers: list[list[int]] = [[] for _ in specs]  # sessions directly after each one
        self.before: list[set[int]] = []  # every session each one comes after, directly or not
        for index, spec in enumerate(specs):
            direct = {self.index_of[link.session_id] for link in spec.session.after if link.session_id in self.index_of}
            for other in sorted(direct):
                self.followers[other].append(index)
            self.before.append(direct.union(*(self.before[other] for other in direct)))

    def run(self) -> set[int]:
        for index in range(len(self.specs)):
            if self._after_unplaced(index):
                self.unplaced.add(index)
            elif not self._advance(index) and (self._hopeless(index) or not self._place_failed(index)):
                self.unplaced.add(index)
        # a session given up for one with followers may fit somewhere else now
        for index in sorted(self.unplaced):
            self.iterators[index] = None
            if not self._after_unplaced(index) and self._advance(index):
                self.unplaced.discard(index)
        return self.unplaced

    def _place_failed(self, index: int) -> bool:
        """Backtrack for a session that has no start; failing that, give up a session nothing follows for it.

        Each failed session gets its own budget, so one hopeless session cannot starve the rest of the plan.
        """
        saved = list(self.chosen[:index])
        self.budget = min(self.session_budget, self.plan_budget)
        repaired = self.budget > 0 and self._repair(index)
        self.plan_budget -= min(self.session_budget, self.plan_budget) - self.budget
        if repaired and not self._repair_pays(index, saved):
            self._switch(index, saved)
            repaired = False
        return repaired or self._bump(index)

    def _repair_pays(self, index: int, saved: list) -> bool:
        """Whether the plan as a whole scores better with the repair than with the session left out.

        Moving earlier sessions (often to a later day) to fit one more can crowd the days that the rest of the
        plan needs, so both ways are played out greedily to the end of the plan and compared.
        """
        if self.rollouts <= 0:
            return True
        self.rollouts -= 1
        repaired = list(self.chosen[:index + 1])
        with_it = self._rollout(index + 1)
        self._switch(index, saved)
        self.unplaced.add(index)
        without = self._rollout(index + 1)
        self.unplaced.discard(index)
        self._switch(index, repaired)
        return with_it >= without

    def _switch(self, index: int, choices: list) -> None:
        """Put sessions 0..index as in `choices` (one shorter leaves `index` unplaced); iterators start afresh."""
        for other in range(index, -1, -1):
            if self.chosen[other] is not None and (other >= len(choices) or choices[other] != self.chosen[other]):
                self._undo(other)
        for other, candidate in enumerate(choices):
            if candidate is not None and self.chosen[other] is None:
                self.board.place(placed_session(self.specs[other], candidate), self.specs[other].patient_id)
                self.chosen[other] = candidate
        for other in range(index + 1):
            self.iterators[other] = None

    def _rollout(self, start: int) -> int:
        """The plan's score if every session from `start` on took its best start in turn (all undone after)."""
        total = sum(candidate.score for candidate in self.chosen[:start] if candidate is not None)
        skipped = set(self.unplaced)
        placed = []
        for index in range(start, len(self.specs)):
            spec = self.specs[index]
            candidate = None
            if not any(self.index_of.get(link.session_id) in skipped for link in spec.session.after):
                candidate = next(ranked_candidates(self.board, spec), None)
            if candidate is None:
                skipped.add(index)
                continue
            self.board.place(placed_session(spec, candidate), spec.patient_id)
            placed.append(spec.key)
            total += candidate.score
        for key in reversed(placed):
            self.board.unplace(key)
        return total

    def _after_unplaced(self, index: int) -> bool:
        return any(self.index_of.get(link.session_id) in self.unplaced for link in self.specs[index].session.after)

    def _bump(self, failed: int) -> bool:
        """Make room for a session that others follow by giving up a placed session that nothing follows.

        Backtracking only moves sessions; with the patient's daily limit full, the plan may still fit everything but
        one session. Then it should be a session at the end of a chain, not one whose followers would all be lost.
        The swap never lowers the number of placed sessions, and is kept only if the followers still have a day.
        """
        if not self.followers[failed]:
            return False
        spec = self.specs[failed]
        leaves = [other for other in range(failed - 1, -1, -1)
                  if self.chosen[other] is not None and other not in self.before[failed]
                  and spec.first_day <= self.chosen[other].start // MINUTES_PER_DAY <= spec.last_day
                  and all(self.chosen[after] is None for after in self.followers[other])]
        for other in leaves[:BUMP_TRIES]:
            given_up = self.chosen[other]
            self._undo(other)
            self.iterators[failed] = None
            if self._advance(failed):
                if self._followers_fit(failed, self.chosen[failed], {}):
                    self.unplaced.add(other)
                    self.iterators[other] = None
                    return True
                self._undo(failed)
            self.board.place(placed_session(self.specs[other], given_up), self.specs[other].patient_id)
            self.chosen[other] = given_up
        self.iterators[failed] = None
        return False

    def _hopeless(self, index: int) -> bool:
        """No start in the window even with the rest of the plan out of the way: going back cannot help."""
        spec = self.specs[index]
        loose = without_links(spec)
        placed = [other for other, candidate in enumerate(self.chosen) if candidate is not None]
        for other in placed:
            self.board.unplace(self.specs[other].key)
        feasible = any(day_feasible(self.board, loose, day) for day in range(spec.first_day, spec.last_day + 1))
        for other in placed:
            self.board.place(placed_session(self.specs[other], self.chosen[other]), self.specs[other].patient_id)
        return not feasible

    def _advance(self, index: int, instead_of: Candidate | None = None) -> bool:
        """Place session `index` at its next candidate; False (and a fresh iterator next time) when none is left.

        Going back to a session (`instead_of` its last choice) skips starts later on the same day: a later start
        only makes things harder for the sessions that follow it, so trying them would just burn the budget.
        Among the next few candidates it takes the first that leaves every session directly after it a possible
        day (looking ahead is far cheaper than backtracking); when none does, the first of them.
        """
        if self.iterators[index] is None:
            self.iterators[index] = ranked_candidates(self.board, self.specs[index])
        iterator = self.iterators[index]
        spec = self.specs[index]
        fallback = None
        seen: dict = {}
        tried = 0
        for candidate in iterator:
            if instead_of is not None and candidate.start // MINUTES_PER_DAY == instead_of.start // MINUTES_PER_DAY \
                    and candidate.start >= instead_of.start:
                continue
            self.board.place(placed_session(spec, candidate), spec.patient_id)
            if self._followers_fit(index, candidate, seen):
                self.chosen[index] = candidate
                return True
            self.board.unplace(spec.key)
            fallback = fallback or candidate
            tried += 1
            if tried > LOOKAHEAD_CANDIDATES:
                break
        else:
            self.iterators[index] = iter(()) if fallback else None  # used up: the next call reports it
        if fallback is None:
            return False
        self.board.place(placed_session(spec, fallback), spec.patient_id)
        self.chosen[index] = fallback
        return True

    def _followers_fit(self, index: int, candidate: Candidate, seen: dict) -> bool:
        """Every session directly after this one whose other predecessors are placed still has a possible day."""
        for successor_id, link in self.specs[index].successors:
            other = self.index_of.get(successor_id)
            if other is None or other < index or self.chosen[other] is not None or other in self.unplaced:
                continue
            spec = self.specs[other]
            if any(self.chosen[self.index_of[before.session_id]] is None for before in spec.session.after
                   if before.session_id != self.specs[index].session.id and before.session_id in self.index_of):
                continue
            # from a later day on, only the day of this session matters: check each day once
            key = (other, candidate.start // MINUTES_PER_DAY) if link.min_gap_days > 0 else None
            fits = seen.get(key) if key else None
            if fits is None:
                fits = any(day_feasible(self.board, spec, day) for day in range(spec.first_day, spec.last_day + 1))
                if key:
                    seen[key] = fits
            if not fits:
                return False
        return True

    def _undo(self, index: int) -> None:
        if self.chosen[index] is not None:
            self.board.unplace(self.specs[index].key)
            self.chosen[index] = None

    def _culprit(self, index: int) -> int | None:
        """The latest placed session that constrains `index`: one it follows, or one on a day it could use."""
        spec = self.specs[index]
        suspects = [self.index_of[link.session_id] for link in spec.session.after if link.session_id in self.index_of]
        for other in range(index):
            candidate = self.chosen[other]
            if candidate is not None and spec.first_day <= candidate.start // MINUTES_PER_DAY <= spec.last_day:
                suspects.append(other)
        placed = [other for other in suspects if other < index and self.chosen[other] is not None]
        return max(placed) if placed else None

    def _repair(self, failed: int) -> bool:
        """Backtrack (within the budget) until `failed` can be placed; otherwise put everything back as it was."""
        saved = list(self.chosen[:failed])
        lowest = failed
        current = failed
        while self.budget > 0:
            culprit = self._culprit(current)
            if culprit is None:
                break
            self.budget -= 1
            previous = self.chosen[culprit]
            for index in range(current - 1, culprit - 1, -1):
                self._undo(index)
                if index > culprit:
                    self.iterators[index] = None
            lowest = min(lowest, culprit)
            current = culprit
            while current <= failed:
                if current in self.unplaced or self._after_unplaced(current):
                    current += 1
                elif self._advance(current, previous if current == culprit else None):
                    current += 1
                else:
                    break
            if current > failed:
                return True
        for index in range(failed, lowest - 1, -1):
            self._undo(index)
            self.iterators[index] = None
        for index in range(lowest, failed):
            if saved[index] is not None:
                self.board.place(placed_session(self.specs[index], saved[index]), self.specs[index].patient_id)
                self.chosen[index] = saved[index]
        return False
