"""Rescheduling: moving one plan session, a therapist's sick leave, and a session that runs over."""

from dataclasses import replace

from scheduling_builders import at, booking, clinic, person, plan, room, session, therapy

from clinicdesk.domain.scheduling.checker import validate_bookings, validate_schedule
from clinicdesk.domain.scheduling.model import DateOverride, Gender, Preferences
from clinicdesk.domain.scheduling.reschedule import move_session, push_after_overrun, reassign_for_sick_leave
from clinicdesk.domain.scheduling.solver import solve

STEAM = therapy("swe", "Swedana", 30, room_types=("swedana",), skills=("swedana",))
CLINIC = clinic(staff=(person(skills=("abhyanga", "swedana")), person("s2", "Meera", skills=("abhyanga", "swedana")),
                       person("s3", "Ravi", Gender.MALE, skills=("abhyanga",))),
                rooms=(room(), room("r2", "Steam", "swedana")), therapies=(therapy(), STEAM))
PLAN = plan([session("pre", day=0), session("abh", day=1), session("swe", "swe", day=1, after=[("abh", 0, 0, 15)]),
             session("abh2", day=2, after=[("abh", 1, 1)]), session("later", day=4)])


def by_session(placements):
    return {placement.session_id: placement for placement in placements}


def test_moving_a_session_moves_only_what_must_follow_it():
    booked = solve(CLINIC, [PLAN]).placements
    result = move_session(CLINIC, PLAN, booked, "abh", at("14:00", day=2))
    before, after = by_session(booked), by_session(result.placements)
    assert after["abh"].start == at("14:00", day=2)
    assert after["swe"].start >= at("15:15", day=2)  # same day, after Abhyanga ends (+15 min)
    assert after["abh2"].start.date() == at("00:00", day=3).date()  # exactly one day after
    assert after["pre"] == before["pre"] and after["later"] == before["later"]  # not after it: untouched
    assert set(result.moved) == {"abh", "swe", "abh2"}
    assert validate_schedule(CLINIC, result.placements, [PLAN]) == []


def test_moving_keeps_followers_that_still_fit_and_the_same_staff_and_room():
    booked = solve(CLINIC, [PLAN]).placements
    old = by_session(booked)["swe"]
    result = move_session(CLINIC, PLAN, booked, "swe", at("11:00", day=1))
    moved = by_session(result.placements)["swe"]
    assert result.moved == ("swe",)
    assert (moved.room_id, moved.staff_ids) == (old.room_id, old.staff_ids)


def test_an_impossible_move_changes_nothing_and_explains():
    booked = solve(CLINIC, [PLAN]).placements
    result = move_session(CLINIC, PLAN, booked, "swe", at("07:00", day=1))
    assert result.placements == tuple(booked) and result.moved == ()
    assert "cannot be booked at Tue 8 Dec 07:00" in result.refused.reasons[0]


DIARY = replace(CLINIC, bookings=(
    booking("b1", "09:00", "10:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1",
            patient_gender=Gender.FEMALE, gender_match_required=True),
    booking("b2", "11:00", "12:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p2",
            patient_gender=Gender.FEMALE, gender_match_required=True),
    booking("b3", "11:00", "12:00", staff_ids=("s2",), room_id="r2", therapy_id="swe", patient_id="p3"),
    booking("b4", "09:00", "10:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p4", day=3),
))


def test_sick_leave_reassigns_to_a_free_qualified_therapist_or_lists_who_to_call():
    result = reassign_for_sick_leave(DIARY, "s1", at("00:00"), at("00:00", day=1))
    assert [(item.booking_id, item.new_staff) for item in result.reassigned] == [("b1", ("s2",))]
    (call,) = result.needs_call
    assert call.booking_id == "b2" and call.patient_id == "p2"
    assert "Anjali is on leave and no other female therapist with abhyanga skill is free (Meera is booked " \
           "11:00–12:00)" in call.reason  # Ravi is ruled out by the gender match, Meera is busy
    untouched = {b.id: b for b in result.clinic.bookings}["b4"]
    assert untouched.staff_ids == ("s1",)  # outside the leave


def test_overrun_pushes_the_next_bookings_of_the_same_staff_and_room():
    diary = replace(CLINIC, bookings=(
        booking("b1", "09:00", "10:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1"),
        booking("b2", "10:00", "11:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p2"),
        booking("b3", "11:00", "12:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p3"),
        booking("b4", "13:00", "14:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p4"),
        booking("b5", "10:00", "11:00", staff_ids=("s2",), room_id="r2", therapy_id="swe", patient_id="p5"),
    ))
    result = push_after_overrun(diary, "b1", at("10:20"))
    assert [(push.booking_id, push.new_start) for push in result.pushed] == [("b2", at("10:30")),
                                                                           ("b3", at("11:30"))]
    bookings = {b.id: b for b in result.clinic.bookings}
    assert bookings["b1"].end == at("10:20")
    assert bookings["b4"].start == at("13:00") and bookings["b5"].start == at("10:00")
    assert result.needs_call == ()


