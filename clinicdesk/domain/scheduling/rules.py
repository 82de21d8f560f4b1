"""Hard rules: what a session needs, which starts each rule allows on a day (bitmasks), and why a start is refused."""

from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from clinicdesk.domain.scheduling.model import (
    Gender,
    PlanRequest,
    Preferences,
    Room,
    RoomGender,
    SequenceLink,
    SessionRequest,
    Staff,
    Therapy,
)
from clinicdesk.domain.scheduling.occupancy import Board
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, at_least, merge, subtract, to_minute

MASK_CACHE_SIZE = 200_000  # cached start masks kept before the cache starts afresh (a few MB)


class ReasonCode(StrEnum):
    OUTSIDE_PLAN_WINDOW = "outside_plan_window"
    REST_DAY = "rest_day"
    HOLIDAY = "holiday"
    CENTRE_CLOSED = "centre_closed"
    NOT_REQUESTED_TIME = "not_requested_time"
    AFTER_UNPLACED = "after_unplaced"
    SEQUENCE_DAYS = "sequence_days"
    SEQUENCE_TIME = "sequence_time"
    PATIENT_BUSY = "patient_busy"
    PATIENT_UNAVAILABLE = "patient_unavailable"
    PATIENT_DAILY_LIMIT = "patient_daily_limit"
    STAFF_MISSING_SKILL = "staff_missing_skill"
    STAFF_NOT_OFFERING = "staff_not_offering"
    STAFF_GENDER = "staff_gender"
    STAFF_ON_LEAVE = "staff_on_leave"
    STAFF_ON_BREAK = "staff_on_break"
    STAFF_OFF_SHIFT = "staff_off_shift"
    STAFF_BUSY = "staff_busy"
    STAFF_DAILY_LIMIT = "staff_daily_limit"
    NOT_ENOUGH_STAFF = "not_enough_staff"
    ROOM_TYPE = "room_type"
    ROOM_GENDER = "room_gender"
    ROOM_BUSY = "room_busy"
    NO_ROOM = "no_room"
    EQUIPMENT_MISSING = "equipment_missing"
    EQUIPMENT_BUSY = "equipment_busy"


@dataclass(frozen=True)
class Reason:
    """One hard rule that refuses a start; times are absolute minutes; `subject` is a staff, room or kind id."""

    code: ReasonCode
    subject: str = ""
    start: int | None = None
    end: int | None = None
    other: str = ""  # the session or booking in the way, a skill, a gender...
    count: int = 0


@dataclass(frozen=True)
class SessionSpec:
    """One requested session with everything the rules need worked out once."""

    request: PlanRequest
    session: SessionRequest
    therapy: Therapy
    order: int
    duration: int
    target_day: int
    first_day: int
    last_day: int
    rest_days: frozenset[int]
    eligible_staff: tuple[str, ...]
    eligible_rooms: tuple[str, ...]
    equipment_needs: tuple[tuple[str, int], ...]
    successors: tuple[tuple[str, SequenceLink], ...]
    fixed_start: int | None

    @property
    def key(self) -> str:
        return f"{self.request.id}/{self.session.id}"

    @property
    def prep(self) -> int:
        return self.therapy.prep_minutes

    @property
    def cleanup(self) -> int:
        return self.therapy.cleanup_minutes

    @property
    def preferences(self) -> Preferences:
        return self.request.preferences

    @property
    def patient_id(self) -> str:
        return self.request.patient.id

    @property
    def staff_count(self) -> int:
        return self.therapy.staff_count


def without_links(spec: SessionSpec) -> SessionSpec:
    """The session as if nothing of its plan came before or after it: is it possible at all, links aside?"""
    return replace(spec, session=replace(spec.session, after=()), successors=())


def staff_refusal(therapy: Therapy, member: Staff, patient_gender: Gender, preferences: Preferences) -> Reason | None:
    """Why this person can never give this therapy to this patient, or None."""
    missing = therapy.skills - member.skills
    if missing:
        return Reason(ReasonCode.STAFF_MISSING_SKILL, member.id, other=", ".join(sorted(missing)))
    if therapy.offered_by is not None and member.id not in therapy.offered_by:
        return Reason(ReasonCode.STAFF_NOT_OFFERING, member.id)
    if preferences.gender_match_required and member.gender != patient_gender:
        return Reason(ReasonCode.STAFF_GENDER, member.id, other=str(patient_gender))
    return None


