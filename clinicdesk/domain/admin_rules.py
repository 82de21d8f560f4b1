"""Validation of staff, practitioner profiles, centres, rooms and equipment, with messages naming each field."""

import re
from datetime import date, time
from decimal import Decimal
from zoneinfo import available_timezones

ROOM_TYPES = ("consultation", "abhyanga", "swedana", "shirodhara", "basti", "nasya", "vamana_virechana",
              "yoga", "recovery", "procedure", "pharmacy")
GENDER_RESTRICTIONS = ("any", "female", "male")
STAFF_GENDERS = ("", "female", "male", "other")
VERIFICATION_STATUSES = ("pending", "verified", "rejected")
_GSTIN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")


def centre_problems(*, code: str, name: str, timezone: str, gstin: str, email: str) -> dict[str, str]:
    problems = {}
    if not re.fullmatch(r"[A-Z]{2,6}", code):
        problems["code"] = "must be 2-6 capital letters, for example KOC"
    if not name.strip() or len(name) > 120:
        problems["name"] = "is required (at most 120 characters)"
    if timezone not in available_timezones():
        problems["timezone"] = "must be a time zone name such as Asia/Kolkata"
    if gstin and not _GSTIN.match(gstin):
        problems["gstin"] = "must be a 15-character GSTIN such as 32AABCU9603R1ZM"
    if email and "@" not in email:
        problems["email"] = "must be an email address like desk@clinic.in"
    return problems


def holiday_problems(holidays: tuple[tuple[date, str], ...]) -> dict[str, str]:
    days = [d for d, _ in holidays]
    if len(days) != len(set(days)):
        return {"holidays": "list the same date only once"}
    if any(not n.strip() for _, n in holidays):
        return {"holidays": "each holiday needs a name"}
    return {}


def room_problems(*, name: str, room_type: str, capacity: int, gender_restriction: str,
                  cleaning_buffer_minutes: int) -> dict[str, str]:
    problems = {}
    if not name.strip() or len(name) > 80:
        problems["name"] = "is required (at most 80 characters)"
    if room_type not in ROOM_TYPES:
        problems["room_type"] = "must be one of: " + ", ".join(ROOM_TYPES)
    if not 1 <= capacity <= 50:
        problems["capacity"] = "must be between 1 and 50 people"
    if gender_restriction not in GENDER_RESTRICTIONS:
        problems["gender_restriction"] = "must be any, female or male"
    if not 0 <= cleaning_buffer_minutes <= 180:
        problems["cleaning_buffer_minutes"] = "must be between 0 and 180 minutes"
    return problems


def equipment_problems(*, name: str, kind: str, quantity: int) -> dict[str, str]:
    problems = {}
    if not name.strip() or len(name) > 80:
        problems["name"] = "is required (at most 80 characters)"
    if not kind.strip() or len(kind) > 40:
        problems["kind"] = "is required (at most 40 characters)"
    if not 1 <= quantity <= 500:
        problems["quantity"] = "must be between 1 and 500"
    return problems


def hours_problems(hours: list[tuple[int, time, time, time | None, time | None, date | None, date | None]]
                   ) -> dict[str, str]:
    for weekday, start, end, b_start, b_end, eff_from, eff_until in hours:
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday] \
            if 0 <= weekday <= 6 else None
        if day is None:
            return {"hours": "weekday must be 0 (Monday) to 6 (Sunday)"}
        if start >= end:
            return {"hours": f"on {day} must end after they start"}
        if (b_start is None) != (b_end is None):
            return {"hours": f"on {day}: a break needs both a start and an end"}
        if b_start and not (start <= b_start < b_end <= end):
            return {"hours": f"on {day}: the break must fall inside working hours"}
        if eff_from and eff_until and eff_until < eff_from:
            return {"hours": f"on {day}: 'effective until' is before 'effective from'"}
    return {}


def leave_problems(leave: list[tuple[date, date]]) -> dict[str, str]:
    for start, end in leave:
        if end < start:
            return {"leave": f"ending {end.isoformat()} ends before it starts"}
    return {}


def profile_problems(*, licence_number: str, consultation_fee: Decimal, verification_status: str,
                     role: str) -> dict[str, str]:
    problems = {}
    if role == "doctor" and not licence_number.strip():
        problems["licence_number"] = "is required for a doctor (state medical council or AYUSH registration)"
    if len(licence_number) > 40:
        problems["licence_number"] = "must be at most 40 characters"
    if consultation_fee < 0 or consultation_fee > Decimal("100000"):
        problems["consultation_fee"] = "must be between 0 and 1,00,000 rupees"
    if verification_status not in VERIFICATION_STATUSES:
        problems["verification_status"] = "must be pending, verified or rejected"
    return problems
