"""Multi-day plans: order and gaps, same-day sequences, backtracking, soft preferences and determinism."""

from dataclasses import replace

from scheduling_builders import at, booking, clinic, patient, person, plan, room, session, shift, therapy

from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.model import Gender, Preferences, TimeOfDay
from clinicdesk.domain.scheduling.scoring import score_schedule
from clinicdesk.domain.scheduling.solver import Scheduler, SolverOptions, solve

STEAM = therapy("swe", "Swedana", 30, room_types=("swedana",), skills=("swedana",))
CLINIC = clinic(staff=(person(skills=("abhyanga", "swedana")), person("s2", "Meera", skills=("abhyanga", "swedana"))),
                rooms=(room(), room("r2", "Steam", "swedana")), therapies=(therapy(cleanup_minutes=15), STEAM))


def starts(result):
    return {placement.session_id: placement.start for placement in result.placements}


def test_same_day_sequence_starts_after_the_previous_session_ends():
    request = plan([session("abh", day=0), session("swe", "swe", day=0, after=[("abh", 0, 0, 15)])])
    result = solve(CLINIC, [request])
    assert starts(result) == {"abh": at("08:00"), "swe": at("09:15")}
    assert validate_schedule(CLINIC, result.placements, [request]) == []


def test_gap_days_are_kept_and_rest_days_skipped():
    request = plan([session("a", day=0), session("b", day=1, after=[("a", 2, 3)])], rest_days=(2,))
    result = solve(CLINIC, [request])
    assert starts(result) == {"a": at("08:00"), "b": at("08:00", day=3)}
    assert result.score.day_off_target == 20  # b is two days after its target day


def test_backtracking_moves_an_earlier_session_when_a_later_one_has_no_room_in_its_gap():
    # Swedana must be on the same day as Abhyanga, and the only Swedana therapist works on Tuesday only
    only_tuesday = replace(CLINIC, staff=(person(), person("s2", "Meera", skills=("swedana",),
                                                           shifts=(shift(days=(1,)),))))
    request = plan([session("abh", day=0), session("swe", "swe", day=0, after=[("abh", 0, 0)])], max_days_late=2)
    result = solve(only_tuesday, [request])
    assert starts(result) == {"abh": at("08:00", day=1), "swe": at("09:00", day=1)}
    assert result.unplaced == ()


def test_without_backtracking_the_later_session_is_left_unplaced_with_a_reason():
    only_tuesday = replace(CLINIC, staff=(person(), person("s2", "Meera", skills=("swedana",),
                                                           shifts=(shift(days=(1,)),))))
    request = plan([session("abh", day=0), session("swe", "swe", day=0, after=[("abh", 0, 0)])], max_days_late=2)
    result = solve(only_tuesday, [request], SolverOptions(backtrack_limit=0, repair_attempts=0,
                                                          shake_rounds=0))  # the batch repair
    assert [item.session_id for item in result.unplaced] == ["swe"]  # fixes it too: see test_repair.py
    assert "it must be 0 days after Abhyanga (abh)" in " ".join(result.unplaced[0].reasons)


def test_sessions_after_an_unplaced_session_are_not_booked_and_say_why():
    nobody = replace(CLINIC, staff=(person(skills=("abhyanga",)),))
    request = plan([session("swe", "swe", day=0), session("abh", day=1, after=[("swe", 1, 2)])])
    result = solve(nobody, [request])
    assert [item.session_id for item in result.unplaced] == ["swe", "abh"]
    assert result.unplaced[1].reasons == ("Abhyanga was not booked because it comes after Swedana (swe), which "
                                          "could not be booked.",)


def test_preferred_time_of_day_and_same_therapist_are_followed_when_possible():
    preferences = Preferences(time_of_day=TimeOfDay.AFTERNOON, same_therapist=True)
    request = plan([session(f"a{day}", day=day) for day in range(3)], preferences=preferences)
    result = solve(CLINIC, [request])
    assert all(placement.start.hour >= 12 for placement in result.placements)
    assert len({placement.staff_ids for placement in result.placements}) == 1
    assert result.score.time_of_day == 0 and result.score.therapist_change == 0


def test_load_is_spread_across_therapists():
    requests = [plan([session("a", day=0)], who=replace(CLINIC_PATIENT, id=f"p{index}"), plan_id=f"plan{index}")
                for index in range(4)]
    result = solve(CLINIC, requests)
    per_staff = [sum(1 for placement in result.placements if placement.staff_ids == (staff_id,))
                 for staff_id in ("s1", "s2")]
    assert per_staff == [2, 2]


CLINIC_PATIENT = plan([session("x")]).patient


def test_patient_limit_per_day_spreads_a_plan():
    request = plan([session("a", day=0), session("b", day=0), session("c", day=0)],
                   preferences=Preferences(max_sessions_per_day=2), max_days_late=1)
    result = solve(CLINIC, [request])
    days = sorted(placement.start.date().day for placement in result.placements)
    assert days == [7, 7, 8]


