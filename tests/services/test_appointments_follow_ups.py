"""Follow-ups chosen from a patient's recent visits, walk-ins booked already checked in, and the words of a reason."""

from datetime import timedelta

import pytest

from clinicdesk.domain.errors import IllegalTransition, PermissionDenied
from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.appointments import RescheduleRefused
from clinicdesk.services.slot_search import distance_text
from tests.services.helpers import audit_rows
from tests.services.scheduling_world import FRIDAY, THURSDAY, at

SATURDAY = FRIDAY + timedelta(days=1)


def _book(world, desk, patient, day, hhmm, room, staff, service="ABH", minutes=60, **kwargs) -> str:
    appointment_id, _ = appointments.book(desk, world.request(patient, service, day=day, **kwargs),
                                          world.slot(at(day, hhmm), minutes, room, staff))
    return appointment_id


# --- recent visits ---------------------------------------------------------------------------------------------

def test_recent_visits_are_the_checked_in_and_completed_ones_newest_first(world, desk, clock):
    first = _book(world, desk, "asha", THURSDAY, "10:00", "Consultation", "meera", service="CON", minutes=30)
    for event in ("check_in", "start", "complete"):
        appointments.transition(desk, first, event)
    cancelled = _book(world, desk, "asha", THURSDAY, "14:00", "Abhyanga 1", "rajan")
    appointments.transition(desk, cancelled, "cancel", reason="Felt unwell")
    _book(world, desk, "asha", SATURDAY, "10:00", "Abhyanga 1", "rajan")  # still to come: not a visit yet
    _book(world, desk, "ravi", THURSDAY, "11:00", "Abhyanga 1", "rajan")  # someone else's
    clock.advance(days=1)  # Friday 10:00 in Kochi
    second = _book(world, desk, "asha", FRIDAY, "10:00", "Abhyanga 1", "rajan")
    appointments.transition(desk, second, "check_in")

    visits = appointments.recent_visits(desk, world.patients["asha"])
    assert [(v.id, v.status) for v in visits] == [(second, "checked_in"), (first, "completed")]
    assert visits[1].service_name == "Consultation" and visits[1].start == at(THURSDAY, "10:00")
    assert [v.id for v in appointments.recent_visits(desk, world.patients["asha"], limit=1)] == [second]
    assert appointments.recent_visits(desk, world.patients["lata"]) == []


def test_recent_visits_need_permission_to_view_appointments(world):
    signed_out = type(world.boss)(world.boss.db, clock=world.boss.clock)
    with pytest.raises(PermissionDenied):
        appointments.recent_visits(signed_out, world.patients["asha"])


def test_a_follow_up_booked_from_a_recent_visit_takes_the_follow_up_length_and_the_link(world, desk):
    first = _book(world, desk, "asha", THURSDAY, "10:00", "Abhyanga 1", "rajan")
    appointments.transition(desk, first, "check_in")
    visit = appointments.recent_visits(desk, world.patients["asha"])[0]
    request = world.request("asha", "ABH", day=FRIDAY, follow_up_of=visit.id)
    slot = appointments.find_slots(desk, request).suggestions[0]
    assert slot.end - slot.start == timedelta(minutes=45)  # Abhyanga's follow-up length, not its 60 minutes
    follow_up, _ = appointments.book(desk, request, slot)
    item = appointments.get_appointment(desk, follow_up)
    assert item.follow_up_of == first and item.end - item.start == timedelta(minutes=45)


# --- walk-ins in one transaction -------------------------------------------------------------------------------

def test_a_walk_in_is_booked_already_checked_in_with_both_steps_in_the_history(world, desk, clock):
    clock.advance(minutes=7)  # 10:07 in Kochi
    request = BookingRequest(world.patients["ravi"], world.services["NAS"], world.centre, THURSDAY, search_days=1,
                             source="walk_in")
    slot = appointments.find_slots(desk, request).suggestions[0]
    appointment_id, changes = appointments.book(desk, request, slot, check_in=True)
    assert changes.appointments
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.status, item.source) == ("checked_in", "walk_in")
    assert [(h.from_status, h.to_status) for h in item.history] == [("", "confirmed"), ("confirmed", "checked_in")]
    assert [r.action for r in audit_rows(desk, entity_id=appointment_id)] == [
        "appointment.book", "appointment.check_in"]


