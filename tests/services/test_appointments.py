"""Booking through the real services on a real SQLCipher file: suggestions, the re-check, statuses, lists, zones."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from clinicdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, appointments
from clinicdesk.services.admin_dto import CentreDraft, Leave, PractitionerProfile, RoomDraft, StaffDraft
from clinicdesk.services.appointment_dto import BookingRequest
from clinicdesk.services.appointments import SlotTaken
from clinicdesk.services.scheduling_adapter import to_local, to_utc
from clinicdesk.store.models_scheduling import AppointmentRow
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import audit_rows
from tests.services.scheduling_world import FRIDAY, THURSDAY, at, build_world, hours

SATURDAY = FRIDAY + timedelta(days=1)


def _appointment_rows(world) -> list[AppointmentRow]:
    with world.boss.db.session() as session:
        return list(session.scalars(select(AppointmentRow).order_by(AppointmentRow.start_at)))


# --- suggestions -----------------------------------------------------------------------------------------------

def test_suggestions_come_best_first_with_reasons_in_centre_local_time(world, desk):
    found = appointments.find_slots(desk, world.request(day=FRIDAY))
    assert found.explanation == ""
    assert [s.start for s in found.suggestions] == [at(FRIDAY, hhmm) for hhmm in
                                                    ("08:00", "08:15", "08:30", "08:45", "09:00")]
    first = found.suggestions[0]
    assert first.end == at(FRIDAY, "09:00") and first.room_name == "Abhyanga 1"
    assert first.staff_names == ("Rajan Pillai",) and first.reasons[0] == "On the day asked"
    assert all(a.score >= b.score for a, b in zip(found.suggestions, found.suggestions[1:], strict=False))

    preferred = appointments.find_slots(desk, world.request(day=FRIDAY, preferred_staff_ids=(world.staff["rajan"],),
                                                            time_of_day="afternoon"))
    best = preferred.suggestions[0]
    assert best.start == at(FRIDAY, "12:30")  # the afternoon starts at 12:00, but both therapists break till 12:30
    assert best.staff_names == ("Rajan Pillai",)
    assert {"In the afternoon, as preferred", "With Rajan Pillai, as preferred"} <= set(best.reasons)


def test_a_taken_time_is_explained_in_plain_words_with_the_nearest_alternatives(world, desk):
    for patient, room, staff in (("asha", "Abhyanga 1", "rajan"), ("ravi", "Abhyanga 2", "anjali")):
        appointments.book(desk, world.request(patient, day=FRIDAY), world.slot(at(FRIDAY, "10:00"), 60, room, staff))
    found = appointments.find_slots(desk, world.request("lata", day=FRIDAY, at="10:00"))
    assert found.explanation.startswith("Abhyanga cannot be booked at Fri 27 Nov 10:00:")
    assert "Anjali Menon is booked 10:00–11:00" in found.explanation
    assert "Rajan Pillai is booked 10:00–11:00" in found.explanation
    assert [s.start for s in found.suggestions][:2] == [at(FRIDAY, "09:00"), at(FRIDAY, "11:00")]
    assert found.suggestions[0].reasons[0] == "1 h earlier"


def test_a_day_with_nothing_free_says_why_and_offers_the_next_days(world, desk):
    admin.save_centre(world.boss, CentreDraft("KOC", "Kochi", holidays=((FRIDAY, "Onam"),)), world.centre)
    found = appointments.find_slots(desk, world.request(day=FRIDAY))
    assert "No time found for Abhyanga on Fri 27 Nov" in found.explanation
    assert "Fri 27 Nov is a centre holiday" in found.explanation
    assert found.suggestions and all(s.start.date() == SATURDAY for s in found.suggestions)
    assert found.suggestions[0].reasons[0] == "1 day after the day asked"


def test_the_past_is_never_offered_and_a_past_time_is_named(world, desk):
    found = appointments.find_slots(desk, world.request(day=THURSDAY))  # the clock says 10:00 in Kochi
    assert found.suggestions[0].start == at(THURSDAY, "10:00")
    past = appointments.find_slots(desk, world.request(day=THURSDAY, at="09:00"))
    assert past.explanation == "Thu 26 Nov 09:00 is already past."
    assert all(s.start >= at(THURSDAY, "10:00") for s in past.suggestions)
    with pytest.raises(ValidationError, match="Day is in the past"):
        appointments.find_slots(desk, world.request(day=THURSDAY - timedelta(days=1)))


def test_bad_requests_are_refused_by_field(world, desk):
    with pytest.raises(ValidationError) as refused:
        appointments.find_slots(desk, world.request(source="carrier pigeon", search_days=0, time_of_day="noon"))
    assert set(refused.value.problems) == {"source", "search_days", "time_of_day"}


# --- booking and its re-check ----------------------------------------------------------------------------------

def test_booking_saves_a_confirmed_appointment_with_reference_history_and_audit(world, desk, clock):
    appointment_id, changes = appointments.book(desk, world.request(day=FRIDAY, notes="Asha prefers warm oil"),
                                                world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1", "rajan"))
    assert changes.appointments
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.reference, item.status, item.source) == ("KOC-A-261126-0001", "confirmed", "front_desk")
    assert (item.start, item.end) == (at(FRIDAY, "10:00"), at(FRIDAY, "11:00"))
    assert (item.patient_name, item.service_name, item.room_name, item.staff_names) == (
        "Asha Menon", "Abhyanga", "Abhyanga 1", ("Rajan Pillai",))
    assert [(h.from_status, h.to_status, h.by, h.at) for h in item.history] == [
        ("", "confirmed", "Desk front_desk", at(THURSDAY, "10:00"))]
    stored = _appointment_rows(world)[0]
    assert stored.start_at == datetime(2026, 11, 27, 4, 30, tzinfo=UTC)  # 10:00 in Kochi is 04:30 UTC
    second, _ = appointments.book(desk, world.request("ravi", day=FRIDAY),
                                  world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 2", "anjali"))
    assert appointments.get_appointment(desk, second).reference == "KOC-A-261126-0002"
    booked = audit_rows(desk, action="appointment.book")
    assert [row.entity_id for row in booked] == [appointment_id, second]
    assert all("Asha" not in row.detail and "oil" not in row.detail for row in audit_rows(desk))


@pytest.mark.parametrize(("first", "second", "named"), [
    (("asha", "ABH", "Abhyanga 1", "rajan", "10:00"), ("ravi", "ABH", "Abhyanga 2", "rajan", "10:30"),
     "Rajan Pillai is booked 10:00–11:00"),
    (("asha", "ABH", "Abhyanga 1", "rajan", "10:00"), ("ravi", "ABH", "Abhyanga 1", "anjali", "10:30"),
     "Abhyanga 1 is taken 10:00–11:00"),
    (("asha", "NAS", "Nasya 1", "rajan", "10:00"), ("ravi", "NAS", "Nasya 2", "anjali", "10:15"),
     "every Nasya kit (the centre has 1) is in use 10:00–10:30"),
    (("asha", "ABH", "Abhyanga 1", "rajan", "10:00"), ("asha", "NAS", "Nasya 1", "anjali", "10:30"),
     "the patient already has Abhyanga 10:00–11:00"),
], ids=["therapist", "room", "equipment", "patient"])
def test_a_second_booking_of_a_taken_resource_is_refused_naming_it(world, desk, first, second, named):
    def book(patient, service, room, staff, hhmm):
        minutes = 60 if service == "ABH" else 30
        return appointments.book(desk, world.request(patient, service, day=FRIDAY),
                                 world.slot(at(FRIDAY, hhmm), minutes, room, staff))

    book(*first)
    with pytest.raises(SlotTaken) as refused:
        book(*second)
    assert named in str(refused.value)
    assert str(refused.value).startswith(f"{'Abhyanga' if second[1] == 'ABH' else 'Nasya'} cannot be booked for "
                                         f"Fri 27 Nov {second[4]}")
    assert refused.value.suggestions and "Next free:" in str(refused.value)
    assert len(_appointment_rows(world)) == 1


def test_room_gender_and_missing_skill_are_refused_by_name(world, desk):
    with pytest.raises(SlotTaken, match="Women's room is for female patients only"):
        appointments.book(desk, world.request("ravi", "SHI", day=FRIDAY),
                          world.slot(at(FRIDAY, "10:00"), 45, "Women's room", "rajan"))
    with pytest.raises(SlotTaken, match="Dr. Meera Nair lacks the abhyanga skill"):
        appointments.book(desk, world.request(day=FRIDAY), world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1", "meera"))
    assert _appointment_rows(world) == []


def test_leave_is_respected_in_suggestions_and_in_the_check(admin_ctx):
    world = build_world(admin_ctx, leave=(Leave(FRIDAY, FRIDAY, "Fever"),))
    desk = world.ctx(Role.FRONT_DESK)
    found = appointments.find_slots(desk, world.request(day=FRIDAY, preferred_staff_ids=(world.staff["rajan"],)))
    assert {s.staff_names for s in found.suggestions} == {("Anjali Menon",)}
    assert "The preferred practitioner is not free then" in found.suggestions[0].reasons
    with pytest.raises(SlotTaken, match="Rajan Pillai is on leave"):
        appointments.book(desk, world.request(day=FRIDAY), world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1", "rajan"))
    appointments.book(desk, world.request(day=SATURDAY), world.slot(at(SATURDAY, "10:00"), 60, "Abhyanga 1", "rajan"))


def test_a_centre_holiday_refuses_the_booking(world, desk):
    admin.save_centre(world.boss, CentreDraft("KOC", "Kochi", holidays=((FRIDAY, "Onam"),)), world.centre)
    with pytest.raises(SlotTaken, match="Fri 27 Nov is a centre holiday"):
        appointments.book(desk, world.request(day=FRIDAY), world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1", "rajan"))


def test_the_service_decides_the_length_not_the_slot_it_was_shown_in(world, desk):
    appointment_id, _ = appointments.book(desk, world.request(day=FRIDAY),
                                          world.slot(at(FRIDAY, "10:00"), 15, "Abhyanga 1", "rajan"))
    assert appointments.get_appointment(desk, appointment_id).end == at(FRIDAY, "11:00")


# --- walk-ins, follow-ups, approval ----------------------------------------------------------------------------

def test_a_walk_in_gets_the_soonest_start_from_now(world, desk, clock):
    clock.advance(minutes=7)  # 10:07 in Kochi
    request = BookingRequest(world.patients["ravi"], world.services["NAS"], world.centre, THURSDAY, search_days=1,
                             source="walk_in")
    found = appointments.find_slots(desk, request)
    assert found.suggestions[0].start == at(THURSDAY, "10:10")
    assert found.suggestions[0].reasons[0] == "The soonest start"
    assert [s.start for s in found.suggestions] == sorted(s.start for s in found.suggestions)
    appointment_id, _ = appointments.book(desk, request, found.suggestions[0])
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.source, item.status, item.start) == ("walk_in", "confirmed", at(THURSDAY, "10:10"))
    # the calendar asks for "now" rounded up to 5 minutes; that exact time is offered first
    exact = appointments.find_slots(desk, BookingRequest(world.patients["lata"], world.services["ABH"], world.centre,
                                                         THURSDAY, at=time(10, 10), search_days=1, source="walk_in"))
    assert exact.explanation == "" and exact.suggestions[0].start == at(THURSDAY, "10:10")


def test_a_follow_up_is_linked_to_the_first_visit_and_takes_the_follow_up_length(world, desk):
    first, _ = appointments.book(desk, world.request(service="CON", day=FRIDAY),
                                 world.slot(at(FRIDAY, "09:00"), 30, "Consultation", "meera"))
    request = world.request(service="CON", day=FRIDAY, at="09:15", follow_up_of=first)
    early = appointments.find_slots(desk, request)
    assert early.explanation == "Fri 27 Nov 09:15 is before the first visit ends."
    found = appointments.find_slots(desk, world.request(service="CON", day=FRIDAY, follow_up_of=first))
    slot = found.suggestions[0]
    assert (slot.start, slot.end) == (at(FRIDAY, "09:30"), at(FRIDAY, "09:45"))
    follow_up, _ = appointments.book(desk, world.request(service="CON", day=FRIDAY, follow_up_of=first), slot)
    assert appointments.get_appointment(desk, follow_up).follow_up_of == first
    with pytest.raises(ValidationError, match="same patient"):
        appointments.find_slots(desk, world.request("ravi", service="CON", day=FRIDAY, follow_up_of=first))


def test_a_service_that_needs_approval_waits_for_a_doctor(world, desk):
    appointment_id = world.book(service="VIR", day=FRIDAY)
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.status, item.approval_pending) == ("requested", True)
    with pytest.raises(IllegalTransition, match="needs a doctor's approval first"):
        appointments.transition(desk, appointment_id, "confirm")
    with pytest.raises(PermissionDenied):
        appointments.transition(desk, appointment_id, "approve")
    appointments.transition(world.ctx(Role.DOCTOR), appointment_id, "approve", reason="LFTs normal")
    item = appointments.get_appointment(desk, appointment_id)
    assert (item.status, item.approval_pending) == ("confirmed", False)
    assert (item.history[-1].by, item.history[-1].reason) == ("Desk doctor", "LFTs normal")


def test_a_self_service_request_is_confirmed_by_the_desk(world, desk):
    appointment_id = world.book(day=FRIDAY, source="self_service")
    assert appointments.get_appointment(desk, appointment_id).status == "requested"
    appointments.transition(desk, appointment_id, "confirm")
    assert appointments.get_appointment(desk, appointment_id).status == "confirmed"


# --- status moves ----------------------------------------------------------------------------------------------

def test_a_visit_moves_through_its_statuses_with_who_when_and_why(world, desk, clock):
    appointment_id = world.book(day=THURSDAY)  # 10:00 today
    therapist = world.ctx(Role.THERAPIST)
    appointments.transition(desk, appointment_id, "check_in")
    clock.advance(minutes=5)
    appointments.transition(therapist, appointment_id, "start")
    clock.advance(minutes=60)
    appointments.transition(therapist, appointment_id, "complete", reason="Tolerated well")
    item = appointments.get_appointment(desk, appointment_id)
    assert item.status == "completed"
    assert [(h.from_status, h.to_status, h.by, h.at.time(), h.reason) for h in item.history] == [
        ("", "confirmed", "Desk front_desk", time(10, 0), ""),
        ("confirmed", "checked_in", "Desk front_desk", time(10, 0), ""),
        ("checked_in", "in_progress", "Desk therapist", time(10, 5), ""),
        ("in_progress", "completed", "Desk therapist", time(11, 5), "Tolerated well")]
    with pytest.raises(IllegalTransition, match="This appointment is completed, so it cannot be cancelled"):
        appointments.transition(desk, appointment_id, "cancel", reason="Changed mind")
    after = appointments.get_appointment(desk, appointment_id)
    assert (after.status, after.row_version, len(after.history)) == ("completed", item.row_version, 4)
    assert [r.action for r in audit_rows(desk, entity_id=appointment_id)] == [
        "appointment.book", "appointment.check_in", "appointment.start", "appointment.complete"]


def test_a_patient_is_checked_in_only_on_the_day(world, desk):
    appointment_id = world.book(day=FRIDAY)
    with pytest.raises(IllegalTransition, match="not today"):
        appointments.transition(desk, appointment_id, "check_in")
    with pytest.raises(IllegalTransition, match="choose its new time"):
        appointments.transition(desk, appointment_id, "reschedule")


def test_no_shows_are_counted_per_patient_and_shown_to_the_desk(world, desk, clock):
    missed = world.book(day=THURSDAY)
    later = world.book(day=SATURDAY, service="NAS")
    clock.advance(minutes=30)
    appointments.transition(desk, missed, "no_show", reason="Did not answer the phone")
    assert appointments.get_appointment(desk, missed).patient_no_shows == 1
    assert appointments.get_appointment(desk, later).patient_no_shows == 1
    assert appointments.find_slots(desk, world.request(day=FRIDAY)).patient_no_shows == 1
    assert appointments.find_slots(desk, world.request("ravi", day=FRIDAY)).patient_no_shows == 0


# --- lists -----------------------------------------------------------------------------------------------------

def _count_selects(db, action) -> int:
    seen = []

    def listen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return len(seen)


def test_the_calendar_range_is_read_in_one_statement_whatever_its_size(world, desk):
    world.book(day=FRIDAY)
    one = _count_selects(world.boss.db, lambda: appointments.list_range(desk, world.centre, FRIDAY, SATURDAY))
    for patient in ("ravi", "lata"):
        for day in (FRIDAY, SATURDAY):
            world.book(patient, day=day, service="NAS")
    items = []
    many = _count_selects(world.boss.db,
                          lambda: items.extend(appointments.list_range(desk, world.centre, FRIDAY, SATURDAY)))
    assert len(items) == 5 and one == many == 1
    assert [i.start for i in items] == sorted(i.start for i in items)
    assert {i.patient_name for i in items} == {"Asha Menon", "Ravi Menon", "Lata Menon"}
    assert appointments.list_range(desk, world.centre, SATURDAY, SATURDAY) == [i for i in items
                                                                             if i.start.date() == SATURDAY]


def test_todays_queue_puts_who_is_in_the_room_and_waiting_first(world, desk, clock):
    ids = {name: world.book(name, day=THURSDAY, service=service) for name, service in
           (("asha", "ABH"), ("ravi", "ABH"), ("lata", "NAS"))}
    appointments.transition(desk, ids["ravi"], "check_in")
    appointments.transition(desk, ids["asha"], "check_in")
    appointments.transition(world.ctx(Role.THERAPIST), ids["asha"], "start")
    appointments.transition(desk, ids["lata"], "cancel", reason="Fever")
    queue = appointments.today_queue(desk, world.centre, THURSDAY)
    assert [(item.patient_name, item.status) for item in queue] == [
        ("Asha Menon", "in_progress"), ("Ravi Menon", "checked_in"), ("Lata Menon", "cancelled")]


# --- time zones ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "local", "utc"), [
    ("Asia/Kolkata", datetime(2026, 11, 26, 10, 0), datetime(2026, 11, 26, 4, 30)),
    ("Europe/London", datetime(2027, 3, 27, 10, 0), datetime(2027, 3, 27, 10, 0)),  # GMT
    ("Europe/London", datetime(2027, 3, 29, 10, 0), datetime(2027, 3, 29, 9, 0)),  # BST
    ("Asia/Dubai", datetime(2026, 11, 26, 23, 30), datetime(2026, 11, 26, 19, 30)),
])
def test_local_and_utc_convert_both_ways(zone, local, utc):
    aware = to_utc(local, ZoneInfo(zone))
    assert aware == utc.replace(tzinfo=UTC)
    assert to_local(aware, ZoneInfo(zone)) == local


def test_a_booking_at_a_centre_in_another_zone_round_trips(world, desk):
    london, _ = admin.save_centre(world.boss, CentreDraft("LON", "London", timezone="Europe/London"))
    room, _ = admin.save_room(world.boss, RoomDraft(london, "Treatment 1", "abhyanga"))
    therapist, _ = admin.create_staff(world.boss, StaffDraft(
        "emma.t", "Emma Clarke", "therapist", london, "female", profile=PractitionerProfile(skills=("abhyanga",)),
        hours=hours("08:00", "16:00")), STAFF_PASSWORD)
    request = BookingRequest(world.patients["asha"], world.services["ABH"], london, FRIDAY)
    found = appointments.find_slots(desk, request)
    assert found.suggestions[0].start == at(FRIDAY, "08:00") and found.suggestions[0].staff_ids == (therapist,)
    appointment_id, _ = appointments.book(desk, request, found.suggestions[0])
    stored = next(row for row in _appointment_rows(world) if row.id == appointment_id)
    assert stored.start_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # London is on GMT in November
    listed = appointments.list_range(desk, london, FRIDAY, FRIDAY)
    assert [(i.start, i.reference[:3]) for i in listed] == [(at(FRIDAY, "08:00"), "LON")]
    # Asha is in London 08:00-09:00 GMT, which is 13:30-14:30 in Kochi: the Kochi diary knows she is away
    kochi = appointments.find_slots(desk, world.request(day=FRIDAY, at="13:30"))
    assert "the patient already has another session 13:30–14:30" in kochi.explanation


# --- the catalogue ---------------------------------------------------------------------------------------------

def test_the_catalogue_validates_each_field_and_keeps_inactive_services_out_of_booking(world, desk):
    with pytest.raises(ValidationError) as refused:
        appointments.save_service(world.boss, code="bad code!", name="", category="spa", duration_minutes=2,
                                  room_types=("sauna",), price=Decimal("-1"), staff_count=9)
    assert set(refused.value.problems) == {"code", "name", "category", "duration_minutes", "room_types", "price",
                                           "staff_count"}
    with pytest.raises(ValidationError, match="already used by another service"):
        appointments.save_service(world.boss, code="abh", name="Abhyanga again", category="therapy",
                                  duration_minutes=60, room_types=("abhyanga",), price=Decimal("1"))
    items = {s.code: s for s in appointments.list_services(desk)}
    assert items["CON"].practitioner_ids == (world.staff["meera"],) and items["ABH"].price == Decimal("1800.00")
    assert items["ABH"].follow_up_duration_minutes == 45 and items["VIR"].needs_approval
    appointments.save_service(world.boss, code="NAS", name="Nasya", category="therapy", duration_minutes=30,
                              room_types=("nasya",), skills=("nasya",), price=Decimal("900"), active=False,
                              service_id=world.services["NAS"])
    assert "NAS" not in {s.code for s in appointments.list_services(desk)}
    assert "NAS" in {s.code for s in appointments.list_services(desk, include_inactive=True)}
    with pytest.raises(ValidationError, match="no longer offered"):
        appointments.find_slots(desk, world.request(service="NAS", day=FRIDAY))


def test_booking_numbers_restart_each_day_per_centre(world, desk, clock):
    world.book(day=FRIDAY)
    clock.advance(days=1)
    appointment_id = world.book("ravi", day=SATURDAY)
    assert appointments.get_appointment(desk, appointment_id).reference == "KOC-A-261127-0001"
    with world.boss.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AppointmentRow)) == 2


def test_dates_in_the_past_cannot_be_checked_in_later(world, desk, clock):
    appointment_id = world.book(day=THURSDAY)
    clock.advance(days=1)
    with pytest.raises(IllegalTransition, match="Thu 26 Nov, not today"):
        appointments.transition(desk, appointment_id, "check_in")
    appointments.transition(desk, appointment_id, "no_show")
    assert appointments.get_appointment(desk, appointment_id).status == "no_show"
    assert date(2026, 11, 27) == FRIDAY


def test_a_group_session_fills_its_room_up_to_capacity_and_no_further(world, desk):
    hall, _ = admin.save_room(world.boss, RoomDraft(world.centre, "Yoga hall", "yoga", capacity=2))
    yoga, _ = appointments.save_service(world.boss, code="YOGA", name="Group yoga", category="therapy",
                                        duration_minutes=60, room_types=("yoga",), group_allowed=True,
                                        practitioner_ids=(world.staff["anjali"],), price=Decimal("300"))
    slot = replace(world.slot(at(FRIDAY, "09:00"), 60, "Abhyanga 1", "anjali"), room_id=hall, room_name="Yoga hall")
    for patient in ("asha", "ravi"):
        appointments.book(desk, BookingRequest(world.patients[patient], yoga, world.centre, FRIDAY), slot)
    with pytest.raises(SlotTaken, match="Yoga hall is taken 09:00–10:00"):
        appointments.book(desk, BookingRequest(world.patients["lata"], yoga, world.centre, FRIDAY), slot)
    found = appointments.find_slots(desk, BookingRequest(world.patients["lata"], yoga, world.centre, FRIDAY,
                                                         at=time(9, 0)))
    assert found.suggestions[0].start != at(FRIDAY, "09:00")
