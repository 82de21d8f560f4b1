"""Quiet hours in the centre's time zone: a message due inside them waits for them to end."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, quiet_start: time, quiet_end: time) -> bool:
    """Start inclusive, end exclusive; a window such as 21:00-07:00 wraps past midnight."""
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def shift_out_of_quiet_hours(send_at: datetime, *, quiet_start: time | None, quiet_end: time | None,
                             timezone: str) -> datetime:
    """The UTC moment to send: unchanged outside quiet hours, else the next end of quiet hours, read on the
    CENTRE's wall clock (the patient lives near the centre; the desk's own zone does not matter)."""
    if quiet_start is None or quiet_end is None:
        return send_at
    zone = ZoneInfo(timezone)
    local = send_at.astimezone(zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), quiet_start, quiet_end):
        return send_at
    end_day = local.date()
    if quiet_start > quiet_end and local.time().replace(tzinfo=None) >= quiet_start:
        end_day += timedelta(days=1)  # inside the evening part of a window that ends tomorrow morning
    wake = datetime.combine(end_day, quiet_end, tzinfo=zone)
    return wake.astimezone(send_at.tzinfo)
