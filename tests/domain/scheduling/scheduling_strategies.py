"""Hypothesis strategies for random small clinics and requests, shaped to hit every hard rule often."""

from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from clinicdesk.domain.scheduling import model

FIRST_DAY = date(2026, 12, 7)  # a Monday
HORIZON_DAYS = 12
SKILLS = ("abhyanga", "swedana", "virechana", "nasya")
ROOM_TYPES = ("abhyanga", "swedana", "therapy")
KINDS = ("droni", "steam_box")
GENDERS = (model.Gender.FEMALE, model.Gender.MALE)
# strategies built once: building them inside each draw costs more than the scheduling being tested
GENDER = st.sampled_from(GENDERS)
ROOM_GENDER = st.sampled_from((model.RoomGender.ANY, model.RoomGender.ANY, model.RoomGender.FEMALE,
                               model.RoomGender.MALE))
TIME_OF_DAY = st.sampled_from((None, *model.TimeOfDay))
BOOL = st.booleans()
SKILL_SET = st.sets(st.sampled_from(SKILLS), min_size=1, max_size=4)
OPTIONAL_SKILL_SET = st.sets(st.sampled_from(SKILLS), max_size=2)
ROOM_TYPE_SET = st.sets(st.sampled_from(ROOM_TYPES), min_size=1, max_size=2)
WEEKDAY_SET = st.sets(st.integers(0, 6), min_size=3, max_size=7)


