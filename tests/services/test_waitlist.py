"""The waitlist: first come first served, offers when a slot frees, accepting, declining, lapsed offers."""

from datetime import timedelta

import pytest

from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import appointments, waitlist
from clinicdesk.services.appointments import SlotTaken
from clinicdesk.services.waitlist import NoOffer
from tests.services.helpers import audit_rows
from tests.services.scheduling_world import FRIDAY, THURSDAY, at

SATURDAY = FRIDAY + timedelta(days=1)


def _book(world, desk, patient, hhmm, room, staff, day=FRIDAY, service="ABH", minutes=60):
    appointment_id, _ = appointments.book(desk, world.request(patient, service, day=day),
                                          world.slot(at(day, hhmm), minutes, room, staff))
    return appointment_id


def _wait(world, desk, patient, service="ABH", day=FRIDAY, staff=None):
    entry_id, _ = waitlist.add(desk, world.patients[patient], world.services[service], world.centre, day=day,
                               staff_id=world.staff[staff] if staff else None)
    return entry_id


def _entries(world, desk):
    return {entry.id: entry for entry in waitlist.list_entries(desk, world.centre)}


def test_entries_are_listed_first_come_first_served_and_not_twice(world, desk, clock):
    first = _wait(world, desk, "ravi")
    clock.advance(minutes=1)
    second = _wait(world, desk, "lata", staff="anjali")
    entries = waitlist.list_entries(desk, world.centre)
    assert [e.id for e in entries] == [first, second]
    assert (entries[1].patient_name, entries[1].service_name, entries[1].staff_name, entries[1].day,
            entries[1].status) == ("Lata Menon", "Abhyanga", "Anjali Menon", FRIDAY, "waiting")
    with pytest.raises(ValidationError, match="already on the waitlist"):
        _wait(world, desk, "ravi")
    with pytest.raises(ValidationError, match="in the past"):
        _wait(world, desk, "ravi", day=THURSDAY - timedelta(days=1))


def test_a_cancellation_offers_the_slot_to_the_first_waiting_patient_it_fits(world, desk, clock):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    wrong_person = _wait(world, desk, "lata", staff="anjali")  # waits for Anjali, Rajan's slot frees
    clock.advance(minutes=1)
    wrong_day = _wait(world, desk, "lata", day=SATURDAY)
    clock.advance(minutes=1)
    no_room = _wait(world, desk, "ravi", service="SHI")  # Shirodhara needs the women's room; Ravi is a man
    clock.advance(minutes=1)
    fits = _wait(world, desk, "ravi")
    clock.advance(minutes=1)
    later = _wait(world, desk, "lata", day=None)
    appointments.transition(desk, cancelled, "cancel", reason="Fever")
    entries = _entries(world, desk)
    assert {key: entries[key].status for key in (wrong_person, wrong_day, no_room, fits, later)} == {
        wrong_person: "waiting", wrong_day: "waiting", no_room: "waiting", fits: "offered", later: "waiting"}
    offer = entries[fits].offered_slot
    assert (offer.start, offer.end, offer.room_name, offer.staff_names) == (
        at(FRIDAY, "10:00"), at(FRIDAY, "11:00"), "Abhyanga 1", ("Rajan Pillai",))
    assert [r.entity_id for r in audit_rows(desk, action="waitlist.offer")] == [fits]


def test_accepting_an_offer_books_the_slot(world, desk):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    entry = _wait(world, desk, "ravi")
    appointments.transition(desk, cancelled, "cancel")
    appointment_id, changes = waitlist.accept_offer(desk, entry)
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.patient_name, item.start, item.staff_names, item.status) == (
        "Ravi Menon", at(FRIDAY, "10:00"), ("Rajan Pillai",), "confirmed")
    assert item.history[0].reason == "Booked from the waitlist"
    assert changes.appointments and entry not in _entries(world, desk)
    with pytest.raises(NoOffer):
        waitlist.accept_offer(desk, entry)


def test_declining_passes_the_offer_to_the_next_suitable_patient(world, desk, clock):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    first = _wait(world, desk, "ravi")
    clock.advance(minutes=1)
    second = _wait(world, desk, "lata")
    appointments.transition(desk, cancelled, "cancel")
    waitlist.decline_offer(desk, first)
    entries = _entries(world, desk)
    assert (entries[first].status, entries[first].offered_slot) == ("waiting", None)
    assert entries[second].status == "offered" and entries[second].offered_slot.start == at(FRIDAY, "10:00")


def test_an_offer_taken_meanwhile_is_refused_and_the_patient_waits_again(world, desk):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    entry = _wait(world, desk, "ravi")
    appointments.transition(desk, cancelled, "cancel")
    _book(world, desk, "lata", "10:00", "Abhyanga 1", "rajan")  # another desk books the slot first
    with pytest.raises(SlotTaken) as refused:
        waitlist.accept_offer(desk, entry)
    assert "Rajan Pillai is booked 10:00–11:00" in str(refused.value)
    assert "back on the waitlist" in str(refused.value) and refused.value.suggestions
    assert _entries(world, desk)[entry].status == "waiting"


def test_a_no_show_before_the_start_frees_the_slot_but_one_after_it_does_not(world, desk, clock):
    early = _book(world, desk, "asha", "11:00", "Abhyanga 1", "rajan", day=THURSDAY)
    late = _book(world, desk, "lata", "10:00", "Abhyanga 2", "anjali", day=THURSDAY)
    entry = _wait(world, desk, "ravi", day=THURSDAY)
    clock.advance(minutes=20)  # 10:20: Lata's session should have started, Asha's has not
    appointments.transition(desk, late, "no_show")
    assert _entries(world, desk)[entry].status == "waiting"
    appointments.transition(desk, early, "no_show", reason="Called to say she cannot come")
    assert _entries(world, desk)[entry].offered_slot.start == at(THURSDAY, "11:00")


def test_a_move_offers_the_old_slot(world, desk):
    moving = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    entry = _wait(world, desk, "ravi", staff="rajan")
    appointments.reschedule(desk, moving, at(SATURDAY, "10:00"))
    offer = _entries(world, desk)[entry].offered_slot
    assert (offer.start, offer.staff_names) == (at(FRIDAY, "10:00"), ("Rajan Pillai",))


def test_withdrawing_an_offered_entry_passes_the_offer_on(world, desk, clock):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    first = _wait(world, desk, "ravi")
    clock.advance(minutes=1)
    second = _wait(world, desk, "lata")
    appointments.transition(desk, cancelled, "cancel")
    waitlist.withdraw(desk, first)
    entries = _entries(world, desk)
    assert first not in entries and entries[second].status == "offered"


def test_the_patient_who_gave_the_slot_back_is_not_offered_it(world, desk):
    cancelled = _book(world, desk, "asha", "10:00", "Abhyanga 1", "rajan")
    own = _wait(world, desk, "asha")
    appointments.transition(desk, cancelled, "cancel")
    assert _entries(world, desk)[own].status == "waiting"
