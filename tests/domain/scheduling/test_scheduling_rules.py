"""Each hard rule, table-driven: a request that fits, bent so that exactly one rule refuses it, and the words why."""

from dataclasses import replace

import pytest
from scheduling_builders import (
    appointment,
    at,
    booking,
    clinic,
    open_hours,
    patient,
    person,
    plan,
    room,
    session,
    shift,
    therapy,
    with_staff,
)

from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.model import (
    Centre,
    DateOverride,
    EquipmentPool,
    Gender,
    Period,
    Preferences,
    RoomGender,
)
from clinicdesk.domain.scheduling.solver import solve

BASE = clinic()


def test_the_base_request_fits():
    result = solve(BASE, [appointment("10:00")])
    assert [(p.start, p.room_id, p.staff_ids) for p in result.placements] == [(at("10:00"), "r1", ("s1",))]


# (case, clinic, request, words the explanation must contain)
APPOINTMENT_CASES = [
    ("staff off shift", with_staff(BASE, shifts=(shift("12:00", "16:00"),)), appointment("10:00"),
     "Anjali is not on shift"),
    ("staff on a break", with_staff(BASE, shifts=(shift(breaks=[("10:30", "11:00")]),)), appointment("10:00"),
     "Anjali is on a break 10:30–11:00"),
    ("staff on leave", with_staff(BASE, leave=(Period(at("00:00"), at("00:00", day=1)),)), appointment("10:00"),
     "Anjali is on leave"),
    ("date override: day off", with_staff(BASE, overrides=(DateOverride(at("00:00").date()),)),
     appointment("10:00"), "Anjali is not on shift"),
    ("shift not yet effective", with_staff(BASE, shifts=(shift(effective_from=at("00:00", day=1).date()),)),
     appointment("10:00"), "Anjali is not on shift"),
    ("centre holiday", replace(BASE, centre=Centre(holidays=(at("00:00").date(),))), appointment("10:00"),
     "is a centre holiday"),
    ("outside opening hours", replace(BASE, centre=open_hours("10:30", "18:00")), appointment("10:00"),
     "the centre is not open for the whole session"),
    ("missing skill", with_staff(BASE, skills=frozenset({"nasya"})), appointment("10:00"),
     "Anjali lacks the abhyanga skill"),
    ("not offered by this person", replace(BASE, therapies=(therapy(offered_by=frozenset({"s9"})),)),
     appointment("10:00"), "Anjali does not offer Abhyanga"),
    ("needs two staff", replace(BASE, therapies=(therapy(staff_count=2),)), appointment("10:00"),
     "the centre has only 1 therapist with abhyanga skill and 2 are needed"),
    ("staff double-booked", replace(BASE, bookings=(booking("b1", "09:30", "10:30", staff_ids=("s1",)),)),
     appointment("10:00"), "Anjali is booked 09:30–10:30"),
    ("room double-booked", replace(BASE, bookings=(booking("b1", "09:30", "10:15", room_id="r1"),)),
     appointment("10:00"), "Abhyanga-1 is taken 09:30–10:15"),
    ("room cleaning buffer", replace(BASE, rooms=(room(cleaning_buffer_minutes=15),),
                                     bookings=(booking("b1", "08:50", "09:50", room_id="r1"),)),
     appointment("10:00"), "Abhyanga-1 is taken 08:50–10:05"),
    ("equipment in use", replace(BASE, therapies=(therapy(equipment=("droni",)),),
                                 equipment=(EquipmentPool("droni", 1, "Droni table"),),
                                 bookings=(booking("b1", "10:30", "11:30", equipment=("droni",)),)),
     appointment("10:00"), "every Droni table (the centre has 1) is in use 10:30–11:30"),
    ("patient already booked", replace(BASE, bookings=(booking("b1", "10:30", "11:00", patient_id="p1"),)),
     appointment("10:00"), "the patient already has another session 10:30–11:00"),
    ("patient unavailable", BASE,
     appointment("10:00", unavailable=(Period(at("10:45"), at("12:00")),)), "the patient is not available 10:45"),
    ("patient daily limit", replace(BASE, bookings=(booking("b1", "08:00", "08:30", patient_id="p1"),)),
     appointment("10:00", max_sessions_per_day=1), "the most they want in a day"),
    ("staff daily limit", replace(with_staff(BASE, max_sessions_per_day=1),
                                  bookings=(booking("b1", "08:00", "08:30", staff_ids=("s1",)),)),
     appointment("10:00"), "Anjali already has 1 sessions that day, the maximum"),
    ("gender match", with_staff(BASE, gender=Gender.MALE, name="Ravi"),
     appointment("10:00", gender_match_required=True), "Ravi is not female"),
    ("room type", replace(BASE, rooms=(room(room_type="swedana"),)), appointment("10:00"),
     "the centre has no abhyanga room"),
    ("room gender", replace(BASE, rooms=(room(gender=RoomGender.FEMALE),)),
     appointment("10:00", who=patient(gender=Gender.MALE)), "reserved for female patients"),
    ("group of another therapy", replace(BASE, rooms=(room(capacity=3),), therapies=(
        therapy(group_allowed=True), therapy("yoga", "Yoga", room_types=("abhyanga",), group_allowed=True)),
        staff=(person(), person("s2", "Meera")),
        bookings=(booking("b1", "10:00", "11:00", room_id="r1", therapy_id="yoga", staff_ids=("s2",)),)),
     appointment("10:00"), "Abhyanga-1 is taken 10:00–11:00"),
    ("group full", replace(BASE, rooms=(room(capacity=1),), therapies=(therapy(group_allowed=True),),
                           bookings=(booking("b1", "10:00", "11:00", room_id="r1", therapy_id="abh",
                                             staff_ids=("s1",), patient_id="p7"),)),
     appointment("10:00"), "Abhyanga-1 is taken 10:00–11:00"),
    ("group whose therapist is also booked elsewhere (an old double booking)", replace(
        BASE, rooms=(room(capacity=2), room("r2", "Abhyanga-2")), therapies=(therapy(group_allowed=True),),
        bookings=(booking("b1", "10:00", "11:00", room_id="r1", therapy_id="abh", staff_ids=("s1",), patient_id="p7"),
                  booking("b2", "10:30", "11:30", room_id="r2", therapy_id="abh", staff_ids=("s1",),
                          patient_id="p8"))),
     appointment("10:00"), "Anjali is booked 10:00–11:00"),
]