def test_a_booking_that_cannot_be_checked_in_is_not_saved_at_all(world, desk):
    tomorrow = world.request("ravi", "NAS", day=FRIDAY)
    with pytest.raises(IllegalTransition, match="not today"):
        appointments.book(desk, tomorrow, world.slot(at(FRIDAY, "10:00"), 30, "Nasya 1", "rajan"), check_in=True)
    approval = world.request("asha", "VIR", day=THURSDAY)
    slot = appointments.find_slots(desk, approval).suggestions[0]
    with pytest.raises(IllegalTransition):
        appointments.book(desk, approval, slot, check_in=True)
    assert appointments.list_range(desk, world.centre, THURSDAY, FRIDAY) == []


def test_checking_in_while_booking_needs_permission_to_check_in(world):
    # customer relations may book but not check a patient in
    relations = world.ctx(Role.CUSTOMER_RELATIONS)
    request = world.request("ravi", "NAS", day=THURSDAY)
    slot = appointments.find_slots(relations, request).suggestions[0]
    with pytest.raises(PermissionDenied):
        appointments.book(relations, request, slot, check_in=True)
    assert appointments.list_range(world.boss, world.centre, THURSDAY, THURSDAY) == []


# --- a refused move never offers the appointment's own place ---------------------------------------------------

def test_a_refused_move_does_not_suggest_the_appointments_own_slot(world, desk):
    _book(world, desk, "ravi", FRIDAY, "10:00", "Abhyanga 2", "anjali")
    moving = _book(world, desk, "asha", FRIDAY, "10:00", "Abhyanga 1", "rajan")
    with pytest.raises(RescheduleRefused) as refused:
        appointments.reschedule(desk, moving, at(FRIDAY, "10:15"), staff_ids=(world.staff["anjali"],))
    suggestions = refused.value.suggestions
    assert suggestions
    assert not any(s.start == at(FRIDAY, "10:00") and s.room_id == world.rooms["Abhyanga 1"]
                   and s.staff_ids == (world.staff["rajan"],) for s in suggestions)
    assert "Next free: Fri 27 Nov 10:00 with Rajan Pillai in Abhyanga 1" not in str(refused.value)


# --- distances from the time asked -----------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "words"), [
    (0, "At the time asked"),
    (15, "15 min later"),
    (-60, "1 h earlier"),
    (135, "2 h 15 min later"),
    (-(23 * 60 + 45), "23 h 45 min earlier"),
    (24 * 60, "1 day later"),
    (-(24 * 60 + 30), "1 day earlier"),
    (67 * 60 + 15, "3 days later"),
    (48 * 60, "2 days later"),
])
def test_distances_from_the_time_asked_read_in_hours_or_days(minutes, words):
    asked = at(THURSDAY, "16:45")
    assert distance_text(asked, asked + timedelta(minutes=minutes)) == words


def test_suggestions_say_how_far_from_the_time_asked_in_days_once_it_is_a_day_or_more(world, desk):
    for patient, room, staff in (("ravi", "Abhyanga 1", "rajan"), ("lata", "Abhyanga 2", "anjali")):
        for day in (FRIDAY, SATURDAY):
            for hhmm in ("08:00", "09:00", "10:00", "11:00", "12:30", "13:30", "14:30"):
                _book(world, desk, patient, day, hhmm, room, staff)
    found = appointments.find_slots(desk, world.request("asha", day=FRIDAY, at="10:00", search_days=5))
    assert found.suggestions
    for suggestion in found.suggestions:
        first = suggestion.reasons[0]
        assert " h " not in first or "day" not in first
        if suggestion.start.date() != FRIDAY:
            assert first.endswith(("days later", "day later", "days earlier", "day earlier")), first
