"""The demo clinic's service catalogue and a lived-in week of appointments, all made through the booking services.

The week is played out as events in time order on the demo clock: the desk books by phone days ahead, walk-ins
arrive, patients are checked in, treated, a few cancel or do not come, and waiting patients are offered freed
slots. Events later than "now" never happen, so today's queue shows whatever the clinic would show at that moment.
"""

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinicdesk.domain.errors import ClinicError
from clinicdesk.services import appointments, waitlist
from clinicdesk.services.appointment_dto import BookingRequest, SlotSuggestion
from clinicdesk.services.context import ServiceContext

_IST = ZoneInfo("Asia/Kolkata")
WEEK_BEFORE, WEEK_AFTER = 3, 3  # days of appointments either side of today

# code: (name, category, minutes, follow-up minutes, room types, skills, staff, prep, clean-up, equipment, price,
#        needs approval, offered by usernames)
CATALOGUE = {
    "CON-NEW": ("Consultation – first visit", "consultation", 30, None, ("consultation",), (), 1, 0, 5, (),
                "1000", False, ("dr.meera", "dr.hari", "dr.sandeep")),
    "CON-FU": ("Consultation – follow-up", "consultation", 15, None, ("consultation",), (), 1, 0, 5, (),
               "500", False, ("dr.meera", "dr.hari", "dr.sandeep")),
    "ABH": ("Abhyanga (full-body oil massage)", "therapy", 60, 45, ("abhyanga",), ("abhyanga",), 1, 10, 10,
            ("droni",), "1800", False, ()),
    "SWE": ("Swedana (herbal steam)", "therapy", 20, None, ("swedana",), ("swedana",), 1, 10, 5, ("steam_box",),
            "600", False, ()),
    "SHI": ("Shirodhara", "therapy", 45, None, ("shirodhara",), ("shirodhara",), 1, 15, 15,
            ("shirodhara_stand", "oil_warmer"), "2500", False, ()),
    "VIR": ("Virechana (therapeutic purgation)", "procedure", 90, None, ("vamana_virechana",), ("virechana",), 1,
            15, 30, (), "3500", True, ()),
    "BAS": ("Basti (medicated enema)", "procedure", 45, 30, ("basti",), ("basti",), 1, 15, 15, ("basti_kit",),
            "1500", False, ()),
    "NAS": ("Nasya (nasal therapy)", "therapy", 30, None, ("nasya",), ("nasya",), 1, 5, 5, ("nasya_kit",), "900",
            False, ()),
    "UDV": ("Udvartana (herbal powder massage)", "therapy", 45, None, ("abhyanga",), ("udvartana",), 1, 5, 15,
            ("droni",), "1600", False, ()),
    "PIZ": ("Pizhichil (warm oil bath)", "therapy", 75, 60, ("abhyanga",), ("pizhichil",), 1, 15, 15,
            ("droni", "oil_warmer"), "3200", False, ()),
    "KIZ": ("Njavarakizhi (rice bolus massage)", "therapy", 60, None, ("abhyanga",), ("njavarakizhi",), 1, 20, 15,
            ("droni", "oil_warmer"), "2800", False, ()),
}
SAME_SEX_THERAPIES = ("ABH", "UDV", "PIZ", "KIZ")
# Bookings asked for per centre on a working day, by service (before the diary says no)
DAILY_MIX = {
    "KOC": {"CON-NEW": 5, "CON-FU": 7, "ABH": 4, "SWE": 3, "SHI": 2, "NAS": 2, "BAS": 1, "UDV": 1, "PIZ": 1,
            "KIZ": 1, "VIR": 1},
    "PUN": {"CON-NEW": 4, "CON-FU": 5, "ABH": 3, "SWE": 2, "SHI": 2, "NAS": 2, "BAS": 1, "UDV": 1, "VIR": 1},
}