def room_refusal(therapy: Therapy, room: Room, patient_gender: Gender) -> Reason | None:
    if room.type not in therapy.room_types:
        return Reason(ReasonCode.ROOM_TYPE, room.id, other=", ".join(therapy.room_types))
    if room.gender != RoomGender.ANY and room.gender.value != patient_gender.value:
        return Reason(ReasonCode.ROOM_GENDER, room.id, other=room.gender.value)
    return None


def plan_order(plan: PlanRequest) -> list[SessionRequest]:
    """Sessions so that every session comes after the ones it follows; ties by target day, then as listed."""
    by_id = {session.id: session for session in plan.sessions}
    if len(by_id) != len(plan.sessions):
        raise ValueError(f"plan {plan.id}: two sessions have the same id")
    waiting = {session.id: {link.session_id for link in session.after if link.session_id in by_id}
                for session in plan.sessions}
    position = {session.id: index for index, session in enumerate(plan.sessions)}
    ordered: list[SessionRequest] = []
    done: set[str] = set()
    while len(ordered) < len(plan.sessions):
        ready = [sid for sid, needs in waiting.items() if sid not in done and needs <= done]
        if not ready:
            raise ValueError(f"plan {plan.id}: the 'after' links form a cycle")
        chosen = min(ready, key=lambda sid: (by_id[sid].day_offset, position[sid]))
        done.add(chosen)
        ordered.append(by_id[chosen])
    return ordered


def build_specs(board: Board, plan: PlanRequest) -> list[SessionSpec]:
    clinic = board.clinic
    patient = plan.patient
    start_day = plan.start_date.toordinal()
    rest_days = frozenset(start_day + offset for offset in plan.rest_days)
    successors: dict[str, list[tuple[str, SequenceLink]]] = {}
    for session in plan.sessions:
        for link in session.after:
            successors.setdefault(link.session_id, []).append((session.id, link))
    specs = []
    for order, session in enumerate(plan_order(plan)):
        therapy = clinic.therapy_by_id[session.therapy_id]
        target = start_day + session.day_offset
        fixed = to_minute(session.fixed_start) if session.fixed_start is not None else None
        if fixed is not None:
            first_day = last_day = fixed // MINUTES_PER_DAY
        else:
            first_day, last_day = target - plan.max_days_early, target + plan.max_days_late
        staff = tuple(member.id for member in sorted(clinic.staff, key=lambda m: m.id)
                      if staff_refusal(therapy, member, patient.gender, plan.preferences) is None)
        rooms = tuple(room.id for room in sorted(clinic.rooms, key=lambda r: r.id)
                      if room_refusal(therapy, room, patient.gender) is None)
        specs.append(SessionSpec(
            request=plan, session=session, therapy=therapy, order=order,
            duration=therapy.duration(session.follow_up), target_day=target, first_day=first_day,
            last_day=last_day, rest_days=rest_days, eligible_staff=staff, eligible_rooms=rooms,
            equipment_needs=tuple(sorted(Counter(therapy.equipment).items())),
            successors=tuple(successors.get(session.id, ())), fixed_start=fixed))
    return specs


# ---- Day-level rules -------------------------------------------------------------------------------------------

