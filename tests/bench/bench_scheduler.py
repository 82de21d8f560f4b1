"""Benchmark: ClinicDesk's scheduler against an OR-Tools CP-SAT model of the same hard rules and soft score.

Not part of the default test run. Needs the `bench` extra (pip install -e .[bench]). Run:

    .venv/bin/python tests/bench/bench_scheduler.py [--instances 6] [--time-limit 15] [--seed 1] [--repeat 1]

For each random clinic (10-20 therapists and doctors, 8-12 rooms, 20-60 patients each on a 7-21 day Panchakarma
plan) it books the plans one after another with ClinicDesk (as a reception desk would: "desk"), improves the batch
as `solve` does ("batch"), then solves all plans at once with CP-SAT (hinted with ClinicDesk's batch answer,
time-limited), checks both with the independent validate_schedule, scores both with the same score_schedule, and
prints violations, sessions placed, the score ratio, penalties per placed session, ClinicDesk's time per plan at the
desk and the batch improvement's time.
"""

import argparse
import os
import random
import statistics
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "domain" / "scheduling"))  # the tests' clinic builders

from scheduling_builders import MONDAY as FIRST_DAY  # noqa: E402
from scheduling_builders import clock, person, room, session, shift, therapy  # noqa: E402

from clinicdesk.domain.scheduling import scoring  # noqa: E402
from clinicdesk.domain.scheduling.calendar import Calendar  # noqa: E402
from clinicdesk.domain.scheduling.checker import validate_schedule  # noqa: E402
from clinicdesk.domain.scheduling.model import (  # noqa: E402
    Centre,
    Clinic,
    EquipmentPool,
    Gender,
    OpeningHours,
    Patient,
    Period,
    Placement,
    PlanRequest,
    Preferences,
    RoomGender,
    TimeOfDay,
)
from clinicdesk.domain.scheduling.occupancy import Board, occupied_from_booking  # noqa: E402
from clinicdesk.domain.scheduling.rules import build_specs  # noqa: E402
from clinicdesk.domain.scheduling.scoring import score_schedule  # noqa: E402
from clinicdesk.domain.scheduling.solver import Scheduler, SolverOptions  # noqa: E402
from clinicdesk.domain.scheduling.timegrid import MINUTES_PER_DAY, to_datetime, to_minute  # noqa: E402

MON_SAT = tuple(range(6))
SLOT = 15


# ---- Random Panchakarma clinics ---------------------------------------------------------------------------------

THERAPIES = (
    therapy("pachana", "Pachana consultation", 20, ("consultation",), ("consultation",), follow_up_duration_minutes=15),
    therapy("abhyanga", "Abhyanga", 60, ("abhyanga",), ("abhyanga",), follow_up_duration_minutes=45, staff_count=2,
            prep_minutes=10, cleanup_minutes=15, equipment=("droni",)),
    therapy("swedana", "Swedana", 30, ("swedana",), ("swedana",), prep_minutes=10, cleanup_minutes=10,
            equipment=("steam_box",)),
    therapy("virechana", "Virechana", 90, ("procedure",), ("virechana",), prep_minutes=15, cleanup_minutes=20),
    therapy("basti", "Basti", 45, ("procedure",), ("basti",), prep_minutes=10, cleanup_minutes=15),
    therapy("nasya", "Nasya", 30, ("nasya",), ("nasya",), prep_minutes=5, cleanup_minutes=10),
    therapy("samsarjana", "Samsarjana diet review", 20, ("consultation",), ("consultation",)),
)


