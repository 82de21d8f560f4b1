"""Dashboard arithmetic: rates, utilisation, NPS, score changes, day/week/month buckets, and the panel values."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from clinicdesk.domain.errors import ValidationError

MAX_RANGE_DAYS = 731  # two years by day is already 731 points: enough for any chart a person can read


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday, as Indian clinics roster
    MONTH = "month"


class View(StrEnum):
    OWNER = "owner"  # the business: bookings, rooms and staff, money, enquiries, satisfaction
    DIRECTOR = "director"  # the medical director: no-shows, therapists, outcomes, complications, satisfaction


# --- buckets ----------------------------------------------------------------------------------------------------

def local_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar day at the centre of an aware moment (stored UTC): 23:30 UTC is the next day in India."""
    if moment.tzinfo is None:
        raise ValueError("a stored moment must carry its time zone")
    return moment.astimezone(zone).date()


def bucket_start(day: date, period: Period) -> date:
    """The first day of the day, week (Monday) or month that `day` falls in."""
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: date, period: Period) -> date:
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_starts(first: date, last: date, period: Period) -> tuple[date, ...]:
    """Every bucket that touches [first, last], in order; the first may begin before `first` (a week or a month)."""
    starts, current = [], bucket_start(first, period)
    while current <= last:
        starts.append(current)
        current = next_bucket(current, period)
    return tuple(starts)


def bucket_label(start: date, period: Period) -> str:
    if period is Period.DAY:
        return f"{start:%d %b %Y}"
    if period is Period.WEEK:
        return f"Week of {start:%d %b %Y}"
    return f"{start:%b %Y}"


def check_range(first: date, last: date) -> None:
    """A range a person asked for: the end not before the start, and not longer than two years."""
    if last < first:
        raise ValidationError({"last_day": "must not be before the first day"}, {"last_day": "To"})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationError({"last_day": f"must be within {MAX_RANGE_DAYS - 1} days of the first day"},
                              {"last_day": "To"})


# --- rates ------------------------------------------------------------------------------------------------------

def rate(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by (no appointments: no rate, not 0 %)."""
    return None if not whole else part / whole


def no_show_rate(no_shows: int, appointments_due: int) -> float | None:
    """Share of appointments that were due (attended or missed; cancelled ones are not) that the patient missed."""
    return rate(no_shows, appointments_due)


def utilisation(booked_minutes: float, available_minutes: float) -> float | None:
    """Booked minutes over available minutes; may exceed 1 when bookings run over working hours."""
    return rate(booked_minutes, available_minutes)


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def nps(scores: Iterable[int]) -> float | None:
    """Net promoter score from 0-10 "would you recommend us": % promoters (9-10) minus % detractors (0-6)."""
    items = list(scores)
    if not items:
        return None
    promoters = sum(1 for s in items if s >= 9)
    detractors = sum(1 for s in items if s <= 6)
    return 100.0 * (promoters - detractors) / len(items)


def score_change(reports: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Last minus first score of each symptom over one course's reports in time order.

    A symptom counts from the first report that scores it to the last one that does; one scored only once has no
    change yet and is left out. Negative means better (scores are severity 0-10).
    """
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    seen: dict[str, int] = {}
    for report in reports:
        for name, value in report.items():
            first.setdefault(name, value)
            last[name] = value
            seen[name] = seen.get(name, 0) + 1
    return {name: last[name] - first[name] for name in first if seen[name] > 1}


def mean_change(changes: Iterable[Mapping[str, float]]) -> tuple[float | None, int]:
    """Average change over every symptom of every course, and how many courses had one."""
    values, courses = [], 0
    for change in changes:
        if change:
            courses += 1
            values.extend(change.values())
    return mean(values), courses


# --- what a dashboard shows ---------------------------------------------------------------------------------------

Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Chart:
    """Which columns of a panel to draw: bars or lines over the rows; `percent` values are fractions 0-1."""

    kind: str  # bar, line
    columns: tuple[int, ...]
    percent: bool = False
    label: str = "{0}"  # how a row names its place on the axis, from its cells: "{0}, step {1}"

    def row_label(self, row: tuple) -> str:
        return self.label.format(*row)


@dataclass(frozen=True)
class Panel:
    """One section of a dashboard as a table (first column: the row label) with the figures in words."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    summary: str = ""
    chart: Chart | None = None
    percent_columns: tuple[int, ...] = ()  # columns holding fractions 0-1, shown as per cent
    unavailable: str = ""  # why there is nothing to show (e.g. billing not set up), said instead of the table


@dataclass(frozen=True)
class Dashboard:
    view: View
    period: Period
    first_day: date
    last_day: date
    centre_name: str  # "All centres" when not filtered
    panels: tuple[Panel, ...]
    centres: tuple[tuple[str, str], ...] = ()  # (id, name) the filter may offer
    clinic_name: str = ""
    generated_at: datetime | None = field(default=None, compare=False)

    def panel(self, key: str) -> Panel:
        return next(p for p in self.panels if p.key == key)


def format_cell(value: Cell, *, percent: bool = False) -> str:
    """How a cell reads in a table, a PDF or a CSV: empty for no value, one decimal for rates."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value * 100:.1f} %" if percent else f"{value:.2f}".rstrip("0").rstrip(".")  # 4.5, 42, -2.67
    return str(value)


def step_at(step_numbers: Sequence[int], recorded: Iterable[tuple[int, datetime]], moment: datetime) -> int | None:
    """The SOP step a session was at when something happened: the first step not yet recorded before that moment.

    Steps recorded at the same moment or later count as not yet done (the therapist reports, then ticks the step);
    after the last step the incident belongs to the last one. None for a session without SOP steps.
    """
    if not step_numbers:
        return None
    done = {number for number, at in recorded if at < moment}
    ordered = sorted(step_numbers)
    return next((number for number in ordered if number not in done), ordered[-1])


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    """"1 course", "3 courses", "0 no-shows": the figures in words read as a sentence."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