def day_refusal(board: Board, spec: SessionSpec, day: int, *, relaxed: bool = False) -> Reason | None:
    """A reason the whole day is impossible; `relaxed` ignores the plan window and maximum gaps (earliest option)."""
    if not relaxed and not spec.first_day <= day <= spec.last_day:
        return Reason(ReasonCode.OUTSIDE_PLAN_WINDOW)
    if day in spec.rest_days:
        return Reason(ReasonCode.REST_DAY, start=day * MINUTES_PER_DAY)
    if board.calendar.is_holiday(day):
        return Reason(ReasonCode.HOLIDAY, start=day * MINUTES_PER_DAY)
    if not board.calendar.opening_windows(day):
        return Reason(ReasonCode.CENTRE_CLOSED, start=day * MINUTES_PER_DAY)
    for link in spec.session.after:
        before = board.placed.get(f"{spec.request.id}/{link.session_id}")
        if before is None:
            return Reason(ReasonCode.AFTER_UNPLACED, other=link.session_id)
        gap = day - before.day
        too_far = link.max_gap_days is not None and gap > link.max_gap_days and not relaxed
        if gap < link.min_gap_days or too_far:
            return Reason(ReasonCode.SEQUENCE_DAYS, other=link.session_id, start=before.start, end=before.end,
                          count=gap)
    for successor_id, link in spec.successors:
        after = board.placed.get(f"{spec.request.id}/{successor_id}")
        if after is not None:
            gap = after.day - day
            if gap < link.min_gap_days or (link.max_gap_days is not None and gap > link.max_gap_days):
                return Reason(ReasonCode.SEQUENCE_DAYS, other=successor_id, start=after.start, end=after.end,
                              count=gap)
    limit = board.patient_limit(spec.patient_id, spec.preferences.max_sessions_per_day)
    if limit is not None and board.occupancy.patient_day_count[(spec.patient_id, day)] >= limit:
        return Reason(ReasonCode.PATIENT_DAILY_LIMIT, count=limit, start=day * MINUTES_PER_DAY)
    return None


# ---- Start masks for one day (bit i: may start at slot i) -----------------------------------------------------

def fixed_mask(board: Board, spec: SessionSpec, day: int) -> int:
    if spec.fixed_start is None:
        return board.grid.full_mask
    return board.grid.starts_between(day, spec.fixed_start, spec.fixed_start)


def opening_mask(board: Board, spec: SessionSpec, day: int) -> int:
    return board.grid.starts_fitting(day, board.calendar.opening_windows(day), spec.prep,
                                     spec.duration + spec.cleanup)


def patient_busy_intervals(board: Board, spec: SessionSpec, day: int) -> list[tuple[int, int, str]]:
    """The patient's other sessions and unavailable periods that touch the day."""
    low, high = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
    busy = [item for item in board.occupancy.patients.on_day(spec.patient_id, day) if item[2] != spec.key]
    for period in spec.preferences.unavailable:
        start, end = to_minute(period.start), to_minute(period.end)
        if start < high and end > low:
            busy.append((start, end, "unavailable"))
    return sorted(busy)


def patient_mask(board: Board, spec: SessionSpec, day: int) -> int:
    return board.grid.starts_clear_of(day, patient_busy_intervals(board, spec, day), 0, spec.duration)


def sequence_window(board: Board, spec: SessionSpec) -> tuple[int, int]:
    """Earliest and latest start (absolute minutes) allowed by placed sessions it follows or that follow it."""
    earliest, latest = -1, 1 << 40
    for link in spec.session.after:
        before = board.placed.get(f"{spec.request.id}/{link.session_id}")
        if before is not None:
            earliest = max(earliest, before.end + link.min_gap_minutes)
    for successor_id, link in spec.successors:
        after = board.placed.get(f"{spec.request.id}/{successor_id}")
        if after is not None:
            latest = min(latest, after.start - link.min_gap_minutes - spec.duration)
    return earliest, latest


def sequence_mask(board: Board, spec: SessionSpec, day: int) -> int:
    earliest, latest = sequence_window(board, spec)
    return board.grid.starts_between(day, earliest, latest)


def equipment_blocked(board: Board, kind: str, need: int, day: int) -> list[tuple[int, int]]:
    """Stretches of the day when fewer than `need` items of `kind` are free."""
    quantity = board.clinic.equipment_quantity.get(kind, 0)
    if need > quantity:
        return [(day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY)]
    events = []
    for start, end, _ in board.occupancy.equipment.on_day(kind, day):
        events.append((start, 1))
        events.append((end, -1))
    events.sort()
    blocked = []
    in_use = 0
    opened = None
    for moment, change in events:
        in_use += change
        if in_use + need > quantity and opened is None:
            opened = moment
        elif in_use + need <= quantity and opened is not None:
            if moment > opened:
                blocked.append((opened, moment))
            opened = None
    return merge(blocked)