def random_clinic(rng: random.Random, patients: int) -> Clinic:
    """10-20 therapists (more for more patients) plus 2-4 doctors, 8-12 rooms."""
    staff = []
    n_therapists = min(20, max(10, 10 + (patients - 20) // 4 + rng.randint(-1, 1)))
    n_doctors = 2 + n_therapists // 8
    for index in range(n_therapists + n_doctors):
        doctor = index < n_doctors
        morning = index % 2 == 0
        start, end = ("07:00", "15:00") if morning else ("11:00", "19:00")
        if doctor:
            start, end = ("08:00", "14:00") if morning else ("12:00", "19:00")
        pause = ("11:30", "12:00") if morning else ("14:30", "15:00")
        days = MON_SAT if rng.random() < 0.7 else tuple(d for d in MON_SAT if d != rng.randrange(6))
        skills = {"consultation", "virechana"} if doctor else {"abhyanga", "swedana"}
        if not doctor:
            if rng.random() < 0.6:
                skills.add("basti")
            if rng.random() < 0.5:
                skills.add("nasya")
        leave = ()
        if rng.random() < 0.15:
            first = datetime.combine(FIRST_DAY + timedelta(days=rng.randrange(30)), time())
            leave = (Period(first, first + timedelta(days=rng.randint(1, 3))),)
        staff.append(person(
            f"{'d' if doctor else 't'}{index:02d}", f"{'Dr ' if doctor else ''}Staff {index}",
            # doctors alternate so that every gender-matched consultation has someone; therapists ~60 % women
            (Gender.FEMALE if index % 2 == 0 else Gender.MALE) if doctor else (
                Gender.FEMALE if rng.random() < 0.6 else Gender.MALE),
            sorted(skills), (shift(start, end, breaks=(pause,), days=days),), role="doctor" if doctor else "therapist",
            leave=leave, max_sessions_per_day=None if doctor else rng.choice((6, 7))))
    n_rooms = min(12, max(8, 8 + (n_therapists - 10) // 2 + rng.randint(-1, 1)))
    kinds = ["consultation", "abhyanga", "abhyanga", "swedana", "procedure", "nasya", "abhyanga", "consultation"]
    extra = ["abhyanga", "procedure", "swedana", "abhyanga"]
    kinds = (kinds + extra)[:n_rooms]
    rooms = [room(f"r{index:02d}", f"{kind.title()}-{index}", kind,
                  gender=RoomGender.FEMALE if kind == "abhyanga" and index == 1 else RoomGender.ANY,
                  cleaning_buffer_minutes=15 if kind in ("abhyanga", "procedure") else 5)
             for index, kind in enumerate(kinds)]
    abhyanga_rooms = sum(1 for kind in kinds if kind == "abhyanga")
    equipment = (EquipmentPool("droni", max(2, abhyanga_rooms - 1), "Droni table"),
                 EquipmentPool("steam_box", sum(1 for kind in kinds if kind == "swedana"), "steam box"))
    centre = Centre("Bench centre", holidays=(date(2026, 12, 25),),
                    opening_hours=(OpeningHours(MON_SAT, clock("07:00"), clock("19:00")),))
    return Clinic(centre, tuple(staff), tuple(rooms), THERAPIES, equipment)


def random_plan(rng: random.Random, index: int, length: int) -> PlanRequest:
    """A Panchakarma plan: Purvakarma (Pachana, Abhyanga + Swedana), Pradhanakarma, Paschatkarma."""
    sessions = [session("pachana", "pachana", 0)]
    oleation = max(3, length // 3)
    for day in range(1, oleation + 1):
        sessions.append(session(f"abhyanga-{day}", "abhyanga", day, [("pachana", 1)] if day == 1 else (),
                                follow_up=day > 1))
        sessions.append(session(f"swedana-{day}", "swedana", day, [(f"abhyanga-{day}", 0, 0, 0)]))
    last = f"swedana-{oleation}"
    day = oleation + 1
    rest_days = []
    if rng.random() < 0.5 or length < 14:
        sessions.append(session("virechana", "virechana", day, [(last, 1, 2)]))
        last = "virechana"
        rest_days.append(day + 1)
        day += 2
    else:
        count = min(8, length - day - 3)
        for number in range(1, count + 1):
            sessions.append(session(f"basti-abhyanga-{number}", "abhyanga", day, follow_up=True))
            sessions.append(session(f"basti-{number}", "basti", day, [(f"basti-abhyanga-{number}", 0, 0, 15)]))
            last = f"basti-{number}"
            day += 1
    if length >= 14 and rng.random() < 0.6:
        for number in range(1, 6):
            sessions.append(session(f"nasya-{number}", "nasya", oleation + number))
    number = 0
    while day < length:
        number += 1
        sessions.append(session(f"samsarjana-{number}", "samsarjana", day, [(last, 1, 3)] if number == 1 else ()))
        day += 3
    gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
    unavailable = ()
    if rng.random() < 0.3:
        start = datetime.combine(FIRST_DAY + timedelta(days=rng.randrange(20)), clock("07:00"))
        unavailable = (Period(start, start + timedelta(hours=rng.randint(2, 6))),)
    preferences = Preferences(
        time_of_day=rng.choice((None, TimeOfDay.MORNING, TimeOfDay.MORNING, TimeOfDay.AFTERNOON, TimeOfDay.EVENING)),
        same_therapist=rng.random() < 0.7, gender_match_required=rng.random() < 0.5,
        max_sessions_per_day=3, unavailable=unavailable)
    return PlanRequest(f"plan{index:02d}", Patient(f"p{index:02d}", gender, f"Patient {index}"),
                       FIRST_DAY + timedelta(days=rng.randrange(21)), tuple(sessions), preferences,
                       rest_days=tuple(rest_days), max_days_late=2)


def existing_bookings(rng: random.Random, clinic: Clinic):
    """Consultations already in the diary, booked with ClinicDesk so that they are consistent."""
    scheduler = Scheduler(clinic, SolverOptions(explain=False))
    for index in range(rng.randint(20, 60)):
        day = FIRST_DAY + timedelta(days=rng.randrange(35))
        at = datetime.combine(day, clock("08:00")) + timedelta(minutes=SLOT * rng.randrange(40))
        walk_in = session(f"walk-in-{index}", "pachana", 0, fixed_start=at)
        scheduler.book(PlanRequest(f"walk-in-{index}", Patient(f"w{index}", Gender.FEMALE), day, (walk_in,),
                                   kind="appointment"))
    return tuple(placement.as_booking() for placement in scheduler.placements)


@dataclass
class Instance:
    clinic: Clinic
    plans: list[PlanRequest]
    lengths: list[int]


def random_instance(seed: int) -> Instance:
    rng = random.Random(seed)
    patients = rng.randint(20, 60)
    clinic = random_clinic(rng, patients)
    clinic = Clinic(clinic.centre, clinic.staff, clinic.rooms, clinic.therapies, clinic.equipment,
                    existing_bookings(rng, clinic))
    lengths = [rng.choice((7, 10, 14, 21, 21)) for _ in range(patients)]
    return Instance(clinic, [random_plan(rng, index, length) for index, length in enumerate(lengths)], lengths)


# ---- ClinicDesk ---------------------------------------------------------------------------------------------------

def solve_clinicdesk(instance: Instance, repeat: int = 1):
    """Book the plans one by one, then improve the batch (as `solve` does).

    Each plan's booking time is the fastest of `repeat` identical runs (a shared machine); the batch
    improvement's time is reported apart, since a desk booking one patient never waits for it.
    """
    best = None
    for _ in range(repeat):
        scheduler = Scheduler(instance.clinic, SolverOptions(explain=False))
        times = []
        for plan in instance.plans:
            started = perf_counter()
            scheduler.book(plan)
            times.append(perf_counter() - started)
        best = times if best is None else [min(pair) for pair in zip(best, times, strict=True)]
    desk_placed = scheduler.result().score.placed_sessions
    started = perf_counter()
    scheduler.improve()
    return scheduler.result(), best, desk_placed, perf_counter() - started


# ---- CP-SAT reference -------------------------------------------------------------------------------------------

def solve_cpsat(instance: Instance, hint: list[Placement], time_limit: float, workers: int):
    from ortools.sat.python import cp_model

    clinic = instance.clinic
    model = cp_model.CpModel()
    board = Board(clinic, SLOT)
    calendar = Calendar(clinic)
    base = FIRST_DAY.toordinal() * MINUTES_PER_DAY  # minutes are stored relative to this, to keep numbers small
    specs = [spec for plan in instance.plans for spec in build_specs(board, plan)]
    hinted = {placement.key: placement for placement in hint}
    presence, start_slot, day_choice, staff_choice, room_choice = {}, {}, {}, {}, {}
    staff_intervals = {member.id: [] for member in clinic.staff}
    room_intervals = {room.id: [] for room in clinic.rooms}
    patient_intervals: dict[str, list] = {}
    equipment_usage: dict[str, list] = {}
    staff_day_terms: dict[tuple, list] = {}
    room_day_terms: dict[tuple, list] = {}
    objective = []
    for spec in specs:
        key = spec.key
        days = [day for day in range(spec.first_day, spec.last_day + 1)
                if day not in spec.rest_days and calendar.opening_windows(day)]
        present = model.NewBoolVar(f"p[{key}]")
        presence[key] = present
        objective.append(scoring.PLACED_POINTS * present)
        allowed_slots = []
        per_day = {}
        for day in days:
            slots = []
            for window_start, window_end in calendar.opening_windows(day):
                first = -(-(window_start + spec.prep) // SLOT)
                last = (window_end - spec.duration - spec.cleanup) // SLOT
                slots += list(range(first, last + 1))
            if slots:
                per_day[day] = slots
                allowed_slots += slots
        if not allowed_slots:
            model.Add(present == 0)
            continue
        offset = base // SLOT
        slot_var = model.NewIntVarFromDomain(cp_model.Domain.FromValues([s - offset for s in allowed_slots]),
                                             f"s[{key}]")
        start_slot[key] = slot_var
        start = SLOT * slot_var  # minutes since base
        choices = {}
        for day, slots in per_day.items():
            chosen_day = model.NewBoolVar(f"y[{key},{day}]")
            choices[day] = chosen_day
            model.AddLinearExpressionInDomain(slot_var, cp_model.Domain.FromValues(
                [s - offset for s in slots])).OnlyEnforceIf(chosen_day)
            objective.append(-scoring.day_penalty(day, spec.target_day) * chosen_day)
        model.Add(sum(choices.values()) == present)
        day_choice[key] = choices
        preferences = spec.preferences
        if preferences.time_of_day is not None:
            low, high = scoring.TIME_OF_DAY_MINUTES[preferences.time_of_day]
            good = [s - offset for s in allowed_slots if low <= (s * SLOT) % MINUTES_PER_DAY < high]
            fits = model.NewBoolVar(f"tod[{key}]")
            model.Add(fits <= present)
            if good:
                model.AddLinearExpressionInDomain(slot_var, cp_model.Domain.FromValues(good)).OnlyEnforceIf(fits)
            else:
                model.Add(fits == 0)
            objective.append(-scoring.TIME_OF_DAY_MISS * (present - fits))
        work_size = spec.prep + spec.duration + spec.cleanup
        staff_vars = {}
        for staff_id in spec.eligible_staff:
            chosen = model.NewBoolVar(f"x[{key},{staff_id}]")
            staff_vars[staff_id] = chosen
            staff_intervals[staff_id].append(model.NewOptionalIntervalVar(
                start - spec.prep, work_size, start - spec.prep + work_size, chosen, f"w[{key},{staff_id}]"))
            _count_per_day(model, chosen, choices, staff_day_terms, staff_id)
        model.Add(sum(staff_vars.values()) == spec.staff_count * present)
        staff_choice[key] = staff_vars
        if preferences.preferred_staff:
            hit = model.NewBoolVar(f"pref[{key}]")
            model.Add(hit <= present)
            model.Add(hit <= sum(var for staff_id, var in staff_vars.items()
                                 if staff_id in preferences.preferred_staff))
            objective.append(-scoring.NOT_PREFERRED_STAFF * (present - hit))
        room_vars = {}
        for room_id in spec.eligible_rooms:
            chosen = model.NewBoolVar(f"r[{key},{room_id}]")
            room_vars[room_id] = chosen
            size = work_size + clinic.room_by_id[room_id].cleaning_buffer_minutes
            room_intervals[room_id].append(model.NewOptionalIntervalVar(
                start - spec.prep, size, start - spec.prep + size, chosen, f"ri[{key},{room_id}]"))
            _count_per_day(model, chosen, choices, room_day_terms, room_id)
        model.Add(sum(room_vars.values()) == present)
        room_choice[key] = room_vars
        patient_intervals.setdefault(spec.patient_id, []).append(model.NewOptionalIntervalVar(
            start, spec.duration, start + spec.duration, present, f"pi[{key}]"))
        for kind, need in spec.equipment_needs:
            equipment_usage.setdefault(kind, []).append((model.NewOptionalIntervalVar(
                start - spec.prep, work_size, start - spec.prep + work_size, present, f"e[{key},{kind}]"), need))
    # sequences
    by_key = {spec.key: spec for spec in specs}
    for spec in specs:
        key = spec.key
        if key not in start_slot:
            continue
        for link in spec.session.after:
            other = f"{spec.request.id}/{link.session_id}"
            if other not in start_slot:
                model.Add(presence[key] == 0)
                continue
            model.AddImplication(presence[key], presence[other])
            day_of = sum(day * var for day, var in day_choice[key].items())
            day_other = sum(day * var for day, var in day_choice[other].items())
            model.Add(day_of - day_other >= link.min_gap_days).OnlyEnforceIf(presence[key])
            if link.max_gap_days is not None:
                model.Add(day_of - day_other <= link.max_gap_days).OnlyEnforceIf(presence[key])
            other_spec = by_key[other]
            model.Add(SLOT * start_slot[key] >= SLOT * start_slot[other] + other_spec.duration
                      + link.min_gap_minutes).OnlyEnforceIf(presence[key])
    # fixed things: existing bookings and when staff cannot work
    existing = [occupied_from_booking(clinic, booking) for booking in clinic.bookings]
    horizon_days = range(FIRST_DAY.toordinal() - 1, max(spec.last_day for spec in specs) + 2)

    def fixed(start_minute, end_minute, name):
        return model.NewIntervalVar(start_minute - base, end_minute - start_minute, end_minute - base, name)

    existing_staff_count: dict[tuple, int] = {}
    existing_room_count: dict[tuple, int] = {}
    for entry in existing:
        for staff_id in entry.staff_ids:
            staff_intervals[staff_id].append(fixed(entry.work_start, entry.work_end, "fs"))
            existing_staff_count[(staff_id, entry.day)] = existing_staff_count.get((staff_id, entry.day), 0) + 1
        if entry.room_id:
            room_intervals[entry.room_id].append(fixed(entry.work_start, entry.room_end, "fr"))
            existing_room_count[(entry.room_id, entry.day)] = existing_room_count.get((entry.room_id, entry.day), 0) + 1
        if entry.patient_id and entry.patient_id in patient_intervals:
            patient_intervals[entry.patient_id].append(fixed(entry.start, entry.end, "fp"))
        for kind in entry.equipment:
            equipment_usage.setdefault(kind, []).append((fixed(entry.work_start, entry.work_end, "fe"), 1))
    for member in clinic.staff:
        for day in horizon_days:
            cursor = day * MINUTES_PER_DAY
            for window_start, window_end in calendar.staff_windows(member.id, day):
                if window_start > cursor:
                    staff_intervals[member.id].append(fixed(cursor, window_start, "off"))
                cursor = window_end
            if cursor < (day + 1) * MINUTES_PER_DAY:
                staff_intervals[member.id].append(fixed(cursor, (day + 1) * MINUTES_PER_DAY, "off"))
        model.AddNoOverlap(staff_intervals[member.id])
    for intervals in room_intervals.values():
        model.AddNoOverlap(intervals)
    for plan in instance.plans:
        for period in plan.preferences.unavailable:
            patient_intervals[plan.patient.id].append(fixed(to_minute(period.start), to_minute(period.end), "un"))
    for intervals in patient_intervals.values():
        model.AddNoOverlap(intervals)
    for kind, uses in equipment_usage.items():
        model.AddCumulative([interval for interval, _ in uses], [need for _, need in uses],
                            clinic.equipment_quantity.get(kind, 0))
    # daily limits and load
    for (staff_id, day), terms in staff_day_terms.items():
        already = existing_staff_count.get((staff_id, day), 0)
        limit = clinic.staff_by_id[staff_id].max_sessions_per_day
        if limit is not None:
            model.Add(sum(terms) + already <= limit)
        objective.append(-scoring.STAFF_LOAD * _pair_load(model, sum(terms) + already, already, len(terms) + already))
    for (room_id, day), terms in room_day_terms.items():
        already = existing_room_count.get((room_id, day), 0)
        objective.append(-scoring.ROOM_LOAD * _pair_load(model, sum(terms) + already, already, len(terms) + already))
    for plan in instance.plans:
        limit = plan.preferences.max_sessions_per_day
        if limit is None:
            continue
        per_day: dict[int, list] = {}
        for spec in specs:
            if spec.request is plan and spec.key in day_choice:
                for day, var in day_choice[spec.key].items():
                    per_day.setdefault(day, []).append(var)
        for terms in per_day.values():
            model.Add(sum(terms) <= limit)
    # same therapist per therapy within a plan
    for plan in instance.plans:
        if not plan.preferences.same_therapist:
            continue
        groups: dict[str, list] = {}
        for spec in specs:
            if spec.request is plan and spec.key in staff_choice:
                groups.setdefault(spec.therapy.id, []).append(spec)
        for therapy_id, members in groups.items():
            used = {}
            for spec in members:
                for staff_id, var in staff_choice[spec.key].items():
                    if staff_id not in used:
                        used[staff_id] = model.NewBoolVar(f"u[{plan.id},{therapy_id},{staff_id}]")
                    model.Add(used[staff_id] >= var)
            extra = model.NewIntVar(0, len(used), f"chg[{plan.id},{therapy_id}]")
            model.Add(extra >= sum(used.values()) - clinic.therapy_by_id[therapy_id].staff_count)
            objective.append(-scoring.THERAPIST_CHANGE * extra)
    model.Maximize(sum(objective))
    # hint: ClinicDesk's answer
    for spec in specs:
        key = spec.key
        if key not in start_slot:
            continue
        placement = hinted.get(key)
        model.AddHint(presence[key], 1 if placement else 0)
        if placement is None:
            continue
        minute = to_minute(placement.start)
        model.AddHint(start_slot[key], (minute - base) // SLOT)
        for day, var in day_choice[key].items():
            model.AddHint(var, 1 if day == minute // MINUTES_PER_DAY else 0)
        for staff_id, var in staff_choice[key].items():
            model.AddHint(var, 1 if staff_id in placement.staff_ids else 0)
        for room_id, var in room_choice[key].items():
            model.AddHint(var, 1 if room_id == placement.room_id else 0)
    # Phase 1 completes ClinicDesk's answer into a full assignment (all helper variables too), so that phase 2
    # starts from a feasible solution instead of spending its time repairing a partial hint.
    completer = cp_model.CpSolver()
    completer.parameters.fix_variables_to_their_hinted_value = True
    completer.parameters.max_time_in_seconds = 60
    completer.parameters.num_workers = workers
    completer.parameters.cp_model_probing_level = 0
    completer.parameters.stop_after_first_solution = True
    completed = completer.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if completed:
        variables = [model.GetIntVarFromProtoIndex(index) for index in range(len(model.Proto().variables))]
        values = [completer.Value(variable) for variable in variables]
        model.ClearHints()
        for variable, value in zip(variables, values, strict=True):
            model.AddHint(variable, value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    solver.parameters.cp_model_probing_level = 0  # probing alone takes ~20 s wall time on these models
    if os.environ.get("BENCH_CPSAT_LOG"):
        solver.parameters.log_search_progress = True
    status = solver.Solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    status_name = solver.StatusName(status) + ("" if completed else " (hint not completed: started from nothing)")
    # Within the time limit the search sometimes ends below the solution it was handed (its first one is lost in
    # presolve or LNS restarts); its best known answer is then that start, which is what the reference should be.
    best = solver
    if completed and (not found or solver.ObjectiveValue() < completer.ObjectiveValue()):
        best, found = completer, True
        status_name += " (kept its start: the search ended below it)"
    placements = []
    if found:
        for spec in specs:
            key = spec.key
            if key in start_slot and best.Value(presence[key]):
                start_minute = base + SLOT * best.Value(start_slot[key])
                placements.append(Placement(
                    spec.request.id, spec.session.id, spec.patient_id, spec.therapy.id, to_datetime(start_minute),
                    to_datetime(start_minute + spec.duration),
                    next(room for room, var in room_choice[key].items() if best.Value(var)),
                    tuple(sorted(s for s, var in staff_choice[key].items() if best.Value(var))),
                    spec.session.follow_up))
    return placements, status_name, best.ObjectiveValue(), solver.BestObjectiveBound(), len(specs)


def _count_per_day(model, chosen, day_choices: dict, terms: dict, resource: str) -> None:
    """Add to terms[(resource, day)] a variable that is 1 when the resource is chosen and the session is that day."""
    for day, chosen_day in day_choices.items():
        both = model.NewBoolVar("")
        model.Add(both >= chosen + chosen_day - 1)
        model.Add(both <= chosen)
        model.Add(both <= chosen_day)
        terms.setdefault((resource, day), []).append(both)


def _pair_load(model, count_expr, already: int, most: int):
    """C(n, 2) - C(already, 2) as a variable, with C convex: one tangent line per integer n."""
    cost = model.NewIntVar(0, most * most, "load")
    for j in range(already, most + 1):
        model.Add(cost >= j * count_expr - j * (j + 1) // 2 - scoring.pair_load(already))
    return cost


# ---- Report -----------------------------------------------------------------------------------------------------

PENALTY_WEIGHTS = ("DAY_OFF_TARGET", "TIME_OF_DAY_MISS", "STAFF_LOAD", "ROOM_LOAD", "THERAPIST_CHANGE",
                   "NOT_PREFERRED_STAFF")


def placement_ceiling(instance: Instance, hint: list[Placement], time_limit: float, workers: int) -> tuple[int, float]:
    """How many sessions CP-SAT can place when placing is all that counts (every penalty weight zero), and its proven
    bound: the reference for "every placeable session placed", which the score-maximising model does not look for
    (it trades a session for lower loads when that scores higher)."""
    saved = {name: getattr(scoring, name) for name in PENALTY_WEIGHTS}
    try:
        for name in PENALTY_WEIGHTS:
            setattr(scoring, name, 0)
        placements, _status, _objective, bound, _ = solve_cpsat(instance, hint, time_limit, workers)
    finally:
        for name, value in saved.items():
            setattr(scoring, name, value)
    return len(placements), bound / scoring.PLACED_POINTS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=15.0, help="CP-SAT seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-cpsat", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="book each clinic this often, keep each plan's best time")
    parser.add_argument("--placement-ceiling", type=float, default=0.0, metavar="SECONDS",
                        help="also ask CP-SAT, for this long per clinic, how many sessions can be placed at all")
    args = parser.parse_args(argv)
    header = (f"{'inst':>4} {'staff':>5} {'rooms':>5} {'plans':>5} {'sess':>5} | "
              f"{'desk':>5} {'batch':>5} {'cpsat':>5} placed | "
              f"{'viol o/c':>8} | {'score ratio':>11} {'pen/sess o':>10} {'pen/sess c':>10} {'bound':>7} | "
              f"{'ms/plan':>7} {'max ms':>7} {'21d<200':>8} {'batch s':>7} | status")
    print(header)
    print("-" * len(header))
    ratios, all_times, twenty_one, twenty_one_fast, failures = [], [], 0, 0, 0
    placed_totals = [0, 0]  # ours, CP-SAT's, over the clinics where CP-SAT is a reference
    ceilings: list[tuple[int, int]] = []  # (ours, placement-only CP-SAT) per clinic, with --placement-ceiling
    for number in range(args.instances):
        instance = random_instance(args.seed * 1000 + number)
        result, times, desk_placed, improve_seconds = solve_clinicdesk(instance, args.repeat)
        ours_violations = validate_schedule(instance.clinic, result.placements, instance.plans)
        failures += len(ours_violations)
        all_times += times
        for length, seconds in zip(instance.lengths, times, strict=True):
            if length == 21:
                twenty_one += 1
                twenty_one_fast += seconds < 0.2
        ours_score = result.score
        sessions = sum(len(plan.sessions) for plan in instance.plans)
        cp_text, status, bound_text = "-", "skipped", "-"
        cp_violations = []
        ratio_text = cp_pen_text = "-"
        if not args.skip_cpsat:
            placements, status, objective, bound, _ = solve_cpsat(instance, list(result.placements),
                                                                   args.time_limit, args.workers)
            cp_violations = validate_schedule(instance.clinic, placements, instance.plans)
            cp_score = score_schedule(instance.clinic, instance.plans, placements)
            if placements and objective > cp_score.total + 0.5:  # below is fine: load costs not yet tight
                status += f" (MODEL BUG: objective {objective:.0f} > score {cp_score.total})"
            ratio = ours_score.total / cp_score.total if cp_score.total else float("nan")
            # a reference only when it started from our answer: otherwise (a loaded machine) it may find little
            if placements and "hint not completed" not in status:
                ratios.append(ratio)
                placed_totals[0] += ours_score.placed_sessions
                placed_totals[1] += cp_score.placed_sessions
            cp_text = str(cp_score.placed_sessions)
            ratio_text = f"{ratio:.4f}"
            cp_pen_text = f"{cp_score.penalties / max(1, cp_score.placed_sessions):.2f}"
            bound_text = f"{ours_score.total / bound:.3f}" if bound else "-"
        print(f"{number:>4} {len(instance.clinic.staff):>5} {len(instance.clinic.rooms):>5} {len(instance.plans):>5} "
              f"{sessions:>5} | {desk_placed:>5} {ours_score.placed_sessions:>5} {cp_text:>5}        | "
              f"{len(ours_violations):>3}/{len(cp_violations):<4} | {ratio_text:>11} "
              f"{ours_score.penalties / max(1, ours_score.placed_sessions):>10.2f} {cp_pen_text:>10} {bound_text:>7} | "
              f"{1000 * statistics.mean(times):>7.1f} {1000 * max(times):>7.1f} "
              f"{sum(1 for length, s in zip(instance.lengths, times, strict=True) if length == 21 and s < 0.2):>3}/"
              f"{sum(1 for length in instance.lengths if length == 21):<4} {improve_seconds:>7.1f} | {status}")
        for problem in ours_violations[:5]:
            print("   OURS VIOLATION:", problem)
        if args.placement_ceiling:
            most, bound = placement_ceiling(instance, list(result.placements), args.placement_ceiling, args.workers)
            ceilings.append((ours_score.placed_sessions, most))
            print(f"     placement only (CP-SAT {args.placement_ceiling:.0f} s): {most} placeable "
                  f"(proven at most {bound:.0f}); ClinicDesk places {ours_score.placed_sessions}")
    print()
    print(f"ClinicDesk hard-rule violations: {failures}")
    if ratios:
        print(f"sessions placed on the {len(ratios)} clinics CP-SAT finished: ClinicDesk {placed_totals[0]}, "
              f"CP-SAT {placed_totals[1]}")
        print(f"score ratio ClinicDesk / CP-SAT: mean {statistics.mean(ratios):.4f}, worst {min(ratios):.4f}")
    if ceilings:
        ours_total, most_total = sum(o for o, _ in ceilings), sum(c for _, c in ceilings)
        print(f"sessions placed vs the placement-only reference: ClinicDesk {ours_total}, CP-SAT {most_total} "
              f"(ratio {ours_total / max(1, most_total):.4f})")
    print(f"time per plan: mean {1000 * statistics.mean(all_times):.1f} ms, median "
          f"{1000 * statistics.median(all_times):.1f} ms, max {1000 * max(all_times):.1f} ms")
    print(f"21-day plans booked under 200 ms: {twenty_one_fast}/{twenty_one}")
    print("(bound = our score / CP-SAT's proven upper bound on the best possible score)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
