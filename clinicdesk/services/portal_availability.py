"""Publishes the free starts the scheduling engine finds, per bookable service and day, for the patient portal.

A row is written only when its starts changed, so a sync with nothing new in the diary queues nothing. The portal
offers what was free when a desk last synced; the engine checks the slot again when the request is decided.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.portal import availability_row_id
from clinicdesk.domain.scheduling.candidates import day_candidates
from clinicdesk.domain.scheduling.model import Gender, Patient, Preferences
from clinicdesk.domain.scheduling.occupancy import Board
from clinicdesk.domain.scheduling.rules import build_specs
from clinicdesk.domain.scheduling.timegrid import format_clock
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.portal_settings import PortalSettings, load_settings
from clinicdesk.services.scheduling_adapter import Diary, load_diary, to_local
from clinicdesk.services.slot_search import SEARCH_GRID, SlotQuery
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models_portal import PortalAvailabilityRow, PortalSettingsRow

# Availability is the same list for every patient, but rooms may be kept for women or for men: a start counts as
# free when it is free for either, and the engine checks it for the real patient when the request is decided.
_PATIENTS = tuple(Patient(id=f"portal-availability-{gender.value}", gender=gender)
                  for gender in (Gender.FEMALE, Gender.MALE))


@dataclass(frozen=True)
class PublishResult:
    rows_written: int  # rows created or changed (each one an outbox operation)
    rows_checked: int


def free_starts(diary: Diary, service_id: str, first_day: date, last_day: date,
                not_before: datetime) -> dict[date, list[str]]:
    """Local "HH:MM" starts on the booking grid, per day, where the engine can place the service (any room and
    staff that fit) after `not_before` (local naive)."""
    found: dict[date, set[str]] = {first_day + timedelta(days=n): set() for n in range((last_day - first_day).days + 1)}
    if service_id not in diary.clinic.therapy_by_id:
        return {day: [] for day in found}
    board = Board(diary.clinic, SEARCH_GRID)
    for patient in _PATIENTS:
        query = SlotQuery(patient=patient, therapy_id=service_id, day=first_day, at=None,
                          search_days=(last_day - first_day).days + 1, follow_up=False, preferences=Preferences(),
                          not_before=not_before)
        spec = build_specs(board, query.plan())[0]
        for ordinal in range(spec.first_day, spec.last_day + 1):
            starts = found.setdefault(date.fromordinal(ordinal), set())
            starts.update(format_clock(candidate.start) for candidate in day_candidates(board, spec, ordinal))
    return {day: sorted(starts) for day, starts in found.items()}


def publish_centre(ctx: ServiceContext, session: Session, settings: PortalSettings) -> PublishResult:
    """Every bookable service's free starts from today to max_days_ahead, inside the caller's transaction."""
    if not settings.booking_enabled or not settings.bookable_service_ids:
        return PublishResult(0, 0)
    now = ctx.now()
    today = to_local(now, centre_zone(session, settings.centre_id)).date()
    last_day = today + timedelta(days=settings.max_days_ahead)
    diary = load_diary(session, settings.centre_id, today, last_day)
    not_before = diary.local(now + timedelta(hours=settings.min_notice_hours)).replace(second=0, microsecond=0)
    existing = {row.id: row for row in session.scalars(select(PortalAvailabilityRow).where(
        PortalAvailabilityRow.centre_id == settings.centre_id, PortalAvailabilityRow.day >= today,
        PortalAvailabilityRow.day <= last_day))}
    written = checked = 0
    for service_id in settings.bookable_service_ids:
        for day, starts in free_starts(diary, service_id, today, last_day, not_before).items():
            checked += 1
            row_id = availability_row_id(settings.centre_id, service_id, day)
            row = existing.get(row_id)
            if row is not None and list(row.starts) == starts:
                continue  # unchanged: no outbox operation, so a quiet sync stays quiet
            if row is None:
                row = PortalAvailabilityRow(id=row_id, centre_id=settings.centre_id, service_id=service_id, day=day)
                session.add(row)
            row.starts, row.computed_at = starts, now
            written += 1
    return PublishResult(written, checked)


def publish_availability(ctx: ServiceContext) -> PublishResult:
    """Republish every centre of this database whose online booking is on (after a sync, or after a booking)."""
    with ctx.unit_of_work() as session:
        written = checked = 0
        for row in session.scalars(select(PortalSettingsRow).where(PortalSettingsRow.booking_enabled.is_(True))
                                   .order_by(PortalSettingsRow.id)).all():
            result = publish_centre(ctx, session, load_settings(session, row.id))
            written, checked = written + result.rows_written, checked + result.rows_checked
        return PublishResult(written, checked)
