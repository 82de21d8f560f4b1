"""Property tests: across random clinics and plans no placement breaks a hard rule, and results are repeatable.

Default run: 60 random clinics per property (seconds). For thousands, run with
CLINICDESK_SCHEDULING_PROFILE=thorough (5,000 examples per property).
"""

import os
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import given as given_
from hypothesis import strategies as st
from scheduling_strategies import scheduling_problem

from clinicdesk.domain.scheduling.checker import validate_bookings, validate_schedule
from clinicdesk.domain.scheduling.reschedule import move_session, push_after_overrun, reassign_for_sick_leave
from clinicdesk.domain.scheduling.solver import SolverOptions, solve

settings.register_profile("scheduling-quick", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("scheduling-thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("scheduling-" + os.environ.get("CLINICDESK_SCHEDULING_PROFILE", "quick"))


@settings(PROFILE)
@given_(scheduling_problem())
def test_no_placement_ever_breaks_a_hard_rule(problem):
    clinic, requests = problem
    result = solve(clinic, requests, SolverOptions(earliest_search_days=7))
    assert validate_schedule(clinic, result.placements, requests) == []
    requested = sum(len(request.sessions) for request in requests)
    assert len(result.placements) + len(result.unplaced) == requested
    assert all(item.reasons for item in result.unplaced)


@settings(PROFILE)
@given_(scheduling_problem())
def test_same_input_gives_the_same_schedule(problem):
    clinic, requests = problem
    assert solve(clinic, requests) == solve(clinic, requests)


@settings(PROFILE)
@given_(scheduling_problem(), st.data())
def test_rescheduling_never_breaks_a_hard_rule(problem, data):
    clinic, requests = problem
    result = solve(clinic, requests)
    placed = [p for p in result.placements if p.request_id == requests[0].id]
    others = [p for p in result.placements if p.request_id != requests[0].id]
    if placed and requests[0].sessions[0].fixed_start is None:  # an appointment at a set time is not moved here
        target = data.draw(st.sampled_from(placed))
        new_start = target.start + timedelta(minutes=15 * data.draw(st.integers(-8, 40)))
        moved = move_session(clinic, requests[0], placed, target.session_id, new_start, other_placements=others,
                             other_requests=requests[1:])
        assert validate_schedule(clinic, list(moved.placements) + others, requests) == []
    # the placed sessions become the diary; then a therapist falls ill and a session runs over
    diary = replace(clinic, bookings=clinic.bookings + tuple(p.as_booking() for p in result.placements))
    if diary.staff and result.placements:
        sick = data.draw(st.sampled_from(diary.staff)).id
        first = min(p.start for p in result.placements)
        leave_start = first + timedelta(hours=data.draw(st.integers(0, 48)))
        covered = reassign_for_sick_leave(diary, sick, leave_start, leave_start + timedelta(hours=30))
        assert validate_bookings(covered.clinic, [r.booking_id for r in covered.reassigned]) == []
        running = data.draw(st.sampled_from(result.placements))
        over = push_after_overrun(diary, running.key, running.end + timedelta(minutes=data.draw(st.integers(5, 90))))
        assert validate_bookings(over.clinic, [push.booking_id for push in over.pushed]) == []
