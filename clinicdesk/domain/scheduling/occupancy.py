"""Who is busy when: per-resource busy intervals indexed by day (bisect), day counts and group sessions."""

from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass

from clinicdesk.domain.scheduling.calendar import Calendar
from clinicdesk.domain.scheduling.model import Booking, Clinic, Therapy
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, SlotGrid, to_minute


@dataclass(frozen=True)
class Occupied:
    """One patient's session as the diary sees it, in absolute minutes.

    The patient is busy [start, end); staff and equipment [start - prep, end + cleanup); the room also for its
    cleaning buffer after that. Group sessions share the staff and room intervals under one `shared_key`.
    """

    key: str
    start: int
    end: int
    patient_id: str | None = None
    therapy_id: str | None = None
    prep: int = 0
    cleanup: int = 0
    room_id: str | None = None
    room_buffer: int = 0
    staff_ids: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    group_allowed: bool = False

    @property
    def work_start(self) -> int:
        return self.start - self.prep

    @property
    def work_end(self) -> int:
        return self.end + self.cleanup

    @property
    def room_end(self) -> int:
        return self.work_end + self.room_buffer

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY

    @property
    def shared_key(self) -> str:
        if self.group_allowed and self.room_id is not None:
            return f"group:{self.room_id}:{self.therapy_id}:{self.start}:{self.end}"
        return self.key


def occupied_for(clinic: Clinic, key: str, start: int, end: int, *, therapy: Therapy | None, room_id: str | None,
                 staff_ids: tuple[str, ...], patient_id: str | None,
                 equipment: tuple[str, ...] | None = None) -> Occupied:
    room = clinic.room_by_id.get(room_id) if room_id else None
    return Occupied(
        key=key, start=start, end=end, patient_id=patient_id, therapy_id=therapy.id if therapy else None,
        prep=therapy.prep_minutes if therapy else 0, cleanup=therapy.cleanup_minutes if therapy else 0,
        room_id=room_id, room_buffer=room.cleaning_buffer_minutes if room else 0, staff_ids=tuple(staff_ids),
        equipment=tuple(equipment if equipment is not None else (therapy.equipment if therapy else ())),
        group_allowed=bool(therapy and therapy.group_allowed and room and room.capacity > 1))


def occupied_from_booking(clinic: Clinic, booking: Booking) -> Occupied:
    return occupied_for(clinic, f"booking:{booking.id}", to_minute(booking.start), to_minute(booking.end),
                        therapy=clinic.therapy_by_id.get(booking.therapy_id or ""), room_id=booking.room_id,
                        staff_ids=booking.staff_ids, patient_id=booking.patient_id, equipment=booking.equipment)