def save_catalogue(ctx: ServiceContext, staff_ids: dict[str, str]) -> dict[str, str]:
    """The services, by code; consultations are offered by the doctors, therapies by everyone with the skill."""
    ids = {}
    for code, (name, category, minutes, follow_up, rooms, skills, staff, prep, cleanup, equipment, price,
               approval, offered_by) in CATALOGUE.items():
        ids[code], _ = appointments.save_service(
            ctx, code=code, name=name, category=category, duration_minutes=minutes,
            follow_up_duration_minutes=follow_up, room_types=rooms, skills=skills, staff_count=staff,
            prep_minutes=prep, cleanup_minutes=cleanup, equipment_kinds=equipment, price=Decimal(price),
            needs_approval=approval, practitioner_ids=tuple(staff_ids[name] for name in offered_by))
    return ids


@dataclass
class WeekStats:
    booked: int = 0
    refused: int = 0
    walk_ins: int = 0
    follow_ups: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    waitlist: int = 0
    offers: int = 0


@dataclass(frozen=True)
class Patient:
    id: str
    sex: str


@dataclass
class DemoWeek:
    """Everything the week needs: who acts at each centre, the services, the patients registered so far."""

    rng: random.Random
    now: datetime
    set_clock: Callable[[datetime], None]
    centres: dict[str, str]  # centre code -> id
    desks: dict[str, ServiceContext]
    doctors: dict[str, ServiceContext]
    practitioners: dict[str, ServiceContext]  # staff id -> context, for starting and completing sessions
    services: dict[str, str]
    scale: float
    patients: dict[str, list[Patient]] = field(default_factory=lambda: {"KOC": [], "PUN": []})
    stats: WeekStats = field(default_factory=WeekStats)
    _events: list = field(default_factory=list)
    _order: itertools.count = field(default_factory=itertools.count)
    _first_visits: dict[str, list[tuple[str, str, date]]] = field(default_factory=lambda: {"KOC": [], "PUN": []})
    _today_outcomes: dict[str, set[str]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.astimezone(_IST).date()

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        """Schedule an action; anything after "now" is in the future and never happens."""
        if when <= self.now:
            heapq.heappush(self._events, (when, next(self._order), action))

    def run(self) -> None:
        while self._events:
            when, _, action = heapq.heappop(self._events)
            self.set_clock(when)
            action()

    # --- the plan of the week ------------------------------------------------------------------------------

    def plan(self) -> None:
        for offset in range(-WEEK_BEFORE, WEEK_AFTER + 1):
            day = self.today + timedelta(days=offset)
            for code in ("KOC", "PUN"):
                for service, count in DAILY_MIX[code].items():
                    for _ in range(self._scaled(count)):
                        self.at(self._booking_time(day), lambda c=code, s=service, d=day: self.phone_booking(c, s, d))
                if day <= self.today:
                    for _ in range(self._scaled(2)):
                        arrival = _local(day, time(9, 30)) + timedelta(minutes=self.rng.randint(0, 390))
                        self.at(arrival, lambda c=code, d=day: self.walk_in(c, d))
        self.at(self.now - timedelta(minutes=45), self.seed_waitlist)

    def _scaled(self, count: int) -> int:
        value = count * self.scale
        return int(value) + (self.rng.random() < value - int(value))

    def _booking_time(self, day: date) -> datetime:
        """Phone and desk bookings come in during office hours one to four days ahead (never after now)."""
        ahead = self.rng.randint(1, 4)
        moment = _local(day - timedelta(days=ahead), time(9, 30)) + timedelta(minutes=self.rng.randint(0, 480))
        if moment > self.now:  # a booking for later this week, made earlier today
            moment = self.now - timedelta(minutes=self.rng.randint(5, 600))
        return moment

    # --- booking ------------------------------------------------------------------------------------------

    def phone_booking(self, code: str, service: str, day: date) -> None:
        if not self.patients[code]:
            return
        first_visit = None
        if service == "CON-FU" and self._first_visits[code] and self.rng.random() < 0.7:
            candidates = [item for item in self._first_visits[code] if item[2] < day]
            if candidates:
                patient_id, first_visit, _ = self.rng.choice(candidates)
                patient = next(p for p in self.patients[code] if p.id == patient_id)
        if first_visit is None:
            patient = self.rng.choice(self.patients[code])
        source = self.rng.choices(("phone", "front_desk", "self_service"), (0.5, 0.42, 0.08))[0]
        # full-body oil therapies are given by a therapist of the patient's own sex, as most clinics insist
        same_sex = service in SAME_SEX_THERAPIES or (patient.sex == "female" and self.rng.random() < 0.3)
        request = BookingRequest(
            patient.id, self.services[service], self.centres[code], day, search_days=1,
            time_of_day=self.rng.choice((None, None, None, "morning", "afternoon")),
            gender_match_required=same_sex and patient.sex != "other", follow_up_of=first_visit, source=source)
        booked = self._book(code, request, pick=self.rng.choices((0, 1, 2), (0.6, 0.25, 0.15))[0])
        if booked is None:
            return
        appointment_id, slot = booked
        if first_visit is not None:
            self.stats.follow_ups += 1
        if service == "CON-NEW":
            self._first_visits[code].append((patient.id, appointment_id, day))
        self._play_out(code, appointment_id, slot, service, walk_in=False, self_service=source == "self_service")

    def walk_in(self, code: str, day: date) -> None:
        if not self.patients[code] or day != self.now_local().date():
            return
        patient = self.rng.choice(self.patients[code])
        service = self.rng.choice(("CON-NEW", "CON-FU", "ABH", "SWE", "NAS"))
        request = BookingRequest(patient.id, self.services[service], self.centres[code], day, search_days=1,
                                 source="walk_in")
        booked = self._book(code, request, pick=0)
        if booked is None:
            return
        appointment_id, slot = booked
        self.stats.walk_ins += 1
        self._try(lambda: appointments.transition(self.desks[code], appointment_id, "check_in"))
        self._play_out(code, appointment_id, slot, service, walk_in=True, self_service=False)

    def now_local(self) -> datetime:
        return self.desks["KOC"].now().astimezone(_IST).replace(tzinfo=None)

    def _book(self, code: str, request: BookingRequest, pick: int) -> tuple[str, SlotSuggestion] | None:
        desk = self.desks[code]
        try:
            found = appointments.find_slots(desk, request, count=3)
            if not found.suggestions:
                self.stats.refused += 1
                return None
            slot = found.suggestions[min(pick, len(found.suggestions) - 1)]
            appointment_id, _ = appointments.book(desk, request, slot)
        except ClinicError:
            self.stats.refused += 1
            return None
        self.stats.booked += 1
        return appointment_id, slot

    # --- what happens to a booking ------------------------------------------------------------------------

    def _play_out(self, code: str, appointment_id: str, slot: SlotSuggestion, service: str, *, walk_in: bool,
                  self_service: bool) -> None:
        start, end = _aware(slot.start), _aware(slot.end)
        booked_at = self.desks[code].now()
        desk = self.desks[code]
        if CATALOGUE[service][11]:  # needs a doctor's approval
            self.at(booked_at + (start - booked_at) * self.rng.uniform(0.1, 0.5),
                    lambda: self._try(lambda: appointments.transition(self.doctors[code], appointment_id, "approve",
                                                                     reason="Fit for the procedure")))
        elif self_service:
            self.at(booked_at + timedelta(minutes=self.rng.randint(20, 180)),
                    lambda: self._try(lambda: appointments.transition(desk, appointment_id, "confirm")))
        outcome = self._outcome(code, start, walk_in)
        if outcome == "cancel":
            self.at(booked_at + (min(start, self.now) - booked_at) * self.rng.uniform(0.3, 0.9),
                    lambda: self._try(lambda: appointments.transition(
                        desk, appointment_id, "cancel", reason=self.rng.choice(_CANCEL_REASONS))))
            return
        if outcome == "no_show":
            self.at(start + timedelta(minutes=20), lambda: self._try(lambda: appointments.transition(
                desk, appointment_id, "no_show", reason="Did not come; phone not answered")))
            return
        practitioner = self.practitioners.get(slot.staff_ids[0], desk) if slot.staff_ids else desk
        if not walk_in:
            self.at(start - timedelta(minutes=self.rng.randint(5, 20)),
                    lambda: self._try(lambda: appointments.transition(desk, appointment_id, "check_in")))
        self.at(start + timedelta(minutes=self.rng.randint(0, 4)),
                lambda: self._try(lambda: appointments.transition(practitioner, appointment_id, "start")))
        self.at(end + timedelta(minutes=self.rng.randint(0, 4)),
                lambda: self._try(lambda: appointments.transition(practitioner, appointment_id, "complete")))

    def _outcome(self, code: str, start: datetime, walk_in: bool) -> str:
        """Most come; a few cancel or do not turn up. Today shows at least one of each once it can."""
        if walk_in:
            return "attend"
        seen = self._today_outcomes.setdefault(code, set())
        if start.astimezone(_IST).date() == self.today:
            if "cancel" not in seen:
                seen.add("cancel")
                return "cancel"
            if "no_show" not in seen and start + timedelta(minutes=20) <= self.now:
                seen.add("no_show")
                return "no_show"
        return self.rng.choices(("attend", "cancel", "no_show"), (0.88, 0.06, 0.06))[0]

    def _try(self, action: Callable[[], object]) -> None:
        try:
            action()
        except ClinicError:
            pass  # the appointment moved on another way (cancelled first, say): the desk would just shrug

    # --- the waitlist ---------------------------------------------------------------------------------------

    def seed_waitlist(self) -> None:
        """A few patients wait for a full day or a practitioner; one cancellation tomorrow makes an offer."""
        for code in ("KOC", "PUN"):
            self._seed_waitlist_at(code)

    def _seed_waitlist_at(self, code: str) -> None:
        desk, centre_id, tomorrow = self.desks[code], self.centres[code], self.today + timedelta(days=1)
        upcoming = [item for item in appointments.list_range(desk, centre_id, tomorrow, tomorrow + timedelta(days=2))
                    if item.status == "confirmed" and item.staff_ids]
        freed = upcoming[len(upcoming) // 2] if upcoming else None
        waiting = [p for p in self.patients[code] if freed is None or p.id != freed.patient_id]
        for patient in self.rng.sample(waiting, min(2, len(waiting))):  # a whole day, any practitioner
            service = self.rng.choice(("SHI", "NAS", "PIZ" if code == "KOC" else "SWE"))
            self._quietly(waitlist.add, desk, patient.id, self.services[service], centre_id, day=tomorrow)
        if freed is None:
            return
        # someone of the same sex waits for that practitioner (rooms may be for women or men only) ...
        sex = next((p.sex for p in self.patients[code] if p.id == freed.patient_id), "")
        others = [p for p in waiting if p.sex == sex]
        if others:
            self._quietly(waitlist.add, desk, self.rng.choice(others).id, freed.service_id, centre_id,
                          staff_id=freed.staff_ids[0])
        # ... and is offered the slot when it frees
        self._quietly(appointments.transition, desk, freed.id, "cancel", reason="Patient has a family function")

    @staticmethod
    def _quietly(action: Callable[..., object], *args, **kwargs) -> None:
        try:
            action(*args, **kwargs)
        except ClinicError:
            pass  # already on the list, say: the desk would move on

    def summary(self) -> WeekStats:
        for code, centre_id in self.centres.items():
            items = appointments.list_range(self.desks[code], centre_id, self.today - timedelta(days=WEEK_BEFORE),
                                            self.today + timedelta(days=WEEK_AFTER))
            for item in items:
                self.stats.statuses[item.status] = self.stats.statuses.get(item.status, 0) + 1
            entries = waitlist.list_entries(self.desks[code], centre_id)
            self.stats.waitlist += len(entries)
            self.stats.offers += sum(entry.status == "offered" for entry in entries)
        return self.stats


_CANCEL_REASONS = ("Unwell, will call to rebook", "Travelling out of town", "Clash with office work",
                   "Family function", "Menstruating; therapy to be postponed")


def _local(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, _IST).astimezone(UTC)


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=_IST).astimezone(UTC)


def week_start(today: date) -> datetime:
    """When the first booking of the demo week may be made: the registrations after it join the week's events."""
    return _local(today - timedelta(days=WEEK_BEFORE + 4), time(9, 30))
