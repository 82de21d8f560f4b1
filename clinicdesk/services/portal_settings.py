"""A centre's rules for online booking on the patient portal (Admin > Patient portal): read and save them."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.portal import BookingRules
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import CentreRow
from clinicdesk.store.models_portal import PortalSettingsRow
from clinicdesk.store.models_scheduling import ServiceRow

MAX_NOTICE_HOURS = 24 * 14  # two weeks' notice is already more than any clinic asks
MAX_DAYS_AHEAD = 60  # the portal publishes one row per service and day: keep that bounded
_LABELS = {"min_notice_hours": "Minimum notice", "max_days_ahead": "Days ahead", "change_notice_hours":
           "Notice to change or cancel", "bookable_service_ids": "Bookable services", "centre_id": "Centre"}


@dataclass(frozen=True)
class PortalSettings:
    """What the admin page shows and saves; `rules` is the domain's view of the same row."""

    centre_id: str
    booking_enabled: bool = False
    auto_approve: bool = False
    min_notice_hours: int = 12
    max_days_ahead: int = 14
    change_notice_hours: int = 24
    bookable_service_ids: tuple[str, ...] = ()

    @property
    def rules(self) -> BookingRules:
        return BookingRules(self.booking_enabled, self.auto_approve, self.min_notice_hours, self.max_days_ahead,
                            self.change_notice_hours, self.bookable_service_ids)


def settings_of(row: PortalSettingsRow | None, centre_id: str) -> PortalSettings:
    if row is None:  # a centre that never opened the page: online booking is off
        return PortalSettings(centre_id)
    return PortalSettings(row.id, row.booking_enabled, row.auto_approve, row.min_notice_hours, row.max_days_ahead,
                          row.change_notice_hours, tuple(row.bookable_service_ids))


def load_settings(session: Session, centre_id: str) -> PortalSettings:
    """Inside the caller's transaction (the after-sync run and the request services read it there)."""
    return settings_of(session.get(PortalSettingsRow, centre_id), centre_id)


def get_settings(ctx: ServiceContext, centre_id: str) -> PortalSettings:
    ctx.authorise(Action.CENTRE_MANAGE, entity="portal_settings", entity_id=centre_id)
    with ctx.unit_of_work() as session:
        return load_settings(session, centre_id)


def _problems(session: Session, wanted: PortalSettings) -> dict[str, str]:
    problems = {}
    if session.get(CentreRow, wanted.centre_id) is None:
        problems["centre_id"] = "was not found; choose a centre of this clinic"
    if not 0 <= wanted.min_notice_hours <= MAX_NOTICE_HOURS:
        problems["min_notice_hours"] = f"must be between 0 and {MAX_NOTICE_HOURS} hours"
    if not 1 <= wanted.max_days_ahead <= MAX_DAYS_AHEAD:
        problems["max_days_ahead"] = f"must be between 1 and {MAX_DAYS_AHEAD} days"
    elif wanted.min_notice_hours >= wanted.max_days_ahead * 24:
        problems["min_notice_hours"] = "must be shorter than the days ahead, or no time could ever be booked"
    if not 0 <= wanted.change_notice_hours <= MAX_NOTICE_HOURS:
        problems["change_notice_hours"] = f"must be between 0 and {MAX_NOTICE_HOURS} hours"
    ids = set(wanted.bookable_service_ids)
    active = set(session.scalars(select(ServiceRow.id).where(ServiceRow.id.in_(ids), ServiceRow.active.is_(True))))
    if ids - active:
        problems["bookable_service_ids"] = "must all be services the clinic still offers"
    elif wanted.booking_enabled and not ids:
        problems["bookable_service_ids"] = "must include at least one service while online booking is on"
    return problems


def save_settings(ctx: ServiceContext, wanted: PortalSettings) -> Changes:
    """Save a centre's online booking rules; a wrong value is refused with a specific message and nothing changes."""
    user = ctx.authorise(Action.CENTRE_MANAGE, entity="portal_settings", entity_id=wanted.centre_id)
    with ctx.unit_of_work() as session:
        problems = _problems(session, wanted)
        if problems:
            raise ValidationError(problems, _LABELS)
        write_settings(session, wanted, now=ctx.now(), by=user.staff_id)
        ctx.audit(session, "portal_settings.save", entity="portal_settings", entity_id=wanted.centre_id,
                  detail=f"booking {'on' if wanted.booking_enabled else 'off'}; auto-approve "
                         f"{'on' if wanted.auto_approve else 'off'}; {len(wanted.bookable_service_ids)} services")
        return Changes(settings=True)


def write_settings(session: Session, wanted: PortalSettings, *, now, by: str | None) -> None:
    """The row as given (the caller checked it): the save above and the demo's set-up."""
    row = session.get(PortalSettingsRow, wanted.centre_id)
    if row is None:
        row = PortalSettingsRow(id=wanted.centre_id)
        session.add(row)
    row.booking_enabled, row.auto_approve = wanted.booking_enabled, wanted.auto_approve
    row.min_notice_hours, row.max_days_ahead = wanted.min_notice_hours, wanted.max_days_ahead
    row.change_notice_hours = wanted.change_notice_hours
    row.bookable_service_ids = sorted(set(wanted.bookable_service_ids))
    row.updated_at, row.updated_by = now, by
