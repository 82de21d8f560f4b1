"""Turns one patient's synced care plans, plan sessions and appointments into what the portal's home shows.

Pure apart from parsing: rows in (dicts as HQ keeps them, dates and datetimes as ISO text), `now` (aware) and the
centre's time zone in, frozen values out. No database, no clock, no request: the pages pass everything in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

Row = Mapping[str, object]

# The order a Panchakarma course runs in; a phase outside it (keraliya therapies) is placed by its first day.
PHASE_ORDER = ("purvakarma", "pradhanakarma", "paschatkarma")
LIVE_PLAN_STATUSES = frozenset({"planned", "active", "paused"})
# an appointment still to come (requested ones too: the patient should know what they asked for)
UPCOMING_APPOINTMENT_STATUSES = frozenset({"requested", "confirmed", "checked_in", "in_progress"})
# a session that has been run: the patient may say how they feel and rate it
RUN_SESSION_STATUSES = frozenset({"recovery", "completed"})
CHECK_IN_WINDOW = timedelta(days=3)
# after a phase ends its "after" advice still applies for a few days (samsarjana diet steps, rest)
AFTER_PHASE_DAYS = 7


def parse_moment(text: object) -> datetime | None:
    """An ISO datetime as the desks send it (aware UTC); a naive one is taken as UTC; anything else is None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))


def parse_day(text: object) -> date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Countdown:
    """How long until a moment, in whole days, hours and minutes (all zero once it has come)."""

    days: int
    hours: int
    minutes: int


