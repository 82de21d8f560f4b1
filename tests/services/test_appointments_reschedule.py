"""Moving an appointment: the same rule checks as booking, refusals in plain words, the old slot given back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.services import admin, appointments
from clinicdesk.services.admin_dto import CentreDraft
from clinicdesk.services.appointments import RescheduleRefused
from clinicdesk.store.models_scheduling import AppointmentRow
from tests.services.helpers import audit_rows
from tests.services.scheduling_world import FRIDAY, THURSDAY, at

SATURDAY = FRIDAY + timedelta(days=1)


def _book(world, desk, patient, hhmm, room, staff, day=FRIDAY, service="ABH", minutes=60, **kwargs):
    appointment_id, _ = appointments.book(desk, world.request(patient, service, day=day, **kwargs),
                                          world.slot(at(day, hhmm), minutes, room, staff))
    return appointment_id


def _count(world) -> int:
    with world.boss.db.session() as session:
        return session.scalar(select(func.count()).select_from(AppointmentRow))


def test_a_move_keeps_therapist_and_room_and_leaves_a_trail_on_both_appointments(world, desk):
    old_id = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    changes = appointments.reschedule(desk, old_id, at(SATURDAY, "11:00"), reason="Patient travelling")
    assert changes.appointments
    old = appointments.get_appointment(desk, old_id)
    assert old.status == "rescheduled" and old.rescheduled_to
    new = appointments.get_appointment(desk, old.rescheduled_to)
    assert (new.status, new.start, new.end, new.room_name, new.staff_names) == (
        "confirmed", at(SATURDAY, "11:00"), at(SATURDAY, "12:00"), "Abhyanga 1", ("Rajan Pillai",))
    assert new.rescheduled_from == old_id and new.reference != old.reference
    assert old.history[-1].to_status == "rescheduled"
    assert old.history[-1].reason == f"Moved to Sat 28 Nov 11:00 ({new.reference}): Patient travelling"
    assert new.history[0].reason == f"Moved here from Fri 27 Nov 10:00 ({old.reference}): Patient travelling"
    assert [(r.action, r.entity_id) for r in audit_rows(desk, action="appointment.reschedule")] == [
        ("appointment.reschedule", old_id)]
    # the old time is free again
    appointments.book(desk, world.request("ravi", day=FRIDAY), world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1",
                                                                          "rajan"))


def test_when_the_therapist_is_busy_at_the_new_time_the_engine_finds_who_is_free(world, desk):
    _book(world, desk, "ravi", "14:00", "Abhyanga 1", "rajan")
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    appointments.reschedule(desk, moving, at(FRIDAY, "14:00"))
    new = appointments.get_appointment(desk, appointments.get_appointment(desk, moving).rescheduled_to)
    assert (new.start, new.staff_names, new.room_name) == (at(FRIDAY, "14:00"), ("Anjali Menon",), "Abhyanga 2")


def test_a_move_onto_a_busy_chosen_therapist_is_refused_naming_her_and_nothing_changes(world, desk):
    _book(world, desk, "ravi", "14:00", "Abhyanga 2", "anjali")
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    before = _count(world)
    with pytest.raises(RescheduleRefused) as refused:
        appointments.reschedule(desk, moving, at(FRIDAY, "14:30"), staff_ids=(world.staff["anjali"],))
    assert str(refused.value).startswith("Abhyanga cannot be moved to Fri 27 Nov 14:30 with Anjali Menon")
    assert "Anjali Menon is booked 14:00–15:00" in str(refused.value)
    assert refused.value.suggestions
    assert _count(world) == before
    assert appointments.get_appointment(desk, moving).status == "confirmed"


def test_a_move_to_a_holiday_is_refused_with_the_engines_explanation(world, desk):
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    admin.save_centre(world.boss, CentreDraft("KOC", "Kochi", holidays=((SATURDAY, "Onam"),)), world.centre)
    with pytest.raises(RescheduleRefused) as refused:
        appointments.reschedule(desk, moving, at(SATURDAY, "10:00"))
    message = str(refused.value)
    assert message.startswith("Abhyanga cannot be moved to Sat 28 Nov 10:00: Sat 28 Nov is a centre holiday.")
    assert all(s.start.date() != SATURDAY for s in refused.value.suggestions)


def test_a_move_when_nobody_is_free_names_everyone_in_the_way(world, desk):
    _book(world, desk, "ravi", "10:00", "Abhyanga 1", "rajan", day=SATURDAY)
    _book(world, desk, "lata", "10:00", "Abhyanga 2", "anjali", day=SATURDAY)
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    with pytest.raises(RescheduleRefused) as refused:
        appointments.reschedule(desk, moving, at(SATURDAY, "10:30"))
    message = str(refused.value)
    assert "cannot be moved to Sat 28 Nov 10:30" in message
    assert "Rajan Pillai is booked 10:00–11:00" in message and "Anjali Menon is booked 10:00–11:00" in message
    assert [s.start for s in refused.value.suggestions][:1] == [at(SATURDAY, "11:00")]  # nearest to 10:30


def test_moves_that_make_no_sense_are_refused(world, desk, clock):
    moving = _book(world, desk, "asha", "10:30", "Abhyanga 1", "rajan", day=THURSDAY)
    with pytest.raises(RescheduleRefused, match="Thu 26 Nov 09:00 is already past"):
        appointments.reschedule(desk, moving, at(THURSDAY, "09:00"))
    with pytest.raises(ValidationError, match="already is"):
        appointments.reschedule(desk, moving, at(THURSDAY, "10:30"))
    appointments.transition(desk, moving, "check_in")
    with pytest.raises(IllegalTransition, match="checked in, so it cannot be moved"):
        appointments.reschedule(desk, moving, at(FRIDAY, "10:00"))


def test_a_request_waiting_for_approval_stays_waiting_after_a_move(world, desk):
    moving = world.book(service="VIR", day=FRIDAY)
    appointments.reschedule(desk, moving, at(SATURDAY, "10:00"), room_id=world.rooms["Consultation"])
    new = appointments.get_appointment(desk, appointments.get_appointment(desk, moving).rescheduled_to)
    assert (new.status, new.approval_pending, new.start) == ("requested", True, at(SATURDAY, "10:00"))


def test_follow_ups_follow_the_first_visit_when_it_moves(world, desk):
    first = _book(world, desk, "asha", "09:00", "Consultation", "meera", service="CON", minutes=30)
    follow_up = world.book(service="CON", day=SATURDAY, follow_up_of=first)
    appointments.reschedule(desk, first, at(FRIDAY, "11:00"))
    moved_to = appointments.get_appointment(desk, first).rescheduled_to
    assert appointments.get_appointment(desk, follow_up).follow_up_of == moved_to


def test_a_moved_appointment_keeps_its_length_even_if_the_service_changed(world, desk):
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    appointments.save_service(world.boss, code="ABH", name="Abhyanga", category="therapy", duration_minutes=90,
                              room_types=("abhyanga",), skills=("abhyanga",), price=Decimal("2000"),
                              service_id=world.services["ABH"])
    appointments.reschedule(desk, moving, at(FRIDAY, "13:00"))
    new = appointments.get_appointment(desk, appointments.get_appointment(desk, moving).rescheduled_to)
    assert new.end - new.start == timedelta(minutes=60)