def equipment_mask(board: Board, spec: SessionSpec, day: int) -> int:
    mask = board.grid.full_mask
    for kind, need in spec.equipment_needs:
        blocked = equipment_blocked(board, kind, need, day)
        if blocked:
            mask &= board.grid.starts_clear_of(day, blocked, spec.prep, spec.duration + spec.cleanup)
    return mask


def staff_free_windows(board: Board, staff_id: str, day: int) -> list[tuple[int, int]]:
    windows = board.calendar.staff_windows(staff_id, day)
    if not windows:
        return []
    busy = board.occupancy.staff.on_day(staff_id, day)
    return subtract(windows, [(start, end) for start, end, _ in busy]) if busy else list(windows)


def _cached_mask(board: Board, key: tuple, compute) -> int:
    cache = board.mask_cache
    mask = cache.get(key)
    if mask is None:
        if len(cache) > MASK_CACHE_SIZE:
            cache.clear()
        mask = cache[key] = compute()
    return mask


def staff_mask(board: Board, spec: SessionSpec, staff_id: str, day: int) -> int:
    limit = board.clinic.staff_by_id[staff_id].max_sessions_per_day
    if limit is not None and board.occupancy.staff_day_count[(staff_id, day)] >= limit:
        return 0
    after = spec.duration + spec.cleanup
    key = ("staff", staff_id, day, spec.prep, after, board.occupancy.staff.versions[(staff_id, day)])
    return _cached_mask(board, key, lambda: board.grid.starts_fitting(
        day, staff_free_windows(board, staff_id, day), spec.prep, after))


def room_busy_intervals(board: Board, room_id: str, day: int) -> list[tuple[int, int, str]]:
    # the cleaning buffer of a late session may run past midnight, so look at the next day too
    return sorted(set(board.occupancy.rooms.on_day(room_id, day)) | set(board.occupancy.rooms.on_day(room_id, day + 1)))


def room_mask(board: Board, spec: SessionSpec, room_id: str, day: int) -> int:
    after = spec.duration + spec.cleanup + board.clinic.room_by_id[room_id].cleaning_buffer_minutes
    versions = board.occupancy.rooms.versions
    key = ("room", room_id, day, spec.prep, after, versions[(room_id, day)], versions[(room_id, day + 1)])
    return _cached_mask(board, key, lambda: board.grid.starts_clear_of(
        day, room_busy_intervals(board, room_id, day), spec.prep, after))


def base_mask(board: Board, spec: SessionSpec, day: int) -> int:
    """Starts allowed by everything except staff and rooms."""
    mask = fixed_mask(board, spec, day) & opening_mask(board, spec, day)
    if mask:
        mask &= sequence_mask(board, spec, day)
    if mask:
        mask &= patient_mask(board, spec, day)
    if mask and spec.equipment_needs:
        mask &= equipment_mask(board, spec, day)
    return mask


def enough_staff_mask(staff_masks, count: int, full_mask: int) -> int:
    return at_least(staff_masks, count) & full_mask


def joinable_groups(board: Board, spec: SessionSpec, day: int) -> list:
    """Group sessions of the same therapy on the day that this patient may join (room, capacity, staff, length)."""
    if not spec.therapy.group_allowed:
        return []
    found = []
    for group_key in board.occupancy.groups_on_day.get((spec.therapy.id, day), ()):
        group = board.occupancy.groups[group_key]
        room = board.clinic.room_by_id.get(group.room_id)
        if (room is None or group.room_id not in spec.eligible_rooms or len(group.members) >= room.capacity
                or group.end - group.start != spec.duration or len(group.staff_ids) != spec.staff_count
                or any(staff_id not in spec.eligible_staff for staff_id in group.staff_ids)
                or group.start % board.grid.slot_minutes):
            continue
        if _group_still_sound(board, spec, group, group_key, room.cleaning_buffer_minutes):
            found.append(group)
    return found