def countdown(start: datetime, now: datetime) -> Countdown:
    seconds = max(0, int((start - now).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    return Countdown(days, hours, rest // 60)


@dataclass(frozen=True)
class Visit:
    """An upcoming appointment: when (UTC and the centre's local time) and, if it is a course session, the therapy."""

    appointment_id: str
    service_id: str
    starts_at: datetime  # aware UTC
    local: datetime  # naive, the centre's wall clock
    status: str
    therapy: str | None


def upcoming_visits(appointments: Iterable[Row], sessions: Iterable[Row], now: datetime,
                    zone: ZoneInfo) -> tuple[Visit, ...]:
    """The patient's appointments still to come, soonest first, each with its course therapy when it has one."""
    therapy_of = {s.get("appointment_id"): str(s.get("therapy") or "") or None for s in sessions
                  if s.get("appointment_id") and s.get("status") != "cancelled"}
    visits = []
    for row in appointments:
        start = parse_moment(row.get("start_at"))
        if start is None or start <= now or row.get("status") not in UPCOMING_APPOINTMENT_STATUSES:
            continue
        visits.append(Visit(str(row["id"]), str(row.get("service_id") or ""), start,
                            start.astimezone(zone).replace(tzinfo=None), str(row.get("status")),
                            therapy_of.get(row["id"])))
    return tuple(sorted(visits, key=lambda v: (v.starts_at, v.appointment_id)))


def current_plan(plans: Iterable[Row], today: date) -> Row | None:
    """The course the patient is in: the latest live plan that has started, else the next one to start."""
    live = sorted((p for p in plans if p.get("status") in LIVE_PLAN_STATUSES and parse_day(p.get("start_date"))),
                  key=lambda p: (parse_day(p.get("start_date")), str(p["id"])))
    started = [p for p in live if parse_day(p.get("start_date")) <= today]
    if started:
        return started[-1]
    return live[0] if live else None


@dataclass(frozen=True)
class PhaseSpan:
    """One phase of a course: its first and last day and where the patient stands ("done", "current", "next")."""

    phase: str
    first_day: date
    last_day: date
    state: str
    sessions_total: int
    sessions_done: int


def _session_day(plan_start: date, session: Row) -> date | None:
    offset = session.get("day_offset")
    if not isinstance(offset, int) or isinstance(offset, bool):
        return None
    return plan_start + timedelta(days=offset)


def phase_spans(plan: Row, sessions: Iterable[Row], today: date) -> tuple[PhaseSpan, ...]:
    """The milestones of a course, from the plan's start date and each session's day offset (cancelled sessions do
    not count). A phase whose sessions are all done is done even before its last planned day."""
    start = parse_day(plan.get("start_date"))
    if start is None:
        return ()
    days: dict[str, list[date]] = {}
    counts: dict[str, list[int]] = {}
    for session in sessions:
        day = _session_day(start, session)
        if day is None or session.get("status") == "cancelled":
            continue
        phase = str(session.get("phase") or "")
        days.setdefault(phase, []).append(day)
        total_done = counts.setdefault(phase, [0, 0])
        total_done[0] += 1
        total_done[1] += session.get("status") == "completed"
    spans = []
    for phase, phase_days in days.items():
        first, last = min(phase_days), max(phase_days)
        total, done = counts[phase]
        if last < today or (total and done == total and first <= today):
            state = "done"
        elif first <= today:
            state = "current"
        else:
            state = "next"
        spans.append(PhaseSpan(phase, first, last, state, total, done))
    known = {name: index for index, name in enumerate(PHASE_ORDER)}
    return tuple(sorted(spans, key=lambda s: (s.first_day, known.get(s.phase, len(known)), s.phase)))


@dataclass(frozen=True)
class Advice:
    """Which list of guidance applies: a therapy's or a phase's "before" or "after" advice, for today or tomorrow."""

    kind: str  # "therapy" or "phase"
    key: str  # a therapy key of resources/protocols/therapies.json, or a phase
    moment: str  # "before" or "after"
    day: str  # "today" or "tomorrow"


def _local_day_of(session: Row, plan_start: date, appointments: Mapping[str, Row], zone: ZoneInfo) -> date | None:
    """A session's day: its appointment's local date when it has one (it may have moved), else the planned day."""
    appointment = appointments.get(str(session.get("appointment_id") or ""))
    start = parse_moment(appointment.get("start_at")) if appointment else None
    if start is not None:
        return start.astimezone(zone).date()
    return _session_day(plan_start, session)


def _session_is_over(session: Row, appointments: Mapping[str, Row], now: datetime) -> bool:
    if session.get("status") in RUN_SESSION_STATUSES:
        return True
    appointment = appointments.get(str(session.get("appointment_id") or ""))
    end = parse_moment(appointment.get("end_at")) if appointment else None
    return end is not None and end <= now


def advice_for(plan: Row, sessions: Iterable[Row], appointments: Mapping[str, Row], now: datetime,
               zone: ZoneInfo) -> tuple[Advice, ...]:
    """Today's do's and don'ts: "after" advice for today's sessions already run, "before" advice for today's still
    to come and for tomorrow's, and the current phase's advice (or the advice after a phase that just ended)."""
    start = parse_day(plan.get("start_date"))
    if start is None:
        return ()
    sessions = [s for s in sessions if s.get("status") != "cancelled"]
    today = now.astimezone(zone).date()
    advice: list[Advice] = []

    def add(item: Advice) -> None:
        if item not in advice:
            advice.append(item)

    for session in sorted(sessions, key=lambda s: (s.get("day_offset") or 0, s.get("seq") or 0)):
        therapy = str(session.get("therapy") or "")
        day = _local_day_of(session, start, appointments, zone)
        if not therapy or day is None:
            continue
        if day == today:
            add(Advice("therapy", therapy, "after" if _session_is_over(session, appointments, now) else "before",
                       "today"))
        elif day == today + timedelta(days=1):
            add(Advice("therapy", therapy, "before", "tomorrow"))
    spans = phase_spans(plan, sessions, today)
    current = [s for s in spans if s.first_day <= today <= s.last_day]
    if current:
        add(Advice("phase", current[0].phase, "before", "today"))
    else:
        ended = [s for s in spans if s.last_day < today and (today - s.last_day).days <= AFTER_PHASE_DAYS]
        if ended:
            add(Advice("phase", ended[-1].phase, "after", "today"))
        starting = [s for s in spans if s.first_day == today + timedelta(days=1)]
        if starting:
            add(Advice("phase", starting[0].phase, "before", "tomorrow"))
    return tuple(advice)


@dataclass(frozen=True)
class CourseView:
    """What the home page says about the course the patient is in."""

    plan_id: str
    name: str
    start_date: date
    course_day: int  # 1 on the start date; 0 or less before it starts
    phases: tuple[PhaseSpan, ...]
    current_phase: str | None
    advice: tuple[Advice, ...]
    finished: bool  # completed at the desk: the home page still shows it for the days its "after" advice applies


def recently_finished_plan(plans: Iterable[Row], sessions: Iterable[Row], today: date) -> Row | None:
    """The latest completed course whose last session day was at most AFTER_PHASE_DAYS ago."""
    sessions = list(sessions)
    recent = []
    for plan in plans:
        start = parse_day(plan.get("start_date"))
        if plan.get("status") != "completed" or start is None:
            continue
        days = [day for s in sessions if s.get("plan_id") == plan["id"] and s.get("status") != "cancelled"
                and (day := _session_day(start, s)) is not None]
        last = max(days, default=start)
        if (today - last).days <= AFTER_PHASE_DAYS:
            recent.append((last, str(plan["id"]), plan))
    return max(recent, key=lambda item: item[:2])[2] if recent else None


def course_view(plans: Iterable[Row], sessions: Iterable[Row], appointments: Iterable[Row], now: datetime,
                zone: ZoneInfo) -> CourseView | None:
    """The course the patient is in and where they stand in it (or the one they finished in the last week), or None
    when they have neither."""
    today = now.astimezone(zone).date()
    plans, sessions = list(plans), list(sessions)
    plan = current_plan(plans, today) or recently_finished_plan(plans, sessions, today)
    if plan is None:
        return None
    own = [s for s in sessions if s.get("plan_id") == plan["id"]]
    by_id = {str(a["id"]): a for a in appointments}
    start = parse_day(plan.get("start_date"))
    spans = phase_spans(plan, own, today)
    current = next((s.phase for s in spans if s.state == "current"), None)
    return CourseView(str(plan["id"]), str(plan.get("name") or ""), start, (today - start).days + 1, spans, current,
                      advice_for(plan, own, by_id, now, zone), plan.get("status") == "completed")


@dataclass(frozen=True)
class CheckInOffer:
    """A session run in the last few days that the patient has not yet said how they feel after."""

    session_id: str
    plan_id: str
    therapy: str
    ended_at: datetime  # aware UTC


def session_ended_at(session: Row, appointments: Mapping[str, Row]) -> datetime | None:
    """When a run session ended: its own end, else its start, else its appointment's end."""
    for moment in (session.get("ended_at"), session.get("started_at")):
        parsed = parse_moment(moment)
        if parsed is not None:
            return parsed
    appointment = appointments.get(str(session.get("appointment_id") or ""))
    return parse_moment(appointment.get("end_at")) if appointment else None


def check_in_offer(session: Row, appointments: Mapping[str, Row], reports: Iterable[Row],
                   now: datetime) -> CheckInOffer | None:
    """The offer for one session, or None when it was not run, ended more than three days ago, or the patient has
    already reported after it (a report staff recorded at the desk does not stop the patient's own)."""
    if session.get("status") not in RUN_SESSION_STATUSES:
        return None
    ended = session_ended_at(session, appointments)
    if ended is None or not now - CHECK_IN_WINDOW <= ended <= now + timedelta(minutes=5):
        return None
    if any(r.get("session_id") == session["id"] and r.get("by_staff_id") is None for r in reports):
        return None
    return CheckInOffer(str(session["id"]), str(session.get("plan_id")), str(session.get("therapy") or ""), ended)


def check_in_offers(sessions: Iterable[Row], appointments: Iterable[Row], reports: Iterable[Row],
                    now: datetime) -> tuple[CheckInOffer, ...]:
    """Every session the home page offers a check-in for, the most recent first."""
    by_id = {str(a["id"]): a for a in appointments}
    reports = list(reports)
    offers = [offer for s in sessions if (offer := check_in_offer(s, by_id, reports, now)) is not None]
    return tuple(sorted(offers, key=lambda o: o.ended_at, reverse=True))
