"""The soft score: points for each placed session minus penalties; higher is better (see docs/scheduling-format.md)."""

from collections import Counter
from dataclasses import asdict, dataclass

from clinicdesk.domain.scheduling.model import Clinic, PlanRequest, Preferences, TimeOfDay
from clinicdesk.domain.scheduling.occupancy import occupied_for, occupied_from_booking
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, to_minute

PLACED_POINTS = 100
DAY_OFF_TARGET = 10  # per day away from the plan's target day
TIME_OF_DAY_MISS = 5  # the start is outside the patient's preferred part of the day
THERAPIST_CHANGE = 6  # per therapist beyond the therapy's staff count, per plan and therapy, when same therapist wanted
NOT_PREFERRED_STAFF = 4  # none of the session's staff is on the patient's preferred list
STAFF_LOAD = 1  # the k-th session of a staff member on a day costs (k - 1): spreads work across therapists
ROOM_LOAD = 1  # the same for rooms

# Start-time windows of each part of the day, in minutes after midnight
TIME_OF_DAY_MINUTES = {
    TimeOfDay.MORNING: (0, 12 * 60),
    TimeOfDay.AFTERNOON: (12 * 60, 16 * 60),
    TimeOfDay.EVENING: (16 * 60, MINUTES_PER_DAY),
}


def day_penalty(day: int, target_day: int) -> int:
    return DAY_OFF_TARGET * abs(day - target_day)


def time_of_day_penalty(preferences: Preferences, start: int) -> int:
    if preferences.time_of_day is None:
        return 0
    low, high = TIME_OF_DAY_MINUTES[preferences.time_of_day]
    return 0 if low <= start % MINUTES_PER_DAY < high else TIME_OF_DAY_MISS


def not_preferred_penalty(preferences: Preferences, staff_ids) -> int:
    if not preferences.preferred_staff or set(staff_ids) & set(preferences.preferred_staff):
        return 0
    return NOT_PREFERRED_STAFF


def therapist_change_penalty(distinct_staff: int, staff_count: int) -> int:
    return THERAPIST_CHANGE * max(0, distinct_staff - staff_count)


def pair_load(count: int) -> int:
    """Load cost of `count` sessions of one resource on one day: 0 + 1 + ... + (count - 1)."""
    return count * (count - 1) // 2


@dataclass(frozen=True)
class ScoreBreakdown:
    total: int
    placed_sessions: int
    placed_points: int
    day_off_target: int
    time_of_day: int
    therapist_change: int
    not_preferred_staff: int
    staff_load: int
    room_load: int

    @property
    def penalties(self) -> int:
        return self.placed_points - self.total

    def as_dict(self) -> dict:
        return asdict(self)


def score_schedule(clinic: Clinic, requests, placements) -> ScoreBreakdown:
    """Score placements against their requests; existing bookings only count through the load they add to."""
    plans: dict[str, PlanRequest] = {request.id: request for request in requests}
    day_off = time_of_day = not_preferred = 0
    staff_by_plan_therapy: dict[tuple[str, str], set] = {}
    for placement in placements:
        plan = plans[placement.request_id]
        session = next(item for item in plan.sessions if item.id == placement.session_id)
        start = to_minute(placement.start)
        target = plan.start_date.toordinal() + session.day_offset
        day_off += day_penalty(start // MINUTES_PER_DAY, target)
        time_of_day += time_of_day_penalty(plan.preferences, start)
        not_preferred += not_preferred_penalty(plan.preferences, placement.staff_ids)
        if plan.preferences.same_therapist:
            staff_by_plan_therapy.setdefault((plan.id, placement.therapy_id), set()).update(placement.staff_ids)
    change = sum(therapist_change_penalty(len(staff), clinic.therapy_by_id[therapy_id].staff_count)
                 for (_, therapy_id), staff in staff_by_plan_therapy.items())
    existing = [occupied_from_booking(clinic, booking) for booking in clinic.bookings]
    new = [occupied_for(clinic, placement.key, to_minute(placement.start), to_minute(placement.end),
                        therapy=clinic.therapy_by_id[placement.therapy_id], room_id=placement.room_id,
                        staff_ids=placement.staff_ids, patient_id=placement.patient_id) for placement in placements]
    staff_load = STAFF_LOAD * _load_increase(existing, new, by_staff=True)
    room_load = ROOM_LOAD * _load_increase(existing, new, by_staff=False)
    placed_points = PLACED_POINTS * len(placements)
    total = placed_points - day_off - time_of_day - change - not_preferred - staff_load - room_load
    return ScoreBreakdown(total=total, placed_sessions=len(placements), placed_points=placed_points,
                          day_off_target=day_off, time_of_day=time_of_day, therapist_change=change,
                          not_preferred_staff=not_preferred, staff_load=staff_load, room_load=room_load)


def _day_counts(entries, by_staff: bool) -> Counter:
    """Distinct sessions per (resource, day); the members of a group session count once."""
    seen = set()
    counts: Counter = Counter()
    for entry in entries:
        resources = entry.staff_ids if by_staff else ((entry.room_id,) if entry.room_id else ())
        for resource in resources:
            marker = (resource, entry.shared_key)
            if marker not in seen:
                seen.add(marker)
                counts[(resource, entry.day)] += 1
    return counts


def _load_increase(existing, new, by_staff: bool) -> int:
    before = _day_counts(existing, by_staff)
    after = _day_counts(list(existing) + list(new), by_staff)
    return sum(pair_load(count) - pair_load(before.get(key, 0)) for key, count in after.items())
