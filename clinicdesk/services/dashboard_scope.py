"""What a dashboard covers: the centres in view with their time zones, the date range and its day/week/month buckets."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.dashboard_metrics import Period, bucket_label, bucket_start, bucket_starts, local_date
from clinicdesk.domain.errors import NotFound
from clinicdesk.services.scheduling_adapter import day_start_utc
from clinicdesk.store.models import CentreRow


@dataclass(frozen=True)
class Scope:
    """Each record is bucketed by the calendar day at its own centre, so Kochi's midnight is Kochi's."""

    zones: dict[str, ZoneInfo]  # centre id -> time zone, for the centres in view
    first_day: date
    last_day: date
    period: Period

    @property
    def starts(self) -> tuple[date, ...]:
        return bucket_starts(self.first_day, self.last_day, self.period)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(bucket_label(start, self.period) for start in self.starts)

    @property
    def centre_ids(self) -> tuple[str, ...]:
        return tuple(self.zones)

    def utc_window(self) -> tuple[datetime, datetime]:
        """[low, high) in UTC wide enough for every centre's range; rows are then checked by their local day."""
        low = min(day_start_utc(self.first_day, zone) for zone in self.zones.values())
        high = max(day_start_utc(self.last_day + timedelta(days=1), zone) for zone in self.zones.values())
        return low, high

    def day_of(self, centre_id: str, moment: datetime) -> date | None:
        """The local day of a stored moment at its centre, or None when it falls outside the range."""
        zone = self.zones.get(centre_id)
        if zone is None:
            return None
        day = local_date(moment, zone)
        return day if self.first_day <= day <= self.last_day else None

    def bucket_of(self, centre_id: str, moment: datetime) -> date | None:
        day = self.day_of(centre_id, moment)
        return None if day is None else bucket_start(day, self.period)

    def bucket_of_day(self, day: date) -> date | None:
        return bucket_start(day, self.period) if self.first_day <= day <= self.last_day else None

    def days(self) -> Iterable[date]:
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)


def active_centres(session: Session) -> list[tuple[str, str, str]]:
    """(id, name, time zone) of every active centre, by name."""
    return [tuple(row) for row in session.execute(
        select(CentreRow.id, CentreRow.name, CentreRow.timezone).where(CentreRow.active.is_(True))
        .order_by(CentreRow.name))]


def make_scope(session: Session, centre_id: str | None, first_day: date, last_day: date,
               period: Period) -> tuple[Scope, str]:
    """The scope and the name to print: one centre, or every active centre when `centre_id` is None."""
    centres = active_centres(session)
    if centre_id is not None:
        centres = [c for c in centres if c[0] == centre_id]
        if not centres:
            raise NotFound("That centre was not found or is no longer active.")
    if not centres:
        raise NotFound("No active centre is set up yet.")
    zones = {cid: ZoneInfo(zone or "Asia/Kolkata") for cid, _, zone in centres}
    name = centres[0][1] if centre_id is not None else "All centres"
    return Scope(zones, first_day, last_day, period), name