class BusyIndex:
    """Busy intervals of one kind of resource, listed per (resource, day) and kept sorted for bisect.

    An interval added twice under the same tag (a group session) is stored once and reference-counted.
    """

    def __init__(self):
        self._by_day: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
        self._refs: Counter = Counter()
        self.versions: Counter = Counter()  # bumped on every change of a (resource, day) list: keys for caches

    def add(self, resource: str, start: int, end: int, tag: str) -> bool:
        """Record the interval; True when it was not there before."""
        ref = (resource, start, end, tag)
        self._refs[ref] += 1
        if self._refs[ref] > 1:
            return False
        for day in range(start // MINUTES_PER_DAY, (end - 1) // MINUTES_PER_DAY + 1):
            insort(self._by_day.setdefault((resource, day), []), (start, end, tag))
            self.versions[(resource, day)] += 1
        return True

    def remove(self, resource: str, start: int, end: int, tag: str) -> bool:
        """Drop one reference; True when the interval is gone."""
        ref = (resource, start, end, tag)
        self._refs[ref] -= 1
        if self._refs[ref] > 0:
            return False
        del self._refs[ref]
        for day in range(start // MINUTES_PER_DAY, (end - 1) // MINUTES_PER_DAY + 1):
            intervals = self._by_day[(resource, day)]
            del intervals[bisect_left(intervals, (start, end, tag))]
            self.versions[(resource, day)] += 1
        return True

    def on_day(self, resource: str, day: int) -> list[tuple[int, int, str]]:
        return self._by_day.get((resource, day), [])

    def overlapping(self, resource: str, start: int, end: int) -> list[tuple[int, int, str]]:
        found = []
        for day in range(start // MINUTES_PER_DAY, (end - 1) // MINUTES_PER_DAY + 1):
            for interval in self.on_day(resource, day):
                if interval[0] >= end:
                    break
                if interval[1] > start and interval not in found:
                    found.append(interval)
        return found


class GroupSession:
    """Patients sharing one room, staff and time for the same therapy."""

    def __init__(self, entry: Occupied):
        self.room_id = entry.room_id
        self.therapy_id = entry.therapy_id
        self.start = entry.start
        self.end = entry.end
        self.staff_ids = entry.staff_ids
        self.members: list[str] = []


class Occupancy:
    """The diary: every occupied session, indexed by staff, room, patient and equipment kind."""

    def __init__(self):
        self.staff = BusyIndex()
        self.rooms = BusyIndex()
        self.patients = BusyIndex()
        self.equipment = BusyIndex()
        self.staff_day_count: Counter = Counter()  # distinct sessions (a group counts once) per (staff, day)
        self.room_day_count: Counter = Counter()
        self.patient_day_count: Counter = Counter()
        self.entries: dict[str, Occupied] = {}
        self.groups: dict[str, GroupSession] = {}
        self.groups_on_day: dict[tuple[str, int], list[str]] = {}

    def add(self, entry: Occupied) -> None:
        if entry.key in self.entries:
            raise ValueError(f"{entry.key} is already in the diary")
        self.entries[entry.key] = entry
        shared = entry.shared_key
        day = entry.day
        for staff_id in entry.staff_ids:
            if self.staff.add(staff_id, entry.work_start, entry.work_end, shared):
                self.staff_day_count[(staff_id, day)] += 1
        if entry.room_id is not None:
            if self.rooms.add(entry.room_id, entry.work_start, entry.room_end, shared):
                self.room_day_count[(entry.room_id, day)] += 1
        if entry.patient_id is not None:
            self.patients.add(entry.patient_id, entry.start, entry.end, entry.key)
            self.patient_day_count[(entry.patient_id, day)] += 1
        for index, kind in enumerate(entry.equipment):
            self.equipment.add(kind, entry.work_start, entry.work_end, f"{entry.key}#{index}")
        if shared != entry.key:
            group = self.groups.get(shared)
            if group is None:
                group = self.groups[shared] = GroupSession(entry)
                insort(self.groups_on_day.setdefault((entry.therapy_id, day), []), shared)
            group.members.append(entry.key)

    def remove(self, key: str) -> Occupied:
        entry = self.entries.pop(key)
        shared = entry.shared_key
        day = entry.day
        for staff_id in entry.staff_ids:
            if self.staff.remove(staff_id, entry.work_start, entry.work_end, shared):
                self.staff_day_count[(staff_id, day)] -= 1
        if entry.room_id is not None:
            if self.rooms.remove(entry.room_id, entry.work_start, entry.room_end, shared):
                self.room_day_count[(entry.room_id, day)] -= 1
        if entry.patient_id is not None:
            self.patients.remove(entry.patient_id, entry.start, entry.end, entry.key)
            self.patient_day_count[(entry.patient_id, day)] -= 1
        for index, kind in enumerate(entry.equipment):
            self.equipment.remove(kind, entry.work_start, entry.work_end, f"{entry.key}#{index}")
        if shared != entry.key:
            group = self.groups[shared]
            group.members.remove(key)
            if not group.members:
                del self.groups[shared]
                self.groups_on_day[(entry.therapy_id, day)].remove(shared)
        return entry


@dataclass(frozen=True)
class PlacedSession:
    request_id: str
    session_id: str
    therapy_id: str
    start: int
    end: int
    room_id: str
    staff_ids: tuple[str, ...]
    follow_up: bool = False

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY

    @property
    def key(self) -> str:
        return f"{self.request_id}/{self.session_id}"


class Board:
    """Everything the search looks at: the clinic, its calendar, the diary and the plan sessions placed so far."""

    def __init__(self, clinic: Clinic, slot_minutes: int = 15):
        self.clinic = clinic
        self.calendar = Calendar(clinic)
        self.grid = SlotGrid(slot_minutes)
        self.occupancy = Occupancy()
        self.placed: dict[str, PlacedSession] = {}
        # start masks of one staff member or room for one day and session shape, keyed by the busy list's version
        self.mask_cache: dict[tuple, int] = {}
        # staff used per (request, therapy), counted so that removing a session can undo it
        self.plan_staff: dict[tuple[str, str], Counter] = {}
        # a patient's daily limit holds across all their requests: the strictest one booked so far applies
        self.patient_limits: dict[str, int] = {}
        for booking in clinic.bookings:
            self.occupancy.add(occupied_from_booking(clinic, booking))

    def place(self, session: PlacedSession, patient_id: str) -> None:
        therapy = self.clinic.therapy_by_id[session.therapy_id]
        self.occupancy.add(occupied_for(self.clinic, session.key, session.start, session.end, therapy=therapy,
                                        room_id=session.room_id, staff_ids=session.staff_ids,
                                        patient_id=patient_id))
        self.placed[session.key] = session
        used = self.plan_staff.setdefault((session.request_id, session.therapy_id), Counter())
        used.update(session.staff_ids)

    def unplace(self, key: str) -> PlacedSession:
        session = self.placed.pop(key)
        self.occupancy.remove(key)
        used = self.plan_staff[(session.request_id, session.therapy_id)]
        used.subtract(session.staff_ids)
        for staff_id in session.staff_ids:
            if used[staff_id] <= 0:
                del used[staff_id]
        return session

    def remove_booking(self, booking_id: str) -> Occupied:
        return self.occupancy.remove(f"booking:{booking_id}")

    def register_patient_limit(self, patient_id: str, limit: int | None) -> None:
        if limit is not None:
            self.patient_limits[patient_id] = min(limit, self.patient_limits.get(patient_id, limit))

    def patient_limit(self, patient_id: str, own: int | None) -> int | None:
        known = self.patient_limits.get(patient_id)
        if own is None or known is None:
            return own if known is None else known
        return min(own, known)

    def staff_used(self, request_id: str, therapy_id: str) -> Counter:
        return self.plan_staff.get((request_id, therapy_id), Counter())
