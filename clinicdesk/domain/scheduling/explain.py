"""Why a session could not be booked, in words a receptionist understands, with the earliest option or alternatives."""

from dataclasses import replace

from clinicdesk.domain.scheduling.candidates import Candidate, day_candidates, earliest_candidate
from clinicdesk.domain.scheduling.model import Option, Unplaced
from clinicdesk.domain.scheduling.occupancy import Board
from clinicdesk.domain.scheduling.rules import (
    Reason,
    ReasonCode,
    SessionSpec,
    day_refusal,
    enough_staff_mask,
    equipment_mask,
    fixed_mask,
    opening_mask,
    patient_busy_intervals,
    patient_mask,
    refusals_at,
    room_busy_intervals,
    room_mask,
    sequence_mask,
    sequence_window,
    staff_mask,
    staff_reason_at,
    staff_refusal,
)
from clinicdesk.domain.scheduling.timegrid import (
    MINUTES_PER_DAY,
    format_clock,
    format_day,
    format_span,
    iter_bits,
    lowest_bit,
    merge,
    to_datetime,
)

MAX_LISTED = 4  # resources named in one sentence before "and N more"


def _staff_name(board: Board, staff_id: str) -> str:
    member = board.clinic.staff_by_id.get(staff_id)
    return member.name if member else staff_id


def _room_name(board: Board, room_id: str) -> str:
    room = board.clinic.room_by_id.get(room_id)
    return room.name if room else room_id


def _session_label(board: Board, spec: SessionSpec, session_id: str) -> str:
    for session in spec.request.sessions:
        if session.id == session_id:
            therapy = board.clinic.therapy_by_id.get(session.therapy_id)
            return f"{therapy.name if therapy else session.therapy_id} ({session_id})"
    return session_id


def _join(parts: list[str]) -> str:
    if len(parts) > MAX_LISTED:
        parts = parts[:MAX_LISTED] + [f"{len(parts) - MAX_LISTED} more"]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _spans(intervals) -> str:
    return ", ".join(format_span(start, end) for start, end in intervals)


def staff_description(board: Board, spec: SessionSpec, plural: bool = False) -> str:
    """E.g. "female therapist with Virechana skill", from the rules that filter staff for this session."""
    roles = sorted({board.clinic.staff_by_id[staff_id].role for staff_id in spec.eligible_staff}) or \
        sorted({member.role for member in board.clinic.staff if spec.therapy.skills <= member.skills})
    role = roles[0] if len(roles) == 1 else "staff member"
    if plural:
        role = "staff" if role == "staff member" else role + "s"
    words = []
    if spec.preferences.gender_match_required:
        words.append(spec.request.patient.gender.value)
    words.append(role)
    if spec.therapy.skills:
        skills = " and ".join(sorted(spec.therapy.skills))
        words.append(f"with {skills} skill")
    elif spec.therapy.offered_by is not None:
        words.append(f"who offers {spec.therapy.name}")
    return " ".join(words)


# One phrase per refusal: {staff} and {room} name the reason's subject, {span} its times, {day} its day
_PHRASES = {
    ReasonCode.OUTSIDE_PLAN_WINDOW: "the day is outside the plan's window",
    ReasonCode.REST_DAY: "{day} is a rest day in the plan",
    ReasonCode.NOT_REQUESTED_TIME: "{clock} is not on the {grid}-minute booking grid",
    ReasonCode.PATIENT_UNAVAILABLE: "the patient is not available {span}",
    ReasonCode.PATIENT_DAILY_LIMIT: "the patient already has {count} session(s) on {day}, the most they want in a day",
    ReasonCode.STAFF_MISSING_SKILL: "{staff} lacks the {other} skill",
    ReasonCode.STAFF_NOT_OFFERING: "{staff} does not offer {therapy}",
    ReasonCode.STAFF_GENDER: "{staff} is not {other}, and the patient asked for a {other} therapist",
    ReasonCode.STAFF_ON_LEAVE: "{staff} is on leave",
    ReasonCode.STAFF_ON_BREAK: "{staff} is on a break {span}",
    ReasonCode.STAFF_BUSY: "{staff} is booked {span}",
    ReasonCode.STAFF_DAILY_LIMIT: "{staff} already has {count} sessions that day, the maximum",
    ReasonCode.ROOM_TYPE: "{room} is not a {other} room",
    ReasonCode.ROOM_GENDER: "{room} is for {other} patients only",
    ReasonCode.EQUIPMENT_MISSING: "the centre has only {count} {equipment}",
    ReasonCode.EQUIPMENT_BUSY: "every {equipment} (the centre has {count}) is in use {span}",
}
# Codes whose phrase depends on whether the reason has times: (with them, without them)
_PHRASES_BY_SPAN = {
    ReasonCode.CENTRE_CLOSED: ("the centre is not open for the whole session ({span})",
                               "the centre is closed on {day}"),
    ReasonCode.STAFF_OFF_SHIFT: ("{staff} is not on shift then (works {span})", "{staff} is not on shift that day"),
    ReasonCode.ROOM_BUSY: ("{room} is taken {span}", "{room} is taken"),
}


