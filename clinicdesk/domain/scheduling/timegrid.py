"""Minute arithmetic for the scheduler: naive local datetimes as absolute minutes, day slot grids and bitmasks."""

from datetime import date, datetime, time, timedelta

MINUTES_PER_DAY = 1440
ALLOWED_SLOT_MINUTES = (5, 10, 15, 20, 30, 60)


def to_minute(moment: datetime) -> int:
    """Absolute minute number of a naive local datetime (seconds are ignored)."""
    return moment.toordinal() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def to_datetime(minute: int) -> datetime:
    day, rest = divmod(minute, MINUTES_PER_DAY)
    return datetime.combine(date.fromordinal(day), time()) + timedelta(minutes=rest)


def day_start(day: int) -> int:
    """First minute of a day given as a date ordinal."""
    return day * MINUTES_PER_DAY


def clock_minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def day_of(minute: int) -> int:
    return minute // MINUTES_PER_DAY


def format_clock(minute: int) -> str:
    """"14:30" for an absolute minute; the day is left out."""
    hours, minutes = divmod(minute % MINUTES_PER_DAY, 60)
    return f"{hours:02d}:{minutes:02d}"


def format_day(day: int) -> str:
    """"Thu 3 Dec" for a date ordinal."""
    value = date.fromordinal(day)
    return f"{value:%a} {value.day} {value:%b}"


def format_span(start: int, end: int) -> str:
    return f"{format_clock(start)}–{format_clock(end)}"


class SlotGrid:
    """Start times of one day on a fixed grid; bit i of a mask means "may start at slot i"."""

    def __init__(self, slot_minutes: int):
        if slot_minutes not in ALLOWED_SLOT_MINUTES:
            raise ValueError(f"slot_minutes must be one of {ALLOWED_SLOT_MINUTES}")
        self.slot_minutes = slot_minutes
        self.slots_per_day = MINUTES_PER_DAY // slot_minutes
        self.full_mask = (1 << self.slots_per_day) - 1

    def start_minute(self, day: int, slot: int) -> int:
        return day * MINUTES_PER_DAY + slot * self.slot_minutes

    def slot_of(self, minute: int) -> int:
        return (minute % MINUTES_PER_DAY) // self.slot_minutes

    def starts_between(self, day: int, earliest: int, latest: int) -> int:
        """Mask of grid starts t on `day` with earliest <= t <= latest (absolute minutes)."""
        base = day * MINUTES_PER_DAY
        first = -((base - earliest) // self.slot_minutes)  # ceiling division
        last = (latest - base) // self.slot_minutes
        first = max(first, 0)
        last = min(last, self.slots_per_day - 1)
        if first > last:
            return 0
        return ((1 << (last - first + 1)) - 1) << first

    def starts_fitting(self, day: int, gaps, before: int, after: int) -> int:
        """Mask of starts t whose span [t - before, t + after) lies inside one of the free `gaps`."""
        mask = 0
        for gap_start, gap_end in gaps:
            mask |= self.starts_between(day, gap_start + before, gap_end - after)
        return mask

    def starts_clear_of(self, day: int, busy, before: int, after: int) -> int:
        """Mask of starts t whose span [t - before, t + after) overlaps none of the sorted `busy` intervals."""
        return self.starts_fitting(day, free_gaps(busy, day_start(day) - MINUTES_PER_DAY,
                                                  day_start(day + 2) + MINUTES_PER_DAY), before, after)


def free_gaps(busy, low: int, high: int) -> list[tuple[int, int]]:
    """The parts of [low, high) not covered by `busy` intervals (sorted by start; they may overlap)."""
    gaps = []
    cursor = low
    for start, end, *_ in busy:
        if start > cursor:
            gaps.append((cursor, min(start, high)))
        cursor = max(cursor, end)
        if cursor >= high:
            break
    if cursor < high:
        gaps.append((cursor, high))
    return [(a, b) for a, b in gaps if a < b]


def subtract(windows, holes) -> list[tuple[int, int]]:
    """Sorted windows minus sorted holes; both are lists of (start, end)."""
    result = []
    for start, end in windows:
        for gap in free_gaps(sorted(holes), start, end):
            result.append(gap)
    return result


def merge(intervals) -> list[tuple[int, int]]:
    """Union of intervals as sorted, non-overlapping, non-touching pairs."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def iter_bits(mask: int):
    """Indices of set bits, lowest first."""
    while mask:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest


def lowest_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def at_least(masks, count: int) -> int:
    """Mask of bits set in at least `count` of `masks` (bit-sliced counting; count is small)."""
    if count <= 0:
        return -1
    # levels[k] holds bits set in at least k+1 masks so far
    levels = [0] * count
    for mask in masks:
        for k in range(count - 1, 0, -1):
            levels[k] |= levels[k - 1] & mask
        levels[0] |= mask
    return levels[count - 1]
