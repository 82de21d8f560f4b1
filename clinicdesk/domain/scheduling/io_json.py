"""The scheduling JSON format (docs/scheduling-format.md): parse with errors that name the field, serialise results."""

import re
from datetime import date, datetime, time

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.scheduling.model import (
    WEEKDAY_NAMES,
    Booking,
    Centre,
    Clinic,
    ClockRange,
    DateOverride,
    EquipmentPool,
    Gender,
    OpeningHours,
    Patient,
    Period,
    PlanRequest,
    Preferences,
    Room,
    RoomGender,
    SequenceLink,
    SessionRequest,
    Staff,
    Therapy,
    TimeOfDay,
    WeeklyShift,
)
from clinicdesk.domain.scheduling.rules import plan_order
from clinicdesk.domain.scheduling.timegrid import ALLOWED_SLOT_MINUTES, to_minute

FORMAT = "clinicdesk-plan/1"
RESULT_FORMAT = "clinicdesk-plan-result/1"
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_MISSING = object()


class ScheduleFormatError(ClinicError):
    """The instance file is not in the documented format; `path` names the field, e.g. staff[2].shifts[0].start."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class _Field:
    """A value with the path that leads to it, so every error can name the field."""

    def __init__(self, value, path: str):
        self.value = value
        self.path = path

    def fail(self, problem: str):
        raise ScheduleFormatError(self.path, problem)

    def _child_path(self, key) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def obj(self, allowed: tuple[str, ...]) -> "_Field":
        if not isinstance(self.value, dict):
            self.fail("expected an object")
        for key in self.value:
            if key not in allowed:
                raise ScheduleFormatError(self._child_path(key),
                                          f"unknown field (expected one of {', '.join(allowed)})")
        return self

    def get(self, key: str, default=_MISSING) -> "_Field":
        if key not in self.value or self.value[key] is None:
            if default is _MISSING:
                raise ScheduleFormatError(self._child_path(key), "is required")
            return _Field(default, self._child_path(key))
        return _Field(self.value[key], self._child_path(key))

    def items(self) -> list["_Field"]:
        if not isinstance(self.value, list):
            self.fail("expected a list")
        return [_Field(item, self._child_path(index)) for index, item in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail("expected a non-empty text")
        return self.value.strip()

    def integer(self, low: int | None = None, high: int | None = None) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail("expected a whole number")
        if low is not None and self.value < low:
            self.fail(f"must be at least {low}")
        if high is not None and self.value > high:
            self.fail(f"must be at most {high}")
        return self.value

    def optional_integer(self, low: int | None = None) -> int | None:
        return None if self.value is None else self.integer(low)

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail("expected true or false")
        return self.value

    def clock(self) -> time:
        if not isinstance(self.value, str) or not _CLOCK.match(self.value):
            self.fail("expected HH:MM")
        hours, minutes = (int(part) for part in self.value.split(":"))
        if hours == 24:
            if minutes:
                self.fail("expected HH:MM")
            return time(0, 0)  # 24:00 is midnight at the end of the day
        return time(hours, minutes)

    def day(self) -> date:
        try:
            if not isinstance(self.value, str):
                raise ValueError
            return date.fromisoformat(self.value)
        except ValueError:
            self.fail("expected a date YYYY-MM-DD")

    def moment(self) -> datetime:
        try:
            if not isinstance(self.value, str) or "T" not in self.value:
                raise ValueError
            value = datetime.fromisoformat(self.value)
        except ValueError:
            self.fail("expected a local date and time YYYY-MM-DDTHH:MM")
        if value.tzinfo is not None:
            self.fail("expected a local time without an offset (the centre's timezone applies)")
        return value

    def choice(self, options: tuple[str, ...]) -> str:
        if self.value not in options:
            self.fail(f"expected one of {', '.join(options)}")
        return self.value

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())

    def weekdays(self) -> tuple[int, ...]:
        days = []
        for item in self.items():
            days.append(WEEKDAY_NAMES.index(item.choice(WEEKDAY_NAMES)))
        if not days:
            self.fail("expected at least one day (mon..sun)")
        return tuple(sorted(set(days)))


def _clock_range(field: _Field) -> ClockRange:
    field.obj(("start", "end"))
    start, end = field.get("start").clock(), field.get("end").clock()
    end_minutes = end.hour * 60 + end.minute or 1440
    if end_minutes <= start.hour * 60 + start.minute:
        field.get("end").fail("must be after start")
    return ClockRange(start, end)


def _period(field: _Field, start_key: str, end_key: str) -> Period:
    """Either two datetimes (exact) or two dates (whole days, inclusive)."""
    start_field, end_field = field.get(start_key), field.get(end_key)
    if isinstance(start_field.value, str) and "T" in start_field.value:
        start, end = start_field.moment(), end_field.moment()
    else:
        start = datetime.combine(start_field.day(), time())
        end = datetime.combine(end_field.day(), time()) + (datetime(2000, 1, 2) - datetime(2000, 1, 1))
    if end <= start:
        end_field.fail(f"must be after {start_key}")
    return Period(start, end)


def _unique(items: list[_Field], key: str, values: list[str]) -> None:
    seen = set()
    for item, value in zip(items, values, strict=True):
        if value in seen:
            item.get(key).fail(f"duplicate id {value!r}")
        seen.add(value)


def _centre(field: _Field) -> Centre:
    field.obj(("name", "timezone", "holidays", "opening_hours"))
    hours = []
    for item in field.get("opening_hours", []).items():
        item.obj(("days", "open", "close"))
        window = _clock_range(_Field({"start": item.value.get("open"), "end": item.value.get("close")}, item.path))
        hours.append(OpeningHours(item.get("days").weekdays(), window.start, window.end))
    return Centre(name=field.get("name", "Centre").text(), timezone=field.get("timezone", "Asia/Kolkata").text(),
                  holidays=tuple(item.day() for item in field.get("holidays", []).items()),
                  opening_hours=tuple(hours))


def _staff(field: _Field) -> Staff:
    field.obj(("id", "name", "gender", "role", "skills", "shifts", "leave", "overrides", "max_sessions_per_day"))
    shifts = []
    for item in field.get("shifts", []).items():
        item.obj(("days", "start", "end", "breaks", "effective_from", "effective_until"))
        window = _clock_range(_Field({"start": item.value.get("start"), "end": item.value.get("end")}, item.path))
        effective_from = item.get("effective_from", None)
        effective_until = item.get("effective_until", None)
        shifts.append(WeeklyShift(
            weekdays=item.get("days").weekdays(), start=window.start, end=window.end,
            breaks=tuple(_clock_range(pause) for pause in item.get("breaks", []).items()),
            effective_from=effective_from.day() if effective_from.value is not None else None,
            effective_until=effective_until.day() if effective_until.value is not None else None))
    overrides = []
    for item in field.get("overrides", []).items():
        item.obj(("date", "off", "windows", "breaks"))
        off = item.get("off", False).boolean()
        windows = tuple(_clock_range(window) for window in item.get("windows", []).items())
        if not off and not windows:
            item.fail("give windows, or \"off\": true for a day off")
        overrides.append(DateOverride(item.get("date").day(), () if off else windows,
                                      tuple(_clock_range(pause) for pause in item.get("breaks", []).items())))
    leave = []
    for item in field.get("leave", []).items():
        item.obj(("from", "until"))
        leave.append(_period(item, "from", "until"))
    return Staff(
        id=field.get("id").text(), name=field.get("name").text(),
        gender=Gender(field.get("gender").choice(tuple(Gender))), role=field.get("role", "therapist").text(),
        skills=frozenset(field.get("skills", []).texts()), shifts=tuple(shifts), leave=tuple(leave),
        overrides=tuple(overrides), max_sessions_per_day=field.get("max_sessions_per_day", None).optional_integer(1))


def _room(field: _Field) -> Room:
    field.obj(("id", "name", "type", "capacity", "gender", "cleaning_buffer_minutes"))
    return Room(id=field.get("id").text(), name=field.get("name").text(), type=field.get("type").text(),
                capacity=field.get("capacity", 1).integer(1),
                gender=RoomGender(field.get("gender", "any").choice(tuple(RoomGender))),
                cleaning_buffer_minutes=field.get("cleaning_buffer_minutes", 0).integer(0, 240))


def _therapy(field: _Field) -> Therapy:
    field.obj(("id", "name", "duration_minutes", "follow_up_duration_minutes", "room_types", "skills", "staff_count",
               "prep_minutes", "cleanup_minutes", "offered_by", "equipment", "group_allowed"))
    room_types = field.get("room_types").texts()
    if not room_types:
        field.get("room_types").fail("expected at least one room type")
    offered_by = field.get("offered_by", None)
    follow_up = field.get("follow_up_duration_minutes", None)
    return Therapy(
        id=field.get("id").text(), name=field.get("name").text(),
        duration_minutes=field.get("duration_minutes").integer(5, 720),
        follow_up_duration_minutes=follow_up.integer(5, 720) if follow_up.value is not None else None,
        room_types=room_types, skills=frozenset(field.get("skills", []).texts()),
        staff_count=field.get("staff_count", 1).integer(0, 6),
        prep_minutes=field.get("prep_minutes", 0).integer(0, 240),
        cleanup_minutes=field.get("cleanup_minutes", 0).integer(0, 240),
        offered_by=frozenset(offered_by.texts()) if offered_by.value is not None else None,
        equipment=field.get("equipment", []).texts(), group_allowed=field.get("group_allowed", False).boolean())


def _booking(field: _Field) -> Booking:
    field.obj(("id", "start", "end", "staff", "room", "patient", "therapy", "equipment"))
    start, end = field.get("start").moment(), field.get("end").moment()
    if end <= start:
        field.get("end").fail("must be after start")
    equipment = field.get("equipment", None)
    return Booking(id=field.get("id").text(), start=start, end=end, staff_ids=field.get("staff", []).texts(),
                   room_id=field.get("room", None).value, patient_id=field.get("patient", None).value,
                   therapy_id=field.get("therapy", None).value,
                   equipment=equipment.texts() if equipment.value is not None else None)


def _patient(field: _Field) -> Patient:
    field.obj(("id", "name", "gender"))
    return Patient(id=field.get("id").text(), name=field.get("name", "").value,
                   gender=Gender(field.get("gender").choice(tuple(Gender))))


def _preferences(field: _Field) -> Preferences:
    field.obj(("time_of_day", "same_therapist", "preferred_staff", "gender_match_required", "max_sessions_per_day",
               "unavailable"))
    time_of_day = field.get("time_of_day", None)
    unavailable = []
    for item in field.get("unavailable", []).items():
        item.obj(("start", "end"))
        unavailable.append(_period(item, "start", "end"))
    return Preferences(
        time_of_day=TimeOfDay(time_of_day.choice(tuple(TimeOfDay))) if time_of_day.value is not None else None,
        same_therapist=field.get("same_therapist", False).boolean(),
        preferred_staff=field.get("preferred_staff", []).texts(),
        gender_match_required=field.get("gender_match_required", False).boolean(),
        max_sessions_per_day=field.get("max_sessions_per_day", None).optional_integer(1),
        unavailable=tuple(unavailable))


def _session(field: _Field) -> SessionRequest:
    field.obj(("id", "therapy", "day", "after", "follow_up", "at"))
    links = []
    for item in field.get("after", []).items():
        item.obj(("session", "min_gap_days", "max_gap_days", "min_gap_minutes"))
        min_gap = item.get("min_gap_days", 0).integer(0)
        max_gap = item.get("max_gap_days", None).optional_integer(min_gap)
        links.append(SequenceLink(item.get("session").text(), min_gap, max_gap,
                                  item.get("min_gap_minutes", 0).integer(0, 1440)))
    at = field.get("at", None)
    return SessionRequest(id=field.get("id").text(), therapy_id=field.get("therapy").text(),
                          day_offset=field.get("day").integer(0, 365), after=tuple(links),
                          follow_up=field.get("follow_up", False).boolean(),
                          fixed_start=at.moment() if at.value is not None else None)


def _request(field: _Field) -> PlanRequest:
    kind = field.obj(("type", "id", "patient", "start_date", "sessions", "rest_days", "preferences", "max_days_late",
                      "max_days_early", "therapy", "date", "time", "follow_up")).get("type").choice(
        ("plan", "appointment"))
    patient = _patient(field.get("patient"))
    preferences = _preferences(field.get("preferences", {}))
    if kind == "appointment":
        for key in ("start_date", "sessions", "rest_days", "max_days_early"):
            if key in field.value:
                field.get(key).fail("is only for plans")
        day = field.get("date").day()
        at = field.get("time", None)
        fixed = datetime.combine(day, at.clock()) if at.value is not None else None
        request_id = field.get("id").text()
        session = SessionRequest(id=request_id, therapy_id=field.get("therapy").text(), day_offset=0,
                                 follow_up=field.get("follow_up", False).boolean(), fixed_start=fixed)
        return PlanRequest(id=request_id, patient=patient, start_date=day, sessions=(session,),
                           preferences=preferences, max_days_late=field.get("max_days_late", 0).integer(0, 60),
                           kind="appointment")
    for key in ("therapy", "date", "time", "follow_up"):
        if key in field.value:
            field.get(key).fail("is only for appointments")
    session_fields = field.get("sessions").items()
    if not session_fields:
        field.get("sessions").fail("expected at least one session")
    sessions = [_session(item) for item in session_fields]
    _unique(session_fields, "id", [session.id for session in sessions])
    known = {session.id for session in sessions}
    for item, session in zip(session_fields, sessions, strict=True):
        for index, link in enumerate(session.after):
            if link.session_id not in known or link.session_id == session.id:
                item.get("after").items()[index].get("session").fail(f"no other session {link.session_id!r} in "
                                                                     "this plan")
    plan = PlanRequest(
        id=field.get("id").text(), patient=patient, start_date=field.get("start_date").day(),
        sessions=tuple(sessions), preferences=preferences,
        rest_days=tuple(sorted({item.integer(0, 365) for item in field.get("rest_days", []).items()})),
        max_days_late=field.get("max_days_late", 3).integer(0, 60),
        max_days_early=field.get("max_days_early", 0).integer(0, 60))
    try:
        plan_order(plan)
    except ValueError:
        field.get("sessions").fail("the 'after' links go round in a circle")
    return plan


def parse_instance(data) -> tuple[Clinic, list[PlanRequest], int]:
    """(clinic, requests, slot minutes) from the decoded JSON document; raises ScheduleFormatError."""
    root = _Field(data, "").obj(("format", "slot_minutes", "centre", "staff", "rooms", "equipment", "therapies",
                                 "bookings", "requests"))
    if root.get("format", FORMAT).value != FORMAT:
        root.get("format").fail(f"expected {FORMAT!r}")
    slot = root.get("slot_minutes", 15).integer()
    if slot not in ALLOWED_SLOT_MINUTES:
        root.get("slot_minutes").fail(f"expected one of {', '.join(map(str, ALLOWED_SLOT_MINUTES))}")
    staff_fields = root.get("staff").items()
    room_fields = root.get("rooms").items()
    therapy_fields = root.get("therapies").items()
    booking_fields = root.get("bookings", []).items()
    request_fields = root.get("requests").items()
    staff = [_staff(item) for item in staff_fields]
    rooms = [_room(item) for item in room_fields]
    therapies = [_therapy(item) for item in therapy_fields]
    equipment = []
    for item in root.get("equipment", []).items():
        item.obj(("kind", "quantity", "name"))
        equipment.append(EquipmentPool(item.get("kind").text(), item.get("quantity").integer(0),
                                       item.get("name", "").value))
    bookings = [_booking(item) for item in booking_fields]
    requests = [_request(item) for item in request_fields]
    _unique(staff_fields, "id", [member.id for member in staff])
    _unique(room_fields, "id", [room.id for room in rooms])
    _unique(therapy_fields, "id", [therapy.id for therapy in therapies])
    _unique(request_fields, "id", [request.id for request in requests])
    staff_ids = {member.id for member in staff}
    therapy_ids = {therapy.id for therapy in therapies}
    room_ids = {room.id for room in rooms}
    for item, therapy in zip(therapy_fields, therapies, strict=True):
        for staff_id in sorted(therapy.offered_by or ()):
            if staff_id not in staff_ids:
                item.get("offered_by").fail(f"unknown staff id {staff_id!r}")
    for item, booking in zip(booking_fields, bookings, strict=True):
        for staff_id in booking.staff_ids:
            if staff_id not in staff_ids:
                item.get("staff").fail(f"unknown staff id {staff_id!r}")
        if booking.room_id is not None and booking.room_id not in room_ids:
            item.get("room").fail(f"unknown room id {booking.room_id!r}")
        if booking.therapy_id is not None and booking.therapy_id not in therapy_ids:
            item.get("therapy").fail(f"unknown therapy id {booking.therapy_id!r}")
    for item, request in zip(request_fields, requests, strict=True):
        for staff_id in request.preferences.preferred_staff:
            if staff_id not in staff_ids:
                item.get("preferences").get("preferred_staff").fail(f"unknown staff id {staff_id!r}")
        for index, session in enumerate(request.sessions):
            where = item.get("therapy") if request.kind == "appointment" else item.get("sessions").items()[index]
            if session.therapy_id not in therapy_ids:
                (where if request.kind == "appointment" else where.get("therapy")).fail(
                    f"unknown therapy id {session.therapy_id!r}")
            if session.fixed_start is not None and to_minute(session.fixed_start) % slot:
                (item.get("time") if request.kind == "appointment" else where.get("at")).fail(
                    f"must be on the {slot}-minute booking grid")
    clinic = Clinic(centre=_centre(root.get("centre", {})), staff=tuple(staff), rooms=tuple(rooms),
                    therapies=tuple(therapies), equipment=tuple(equipment), bookings=tuple(bookings))
    return clinic, requests, slot


def _moment_text(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _option_json(option) -> dict:
    return {"start": _moment_text(option.start), "end": _moment_text(option.end), "room": option.room_id,
            "staff": list(option.staff_ids), "text": option.text}


def result_to_json(clinic: Clinic, requests, result) -> dict:
    """The `clinicdesk plan` output: every requested session placed or with reasons, and the soft score."""
    placed = {placement.key: placement for placement in result.placements}
    unplaced = {item.key: item for item in result.unplaced}
    sessions = []
    for request in requests:
        for session in request.sessions:
            key = f"{request.id}/{session.id}"
            therapy = clinic.therapy_by_id[session.therapy_id]
            target = date.fromordinal(request.start_date.toordinal() + session.day_offset)
            entry = {"request": request.id, "session": session.id, "patient": request.patient.id,
                     "therapy": therapy.id, "therapy_name": therapy.name, "target_date": target.isoformat()}
            if key in placed:
                placement = placed[key]
                entry.update({
                    "status": "placed", "start": _moment_text(placement.start), "end": _moment_text(placement.end),
                    "room": placement.room_id, "room_name": clinic.room_by_id[placement.room_id].name,
                    "staff": list(placement.staff_ids),
                    "staff_names": [clinic.staff_by_id[staff_id].name for staff_id in placement.staff_ids],
                    "days_from_target": (placement.start.date() - target).days})
            else:
                item = unplaced[key]
                entry.update({"status": "unplaced", "reasons": list(item.reasons),
                              "earliest_option": _option_json(item.earliest) if item.earliest else None,
                              "alternatives": [_option_json(option) for option in item.alternatives]})
            sessions.append(entry)
    return {"format": RESULT_FORMAT, "centre": clinic.centre.name, "timezone": clinic.centre.timezone,
            "placed": len(result.placements), "unplaced": len(result.unplaced),
            "score": result.score.as_dict(), "sessions": sessions}