def describe(board: Board, spec: SessionSpec, reason: Reason) -> str:
    """One refusal as a phrase, e.g. "Anjali is on a break 13:00–13:30"."""
    code = reason.code
    special = _DESCRIBE_SPECIAL.get(code)
    if special is not None:
        return special(board, spec, reason)
    words = {
        "day": format_day(reason.start // MINUTES_PER_DAY) if reason.start is not None else "that day",
        "span": format_span(reason.start, reason.end) if reason.start is not None and reason.end is not None else "",
        "clock": format_clock(reason.start) if reason.start is not None else "",
        "staff": _staff_name(board, reason.subject), "room": _room_name(board, reason.subject),
        "equipment": board.clinic.equipment_name.get(reason.subject, reason.subject),
        "other": reason.other, "count": reason.count, "grid": board.grid.slot_minutes, "therapy": spec.therapy.name,
    }
    phrase = _PHRASES.get(code)
    if phrase is None and code in _PHRASES_BY_SPAN:
        with_span, without = _PHRASES_BY_SPAN[code]
        phrase = with_span if words["span"] else without
    return phrase.format(**words) if phrase is not None else code.value


def _holiday(board: Board, spec: SessionSpec, reason: Reason) -> str:
    if reason.subject:
        return f"{_staff_name(board, reason.subject)} is off for the centre holiday"
    return f"{format_day(reason.start // MINUTES_PER_DAY)} is a centre holiday"


def _sequence_days(board: Board, spec: SessionSpec, reason: Reason) -> str:
    link = next((item for item in spec.session.after if item.session_id == reason.other), None)
    label = _session_label(board, spec, reason.other)
    day = format_day(reason.start // MINUTES_PER_DAY)
    if link is None:
        return f"{label}, which must follow it, is booked on {day}"
    if link.max_gap_days is None:
        most = " or more"
    else:
        most = f"–{link.max_gap_days}" if link.max_gap_days != link.min_gap_days else ""
    return f"it must be {link.min_gap_days}{most} days after {label}, which is on {day}"


def _sequence_time(board: Board, spec: SessionSpec, reason: Reason) -> str:
    if reason.start is not None:
        return f"it cannot start before {format_clock(reason.start)}, after the session it follows"
    return f"it must end by {format_clock(reason.end)}, before the session that follows it"


def _patient_busy(board: Board, spec: SessionSpec, reason: Reason) -> str:
    what = board.occupancy.entries.get(reason.other)
    therapy = board.clinic.therapy_by_id.get(what.therapy_id) if what and what.therapy_id else None
    return f"the patient already has {therapy.name if therapy else 'another session'} " \
           f"{format_span(reason.start, reason.end)}"


def _not_enough_staff(board: Board, spec: SessionSpec, reason: Reason) -> str:
    if len(spec.eligible_staff) < spec.staff_count:
        return _no_staff_text(board, spec)
    if reason.other not in ("", "0"):
        return f"only {reason.other} {staff_description(board, spec)} is free and {reason.count} are needed"
    return f"no {staff_description(board, spec)} is free"


_DESCRIBE_SPECIAL = {
    ReasonCode.HOLIDAY: _holiday,
    ReasonCode.AFTER_UNPLACED: lambda board, spec, reason:
        f"it comes after {_session_label(board, spec, reason.other)}, which could not be booked",
    ReasonCode.SEQUENCE_DAYS: _sequence_days,
    ReasonCode.SEQUENCE_TIME: _sequence_time,
    ReasonCode.PATIENT_BUSY: _patient_busy,
    ReasonCode.NOT_ENOUGH_STAFF: _not_enough_staff,
    ReasonCode.NO_ROOM: lambda board, spec, reason: _no_room_text(board, spec),
}


def _no_room_text(board: Board, spec: SessionSpec) -> str:
    types = " or ".join(spec.therapy.room_types)
    if any(room.type in spec.therapy.room_types for room in board.clinic.rooms):
        return f"every {types} room is reserved for {'male' if spec.request.patient.gender == 'female' else 'female'}" \
               " patients"
    return f"the centre has no {types} room"


def _no_staff_text(board: Board, spec: SessionSpec) -> str:
    """Too few people may ever give this therapy to this patient: say who is ruled out and by which rule."""
    description = staff_description(board, spec)
    have = len(spec.eligible_staff)
    refusals = [staff_refusal(spec.therapy, member, spec.request.patient.gender, spec.preferences)
                for member in sorted(board.clinic.staff, key=lambda m: m.id)]
    why = _join([describe(board, spec, reason) for reason in refusals if reason is not None])
    if have == 0:
        text = f"no {description} works at the centre"
    else:
        text = f"the centre has only {have} {description} and {spec.staff_count} are needed"
    return f"{text} ({why})" if why else text


def _staff_status(board: Board, spec: SessionSpec, staff_id: str, day: int) -> str:
    """What keeps one qualified person from this session on a day."""
    name = _staff_name(board, staff_id)
    member = board.clinic.staff_by_id[staff_id]
    staff_day = board.calendar.staff_day(staff_id, day)
    if member.max_sessions_per_day is not None and \
            board.occupancy.staff_day_count[(staff_id, day)] >= member.max_sessions_per_day:
        return f"{name} already has {member.max_sessions_per_day} sessions, the maximum"
    if not staff_day.shift_windows:
        return f"{name} is not on shift"
    if staff_day.leave and not staff_day.windows:
        return f"{name} is on leave"
    if not staff_day.windows:
        return f"{name} is not on shift while the centre is open"
    busy = merge((start, end) for start, end, _ in board.occupancy.staff.on_day(staff_id, day))
    if busy:
        return f"{name} is booked {_spans(busy)}"
    return f"{name} is free only {_spans(staff_day.windows)}"


def explain_day(board: Board, spec: SessionSpec, day: int) -> str:
    """Why no start works on one day, naming resources and times."""
    refusal = day_refusal(board, spec, day)
    if refusal is not None:
        return describe(board, spec, refusal)
    grid = board.grid
    opening = fixed_mask(board, spec, day) & opening_mask(board, spec, day)
    if not opening:
        if spec.fixed_start is not None:
            return f"the centre is not open for the whole session at {format_clock(spec.fixed_start)}"
        return "the centre is not open long enough that day"
    parts = []
    allowed = opening
    sequence = sequence_mask(board, spec, day)
    if allowed & ~sequence:  # the order of the plan narrows the day: say so, whatever else gets in the way
        earliest, latest = sequence_window(board, spec)
        if earliest >= day * MINUTES_PER_DAY:
            parts.append(f"it cannot start before {format_clock(earliest)}, after the session it follows")
        if latest < (day + 1) * MINUTES_PER_DAY:
            parts.append(f"it must end by {format_clock(latest + spec.duration)}, before the session that follows it")
    allowed &= sequence
    if not allowed:
        return " and ".join(parts + ["the centre is not open long enough in the time left"])
    patient = patient_mask(board, spec, day)
    if allowed & ~patient:
        busy = [(start, end) for start, end, _ in patient_busy_intervals(board, spec, day)]
        parts.append(f"the patient is busy or unavailable {_spans(merge(busy))}")
    allowed &= patient
    if allowed and spec.equipment_needs:
        equipment = equipment_mask(board, spec, day)
        if not allowed & equipment:
            names = " and ".join(board.clinic.equipment_name.get(kind, kind) for kind, _ in spec.equipment_needs)
            parts.append(f"no {names} is free long enough")
        allowed &= equipment
    if not allowed:
        return " and ".join(parts)
    if not spec.eligible_rooms:
        return _no_room_text(board, spec)
    if len(spec.eligible_staff) < spec.staff_count:
        return _no_staff_text(board, spec)
    room_masks = {room_id: room_mask(board, spec, room_id, day) & allowed for room_id in spec.eligible_rooms}
    any_room = 0
    for mask in room_masks.values():
        any_room |= mask
    staff_masks = {staff_id: staff_mask(board, spec, staff_id, day) & allowed for staff_id in spec.eligible_staff}
    enough = enough_staff_mask(list(staff_masks.values()), spec.staff_count, grid.full_mask)
    low, high = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
    if not any_room or any_room & enough == 0:
        room_parts = []
        for room_id in spec.eligible_rooms:
            busy = merge((max(start, low), min(end, high)) for start, end, _ in room_busy_intervals(board, room_id, day)
                         if start < high and end > low)
            if busy:
                room_parts.append(f"{_room_name(board, room_id)} is taken {_spans(busy)}")
        if room_parts:
            parts.append(_join(room_parts))
    if not enough:
        statuses = [_staff_status(board, spec, staff_id, day) for staff_id in spec.eligible_staff]
        parts.append(f"no {staff_description(board, spec)} is free ({_join(statuses)})")
    elif any_room and not any_room & enough:
        first_staff = grid.start_minute(day, lowest_bit(enough))
        if enough & ((1 << lowest_bit(allowed)) - 1) == 0 and first_staff > grid.start_minute(day, lowest_bit(allowed)):
            parts.append(f"no {staff_description(board, spec)} is free before {format_clock(first_staff)}")
        else:
            starts = [format_clock(grid.start_minute(day, slot)) for slot in iter_bits(enough)]
            parts.append(f"a {staff_description(board, spec)} is free only to start at {_join(starts)}, "
                         "when no room is")
    return " and ".join(parts) if parts else "no staff and room are free together"


def describe_option(board: Board, candidate: Candidate) -> str:
    """E.g. "Thu 3 Dec 14:30 with Anjali in Abhyanga-2"."""
    when = f"{format_day(candidate.start // MINUTES_PER_DAY)} {format_clock(candidate.start)}"
    staff = " and ".join(_staff_name(board, staff_id) for staff_id in candidate.staff_ids)
    room = _room_name(board, candidate.room_id)
    group = " (joining the group)" if candidate.joins_group else ""
    return f"{when} with {staff} in {room}{group}" if staff else f"{when} in {room}{group}"


def to_option(board: Board, spec: SessionSpec, candidate: Candidate) -> Option:
    return Option(start=to_datetime(candidate.start), end=to_datetime(candidate.start + spec.duration),
                  room_id=candidate.room_id, staff_ids=candidate.staff_ids, text=describe_option(board, candidate))


def alternatives_near(board: Board, spec: SessionSpec, start: int, count: int, days: int = 7) -> list[Candidate]:
    """Feasible starts closest to a requested time: the same day first, then the following days."""
    relaxed_spec = replace(spec, fixed_start=None)
    found: list[Candidate] = []
    first_day = start // MINUTES_PER_DAY
    for day in range(first_day, first_day + days):
        found.extend(day_candidates(board, relaxed_spec, day, relaxed=True))
        if len(found) >= count * 4:
            break
    found.sort(key=lambda candidate: (abs(candidate.start - start), candidate.rank))
    return found[:count]


def explain_unplaced(board: Board, spec: SessionSpec, *, search_days: int, alternatives: int) -> Unplaced:
    """The reasons a session could not be placed, with the earliest option (plans) or alternatives (fixed times)."""
    reasons: list[str] = []
    earliest = None
    options: list[Option] = []
    blocked_by_order = next((link for link in spec.session.after
                             if f"{spec.request.id}/{link.session_id}" not in board.placed), None)
    therapy = spec.therapy.name
    if blocked_by_order is not None:
        reasons.append(f"{therapy} was not booked because it comes after "
                       f"{_session_label(board, spec, blocked_by_order.session_id)}, which could not be booked.")
    elif spec.fixed_start is not None:
        when = f"{format_day(spec.fixed_start // MINUTES_PER_DAY)} {format_clock(spec.fixed_start)}"
        refusals = refusals_at(board, spec, spec.fixed_start)
        phrases = _dedupe(describe(board, spec, reason) for reason in refusals) or [explain_day(
            board, spec, spec.fixed_start // MINUTES_PER_DAY)]
        reasons.append(f"{therapy} cannot be booked at {when}: {'; '.join(phrases)}.")
        options = [to_option(board, spec, candidate)
                   for candidate in alternatives_near(board, spec, spec.fixed_start, alternatives)]
        if options:
            reasons.append("Alternatives: " + "; ".join(option.text for option in options) + ".")
    else:
        window = f"{format_day(spec.first_day)}" if spec.first_day == spec.last_day else \
            f"{format_day(spec.first_day)} and {format_day(spec.last_day)}"
        reasons.append(f"No time found for {therapy} {'on' if spec.first_day == spec.last_day else 'between'} "
                       f"{window}.")
        by_text: dict[str, list[int]] = {}
        for day in range(spec.first_day, spec.last_day + 1):
            by_text.setdefault(explain_day(board, spec, day), []).append(day)
        for text, days in by_text.items():
            reasons.append(f"{', '.join(format_day(day) for day in days)}: {text}.")
        found = earliest_candidate(board, spec, spec.first_day, search_days)
        if found is not None:
            earliest = to_option(board, spec, found)
            reasons.append(f"Earliest option: {earliest.text}.")
        else:
            reasons.append(f"No option in the {search_days} days from {format_day(spec.first_day)} either.")
    return Unplaced(request_id=spec.request.id, session_id=spec.session.id, patient_id=spec.patient_id,
                    therapy_id=spec.therapy.id, reasons=tuple(reasons), earliest=earliest,
                    alternatives=tuple(options))


def explain_start(board: Board, spec: SessionSpec, start: int) -> list[str]:
    """Phrases for every rule that refuses this start (empty when it is possible)."""
    return _dedupe(describe(board, spec, reason) for reason in refusals_at(board, spec, start))


def staff_refusal_text(board: Board, spec: SessionSpec, staff_id: str, start: int) -> str | None:
    reason = staff_reason_at(board, spec, staff_id, start)
    return describe(board, spec, reason) if reason else None


def _dedupe(phrases) -> list[str]:
    seen: list[str] = []
    for phrase in phrases:
        if phrase not in seen:
            seen.append(phrase)
    return seen
