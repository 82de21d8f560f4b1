"""Which column and time an appointment lands in, overlaps side by side, hidden cancellations, off-duty shading."""

from datetime import time

from clinicdesk.services.admin_dto import WorkingHours
from clinicdesk.services.appointment_dto import CANCELLED
from clinicdesk.ui.calendar import layout
from tests.ui.calendar.builders import CENTRE, DAY, appointment, room, staff


def test_blocks_land_in_each_practitioners_column_at_their_time():
    people = [staff("s1", "Sreeja Kumari"), staff("s2", "Dr. Meera Nair", "doctor"), staff("s3", "Rajan Pillai")]
    items = [appointment("a1", "09:00", 60, staff_ids=("s1",)),
             appointment("a2", "10:30", 45, staff_ids=("s2", "s3"))]  # a two-therapist session: both columns
    columns = layout.practitioner_columns(people, CENTRE, DAY, items)
    assert [c.title for c in columns] == ["Dr. Meera Nair", "Rajan Pillai", "Sreeja Kumari"]  # doctors first
    blocks = layout.place_blocks(items, columns, layout.by_staff)
    placed = {(b.item.id, columns[b.column].key): (b.start_minute, b.end_minute) for b in blocks}
    assert placed == {("a1", "s1"): (540, 600), ("a2", "s2"): (630, 675), ("a2", "s3"): (630, 675)}


def test_overlapping_bookings_share_the_column_in_lanes():
    items = [appointment("a1", "09:00", 60), appointment("a2", "09:30", 60), appointment("a3", "10:00", 30),
             appointment("a4", "11:00", 30)]
    columns = layout.room_columns([room("r1", "Abhyanga A")], CENTRE, DAY, items)
    lanes = {b.item.id: (b.lane, b.lanes) for b in layout.place_blocks(items, columns, layout.by_room)}
    assert lanes == {"a1": (0, 2), "a2": (1, 2), "a3": (0, 2), "a4": (0, 1)}


def test_cancelled_are_hidden_unless_asked_and_unknown_rooms_get_a_column():
    items = [appointment("a1", "09:00", 30, status=CANCELLED), appointment("a2", "09:00", 30, room_id=None),
             appointment("a3", "12:00", 30, room_id="gone", room_name="Old room")]
    columns = layout.room_columns([room("r1", "Abhyanga A")], CENTRE, DAY, items)
    assert [c.title for c in columns] == ["Abhyanga A", "Old room", "No room"]
    assert {b.item.id for b in layout.place_blocks(items, columns, layout.by_room)} == {"a2", "a3"}
    shown = layout.place_blocks(items, columns, layout.by_room, show_cancelled=True)
    assert {b.item.id for b in shown} == {"a1", "a2", "a3"}


def test_off_duty_hours_breaks_and_leave_are_shaded():
    hours = (WorkingHours(DAY.weekday(), time(6, 30), time(14, 30), time(10, 30), time(11)),)
    closed, note = layout.staff_closed(staff("s1", "Rajan", hours=hours), DAY)
    assert closed == ((0, 390), (630, 660), (870, 1440)) and note == ""
    closed, note = layout.staff_closed(staff("s1", "Rajan", leave=True), DAY)
    assert closed == ((0, 1440),) and note == "On leave"


def test_the_day_widens_to_whole_hours_around_early_or_late_bookings():
    items = [appointment("a1", "06:30", 60), appointment("a2", "19:40", 50)]
    assert layout.visible_range(items, lambda item: DAY) == (6 * 60, 21 * 60)
    assert layout.visible_range([], lambda item: DAY) == (7 * 60, 20 * 60)
