"""Administration rules: centres, holidays, rooms, equipment, working hours, leave and practitioner profiles."""

from datetime import date, time
from decimal import Decimal

import pytest

from clinicdesk.domain import admin_rules as rules

CENTRE = {"code": "KOC", "name": "Kochi", "timezone": "Asia/Kolkata", "gstin": "32AABCU9603R1ZM",
          "email": "desk@clinic.in"}
ROOM = {"name": "Abhyanga 1", "room_type": "abhyanga", "capacity": 2, "gender_restriction": "female",
        "cleaning_buffer_minutes": 15}
EQUIPMENT = {"name": "Droni table", "kind": "droni", "quantity": 2}
PROFILE = {"licence_number": "KL-AYU-12345", "consultation_fee": Decimal("500"), "verification_status": "verified",
           "role": "doctor"}


@pytest.mark.parametrize(("check", "good", "field", "bad", "words"), [
    (rules.centre_problems, CENTRE, "code", "koc", "2-6 capital letters"),
    (rules.centre_problems, CENTRE, "code", "K", "2-6 capital letters"),
    (rules.centre_problems, CENTRE, "code", "KOCHIXX", "2-6 capital letters"),
    (rules.centre_problems, CENTRE, "name", " ", "is required"),
    (rules.centre_problems, CENTRE, "name", "x" * 121, "at most 120"),
    (rules.centre_problems, CENTRE, "timezone", "India/Kochi", "time zone name"),
    (rules.centre_problems, CENTRE, "gstin", "32AABCU9603R1Z", "15-character GSTIN"),
    (rules.centre_problems, CENTRE, "gstin", "32aabcu9603r1zm", "15-character GSTIN"),
    (rules.centre_problems, CENTRE, "gstin", "32AABCU9603R1XM", "15-character GSTIN"),
    (rules.centre_problems, CENTRE, "email", "desk.clinic.in", "email address"),
    (rules.room_problems, ROOM, "name", "", "is required"),
    (rules.room_problems, ROOM, "name", "x" * 81, "at most 80"),
    (rules.room_problems, ROOM, "room_type", "sauna", "must be one of"),
    (rules.room_problems, ROOM, "capacity", 0, "between 1 and 50"),
    (rules.room_problems, ROOM, "capacity", 51, "between 1 and 50"),
    (rules.room_problems, ROOM, "gender_restriction", "women", "any, female or male"),
    (rules.room_problems, ROOM, "cleaning_buffer_minutes", -1, "between 0 and 180"),
    (rules.room_problems, ROOM, "cleaning_buffer_minutes", 181, "between 0 and 180"),
    (rules.equipment_problems, EQUIPMENT, "name", "", "is required"),
    (rules.equipment_problems, EQUIPMENT, "kind", " ", "is required"),
    (rules.equipment_problems, EQUIPMENT, "kind", "x" * 41, "at most 40"),
    (rules.equipment_problems, EQUIPMENT, "quantity", 0, "between 1 and 500"),
    (rules.equipment_problems, EQUIPMENT, "quantity", 501, "between 1 and 500"),
    (rules.profile_problems, PROFILE, "licence_number", " ", "required for a doctor"),
    (rules.profile_problems, PROFILE, "licence_number", "x" * 41, "at most 40"),
    (rules.profile_problems, PROFILE, "consultation_fee", Decimal("-1"), "between 0 and 1,00,000"),
    (rules.profile_problems, PROFILE, "consultation_fee", Decimal("100000.01"), "between 0 and 1,00,000"),
    (rules.profile_problems, PROFILE, "verification_status", "approved", "pending, verified or rejected"),
])
def test_one_bad_value_gives_one_problem_for_that_field(check, good, field, bad, words):
    assert check(**good) == {}
    problems = check(**{**good, field: bad})
    assert set(problems) == {field}
    assert words in problems[field]


@pytest.mark.parametrize(("field", "value"), [
    ("gstin", ""), ("email", ""), ("code", "PUNE"), ("code", "KL"), ("timezone", "UTC")])
def test_centre_optional_and_boundary_values(field, value):
    assert rules.centre_problems(**{**CENTRE, field: value}) == {}


@pytest.mark.parametrize(("field", "value"), [
    ("capacity", 1), ("capacity", 50), ("cleaning_buffer_minutes", 0), ("cleaning_buffer_minutes", 180),
    ("gender_restriction", "any"), ("gender_restriction", "male"), *(("room_type", t) for t in rules.ROOM_TYPES)])
def test_room_boundary_values_accepted(field, value):
    assert rules.room_problems(**{**ROOM, field: value}) == {}


@pytest.mark.parametrize("role", ["therapist", "nurse", "admin"])
def test_licence_is_optional_for_other_roles(role):
    assert rules.profile_problems(**{**PROFILE, "licence_number": "", "role": role}) == {}


def test_holidays():
    diwali, onam = date(2026, 11, 8), date(2026, 8, 26)
    assert rules.holiday_problems(((diwali, "Diwali"), (onam, "Thiruvonam"))) == {}
    assert rules.holiday_problems(()) == {}
    assert "only once" in rules.holiday_problems(((diwali, "Diwali"), (diwali, "Deepavali")))["holidays"]
    assert "needs a name" in rules.holiday_problems(((diwali, " "),))["holidays"]


NINE, ONE, TWO, FIVE = time(9), time(13), time(14), time(17)


@pytest.mark.parametrize(("hours", "words"), [
    ([(0, NINE, FIVE, ONE, TWO, None, None)], None),
    ([(6, NINE, FIVE, None, None, date(2026, 1, 1), date(2026, 12, 31))], None),
    ([(0, NINE, FIVE, NINE, TWO, None, None)], None),  # a break may start the day
    ([(7, NINE, FIVE, None, None, None, None)], "weekday must be 0 (Monday) to 6 (Sunday)"),
    ([(-1, NINE, FIVE, None, None, None, None)], "weekday must be 0"),
    ([(2, FIVE, NINE, None, None, None, None)], "on Wednesday must end after they start"),
    ([(2, NINE, NINE, None, None, None, None)], "on Wednesday must end after they start"),
    ([(4, NINE, FIVE, ONE, None, None, None)], "on Friday: a break needs both a start and an end"),
    ([(5, NINE, ONE, TWO, time(15), None, None)], "on Saturday: the break must fall inside working hours"),
    ([(0, NINE, FIVE, time(8), time(10), None, None)], "on Monday: the break must fall inside working hours"),
    ([(0, NINE, FIVE, TWO, ONE, None, None)], "on Monday: the break must fall inside working hours"),
    ([(1, NINE, FIVE, None, None, date(2026, 6, 1), date(2026, 5, 1))], "on Tuesday: 'effective until' is before"),
    ([(0, NINE, FIVE, None, None, None, None), (3, FIVE, NINE, None, None, None, None)], "on Thursday"),
])
def test_working_hours(hours, words):
    problems = rules.hours_problems(hours)
    if words is None:
        assert problems == {}
    else:
        assert set(problems) == {"hours"} and words in problems["hours"]


def test_leave():
    assert rules.leave_problems([(date(2026, 12, 1), date(2026, 12, 1)), (date(2026, 12, 20), date(2026, 12, 31))]) \
        == {}
    assert rules.leave_problems([(date(2026, 12, 10), date(2026, 12, 9))]) == {
        "leave": "ending 2026-12-09 ends before it starts"}
