"""Batch rescue and shake-up: a plan missing several sessions is booked again at the least cost to others, and
shaking crowded plans never leaves fewer sessions placed; both keep every hard rule and give the same diary twice."""

import pytest
from hypothesis import given, settings
from scheduling_builders import at, clinic, patient, person, plan, session, shift
from scheduling_strategies import scheduling_problem
from test_repair import desk, starts
from test_scheduling_properties import PROFILE

from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.repair import repair_unplaced
from clinicdesk.domain.scheduling.rescue import rescue_plans
from clinicdesk.domain.scheduling.shake import shake_plans
from clinicdesk.domain.scheduling.solver import solve

ONE_HOUR = clinic(staff=(person(shifts=(shift("08:00", "09:00"),)),))


def assert_sound_and_counted(scheduler, clinic_, requests, placed_before: int, gained: int):
    """The step gained what it says, broke no rule, and left the board and the plans agreeing."""
    scheduler.refresh()
    result = scheduler.result()
    assert gained >= 0
    assert result.score.placed_sessions == placed_before + gained
    assert validate_schedule(clinic_, result.placements, requests) == []
    assert set(scheduler.board.placed) == {placement.key for placement in result.placements}
    return result


def three_day_course_behind_two_one_offs():
    # the course needs Monday, Tuesday and Wednesday in a row; one-offs booked first hold Monday's and Tuesday's
    # only hour and cannot move. Giving up both places all three sessions of the course: three for two
    monday = plan([session("x")], who=patient("p1"), plan_id="monday", max_days_late=0)
    tuesday = plan([session("y", day=1)], who=patient("p2"), plan_id="tuesday", max_days_late=0)
    course = plan([session("head"), session("mid", day=1, after=[("head", 1, 1)]),
                   session("tail", day=2, after=[("mid", 1, 1)])], who=patient("p3"), plan_id="course",
                  max_days_late=0)
    return [monday, tuesday, course]


def test_single_trades_cannot_help_the_course():
    requests = three_day_course_behind_two_one_offs()
    scheduler = desk(ONE_HOUR, requests)
    assert starts(scheduler) == {"monday/x": at("08:00"), "tuesday/y": at("08:00", day=1)}
    assert repair_unplaced(scheduler, attempts=500) == 0  # each trade alone gives one for one


def test_a_plan_missing_several_sessions_is_booked_again_at_the_cost_of_fewer_sessions():
    requests = three_day_course_behind_two_one_offs()
    scheduler = desk(ONE_HOUR, requests)

    assert rescue_plans(scheduler, attempts=500) == 1
    scheduler.refresh()
    assert starts(scheduler) == {"course/head": at("08:00"), "course/mid": at("08:00", day=1),
                                 "course/tail": at("08:00", day=2)}
    assert sorted(unplaced.session_id for unplaced in scheduler.unplaced) == ["x", "y"]
    assert validate_schedule(ONE_HOUR, scheduler.result().placements, requests) == []


def test_a_rescue_that_would_not_gain_is_not_made():
    requests = three_day_course_behind_two_one_offs()
    wednesday = plan([session("z", day=2)], who=patient("p4"), plan_id="wednesday", max_days_late=0)
    scheduler = desk(ONE_HOUR, requests + [wednesday])  # now the course's third day is taken too: three for three
    before = starts(scheduler)
    assert rescue_plans(scheduler, attempts=500) == 0
    scheduler.refresh()
    assert starts(scheduler) == before


def test_solve_places_the_course():
    result = solve(ONE_HOUR, three_day_course_behind_two_one_offs())
    assert result.score.placed_sessions == 3
    assert {placement.request_id for placement in result.placements} == {"course"}


STEPS = {"shake-up": lambda scheduler: shake_plans(scheduler, rounds=10, group_size=2),
         "rescue": lambda scheduler: rescue_plans(scheduler, attempts=500)}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
@settings(PROFILE)
@given(problem=scheduling_problem())
def test_never_places_fewer_sessions_nor_breaks_a_rule_and_is_repeatable(step, problem):
    clinic_, requests = problem
    scheduler = desk(clinic_, requests)
    before = scheduler.result().score.placed_sessions

    gained = step(scheduler)
    result = assert_sound_and_counted(scheduler, clinic_, requests, before, gained)

    again = desk(clinic_, requests)
    assert step(again) == gained
    again.refresh()
    assert again.result() == result
