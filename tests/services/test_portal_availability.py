"""The free starts published for the portal: what the engine finds, within the clinic's notice and days ahead,
written only when they change."""

from datetime import date, timedelta

from sqlalchemy import func, select

from clinicdesk.domain.portal import availability_row_id
from clinicdesk.services.portal_availability import publish_availability
from clinicdesk.services.portal_settings import PortalSettings, save_settings
from clinicdesk.store.models_portal import PortalAvailabilityRow
from clinicdesk.store.outbox import OutboxRow
from tests.services.portal_world import switch_on
from tests.services.scheduling_world import FRIDAY, THURSDAY


def _starts(world, service: str, day: date) -> list[str] | None:
    with world.boss.db.session() as session:
        row = session.get(PortalAvailabilityRow, availability_row_id(world.centre, world.services[service], day))
        return None if row is None else list(row.starts)


def _queued(world) -> int:
    with world.boss.db.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.table_name == "portal_availability"))


def test_each_bookable_service_gets_a_row_per_day_up_to_the_days_ahead(world):
    switch_on(world, max_days_ahead=3, min_notice_hours=2)
    result = publish_availability(world.boss)
    assert result.rows_written == 2 * 4  # ABH and NAS, today and 3 days ahead
    assert _starts(world, "SHI", FRIDAY) is None  # not bookable online
    friday = _starts(world, "ABH", FRIDAY)
    assert friday[0] == "08:00" and "15:00" in friday and "12:00" not in friday  # therapists break 12:00-12:30
    # today (10:00 in Kochi) with two hours' notice: nothing before noon
    assert min(_starts(world, "ABH", THURSDAY)) >= "12:00"


def test_a_booking_takes_its_start_off_only_when_every_room_and_therapist_is_taken(world):
    switch_on(world, max_days_ahead=2)
    publish_availability(world.boss)
    world.book("ravi", day=FRIDAY, at="10:00")
    publish_availability(world.boss)
    assert "10:00" in _starts(world, "ABH", FRIDAY)  # a second room and therapist are still free
    world.book("lata", day=FRIDAY, at="10:00")
    publish_availability(world.boss)
    assert "10:00" not in _starts(world, "ABH", FRIDAY)


def test_a_second_run_with_nothing_new_writes_nothing(world):
    switch_on(world, max_days_ahead=5)
    assert publish_availability(world.boss).rows_written > 0
    queued = _queued(world)
    again = publish_availability(world.boss)
    assert again.rows_written == 0 and again.rows_checked == 2 * 6
    assert _queued(world) == queued


def test_nothing_is_published_while_online_booking_is_off(world):
    switch_on(world)
    save_settings(world.boss, PortalSettings(world.centre, booking_enabled=False))
    assert publish_availability(world.boss).rows_written == 0
    assert _starts(world, "ABH", THURSDAY + timedelta(days=1)) is None
