"""Batch repair: an unplaced session gets in by moving the sessions that block it, or by giving up one session that
nothing depends on when that lets more sessions in; the number placed never drops."""

from hypothesis import given, settings
from scheduling_builders import at, clinic, patient, person, plan, room, session, shift, therapy
from scheduling_strategies import scheduling_problem
from test_scheduling_properties import PROFILE

from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.repair import repair_unplaced
from clinicdesk.domain.scheduling.solver import Scheduler, SolverOptions, solve

ONE_HOUR = clinic(staff=(person(shifts=(shift("08:00", "09:00"),)),))
TWO_HOURS = clinic(staff=(person(shifts=(shift("08:00", "10:00"),)),))


def desk(clinic_, requests) -> Scheduler:
    scheduler = Scheduler(clinic_, SolverOptions(explain=False))
    for request in requests:
        scheduler.book(request)
    return scheduler


def starts(scheduler: Scheduler) -> dict[str, object]:
    return {placement.key: placement.start for placement in scheduler.result().placements}


def test_a_blocking_session_moves_to_another_day_of_its_plan_so_the_unplaced_one_fits():
    flexible = plan([session("a")], who=patient("p1"), plan_id="flexible", max_days_late=2)
    monday_only = plan([session("b")], who=patient("p2"), plan_id="monday-only", max_days_late=0)
    scheduler = desk(ONE_HOUR, [flexible, monday_only])
    assert starts(scheduler) == {"flexible/a": at("08:00")}

    assert repair_unplaced(scheduler, attempts=100) == 1
    scheduler.refresh()
    assert starts(scheduler) == {"flexible/a": at("08:00", day=1), "monday-only/b": at("08:00")}
    assert scheduler.unplaced == []
    assert validate_schedule(ONE_HOUR, scheduler.result().placements, [flexible, monday_only]) == []


def test_sessions_tied_to_the_same_day_move_together():
    # the second session must be on the same day as the first: moving only one of them would break the plan
    pair = plan([session("first"), session("second", after=[("first", 0, 0)])], who=patient("p1"), plan_id="pair",
                max_days_late=2)
    monday_only = plan([session("b")], who=patient("p2"), plan_id="monday-only", max_days_late=0)
    scheduler = desk(TWO_HOURS, [pair, monday_only])
    assert starts(scheduler) == {"pair/first": at("08:00"), "pair/second": at("09:00")}

    assert repair_unplaced(scheduler, attempts=100) == 1
    scheduler.refresh()
    assert starts(scheduler) == {"pair/first": at("08:00", day=1), "pair/second": at("09:00", day=1),
                                 "monday-only/b": at("08:00")}
    assert validate_schedule(TWO_HOURS, scheduler.result().placements, [pair, monday_only]) == []


def test_when_nothing_can_move_the_diary_stays_exactly_as_it_was():
    requests = [plan([session("a")], who=patient(f"p{n}"), plan_id=f"plan{n}", max_days_late=0) for n in range(2)]
    scheduler = desk(ONE_HOUR, requests)
    before = scheduler.result()
    board_before = dict(scheduler.board.placed)

    assert repair_unplaced(scheduler, attempts=100) == 0
    scheduler.refresh()
    assert scheduler.result() == before
    assert scheduler.board.placed == board_before
    assert scheduler.booked["plan1"].unplaced == {0}


def test_no_trial_is_made_beyond_the_budget():
    flexible = plan([session("a")], who=patient("p1"), plan_id="flexible", max_days_late=2)
    monday_only = plan([session("b")], who=patient("p2"), plan_id="monday-only", max_days_late=0)
    scheduler = desk(ONE_HOUR, [flexible, monday_only])
    assert repair_unplaced(scheduler, attempts=0) == 0
    assert starts(scheduler) == {"flexible/a": at("08:00")}
    assert solve(ONE_HOUR, [flexible, monday_only], SolverOptions(repair_attempts=0, improve_rounds=0,
                                                                    shake_rounds=0)).unplaced


@settings(PROFILE)
@given(scheduling_problem())
def test_repair_never_breaks_a_hard_rule_nor_loses_a_placed_session(problem):
    clinic_, requests = problem
    scheduler = desk(clinic_, requests)
    placed_before = {placement.key for placement in scheduler.result().placements}

    gained = repair_unplaced(scheduler, attempts=500)
    scheduler.refresh()
    result = scheduler.result()
    placed_after = {placement.key for placement in result.placements}
    assert gained >= 0
    assert len(placed_after) == len(placed_before) + gained
    assert validate_schedule(clinic_, result.placements, requests) == []
    assert set(scheduler.board.placed) == placed_after  # the board and the plans agree after every undo

    again = desk(clinic_, requests)
    assert repair_unplaced(again, attempts=500) == gained
    again.refresh()
    assert again.result() == result


def test_the_session_an_unplaced_one_follows_moves_to_a_day_where_both_fit():
    # Swedana must follow Abhyanga the same day and its only therapist works on Tuesdays; the desk, without
    # backtracking, books Abhyanga on Monday and cannot place Swedana at all
    steam = therapy("swe", "Swedana", 30, room_types=("swedana",), skills=("swedana",))
    only_tuesday = clinic(staff=(person(), person("s2", "Meera", skills=("swedana",), shifts=(shift(days=(1,)),))),
                          rooms=(room(), room("r2", "Steam", "swedana")), therapies=(therapy(), steam))
    request = plan([session("abh", day=0), session("swe", "swe", day=0, after=[("abh", 0, 0)])], max_days_late=2)
    scheduler = Scheduler(only_tuesday, SolverOptions(explain=False, backtrack_limit=0))
    scheduler.book(request)
    assert starts(scheduler) == {"plan/abh": at("08:00")}

    assert repair_unplaced(scheduler, attempts=100) == 1
    scheduler.refresh()
    assert starts(scheduler) == {"plan/abh": at("08:00", day=1), "plan/swe": at("09:00", day=1)}
    assert validate_schedule(only_tuesday, scheduler.result().placements, [request]) == []


def test_a_session_nothing_depends_on_is_given_up_when_that_lets_a_whole_plan_in():
    # the course's first session has only Monday; a one-off booked earlier holds the only hour that day and cannot
    # move either. Giving up the one-off places the course's two sessions: two for one
    one_off = plan([session("x")], who=patient("p1"), plan_id="one-off", max_days_late=0)
    course = plan([session("head"), session("tail", day=1, after=[("head", 1, 1)])], who=patient("p2"),
                  plan_id="course", max_days_late=0)
    scheduler = desk(ONE_HOUR, [one_off, course])
    assert starts(scheduler) == {"one-off/x": at("08:00")}

    assert repair_unplaced(scheduler, attempts=100) == 1
    scheduler.refresh()
    assert starts(scheduler) == {"course/head": at("08:00"), "course/tail": at("08:00", day=1)}
    assert [unplaced.session_id for unplaced in scheduler.unplaced] == ["x"]
    assert validate_schedule(ONE_HOUR, scheduler.result().placements, [one_off, course]) == []


def test_one_session_is_never_given_up_for_just_one_other():
    one_off = plan([session("x")], who=patient("p1"), plan_id="one-off", max_days_late=0)
    other = plan([session("y")], who=patient("p2"), plan_id="other", max_days_late=0)
    scheduler = desk(ONE_HOUR, [one_off, other])
    assert repair_unplaced(scheduler, attempts=100) == 0
    scheduler.refresh()
    assert starts(scheduler) == {"one-off/x": at("08:00")}
