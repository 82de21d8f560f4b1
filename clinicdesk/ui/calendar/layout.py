"""Turns lists of DTOs into what the grid paints: columns (practitioners, rooms or days) and placed blocks.

Plain Python on purpose: the rules for which column an appointment lands in, how overlaps share a column and
which hours are shaded are tested without painting anything.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinicdesk.services.admin_dto import RoomItem, StaffItem
from clinicdesk.services.appointment_dto import CANCELLED, RESCHEDULED, AppointmentItem
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.i18n import translate

DAY_START_MINUTE = 7 * 60  # 07:00, widened when something is booked earlier
DAY_END_MINUTE = 20 * 60
STEP_MINUTES = 15
MINUTES_PER_DAY = 24 * 60
PRACTITIONER_ROLES = ("doctor", "therapist", "nurse")  # who can be given a patient's time
HIDDEN_UNLESS_ASKED = (CANCELLED, RESCHEDULED)  # their slot is free again; shown only with "Show cancelled"
UNASSIGNED = ""  # the column key for appointments without a room or practitioner


@dataclass(frozen=True)
class GridColumn:
    key: str  # staff id, room id or ISO date
    title: str
    day: date
    subtitle: str = ""
    closed: tuple[tuple[int, int], ...] = ()  # minute ranges of the day shaded as "not working here"
    note: str = ""  # e.g. "On leave", "Holiday: Onam"


@dataclass(frozen=True)
class GridBlock:
    item: AppointmentItem
    column: int
    start_minute: int
    end_minute: int
    lane: int = 0
    lanes: int = 1


def minute_of(moment: datetime, day: date) -> int:
    """Minutes after midnight of `day` (negative before it, over 1440 after it)."""
    return int((moment - datetime.combine(day, time())).total_seconds() // 60)


def at_minute(day: date, minute: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minute)


def snap(minute: float, step: int = STEP_MINUTES) -> int:
    return int(round(minute / step) * step)


def visible_range(items: Iterable[AppointmentItem], day_of: Callable[[AppointmentItem], date]) -> tuple[int, int]:
    """07:00-20:00, widened to whole hours around anything booked outside it."""
    first, last = DAY_START_MINUTE, DAY_END_MINUTE
    for item in items:
        day = day_of(item)
        first = min(first, max(0, minute_of(item.start, day)) // 60 * 60)
        last = max(last, min(MINUTES_PER_DAY, -(-minute_of(item.end, day) // 60) * 60))
    return first, last


# --- off-duty shading -----------------------------------------------------------------------------------------

def _clock(value: time) -> int:
    return value.hour * 60 + value.minute


def _complement(windows: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    closed, cursor = [], 0
    for start, end in sorted(windows):
        if start > cursor:
            closed.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < MINUTES_PER_DAY:
        closed.append((cursor, MINUTES_PER_DAY))
    return tuple(closed)


def staff_closed(staff: StaffItem, day: date) -> tuple[tuple[tuple[int, int], ...], str]:
    """When this person is not rostered on `day` (shift, breaks, leave); display only, the scheduler decides."""
    if any(leave.start_day <= day <= leave.end_day for leave in staff.leave):
        return ((0, MINUTES_PER_DAY),), translate("Calendar", "On leave")
    windows: list[tuple[int, int]] = []
    for hours in staff.hours:
        if hours.weekday != day.weekday():
            continue
        if (hours.effective_from and day < hours.effective_from) or (hours.effective_until
                                                                      and day > hours.effective_until):
            continue
        start, end = _clock(hours.start), _clock(hours.end) or MINUTES_PER_DAY
        if hours.break_start and hours.break_end and start < _clock(hours.break_start) < _clock(hours.break_end):
            windows += [(start, _clock(hours.break_start)), (_clock(hours.break_end), end)]
        else:
            windows.append((start, end))
    if not staff.hours:
        return (), ""  # no roster entered: nothing to shade rather than a wholly grey column
    if not windows:
        return ((0, MINUTES_PER_DAY),), translate("Calendar", "Not working")
    return _complement(windows), ""


# --- columns --------------------------------------------------------------------------------------------------

def _role_order(role: str) -> int:
    return PRACTITIONER_ROLES.index(role) if role in PRACTITIONER_ROLES else len(PRACTITIONER_ROLES)


def practitioner_columns(staff: Sequence[StaffItem], centre_id: str, day: date, items: Sequence[AppointmentItem],
                         holiday: str = "") -> list[GridColumn]:
    """Doctors, then therapists, by name; plus anyone else who has a booking that day (so none is hidden)."""
    booked: dict[str, str] = {}
    for item in items:
        for staff_id, name in zip(item.staff_ids, item.staff_names, strict=False):
            booked.setdefault(staff_id, name)
    chosen = [s for s in staff if s.centre_id == centre_id and s.active and s.role in PRACTITIONER_ROLES]
    chosen += [s for s in staff if s.id in booked and s not in chosen]
    chosen.sort(key=lambda s: (_role_order(s.role), s.full_name.casefold()))
    columns = []
    for person in chosen:
        closed, note = staff_closed(person, day)
        if holiday:
            closed, note = ((0, MINUTES_PER_DAY),), holiday
        columns.append(GridColumn(person.id, person.full_name, day, code_label(person.role), closed, note))
    known = {c.key for c in columns}
    columns += [GridColumn(staff_id, name, day) for staff_id, name in booked.items() if staff_id not in known]
    if any(not item.staff_ids for item in items):
        columns.append(GridColumn(UNASSIGNED, translate("Calendar", "No practitioner"), day))
    return columns


def room_columns(rooms: Sequence[RoomItem], centre_id: str, day: date, items: Sequence[AppointmentItem],
                 holiday: str = "") -> list[GridColumn]:
    booked = {item.room_id: item.room_name for item in items if item.room_id}
    chosen = [r for r in rooms if r.centre_id == centre_id and (r.active or r.id in booked)]
    closed = ((0, MINUTES_PER_DAY),) if holiday else ()
    columns = [GridColumn(r.id, r.name, day, code_label(r.room_type), closed, holiday) for r in chosen]
    known = {c.key for c in columns}
    columns += [GridColumn(room_id, name, day) for room_id, name in booked.items() if room_id not in known]
    if any(not item.room_id for item in items):
        columns.append(GridColumn(UNASSIGNED, translate("Calendar", "No room"), day))
    return columns


def week_columns(monday: date, day_title: Callable[[date], tuple[str, str]],
                 closed_on: Callable[[date], tuple[tuple[tuple[int, int], ...], str]]) -> list[GridColumn]:
    columns = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        title, subtitle = day_title(day)
        closed, note = closed_on(day)
        columns.append(GridColumn(day.isoformat(), title, day, subtitle, closed, note))
    return columns


# --- blocks ---------------------------------------------------------------------------------------------------

def by_staff(item: AppointmentItem) -> tuple[str, ...]:
    return item.staff_ids or (UNASSIGNED,)


def by_room(item: AppointmentItem) -> tuple[str, ...]:
    return (item.room_id or UNASSIGNED,)


def by_day(item: AppointmentItem) -> tuple[str, ...]:
    return (item.start.date().isoformat(),)


def place_blocks(items: Iterable[AppointmentItem], columns: Sequence[GridColumn],
                 keys_of: Callable[[AppointmentItem], tuple[str, ...]], *,
                 show_cancelled: bool = False) -> list[GridBlock]:
    """One block per (appointment, column it belongs to); overlaps in a column sit side by side in lanes."""
    index = {column.key: i for i, column in enumerate(columns)}
    per_column: dict[int, list[GridBlock]] = defaultdict(list)
    for item in items:
        if item.status in HIDDEN_UNLESS_ASKED and not show_cancelled:
            continue
        for key in keys_of(item):
            if (column := index.get(key)) is None:
                continue
            day = columns[column].day
            start = max(0, minute_of(item.start, day))
            end = min(MINUTES_PER_DAY, max(start + 1, minute_of(item.end, day)))
            per_column[column].append(GridBlock(item, column, start, end))
    placed: list[GridBlock] = []
    for column in sorted(per_column):
        placed += _share_lanes(per_column[column])
    return placed


def _share_lanes(blocks: list[GridBlock]) -> list[GridBlock]:
    """Greedy interval partitioning inside each cluster of mutually overlapping blocks."""
    blocks = sorted(blocks, key=lambda b: (b.start_minute, -b.end_minute, b.item.id))
    out: list[GridBlock] = []
    cluster: list[tuple[GridBlock, int]] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def flush() -> None:
        out.extend(GridBlock(b.item, b.column, b.start_minute, b.end_minute, lane, len(lane_ends))
                   for b, lane in cluster)

    for block in blocks:
        if block.start_minute >= cluster_end and cluster:
            flush()
            cluster, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end <= block.start_minute), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(block.end_minute)
        else:
            lane_ends[lane] = block.end_minute
        cluster.append((block, lane))
        cluster_end = max(cluster_end, block.end_minute)
    if cluster:
        flush()
    return out