@pytest.mark.parametrize(("case", "clinic_", "request_", "words"), APPOINTMENT_CASES,
                         ids=[case[0] for case in APPOINTMENT_CASES])
def test_one_rule_refuses_and_the_explanation_names_it(case, clinic_, request_, words):
    result = solve(clinic_, [request_])
    assert result.placements == ()
    (unplaced,) = result.unplaced
    text = " ".join(unplaced.reasons)
    assert "cannot be booked at Mon 7 Dec 10:00" in text
    assert words in text, text


def test_refused_appointment_gets_alternatives_closest_to_the_requested_time():
    busy = replace(BASE, bookings=(booking("b1", "09:30", "10:30", staff_ids=("s1",)),))
    (unplaced,) = solve(busy, [appointment("10:00")]).unplaced
    assert [option.start for option in unplaced.alternatives] == [at("10:30"), at("10:45"), at("11:00")]
    assert "Alternatives: Mon 7 Dec 10:30 with Anjali in Abhyanga-1" in " ".join(unplaced.reasons)


def test_joining_a_group_session_of_the_same_therapy_shares_room_and_staff():
    group_clinic = replace(BASE, rooms=(room(capacity=2),), therapies=(therapy(group_allowed=True),),
                           bookings=(booking("b1", "10:00", "11:00", room_id="r1", therapy_id="abh",
                                             staff_ids=("s1",), patient_id="p7"),))
    request = appointment("10:00")
    result = solve(group_clinic, [request])
    assert [(p.room_id, p.staff_ids) for p in result.placements] == [("r1", ("s1",))]
    assert validate_schedule(group_clinic, result.placements, [request]) == []


PLAN_CASES = [
    ("rest day", plan([session("a", day=1)], rest_days=(1,), max_days_late=0), "Tue 8 Dec is a rest day in the plan"),
    ("gap days", plan([session("a", day=0), session("b", day=0, after=[("a", 1, 1)])], max_days_late=0),
     "it must be 1 days after Abhyanga (a)"),
    ("same-day order", plan([session("a", day=0), session("b", day=0, after=[("a", 0, 0, 400)])],
                            max_days_late=0), "it cannot start before"),
]


@pytest.mark.parametrize(("case", "request_", "words"), PLAN_CASES, ids=[case[0] for case in PLAN_CASES])
def test_plan_rules_refuse_with_words(case, request_, words):
    roomy = replace(BASE, rooms=(room(), room("r2", "Abhyanga-2")), staff=(person(), person("s2", "Meera")))
    result = solve(roomy, [request_])
    text = " ".join(" ".join(item.reasons) for item in result.unplaced)
    assert result.unplaced and words in text, text
    assert validate_schedule(roomy, result.placements, [request_]) == []


def test_unplaced_plan_session_names_the_busy_resources_and_the_earliest_option():
    # the only female therapist with the skill is on leave Mon-Wed; the plan allows Mon-Tue
    away = with_staff(BASE, leave=(Period(at("00:00"), at("00:00", day=3)),))
    request = plan([session("a", day=0)], max_days_late=1, preferences=Preferences(gender_match_required=True))
    (unplaced,) = solve(away, [request]).unplaced
    assert unplaced.reasons[0] == "No time found for Abhyanga between Mon 7 Dec and Tue 8 Dec."
    assert "Mon 7 Dec, Tue 8 Dec: no female therapist with abhyanga skill is free (Anjali is on leave)." in \
        unplaced.reasons
    assert unplaced.earliest is not None and unplaced.earliest.start == at("08:00", day=3)
    assert unplaced.reasons[-1] == "Earliest option: Thu 10 Dec 08:00 with Anjali in Abhyanga-1."


def test_room_taken_and_staff_free_later_reads_like_a_receptionist_would_say_it():
    busy = replace(BASE, staff=(person(shifts=(shift("14:30", "18:00"),)),),
                   bookings=(booking("b1", "14:00", "18:00", room_id="r1"),))
    request = plan([session("a", day=0)], max_days_late=0)
    (unplaced,) = solve(busy, [request]).unplaced
    assert "Mon 7 Dec: Abhyanga-1 is taken 14:00–18:00 and no therapist with abhyanga skill is free before 14:30." \
        in unplaced.reasons


def test_a_group_whose_staff_are_off_that_day_cannot_be_joined():
    # the group was booked before Anjali's day off was entered: joining it would put her to work on her day off
    off_today = with_staff(BASE, overrides=(DateOverride(at("00:00").date()),))
    group_clinic = replace(off_today, rooms=(room(capacity=2),), therapies=(therapy(group_allowed=True),),
                           bookings=(booking("b1", "10:00", "11:00", room_id="r1", therapy_id="abh",
                                             staff_ids=("s1",), patient_id="p7"),))
    request = appointment("10:00")
    result = solve(group_clinic, [request])
    assert result.placements == ()
    assert "Anjali is not on shift" in " ".join(result.unplaced[0].reasons)