def test_overrun_that_cannot_be_absorbed_asks_for_a_call():
    diary = replace(CLINIC, bookings=(
        booking("b1", "13:00", "14:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1"),
        booking("b2", "15:00", "16:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p2"),
    ))
    result = push_after_overrun(diary, "b1", at("15:30"))
    assert [call.booking_id for call in result.needs_call] == ["b2"]  # the shift ends at 16:00


def test_a_pushed_booking_never_takes_the_place_of_one_that_cannot_move():
    # b2 would move to 14:30 only by overlapping b3, which cannot move (the shift ends at 16:00) and stays put
    diary = replace(CLINIC, bookings=(
        booking("b1", "13:00", "14:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1"),
        booking("b2", "14:00", "15:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p2"),
        booking("b3", "15:00", "16:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p3"),
    ))
    result = push_after_overrun(diary, "b1", at("14:20"))
    assert validate_bookings(result.clinic, [push.booking_id for push in result.pushed]) == []
    assert result.pushed == () and [call.booking_id for call in result.needs_call] == ["b2", "b3"]


def test_sick_leave_does_not_reassign_a_booking_whose_other_staff_cannot_work_it_either():
    # Ravi's day off was entered after the booking: covering Anjali alone would leave the booking still impossible
    ravi_off = replace(CLINIC, staff=CLINIC.staff[:2] + (replace(CLINIC.staff[2], overrides=(DateOverride(
        at("00:00").date()),)),), bookings=(
        booking("b1", "09:00", "10:00", staff_ids=("s1", "s3"), room_id="r1", therapy_id="abh", patient_id="p1"),))
    result = reassign_for_sick_leave(ravi_off, "s1", at("00:00"), at("00:00", day=1))
    assert validate_bookings(result.clinic, [item.booking_id for item in result.reassigned]) == []
    (call,) = result.needs_call
    assert call.booking_id == "b1" and "Ravi is not on shift" in call.reason


def test_sick_leave_never_gives_two_overlapping_bookings_the_same_cover():
    # a diary that already has Anjali twice at 09:30: b2 keeps Meera, so Meera is not free to cover b1
    diary = replace(CLINIC, bookings=(
        booking("b1", "09:00", "10:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1"),
        booking("b2", "09:30", "10:30", staff_ids=("s1", "s2"), room_id="r2", therapy_id="swe", patient_id="p2")))
    result = reassign_for_sick_leave(diary, "s1", at("00:00"), at("00:00", day=1))
    assert validate_bookings(result.clinic, [item.booking_id for item in result.reassigned]) == []


def test_sick_leave_gives_a_group_session_one_cover_for_all_its_patients():
    group = therapy(group_allowed=True)
    diary = replace(CLINIC, therapies=(group, STEAM), rooms=(room(capacity=2), room("r2", "Steam", "swedana")),
                    bookings=tuple(booking(f"b{n}", "09:00", "10:00", staff_ids=("s1",), room_id="r1",
                                           therapy_id="abh", patient_id=f"p{n}") for n in (1, 2)))
    result = reassign_for_sick_leave(diary, "s1", at("00:00"), at("00:00", day=1))
    assert [(item.booking_id, item.new_staff) for item in result.reassigned] == [("b1", ("s2",)), ("b2", ("s2",))]
    assert validate_bookings(result.clinic, ["b1", "b2"]) == []


def test_a_move_keeps_the_daily_limit_the_patient_set_in_another_request():
    mine = plan([session("x", day=0)])
    at_most_one = plan([session("a", day=1)], plan_id="other", preferences=Preferences(max_sessions_per_day=1))
    booked = solve(CLINIC, [mine, at_most_one]).placements
    others = [placement for placement in booked if placement.request_id == "other"]
    assert others[0].start.date() == at("00:00", day=1).date()
    result = move_session(CLINIC, mine, booked[:1], "x", at("10:00", day=1), other_placements=others,
                          other_requests=[at_most_one])
    assert result.refused is not None and "the most they want in a day" in " ".join(result.refused.reasons)
    assert validate_schedule(CLINIC, list(result.placements) + others, [mine, at_most_one]) == []


def test_sick_leave_lists_a_booking_that_clashes_with_another_instead_of_rewriting_it():
    # the room was double-booked by hand: a new therapist would not make b1 sound, so the desk has to call
    diary = replace(CLINIC, bookings=(
        booking("b1", "09:00", "10:00", staff_ids=("s1",), room_id="r1", therapy_id="abh", patient_id="p1"),
        booking("b2", "09:30", "10:30", staff_ids=("s3",), room_id="r1", therapy_id="abh", patient_id="p2")))
    result = reassign_for_sick_leave(diary, "s1", at("00:00"), at("00:00", day=1))
    assert result.reassigned == ()
    (call,) = result.needs_call
    assert call.reason == "Anjali is on leave and Abhyanga-1 is taken 09:30–10:30"
