"""Dashboard panels from the diary: appointments and no-shows, and how full the rooms and the therapists were."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import Status
from clinicdesk.domain.dashboard_metrics import Chart, Panel, count_of, no_show_rate, utilisation
from clinicdesk.domain.scheduling.calendar import Calendar
from clinicdesk.domain.scheduling.timegrid import merge
from clinicdesk.services.dashboard_scope import Scope
from clinicdesk.services.scheduling_adapter import load_diary
from clinicdesk.store.models_scheduling import AppointmentRow

# Attended or missed: the appointments whose time has come. Booked-but-future and cancelled ones are not "due".
_ATTENDED = (Status.CHECKED_IN.value, Status.IN_PROGRESS.value, Status.COMPLETED.value)
THERAPIST_ROLE = "therapist"


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f} %"


def appointments_panel(session: Session, scope: Scope) -> Panel:
    """Booked, completed, cancelled and missed per bucket; no-show rate over appointments that were due."""
    low, high = scope.utc_window()
    # Counted in SQL per centre, minute and status would not bucket by local day; one narrow row per appointment
    # (three columns, an index on centre and start) is a few thousand rows for a busy month.
    rows = session.execute(select(AppointmentRow.centre_id, AppointmentRow.start_at, AppointmentRow.status).where(
        AppointmentRow.centre_id.in_(scope.centre_ids), AppointmentRow.start_at >= low, AppointmentRow.start_at < high,
        AppointmentRow.status != Status.RESCHEDULED.value))  # moved: the new appointment is the one that counts
    counts: dict[date, Counter] = defaultdict(Counter)
    for centre_id, start_at, status in rows:
        bucket = scope.bucket_of(centre_id, start_at)
        if bucket is not None:
            counts[bucket][status] += 1
    table = []
    totals = Counter()
    for start, label in zip(scope.starts, scope.labels, strict=True):
        c = counts.get(start, Counter())
        attended = sum(c[s] for s in _ATTENDED)
        booked = sum(c.values())
        totals.update(booked=booked, attended=attended, completed=c[Status.COMPLETED.value],
                      cancelled=c[Status.CANCELLED.value], no_show=c[Status.NO_SHOW.value])
        table.append((label, booked, c[Status.COMPLETED.value], c[Status.CANCELLED.value], c[Status.NO_SHOW.value],
                      no_show_rate(c[Status.NO_SHOW.value], attended + c[Status.NO_SHOW.value])))
    overall = no_show_rate(totals["no_show"], totals["attended"] + totals["no_show"])
    summary = (f"{count_of(totals['booked'], 'appointment')} booked, {totals['completed']} completed, "
               f"{totals['cancelled']} cancelled, {count_of(totals['no_show'], 'no-show')}; "
               f"no-show rate {_percent(overall)} of the appointments "
               f"that were due.")
    return Panel("appointments", "Appointments and no-shows",
                 ("Period", "Booked", "Completed", "Cancelled", "No-shows", "No-show rate"), tuple(table), summary,
                 Chart("bar", (1, 2, 4)), percent_columns=(5,))


@dataclass
class _Minutes:
    booked: float = 0.0
    available: float = 0.0


def _length(intervals) -> int:
    return sum(end - start for start, end in intervals)


def utilisation_panels(session: Session, scope: Scope) -> tuple[Panel, Panel, Panel]:
    """Rooms and therapists per bucket, and each therapist over the whole range.

    Available: a therapist's rostered windows less breaks and leave (the scheduler's own calendar); a room, the
    centre's working day (when any bookable member of staff is on shift; a holiday has none). Booked: the
    appointments that hold time (requested to completed), counted on their local start day.
    """
    rooms: dict[date, _Minutes] = defaultdict(_Minutes)
    therapists: dict[date, _Minutes] = defaultdict(_Minutes)
    people: dict[str, _Minutes] = defaultdict(_Minutes)
    names: dict[str, str] = {}
    for centre_id in scope.centre_ids:
        diary = load_diary(session, centre_id, scope.first_day, scope.last_day)
        calendar = Calendar(diary.clinic)
        therapist_ids = [m.id for m in diary.clinic.staff if m.role == THERAPIST_ROLE]
        room_count = len(diary.clinic.rooms)
        names |= {m.id: m.name for m in diary.clinic.staff if m.role == THERAPIST_ROLE}
        for day in scope.days():
            bucket = scope.bucket_of_day(day)
            ordinal = day.toordinal()
            if not calendar.is_holiday(ordinal):
                working_day = merge(w for m in diary.clinic.staff for w in calendar.staff_windows(m.id, ordinal))
                rooms[bucket].available += _length(working_day) * room_count
            for staff_id in therapist_ids:
                minutes = _length(calendar.staff_windows(staff_id, ordinal))
                therapists[bucket].available += minutes
                people[staff_id].available += minutes
        therapist_set = set(therapist_ids)
        for booking in diary.clinic.bookings:
            bucket = scope.bucket_of_day(booking.start.date())
            if bucket is None:
                continue
            minutes = (booking.end - booking.start).total_seconds() / 60
            if booking.room_id in diary.clinic.room_by_id:
                rooms[bucket].booked += minutes
            for staff_id in booking.staff_ids:
                if staff_id in therapist_set:
                    therapists[bucket].booked += minutes
                    people[staff_id].booked += minutes
    return (_by_bucket("rooms", "Room utilisation", rooms, scope),
            _by_bucket("therapists", "Therapist utilisation", therapists, scope),
            _by_person(people, names))


def _hours(minutes: float) -> float:
    return round(minutes / 60, 1)


def _by_bucket(key: str, title: str, minutes: dict[date, _Minutes], scope: Scope) -> Panel:
    table = []
    for start, label in zip(scope.starts, scope.labels, strict=True):
        m = minutes.get(start, _Minutes())
        table.append((label, _hours(m.booked), _hours(m.available), utilisation(m.booked, m.available)))
    booked = sum(m.booked for m in minutes.values())
    available = sum(m.available for m in minutes.values())
    what = "room" if key == "rooms" else "therapist"
    summary = (f"{_hours(booked)} h of {what} time booked out of {_hours(available)} h available: "
               f"{_percent(utilisation(booked, available))} utilisation.")
    return Panel(key, title, ("Period", "Booked (h)", "Available (h)", "Utilisation"), tuple(table), summary,
                 Chart("bar", (3,), percent=True), percent_columns=(3,))


def _by_person(people: dict[str, _Minutes], names: dict[str, str]) -> Panel:
    table = sorted(((names.get(staff_id, ""), _hours(m.booked), _hours(m.available), utilisation(m.booked, m.available))
                    for staff_id, m in people.items()), key=lambda row: (-(row[3] or 0), row[0]))
    busiest = next((row for row in table if row[3] is not None), None)
    summary = ("No therapist was rostered in this range." if busiest is None else
               f"{count_of(len(table), 'therapist')}; the busiest was {busiest[0]} at {_percent(busiest[3])}.")
    return Panel("therapist_each", "Utilisation per therapist", ("Therapist", "Booked (h)", "Available (h)",
                                                                  "Utilisation"), tuple(table), summary,
                 Chart("bar", (3,), percent=True), percent_columns=(3,))
