"""Greedy placement with bounded backtracking: each session takes its best feasible candidate, in plan order."""

from dataclasses import dataclass

from clinicdesk.domain.scheduling.candidates import Candidate, ranked_candidates
from clinicdesk.domain.scheduling.explain import explain_unplaced
from clinicdesk.domain.scheduling.model import Clinic, Placement, PlanRequest, Unplaced
from clinicdesk.domain.scheduling.occupancy import Board, PlacedSession
from clinicdesk.domain.scheduling.rules import SessionSpec, build_specs
from clinicdesk.domain.scheduling.scoring import ScoreBreakdown, score_schedule
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, to_datetime


@dataclass(frozen=True)
class SolverOptions:
    slot_minutes: int = 15
    backtrack_limit: int = 40  # backtracking steps per plan before a session is given up as unplaced
    earliest_search_days: int = 28  # how far an unplaced session looks for its earliest option
    alternatives: int = 3  # alternatives offered for an appointment whose requested time is impossible
    explain: bool = True


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
        self.placements: list[Placement] = []
        self.unplaced: list[Unplaced] = []

    def book(self, request: PlanRequest) -> PlanOutcome:
        """Place every session of a plan (or the one session of an appointment) that the hard rules allow."""
        self.board.register_patient_limit(request.patient.id, request.preferences.max_sessions_per_day)
        specs = build_specs(self.board, request)
        search = _PlanSearch(self.board, specs, self.options.backtrack_limit)
        unplaced_specs = search.run()
        unplaced = {}
        for index in sorted(unplaced_specs):
            spec = specs[index]
            unplaced[spec.session.id] = explain_unplaced(
                self.board, spec, search_days=self.options.earliest_search_days,
                alternatives=self.options.alternatives) if self.options.explain else Unplaced(
                request.id, spec.session.id, spec.patient_id, spec.therapy.id, reasons=())
        placements = {}
        for spec, candidate in zip(specs, search.chosen, strict=True):
            if candidate is not None:
                placements[spec.session.id] = Placement(
                    request_id=request.id, session_id=spec.session.id, patient_id=spec.patient_id,
                    therapy_id=spec.therapy.id, start=to_datetime(candidate.start),
                    end=to_datetime(candidate.start + spec.duration), room_id=candidate.room_id,
                    staff_ids=candidate.staff_ids, follow_up=spec.session.follow_up)
        # report in the order the plan lists its sessions
        outcome = PlanOutcome(
            placements=tuple(placements[s.id] for s in request.sessions if s.id in placements),
            unplaced=tuple(unplaced[s.id] for s in request.sessions if s.id in unplaced))
        self.requests.append(request)
        self.placements.extend(outcome.placements)
        self.unplaced.extend(outcome.unplaced)
        return outcome

    def result(self) -> ScheduleResult:
        return ScheduleResult(tuple(self.placements), tuple(self.unplaced),
                              score_schedule(self.clinic, self.requests, self.placements))


def solve(clinic: Clinic, requests, options: SolverOptions = SolverOptions()) -> ScheduleResult:
    """Book the requests in the order given (as a reception desk would) and score the result."""
    scheduler = Scheduler(clinic, options)
    for request in requests:
        scheduler.book(request)
    return scheduler.result()


def placed_session(spec: SessionSpec, candidate: Candidate) -> PlacedSession:
    return PlacedSession(request_id=spec.request.id, session_id=spec.session.id, therapy_id=spec.therapy.id,
                         start=candidate.start, end=candidate.start + spec.duration, room_id=candidate.room_id,
                         staff_ids=candidate.staff_ids, follow_up=spec.session.follow_up)


class _PlanSearch:
    """Depth-first over the plan's sessions; on a dead end, go back to the latest session that could be the cause."""

    def __init__(self, board: Board, specs: list[SessionSpec], budget: int):
        self.board = board
        self.specs = specs
        self.budget = budget
        self.chosen: list[Candidate | None] = [None] * len(specs)
        self.iterators: list = [None] * len(specs)
        self.unplaced: set[int] = set()
        self.index_of = {spec.session.id: index for index, spec in enumerate(specs)}

    def run(self) -> set[int]:
        for index in range(len(self.specs)):
            if self._after_unplaced(index):
                self.unplaced.add(index)
                continue
            if not self._advance(index) and not self._repair(index):
                self.unplaced.add(index)
        return self.unplaced

    def _after_unplaced(self, index: int) -> bool:
        return any(self.index_of.get(link.session_id) in self.unplaced for link in self.specs[index].session.after)

    def _advance(self, index: int, instead_of: Candidate | None = None) -> bool:
        """Place session `index` at its next candidate; False (and a fresh iterator next time) when none is left.

        Going back to a session (`instead_of` its last choice) skips starts later on the same day: a later start
        only makes things harder for the sessions that follow it, so trying them would just burn the budget.
        """
        if self.iterators[index] is None:
            self.iterators[index] = ranked_candidates(self.board, self.specs[index])
        candidate = next(self.iterators[index], None)
        if instead_of is not None:
            day = instead_of.start // MINUTES_PER_DAY
            while candidate is not None and candidate.start // MINUTES_PER_DAY == day \
                    and candidate.start >= instead_of.start:
                candidate = next(self.iterators[index], None)
        if candidate is None:
            self.iterators[index] = None
            return False
        self.board.place(placed_session(self.specs[index], candidate), self.specs[index].patient_id)
        self.chosen[index] = candidate
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
