"""Small builders for scheduler tests: one feasible clinic that each test bends until exactly one rule bites."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from clinicdesk.domain.scheduling.model import (
    Booking,
    Centre,
    Clinic,
    ClockRange,
    Gender,
    OpeningHours,
    Patient,
    PlanRequest,
    Preferences,
    Room,
    SequenceLink,
    SessionRequest,
    Staff,
    Therapy,
    WeeklyShift,
    appointment_request,
)

MONDAY = date(2026, 12, 7)
ALL_WEEK = tuple(range(7))


def at(hhmm: str, day: int = 0) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(MONDAY + timedelta(days=day), time(hours, minutes))


def clock(hhmm: str) -> time:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return time(hours, minutes)


def shift(start: str = "08:00", end: str = "16:00", breaks=(), days=ALL_WEEK, **kwargs) -> WeeklyShift:
    return WeeklyShift(days, clock(start), clock(end),
                       tuple(ClockRange(clock(a), clock(b)) for a, b in breaks), **kwargs)


def person(staff_id: str = "s1", name: str = "Anjali", gender: Gender = Gender.FEMALE, skills=("abhyanga",),
           shifts=None, **kwargs) -> Staff:
    return Staff(id=staff_id, name=name, gender=gender, skills=frozenset(skills),
                 shifts=tuple(shifts) if shifts is not None else (shift(),), **kwargs)


def room(room_id: str = "r1", name: str = "Abhyanga-1", room_type: str = "abhyanga", **kwargs) -> Room:
    return Room(id=room_id, name=name, type=room_type, **kwargs)


def therapy(therapy_id: str = "abh", name: str = "Abhyanga", duration: int = 60, room_types=("abhyanga",),
            skills=("abhyanga",), **kwargs) -> Therapy:
    return Therapy(id=therapy_id, name=name, duration_minutes=duration, room_types=tuple(room_types),
                   skills=frozenset(skills), **kwargs)


def clinic(staff=None, rooms=None, therapies=None, **kwargs) -> Clinic:
    return Clinic(centre=kwargs.pop("centre", Centre(name="Test")),
                  staff=tuple(staff if staff is not None else (person(),)),
                  rooms=tuple(rooms if rooms is not None else (room(),)),
                  therapies=tuple(therapies if therapies is not None else (therapy(),)), **kwargs)


def booking(booking_id: str, start: str, end: str, day: int = 0, **kwargs) -> Booking:
    return Booking(id=booking_id, start=at(start, day), end=at(end, day), **kwargs)


def patient(patient_id: str = "p1", gender: Gender = Gender.FEMALE) -> Patient:
    return Patient(id=patient_id, gender=gender, name="Test patient")


def appointment(hhmm: str = "10:00", day: int = 0, therapy_id: str = "abh", who: Patient | None = None,
                **preferences) -> PlanRequest:
    """A single appointment at a requested time."""
    when = at(hhmm, day)
    return appointment_request("appt", who or patient(), therapy_id, when.date(), at=when.time(),
                               preferences=Preferences(**preferences))


def plan(sessions, who: Patient | None = None, start_day: int = 0, plan_id: str = "plan", **kwargs) -> PlanRequest:
    preferences = kwargs.pop("preferences", Preferences())
    return PlanRequest(id=plan_id, patient=who or patient(), start_date=MONDAY + timedelta(days=start_day),
                       sessions=tuple(sessions), preferences=preferences, **kwargs)


def session(session_id: str, therapy_id: str = "abh", day: int = 0, after=(), **kwargs) -> SessionRequest:
    links = tuple(SequenceLink(*link) if isinstance(link, tuple) else SequenceLink(link) for link in after)
    return SessionRequest(id=session_id, therapy_id=therapy_id, day_offset=day, after=links, **kwargs)


def open_hours(start: str, end: str) -> Centre:
    return Centre(name="Test", opening_hours=(OpeningHours(ALL_WEEK, clock(start), clock(end)),))


def with_staff(base: Clinic, **changes) -> Clinic:
    return replace(base, staff=(replace(base.staff[0], **changes),) + base.staff[1:])