def _group_still_sound(board: Board, spec: SessionSpec, group, group_key: str, room_buffer: int) -> bool:
    """Joining adds a patient to the group's staff and room, so they must be free of anything but the group.

    An existing booking may predate a roster change, or share its staff or room with another booking already.
    """
    work_start, work_end = group.start - spec.prep, group.end + spec.cleanup
    day = group.start // MINUTES_PER_DAY
    occupancy = board.occupancy
    for staff_id in group.staff_ids:
        limit = board.clinic.staff_by_id[staff_id].max_sessions_per_day
        if not board.calendar.covers(staff_id, work_start, work_end) \
                or (limit is not None and occupancy.staff_day_count[(staff_id, day)] > limit) \
                or any(tag != group_key for _, _, tag in occupancy.staff.overlapping(staff_id, work_start, work_end)):
            return False
    return all(tag == group_key for _, _, tag in occupancy.rooms.overlapping(group.room_id, work_start,
                                                                               work_end + room_buffer))


# ---- Why one start is refused ---------------------------------------------------------------------------------

def _bit(board: Board, start: int) -> int:
    return 1 << board.grid.slot_of(start)


def staff_reason_at(board: Board, spec: SessionSpec, staff_id: str, start: int) -> Reason | None:
    """Why this qualified staff member cannot take the session starting at `start`, or None."""
    day = start // MINUTES_PER_DAY
    if staff_mask(board, spec, staff_id, day) & _bit(board, start):
        return None
    work_start, work_end = start - spec.prep, start + spec.duration + spec.cleanup
    member = board.clinic.staff_by_id[staff_id]
    if member.max_sessions_per_day is not None and \
            board.occupancy.staff_day_count[(staff_id, day)] >= member.max_sessions_per_day:
        return Reason(ReasonCode.STAFF_DAILY_LIMIT, staff_id, count=member.max_sessions_per_day)
    if board.calendar.is_holiday(day):
        return Reason(ReasonCode.HOLIDAY, staff_id, start=day * MINUTES_PER_DAY)
    staff_day = board.calendar.staff_day(staff_id, day)
    for leave_start, leave_end in staff_day.leave:
        if leave_start < work_end and leave_end > work_start:
            return Reason(ReasonCode.STAFF_ON_LEAVE, staff_id, start=leave_start, end=leave_end)
    shift = staff_day.shift_windows
    # off shift comes before busy: a booking made before a roster change must not hide that she is not working
    if not any(a <= work_start and work_end <= b for a, b in shift):
        return Reason(ReasonCode.STAFF_OFF_SHIFT, staff_id, start=shift[0][0] if shift else None,
                      end=shift[-1][1] if shift else None)
    for break_start, break_end in staff_day.breaks:
        if break_start < work_end and break_end > work_start:
            return Reason(ReasonCode.STAFF_ON_BREAK, staff_id, start=break_start, end=break_end)
    for busy_start, busy_end, tag in board.occupancy.staff.overlapping(staff_id, work_start, work_end):
        return Reason(ReasonCode.STAFF_BUSY, staff_id, start=busy_start, end=busy_end, other=tag)
    return Reason(ReasonCode.STAFF_OFF_SHIFT, staff_id, start=shift[0][0], end=shift[-1][1])


def room_reason_at(board: Board, spec: SessionSpec, room_id: str, start: int) -> Reason | None:
    day = start // MINUTES_PER_DAY
    if room_mask(board, spec, room_id, day) & _bit(board, start):
        return None
    room = board.clinic.room_by_id[room_id]
    end = start + spec.duration + spec.cleanup + room.cleaning_buffer_minutes
    for busy_start, busy_end, tag in board.occupancy.rooms.overlapping(room_id, start - spec.prep, end):
        return Reason(ReasonCode.ROOM_BUSY, room_id, start=busy_start, end=busy_end, other=tag)
    return Reason(ReasonCode.ROOM_BUSY, room_id)


