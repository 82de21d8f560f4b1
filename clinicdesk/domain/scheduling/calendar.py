"""Working windows: opening hours, holidays, weekly shifts with breaks and effective dates, overrides and leave."""

from dataclasses import dataclass
from datetime import date

from clinicdesk.domain.scheduling.model import Clinic, ClockRange
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, clock_minutes, merge, subtract, to_minute

WHOLE_DAY = ((0, MINUTES_PER_DAY),)


@dataclass(frozen=True)
class StaffDay:
    """One staff member's day in absolute minutes, kept in parts so a refusal can say which part got in the way."""

    shift_windows: tuple[tuple[int, int], ...]  # as rostered, before breaks, leave and opening hours
    breaks: tuple[tuple[int, int], ...]
    leave: tuple[tuple[int, int], ...]
    windows: tuple[tuple[int, int], ...]  # when the person can actually work


def _clock_window(day: int, clock: ClockRange) -> tuple[int, int]:
    base = day * MINUTES_PER_DAY
    end = clock_minutes(clock.end)
    # 00:00 as an end means midnight at the end of the day
    return base + clock_minutes(clock.start), base + (end if end > 0 else MINUTES_PER_DAY)


class Calendar:
    """Answers "when can this person work on this day" for one clinic; results are cached per day."""

    def __init__(self, clinic: Clinic):
        self.clinic = clinic
        self._holidays = frozenset(day.toordinal() for day in clinic.centre.holidays)
        self._overrides = {(member.id, override.day.toordinal()): override
                           for member in clinic.staff for override in member.overrides}
        self._opening: dict[int, tuple[tuple[int, int], ...]] = {}
        self._staff_days: dict[tuple[str, int], StaffDay] = {}

    def is_holiday(self, day: int) -> bool:
        return day in self._holidays

    def opening_windows(self, day: int) -> tuple[tuple[int, int], ...]:
        """When the centre is open on a day (absolute minutes); empty on holidays and closed days."""
        cached = self._opening.get(day)
        if cached is None:
            if day in self._holidays:
                cached = ()
            elif not self.clinic.centre.opening_hours:
                cached = ((day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY),)
            else:
                weekday = date.fromordinal(day).weekday()
                cached = tuple(merge(_clock_window(day, ClockRange(hours.open, hours.close))
                                     for hours in self.clinic.centre.opening_hours if weekday in hours.weekdays))
            self._opening[day] = cached
        return cached

    def staff_day(self, staff_id: str, day: int) -> StaffDay:
        key = (staff_id, day)
        cached = self._staff_days.get(key)
        if cached is None:
            cached = self._staff_days[key] = self._build_staff_day(staff_id, day)
        return cached

    def staff_windows(self, staff_id: str, day: int) -> tuple[tuple[int, int], ...]:
        return self.staff_day(staff_id, day).windows

    def _build_staff_day(self, staff_id: str, day: int) -> StaffDay:
        member = self.clinic.staff_by_id[staff_id]
        override = self._overrides.get((staff_id, day))
        if override is not None:
            rostered = [_clock_window(day, window) for window in override.windows]
            breaks = [_clock_window(day, pause) for pause in override.breaks]
        else:
            calendar_day = date.fromordinal(day)
            shifts = [shift for shift in member.shifts if shift.applies_on(calendar_day)]
            rostered = [_clock_window(day, ClockRange(shift.start, shift.end)) for shift in shifts]
            breaks = [_clock_window(day, pause) for shift in shifts for pause in shift.breaks]
        low, high = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
        leave = merge((max(to_minute(period.start), low), min(to_minute(period.end), high))
                      for period in member.leave)
        shift_windows = merge(rostered)
        breaks = merge(breaks)
        windows = subtract(subtract(shift_windows, breaks), leave)
        opening = self.opening_windows(day)
        windows = [(max(a, c), min(b, d)) for a, b in windows for c, d in opening if max(a, c) < min(b, d)]
        return StaffDay(tuple(shift_windows), tuple(breaks), tuple(leave), tuple(merge(windows)))

    def covers(self, staff_id: str, start: int, end: int) -> bool:
        """True when the staff member can work the whole of [start, end)."""
        day = start // MINUTES_PER_DAY
        if (end - 1) // MINUTES_PER_DAY != day:
            return False
        return any(a <= start and end <= b for a, b in self.staff_windows(staff_id, day))

    def centre_open(self, start: int, end: int) -> bool:
        day = start // MINUTES_PER_DAY
        if (end - 1) // MINUTES_PER_DAY != day:
            return False
        return any(a <= start and end <= b for a, b in self.opening_windows(day))