def test_same_input_gives_identical_output_and_the_score_matches_a_rescore():
    busy = replace(CLINIC, bookings=(booking("b1", "08:00", "09:00", staff_ids=("s1",), room_id="r1"),))
    requests = [plan([session(f"abh{d}", day=d) for d in range(4)]
                     + [session("swe", "swe", day=3, after=[("abh3", 0, 0)])],
                     preferences=Preferences(same_therapist=True, gender_match_required=True)),
                plan([session("a", day=1)], who=replace(CLINIC_PATIENT, id="p2", gender=Gender.MALE), plan_id="p2")]
    first, second = solve(busy, requests), solve(busy, requests)
    assert first == second
    assert first.score == score_schedule(busy, requests, first.placements)
    assert validate_schedule(busy, first.placements, requests) == []


def test_a_full_day_gives_up_a_session_at_the_end_of_a_chain_rather_than_one_that_others_follow():
    # three sessions a day at most: leaving out s1 (nothing follows it) keeps s2 and the purgation after it
    request = plan([session("a1", day=0), session("s1", "swe", day=0, after=[("a1", 0, 0)]),
                    session("a2", day=0), session("s2", "swe", day=0, after=[("a2", 0, 0)]),
                    session("v", day=1, after=[("s2", 1, 1)])],
                   preferences=Preferences(max_sessions_per_day=3), max_days_late=0)
    result = solve(CLINIC, [request])
    assert [item.session_id for item in result.unplaced] == ["s1"]
    assert validate_schedule(CLINIC, result.placements, [request]) == []


def test_a_session_that_can_never_fit_does_not_use_up_the_backtracking_of_the_rest_of_the_plan():
    # Nasya has no room at all: going back over the Abhyanga before it cannot help, so it must not spend the budget
    # that the Swedana after it needs to move its Abhyanga to Tuesday (see above)
    only_tuesday = replace(CLINIC, staff=(person(), person("s2", "Meera", skills=("swedana",),
                                                           shifts=(shift(days=(1,)),))),
                           therapies=CLINIC.therapies + (therapy("nasya", "Nasya", room_types=("nasya",)),))
    request = plan([session("first", day=0), session("nasya", "nasya", day=0), session("abh", day=0),
                    session("swe", "swe", day=0, after=[("abh", 0, 0)])], max_days_late=2)
    result = solve(only_tuesday, [request], SolverOptions(backtrack_limit=2))
    assert [item.session_id for item in result.unplaced] == ["nasya"]
    assert starts(result)["swe"].date() == at("00:00", day=1).date()


def test_a_repair_that_would_make_the_rest_of_the_plan_late_is_not_made():
    # Nasya after the first Abhyanga is possible only on Tuesday; moving that Abhyanga there too fills Tuesday (two a
    # day at most) and pushes all five Abhyanga + Swedana pairs a day late: the plan scores better without the Nasya
    tuesday_nasya = replace(CLINIC, staff=CLINIC.staff + (person("s3", "Ravi", skills=("nasya",),
                                                                 shifts=(shift(days=(1,)),)),),
                            therapies=CLINIC.therapies + (therapy("nasya", "Nasya", 30, skills=("nasya",)),))
    sessions = [session("a0", day=0), session("nasya", "nasya", day=0, after=[("a0", 0, 0)])]
    for day in range(1, 6):
        sessions += [session(f"a{day}", day=day), session(f"s{day}", "swe", day=day, after=[(f"a{day}", 0, 0)])]
    request = plan(sessions, preferences=Preferences(max_sessions_per_day=2), max_days_late=5)
    result = solve(tuesday_nasya, [request])
    assert [item.session_id for item in result.unplaced] == ["nasya"]
    assert result.score.day_off_target == 0
    always_repair = solve(tuesday_nasya, [request], SolverOptions(repair_rollouts=0))
    assert always_repair.unplaced == () and always_repair.score.total < result.score.total


def test_a_batch_rebooks_a_plan_that_crowded_out_a_later_one_so_both_fit():
    # one therapist with one free hour a day; the first plan may move, the second must have Monday
    one_hour = clinic(staff=(person(shifts=(shift("08:00", "09:00"),)),))
    flexible = plan([session("a")], who=patient("p1"), plan_id="flexible", max_days_late=2)
    monday_only = plan([session("b")], who=patient("p2"), plan_id="monday-only", max_days_late=0)
    desk = Scheduler(one_hour)
    desk.book(flexible)
    assert [item.session_id for item in desk.book(monday_only).unplaced] == ["b"]
    result = solve(one_hour, [flexible, monday_only])
    assert result.unplaced == ()
    assert {placement.request_id: placement.start for placement in result.placements} == {
        "monday-only": at("08:00"), "flexible": at("08:00", day=1)}
    assert validate_schedule(one_hour, result.placements, [flexible, monday_only]) == []


def test_a_batch_keeps_the_desk_answer_when_rebooking_gains_nothing():
    one_hour = clinic(staff=(person(shifts=(shift("08:00", "09:00"),)),))
    requests = [plan([session("a")], who=patient(f"p{n}"), plan_id=f"plan{n}", max_days_late=0) for n in range(2)]
    desk = Scheduler(one_hour)
    for request in requests:
        desk.book(request)
    assert desk.improve() == 0
    assert solve(one_hour, requests) == desk.result()
