"""An independent check of a finished schedule against every hard rule, written without the solver's indexes.

Used by the property tests and the benchmark: it works minute by minute and pair by pair, so a bug in the
solver's bitmasks or interval indexes cannot hide in here too.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from operator import attrgetter

from clinicdesk.domain.scheduling.model import Booking, Clinic, Placement, PlanRequest, RoomGender, Staff


def _minutes_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _clock(t) -> int:
    return t.hour * 60 + t.minute


def _end_clock(t) -> int:
    return _clock(t) or 1440  # a window ending at 00:00 ends at midnight


class _Item:
    """A booking or a placement with the intervals each resource is held for."""

    def __init__(self, clinic: Clinic, label: str, start: datetime, end: datetime, staff_ids, room_id,
                 patient_id, therapy_id, equipment, is_new: bool):
        therapy = clinic.therapy_by_id.get(therapy_id) if therapy_id else None
        room = clinic.room_by_id.get(room_id) if room_id else None
        prep = timedelta(minutes=therapy.prep_minutes if therapy else 0)
        cleanup = timedelta(minutes=therapy.cleanup_minutes if therapy else 0)
        self.label = label
        self.start, self.end = start, end
        self.work_start, self.work_end = start - prep, end + cleanup
        self.room_end = self.work_end + timedelta(minutes=room.cleaning_buffer_minutes if room else 0)
        self.staff_ids = tuple(staff_ids)
        self.room_id = room_id
        self.patient_id = patient_id
        self.therapy_id = therapy_id
        self.equipment = tuple(equipment if equipment is not None else (therapy.equipment if therapy else ()))
        self.is_new = is_new
        grouped = therapy is not None and therapy.group_allowed and room is not None and room.capacity > 1
        self.group = (room_id, therapy_id, start, end) if grouped else None


def _working_minutes(clinic: Clinic, member: Staff | None, day: date) -> bytearray:
    """1 for each minute of the day when the person (or, for None, the centre) can work."""
    flags = bytearray(1440)
    if day in clinic.centre.holidays:
        return flags
    hours = clinic.centre.opening_hours
    open_flags = bytearray(1440)
    if not hours:
        open_flags = bytearray(b"\x01" * 1440)
    for item in hours:
        if day.weekday() in item.weekdays:
            for minute in range(_clock(item.open), _end_clock(item.close)):
                open_flags[minute] = 1
    if member is None:
        return open_flags
    override = next((item for item in member.overrides if item.day == day), None)
    if override is not None:
        windows, breaks = override.windows, override.breaks
    else:
        shifts = [shift for shift in member.shifts if day.weekday() in shift.weekdays
                  and (shift.effective_from is None or shift.effective_from <= day)
                  and (shift.effective_until is None or day <= shift.effective_until)]
        windows = [shift for shift in shifts]
        breaks = [pause for shift in shifts for pause in shift.breaks]
    for window in windows:
        for minute in range(_clock(window.start), _end_clock(window.end)):
            flags[minute] = 1
    for pause in breaks:
        for minute in range(_clock(pause.start), _end_clock(pause.end)):
            flags[minute] = 0
    midnight = datetime.combine(day, datetime.min.time())
    for period in member.leave:
        first = max(0, int((period.start - midnight).total_seconds() // 60))
        last = min(1440, int(-(-(period.end - midnight).total_seconds() // 60)))
        for minute in range(first, last):
            flags[minute] = 0
    return bytearray(a & b for a, b in zip(flags, open_flags, strict=True))


def _covered(flags_for, start: datetime, end: datetime) -> bool:
    if start.date() != (end - timedelta(minutes=1)).date() or end <= start:
        return False
    flags = flags_for(start.date())
    return all(flags[minute] for minute in range(_minutes_of_day(start), _minutes_of_day(start) + int(
        (end - start).total_seconds() // 60)))


def validate_schedule(clinic: Clinic, placements, requests=()) -> list[str]:
    """Every hard-rule violation among `placements` (against each other and the clinic's bookings); [] when sound."""
    problems: list[str] = []
    plans: dict[str, PlanRequest] = {request.id: request for request in requests}
    cache: dict = {}

    def flags_for(member_id):
        def lookup(day):
            key = (member_id, day)
            if key not in cache:
                cache[key] = _working_minutes(clinic, clinic.staff_by_id.get(member_id) if member_id else None, day)
            return cache[key]
        return lookup

    items: list[_Item] = [_Item(clinic, f"booking {booking.id}", booking.start, booking.end, booking.staff_ids,
                                booking.room_id, booking.patient_id, booking.therapy_id, booking.equipment, False)
                          for booking in clinic.bookings]
    placed_by_key: dict[tuple[str, str], Placement] = {}
    for placement in placements:
        label = f"{placement.request_id}/{placement.session_id}"
        if (placement.request_id, placement.session_id) in placed_by_key:
            problems.append(f"{label}: placed twice")
        placed_by_key[(placement.request_id, placement.session_id)] = placement
        items.append(_Item(clinic, label, placement.start, placement.end, placement.staff_ids, placement.room_id,
                           placement.patient_id, placement.therapy_id, None, True))
    for placement in placements:
        problems.extend(_check_placement(clinic, plans, placed_by_key, placement, flags_for))
    problems.extend(_check_pairs(clinic, items, plans, placements))
    return problems


def _check_placement(clinic, plans, placed_by_key, placement: Placement, flags_for) -> list[str]:
    label = f"{placement.request_id}/{placement.session_id}"
    problems = []
    therapy = clinic.therapy_by_id.get(placement.therapy_id)
    if therapy is None:
        return [f"{label}: unknown therapy {placement.therapy_id}"]
    plan = plans.get(placement.request_id)
    session = next((item for item in plan.sessions if item.id == placement.session_id), None) if plan else None
    prep, cleanup = timedelta(minutes=therapy.prep_minutes), timedelta(minutes=therapy.cleanup_minutes)
    if session is not None:
        if session.therapy_id != placement.therapy_id or plan.patient.id != placement.patient_id:
            problems.append(f"{label}: therapy or patient differs from the request")
        if placement.end - placement.start != timedelta(minutes=therapy.duration(session.follow_up)):
            problems.append(f"{label}: wrong duration")
        if session.fixed_start is not None and placement.start != session.fixed_start:
            problems.append(f"{label}: not at the requested time")
        offset = (placement.start.date() - plan.start_date).days
        if session.fixed_start is None and not (session.day_offset - plan.max_days_early <= offset
                                                <= session.day_offset + plan.max_days_late):
            problems.append(f"{label}: day {offset} is outside the plan window around day {session.day_offset}")
        if offset in plan.rest_days:
            problems.append(f"{label}: booked on rest day {offset}")
        for link in session.after:
            before = placed_by_key.get((placement.request_id, link.session_id))
            if before is None:
                problems.append(f"{label}: placed although {link.session_id}, which it follows, is not")
                continue
            gap = (placement.start.date() - before.start.date()).days
            if gap < link.min_gap_days or (link.max_gap_days is not None and gap > link.max_gap_days):
                problems.append(f"{label}: {gap} days after {link.session_id}, outside the allowed gap")
            if placement.start < before.end + timedelta(minutes=link.min_gap_minutes):
                problems.append(f"{label}: starts before {link.session_id} ends (+{link.min_gap_minutes} min)")
        for period in plan.preferences.unavailable:
            if period.start < placement.end and placement.start < period.end:
                problems.append(f"{label}: the patient is unavailable then")
    if not _covered(flags_for(None), placement.start - prep, placement.end + cleanup):
        problems.append(f"{label}: outside the centre's opening hours")
    if len(placement.staff_ids) != therapy.staff_count or len(set(placement.staff_ids)) != len(placement.staff_ids):
        problems.append(f"{label}: needs {therapy.staff_count} different staff")
    for staff_id in placement.staff_ids:
        member = clinic.staff_by_id.get(staff_id)
        if member is None:
            problems.append(f"{label}: unknown staff {staff_id}")
            continue
        if not therapy.skills <= member.skills:
            problems.append(f"{label}: {staff_id} lacks skills")
        if therapy.offered_by is not None and staff_id not in therapy.offered_by:
            problems.append(f"{label}: {staff_id} does not offer the therapy")
        if plan and plan.preferences.gender_match_required and member.gender != plan.patient.gender:
            problems.append(f"{label}: {staff_id} does not match the patient's gender")
        if not _covered(flags_for(staff_id), placement.start - prep, placement.end + cleanup):
            problems.append(f"{label}: {staff_id} is not on shift for the whole session")
    room = clinic.room_by_id.get(placement.room_id)
    if room is None:
        problems.append(f"{label}: unknown room {placement.room_id}")
    else:
        if room.type not in therapy.room_types:
            problems.append(f"{label}: room {room.id} has the wrong type")
        if plan and room.gender != RoomGender.ANY and room.gender.value != plan.patient.gender.value:
            problems.append(f"{label}: room {room.id} is for {room.gender.value} patients")
    return problems


def _overlapping_pairs(held, start, end):
    """Every pair of items whose intervals [start(item), end(item)) overlap, earlier start first."""
    held = sorted(held, key=start)
    for index, first in enumerate(held):
        for second in held[index + 1:]:
            if start(second) >= end(first):
                break
            yield first, second


def _shares_legally(first: _Item, second: _Item) -> bool:
    """Two items may hold the same staff or room at once only as members of one group session."""
    return bool(first.group and first.group == second.group)


def _check_pairs(clinic: Clinic, items: list[_Item], plans, placements) -> list[str]:
    problems = []
    by_staff, by_room, by_patient = defaultdict(list), defaultdict(list), defaultdict(list)
    for item in items:
        for staff_id in item.staff_ids:
            by_staff[staff_id].append(item)
        if item.room_id:
            by_room[item.room_id].append(item)
        if item.patient_id:
            by_patient[item.patient_id].append(item)
    work_start, work_end = attrgetter("work_start"), attrgetter("work_end")
    for staff_id, held in by_staff.items():
        for first, second in _overlapping_pairs(held, work_start, work_end):
            if (first.is_new or second.is_new) and not _shares_legally(first, second):
                problems.append(f"staff {staff_id} double-booked: {first.label} and {second.label}")
    for room_id, held in by_room.items():
        for first, second in _overlapping_pairs(held, work_start, attrgetter("room_end")):
            if (first.is_new or second.is_new) and not _shares_legally(first, second):
                problems.append(f"room {room_id} double-booked (incl. cleaning): {first.label} and {second.label}")
        room = clinic.room_by_id.get(room_id)
        groups = defaultdict(list)
        for item in held:
            if item.group:
                groups[item.group].append(item)
        for members in groups.values():
            if room and len(members) > room.capacity and any(member.is_new for member in members):
                problems.append(f"room {room_id} group over capacity: {len(members)} > {room.capacity}")
    for patient_id, held in by_patient.items():
        for first, second in _overlapping_pairs(held, attrgetter("start"), attrgetter("end")):
            if first.is_new or second.is_new:
                problems.append(f"patient {patient_id} double-booked: {first.label} and {second.label}")
    problems.extend(_check_equipment(clinic, items))
    problems.extend(_check_daily_limits(clinic, by_staff, by_patient, plans, placements))
    return problems


def _check_equipment(clinic: Clinic, items: list[_Item]) -> list[str]:
    problems = []
    uses = defaultdict(list)
    for item in items:
        for kind in sorted(set(item.equipment)):
            uses[kind].append(item)
    for kind, held in uses.items():
        quantity = clinic.equipment_quantity.get(kind, 0)
        for point in sorted({item.work_start for item in held if item.is_new}
                            | {item.work_start for item in held}):
            active = [item for item in held if item.work_start <= point < item.work_end]
            in_use = sum(item.equipment.count(kind) for item in active)
            if in_use > quantity and any(item.is_new for item in active):
                problems.append(f"equipment {kind}: {in_use} in use at {point:%Y-%m-%d %H:%M}, only {quantity}")
    return problems


def _check_daily_limits(clinic: Clinic, by_staff, by_patient, plans, placements) -> list[str]:
    problems = []
    for staff_id, held in by_staff.items():
        member = clinic.staff_by_id.get(staff_id)
        if member is None or member.max_sessions_per_day is None:
            continue
        per_day = defaultdict(set)
        new_days = set()
        for item in held:
            per_day[item.start.date()].add(item.group or item.label)
            if item.is_new:
                new_days.add(item.start.date())
        for day in new_days:
            if len(per_day[day]) > member.max_sessions_per_day:
                problems.append(f"staff {staff_id}: {len(per_day[day])} sessions on {day}, limit "
                                f"{member.max_sessions_per_day}")
    for placement in placements:
        # a request's limit counts all of the patient's sessions on the days that request uses
        plan = plans.get(placement.request_id)
        limit = plan.preferences.max_sessions_per_day if plan else None
        if limit is None:
            continue
        same_day = [item for item in by_patient[placement.patient_id] if item.start.date() == placement.start.date()]
        if len(same_day) > limit:
            problems.append(f"patient {placement.patient_id}: {len(same_day)} sessions on {placement.start.date()}, "
                            f"limit {limit}")
    return problems


def bookings_as_items(clinic: Clinic, bookings: list[Booking]) -> list:
    """For callers that want to check a diary of bookings alone: bookings become new items."""
    return [_Item(clinic, f"booking {booking.id}", booking.start, booking.end, booking.staff_ids, booking.room_id,
                  booking.patient_id, booking.therapy_id, booking.equipment, True) for booking in bookings]


def validate_bookings(clinic: Clinic, booking_ids) -> list[str]:
    """Hard-rule violations of the named bookings against the whole diary (after a sick-leave or over-run change)."""
    chosen = set(booking_ids)
    problems: list[str] = []
    cache: dict = {}

    def flags(member_id, day):
        if (member_id, day) not in cache:
            cache[(member_id, day)] = _working_minutes(clinic, clinic.staff_by_id.get(member_id), day)
        return cache[(member_id, day)]

    items = [_Item(clinic, f"booking {booking.id}", booking.start, booking.end, booking.staff_ids, booking.room_id,
                   booking.patient_id, booking.therapy_id, booking.equipment, booking.id in chosen)
             for booking in clinic.bookings]
    for booking, item in zip(clinic.bookings, items, strict=True):
        if not item.is_new:
            continue
        therapy = clinic.therapy_by_id.get(booking.therapy_id or "")
        for staff_id in booking.staff_ids:
            member = clinic.staff_by_id.get(staff_id)
            if member is None or not _covered(lambda day, s=staff_id: flags(s, day), item.work_start, item.work_end):
                problems.append(f"booking {booking.id}: {staff_id} is not on shift for the whole session")
            elif therapy is not None and not therapy.skills <= member.skills:
                problems.append(f"booking {booking.id}: {staff_id} lacks skills")
            elif booking.gender_match_required and booking.patient_gender and member.gender != booking.patient_gender:
                problems.append(f"booking {booking.id}: {staff_id} does not match the patient's gender")
    problems.extend(_check_pairs(clinic, items, {}, []))
    return problems