def equipment_reason_at(board: Board, spec: SessionSpec, start: int) -> Reason | None:
    day = start // MINUTES_PER_DAY
    work_start, work_end = start - spec.prep, start + spec.duration + spec.cleanup
    for kind, need in spec.equipment_needs:
        quantity = board.clinic.equipment_quantity.get(kind, 0)
        if need > quantity:
            return Reason(ReasonCode.EQUIPMENT_MISSING, kind, count=quantity)
        for blocked_start, blocked_end in equipment_blocked(board, kind, need, day):
            if blocked_start < work_end and blocked_end > work_start:
                return Reason(ReasonCode.EQUIPMENT_BUSY, kind, start=blocked_start, end=blocked_end, count=quantity)
    return None


def patient_reasons_at(board: Board, spec: SessionSpec, start: int) -> list[Reason]:
    day = start // MINUTES_PER_DAY
    reasons = []
    end = start + spec.duration
    for busy_start, busy_end, tag in patient_busy_intervals(board, spec, day):
        if busy_start < end and busy_end > start:
            code = ReasonCode.PATIENT_UNAVAILABLE if tag == "unavailable" else ReasonCode.PATIENT_BUSY
            reasons.append(Reason(code, spec.patient_id, start=busy_start, end=busy_end, other=tag))
    earliest, latest = sequence_window(board, spec)
    if start < earliest or start > latest:
        reasons.append(Reason(ReasonCode.SEQUENCE_TIME, start=earliest if start < earliest else None,
                              end=latest + spec.duration if start > latest else None))
    return reasons


def refusals_at(board: Board, spec: SessionSpec, start: int) -> list[Reason]:
    """Every rule that refuses `start` for this session; empty when some staff and room can take it."""
    day = start // MINUTES_PER_DAY
    refusal = day_refusal(board, spec, day)
    if refusal is not None:
        return [refusal]
    reasons: list[Reason] = []
    if start % board.grid.slot_minutes:
        reasons.append(Reason(ReasonCode.NOT_REQUESTED_TIME, start=start))
    if not opening_mask(board, spec, day) & _bit(board, start):
        reasons.append(Reason(ReasonCode.CENTRE_CLOSED, start=start - spec.prep,
                              end=start + spec.duration + spec.cleanup))
    reasons.extend(patient_reasons_at(board, spec, start))
    equipment = equipment_reason_at(board, spec, start)
    if equipment is not None:
        reasons.append(equipment)
    if any(group.start == start for group in joinable_groups(board, spec, day)):
        return reasons  # the patient can join a group session: its staff and room are already there
    room_reasons = [room_reason_at(board, spec, room_id, start) for room_id in spec.eligible_rooms]
    if not spec.eligible_rooms:
        reasons.append(Reason(ReasonCode.NO_ROOM))
    elif all(room_reasons):
        reasons.extend(room_reasons)
    staff_reasons = [staff_reason_at(board, spec, staff_id, start) for staff_id in spec.eligible_staff]
    free_staff = sum(1 for reason in staff_reasons if reason is None)
    if free_staff < spec.staff_count:
        reasons.append(Reason(ReasonCode.NOT_ENOUGH_STAFF, count=spec.staff_count, other=str(free_staff)))
        reasons.extend(reason for reason in staff_reasons if reason is not None)
    return reasons


def fits_as_is(board: Board, spec: SessionSpec, start: int, room_id: str, staff_ids: tuple[str, ...]) -> bool:
    """True when the session can stay at `start` with exactly this room and these staff."""
    day = start // MINUTES_PER_DAY
    if start % board.grid.slot_minutes or day_refusal(board, spec, day) is not None:
        return False
    if len(set(staff_ids)) != spec.staff_count or len(staff_ids) != spec.staff_count:
        return False
    bit = 1 << board.grid.slot_of(start)
    if not base_mask(board, spec, day) & bit:
        return False
    if room_id not in spec.eligible_rooms or any(staff_id not in spec.eligible_staff for staff_id in staff_ids):
        return False
    for group in joinable_groups(board, spec, day):
        if group.start == start and group.room_id == room_id and tuple(group.staff_ids) == tuple(staff_ids):
            return True
    return bool(room_mask(board, spec, room_id, day) & bit) and all(
        staff_mask(board, spec, staff_id, day) & bit for staff_id in staff_ids)