def clock(minutes: int) -> time:
    minutes = max(0, min(minutes, 23 * 60 + 55))
    return time(minutes // 60, minutes % 60)


@st.composite
def clock_range(draw, earliest: int = 6 * 60, latest: int = 21 * 60, min_len: int = 30, max_len: int = 10 * 60):
    start = draw(st.integers(earliest // 15, (latest - min_len) // 15)) * 15
    length = draw(st.integers(min_len // 15, max_len // 15)) * 15
    return model.ClockRange(clock(start), clock(min(start + length, 23 * 60 + 45)))


@st.composite
def weekly_shift(draw):
    window = draw(clock_range(min_len=120))
    breaks = ()
    if draw(BOOL):
        start = window.start.hour * 60 + window.start.minute
        end = window.end.hour * 60 + window.end.minute
        if end - start >= 90:
            pause_start = draw(st.integers(start // 15 + 1, (end - 45) // 15)) * 15
            breaks = (model.ClockRange(clock(pause_start), clock(pause_start + draw(st.sampled_from((15, 30, 45))))),)
    effective_from = FIRST_DAY + timedelta(days=draw(st.integers(0, 4))) if draw(BOOL) else None
    effective_until = FIRST_DAY + timedelta(days=draw(st.integers(5, 12))) if draw(BOOL) else None
    weekdays = tuple(sorted(draw(WEEKDAY_SET)))
    return model.WeeklyShift(weekdays, window.start, window.end, breaks, effective_from, effective_until)


@st.composite
def staff_member(draw, index: int):
    leave = ()
    if draw(st.integers(0, 3)) == 0:
        start = datetime.combine(FIRST_DAY, time(8)) + timedelta(minutes=draw(st.integers(0, 10 * 96)) * 15)
        leave = (model.Period(start, start + timedelta(minutes=draw(st.integers(2, 200)) * 15)),)
    overrides = ()
    if draw(st.integers(0, 3)) == 0:
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, HORIZON_DAYS)))
        windows = (draw(clock_range(min_len=60)),) if draw(BOOL) else ()
        overrides = (model.DateOverride(day, windows),)
    return model.Staff(
        id=f"s{index}", name=f"Staff {index}", gender=draw(GENDER),
        role=draw(st.sampled_from(("therapist", "doctor"))),
        skills=frozenset(draw(SKILL_SET)),
        shifts=tuple(draw(st.lists(weekly_shift(), min_size=1, max_size=2))), leave=leave, overrides=overrides,
        max_sessions_per_day=draw(st.one_of(st.none(), st.integers(1, 4))))


@st.composite
def therapy(draw, index: int, staff_ids):
    duration = draw(st.sampled_from((15, 20, 30, 45, 60, 90)))
    offered_by = frozenset(draw(st.sets(st.sampled_from(staff_ids), min_size=1))) if draw(
        st.integers(0, 3)) == 0 else None
    return model.Therapy(
        id=f"t{index}", name=f"Therapy {index}", duration_minutes=duration,
        follow_up_duration_minutes=draw(st.one_of(st.none(), st.sampled_from((15, 30, 45)))),
        room_types=tuple(sorted(draw(ROOM_TYPE_SET))),
        skills=frozenset(draw(OPTIONAL_SKILL_SET)),
        staff_count=draw(st.sampled_from((0, 1, 1, 1, 2))), prep_minutes=draw(st.sampled_from((0, 5, 10, 15))),
        cleanup_minutes=draw(st.sampled_from((0, 10, 15))), offered_by=offered_by,
        equipment=tuple(draw(st.lists(st.sampled_from(KINDS), max_size=2))),
        group_allowed=draw(st.integers(0, 3)) == 0)


@st.composite
def clinic(draw):
    staff = tuple(draw(staff_member(index)) for index in range(draw(st.integers(1, 5))))
    rooms = tuple(model.Room(id=f"r{index}", name=f"Room {index}", type=draw(st.sampled_from(ROOM_TYPES)),
                             capacity=draw(st.sampled_from((1, 1, 2, 3))), gender=draw(ROOM_GENDER),
                             cleaning_buffer_minutes=draw(st.sampled_from((0, 10, 15, 30))))
                  for index in range(draw(st.integers(1, 4))))
    equipment = tuple(model.EquipmentPool(kind, draw(st.integers(1, 2)), kind.replace("_", " "))
                      for kind in KINDS if draw(BOOL))
    therapies = tuple(draw(therapy(index, [member.id for member in staff])) for index in range(draw(st.integers(1, 4))))
    opening = ()
    if draw(BOOL):
        window = draw(clock_range(earliest=6 * 60, latest=22 * 60, min_len=6 * 60, max_len=14 * 60))
        opening = (model.OpeningHours(tuple(range(6)), window.start, window.end),)
    holidays = tuple(FIRST_DAY + timedelta(days=day) for day in draw(st.sets(st.integers(0, HORIZON_DAYS), max_size=1)))
    centre = model.Centre(name="Test centre", holidays=holidays, opening_hours=opening)
    bookings = []
    for index in range(draw(st.integers(0, 6))):
        start = datetime.combine(FIRST_DAY, time(7)) + timedelta(
            days=draw(st.integers(0, 8)), minutes=draw(st.integers(0, 48)) * 15)
        chosen = draw(st.sampled_from(therapies)) if draw(BOOL) else None
        bookings.append(model.Booking(
            id=f"b{index}", start=start, end=start + timedelta(minutes=draw(st.sampled_from((15, 30, 60, 90)))),
            staff_ids=tuple(sorted(draw(st.sets(st.sampled_from([m.id for m in staff]), max_size=2)))),
            room_id=draw(st.sampled_from([None] + [room.id for room in rooms])),
            patient_id=draw(st.sampled_from((None, "p0", "p1", "p9"))), therapy_id=chosen.id if chosen else None))
    return model.Clinic(centre=centre, staff=staff, rooms=rooms, therapies=therapies, equipment=equipment,
                        bookings=tuple(bookings))


@st.composite
def preferences(draw):
    unavailable = ()
    if draw(st.integers(0, 2)) == 0:
        start = datetime.combine(FIRST_DAY, time(6)) + timedelta(minutes=draw(st.integers(0, 8 * 96)) * 15)
        unavailable = (model.Period(start, start + timedelta(minutes=draw(st.integers(1, 40)) * 15)),)
    return model.Preferences(
        time_of_day=draw(TIME_OF_DAY),
        same_therapist=draw(BOOL), preferred_staff=tuple(draw(st.lists(
            st.sampled_from(("s0", "s1", "s2")), max_size=1))),
        gender_match_required=draw(BOOL),
        max_sessions_per_day=draw(st.one_of(st.none(), st.integers(1, 3))), unavailable=unavailable)


@st.composite
def plan_request(draw, index: int, therapy_ids):
    sessions = []
    for position in range(draw(st.integers(1, 6))):
        links = ()
        if sessions and draw(BOOL):
            before = draw(st.sampled_from(sessions))
            min_gap = draw(st.integers(0, 2))
            most = draw(st.one_of(st.none(), st.integers(min_gap, min_gap + 2)))
            links = (model.SequenceLink(before.id, min_gap, most, draw(st.sampled_from((0, 0, 30)))),)
        sessions.append(model.SessionRequest(
            id=f"x{position}", therapy_id=draw(st.sampled_from(therapy_ids)), day_offset=draw(st.integers(0, 6)),
            after=links, follow_up=draw(BOOL)))
    patient = model.Patient(id=draw(st.sampled_from(("p0", "p1", "p2", f"q{index}"))), gender=draw(GENDER))
    return model.PlanRequest(
        id=f"plan{index}", patient=patient, start_date=FIRST_DAY + timedelta(days=draw(st.integers(0, 3))),
        sessions=tuple(sessions), preferences=draw(preferences()),
        rest_days=tuple(sorted(draw(st.sets(st.integers(0, 8), max_size=2)))),
        max_days_late=draw(st.integers(0, 3)), max_days_early=draw(st.integers(0, 1)))


@st.composite
def appointment_request(draw, index: int, therapy_ids):
    patient = model.Patient(id=draw(st.sampled_from(("p0", "p1", f"a{index}"))), gender=draw(GENDER))
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 6)))
    start = datetime.combine(day, time(7)) + timedelta(minutes=draw(st.integers(0, 44)) * 15)
    session = model.SessionRequest(id=f"appt{index}", therapy_id=draw(st.sampled_from(therapy_ids)), day_offset=0,
                                   fixed_start=start if draw(BOOL) else None)
    return model.PlanRequest(id=f"appt{index}", patient=patient, start_date=day, sessions=(session,),
                             preferences=draw(preferences()), max_days_late=draw(st.integers(0, 2)),
                             kind="appointment")


@st.composite
def scheduling_problem(draw):
    """(clinic, requests) with up to three plans or appointments."""
    built = draw(clinic())
    therapy_ids = [item.id for item in built.therapies]
    requests = []
    for index in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 3)) == 0:
            requests.append(draw(appointment_request(index, therapy_ids)))
        else:
            requests.append(draw(plan_request(index, therapy_ids)))
    return built, requests
