"""The demo's Panchakarma corner: oils and linen in stock, and one patient's 21-day course run through its first days.

Everything goes through the real services on the demo clock: the course is made from the template three days
before it starts, auto-scheduled and confirmed; each past day's sessions are then run through their SOPs as the
therapists would (one with a deviation, one with an incident), taking oils from stock, with outcome reports.
Today's board is filled with one-session plans for other patients around "now", each moved along only as far as
a therapist would have by then: completed, resting in recovery, one over-running, one in session, one being
prepared, some still to come.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.services import (
    demo_feedback,
    incidents,
    outcomes,
    procedure_consent,
    protocol_library,
    sop_runner,
    stock,
    therapy_plans,
    therapy_sessions,
)
from clinicdesk.services.context import ServiceContext

_IST = ZoneInfo("Asia/Kolkata")
COURSE = "classic-virechana-21"
DAYS_RUN = 9  # the course started nine days ago: days 0-8 are past (day 8 is Virechana's rest day)
# code: name, unit, reorder level, batches (number, quantity, expiry in days from today; None: does not expire)
STOCK = {
    "SESAME-OIL": ("Sesame oil (tila taila)", "ml", 1000, (("SO-2611", 5000, 240),)),
    "KSHEERABALA": ("Ksheerabala taila", "ml", 1000, (("KB-2609", 3000, 150), ("KB-2611", 5000, 400))),
    "DHANWANTARAM": ("Dhanwantaram taila", "ml", 1000, (("DT-2605", 600, 9), ("DT-2610", 4000, 300))),  # near expiry
    "TRIPHALA": ("Triphala churna", "g", 500, (("TR-2608", 2000, 200),)),
    "CASTOR-OIL": ("Castor oil (eranda taila)", "ml", 200, (("CO-2607", 150, 180),)),  # low: reorder now
    "LINEN-TOWEL": ("Linen towel", "piece", 20, (("LT-2601", 120, None),)),
}
# Today's floor, so the board shows every state at once: (course, its session, minutes from now, the last move made
# by now; None: not yet touched). Each is a one-session plan for another patient, booked days ahead and pinned to
# its time through the engine; laid out for Kochi's two therapists (Rajan 06:30-14:30 with a break at 10:30, Sreeja
# from 10:00) and the doctor who gives Virechana (after which the patient rests for hours).
_KERALA = "kerala-rejuvenation-7"
FLOOR = ((_KERALA, "abh-0", -210, "complete"), (COURSE, "vir-7", -135, "recover"),
         (_KERALA, "shi-2", -75, "start"),  # 45 minutes, still going at 75: the one over-running
         (_KERALA, "kiz-3", -15, "start"), (_KERALA, "abh-0", 15, "prepare"), (_KERALA, "swe-0", 60, None),
         (_KERALA, "shi-2", 195, None))
FLOOR_BOOKED_DAYS_AHEAD = 6  # before the week's own bookings (made 1-4 days ahead)
FLOOR_HOURS = (time(11, 0), time(13, 0))  # "now" is moved inside these, so a build at any hour still has a day
FLOOR_SHIFTS = (0, 15, -15, 30, -30)  # minutes, on the booking grid: a busy diary moves a session a little
FLOOR_TRIES = 2  # patients tried for each floor session (the Abhyanga rooms are for women or for men)
SLOT_MINUTES = 15

_SIGNATURE_PNG = bytes.fromhex(  # a 1x1 PNG: the demo has no hand to draw a signature with
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")
_SCORES = ((8, 7, 3, 4, 4), (8, 6, 3, 4, 4), (7, 6, 4, 5, 4), (7, 5, 4, 5, 5), (6, 5, 5, 6, 5), (5, 4, 5, 6, 6),
           (4, 4, 6, 7, 6))  # joint pain, stiffness, energy, sleep, digestion as the course goes on


@dataclass
class DemoCourse:
    doctor: ServiceContext
    therapist: ServiceContext
    nurse: ServiceContext
    pick_patient: Callable[[], str | None]
    centre_id: str
    today: date
    set_clock: Callable[[datetime], None]
    now: datetime | None = None  # the demo's now: today's floor is laid out around it
    floor_patients: Callable[[], list[str]] = list  # other Kochi patients, for today's one-session plans
    plan_id: str = ""
    floor_plans: dict[int, str] = field(default_factory=dict)  # FLOOR index -> its plan
    sessions_run: int = 0
    reports: int = 0
    _sop_runs: int = field(default=0)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=DAYS_RUN)

    def actions(self) -> list[tuple[datetime, Callable[[], None]]]:
        """Timed actions, in order: set up three days before the course, then each past day's sessions, then
        today's floor (booked the afternoon before, each session moved along at its own time)."""
        made = [(_local(self.start - timedelta(days=3), time(11, 0)), self.create)]
        made += [(_local(self.start + timedelta(days=d), time(6, 0)), lambda d=d: self.run_day(d))
                 for d in range(DAYS_RUN + (self.now is not None))]  # today's too, if it is over by now
        if self.now is not None:
            # booked days ahead, as courses are, so today's floor is in the diary before the week's walk-ins
            made.append((_local(self.today - timedelta(days=FLOOR_BOOKED_DAYS_AHEAD), time(12, 0)), self.book_floor))
            made += self.floor_moves()
        return sorted(made, key=lambda pair: pair[0])

    def anchor(self) -> datetime:
        """The board's "now" for planning today: the real now, kept inside the treatment hours, on the booking grid."""
        local = self.now.astimezone(_IST).replace(second=0, microsecond=0)
        local = min(max(local, _local(self.today, FLOOR_HOURS[0])), _local(self.today, FLOOR_HOURS[1]))
        return local - timedelta(minutes=local.minute % SLOT_MINUTES)

    def book_floor(self) -> None:
        """One-session Kerala plans for other patients today, pinned to times around now through the engine."""
        if not self.plan_id:
            return
        taken = {therapy_plans.plan_summary(self.doctor, self.plan_id).patient_id}
        candidates = [p for p in self.floor_patients() if p not in taken]
        for index, (course, key, minutes, _) in enumerate(FLOOR):
            for patient_id in candidates[:FLOOR_TRIES]:
                booked = self._book_one(patient_id, course, key, minutes)
                if booked:
                    candidates.remove(patient_id)
                    self.floor_plans[index] = booked
                    break

    def _book_one(self, patient_id: str, course: str, key: str, minutes: int) -> str | None:
        plan_id, _ = therapy_plans.create_plan(self.doctor, patient_id, course, self.today,
                                               notes="A single session, booked ahead")
        keys = [item.key for item in therapy_plans.plan_summary(self.doctor, plan_id).sessions]
        therapy_plans.adjust_plan(self.doctor, plan_id, drop=tuple(k for k in keys if k != key), move={key: 0})
        for shift in FLOOR_SHIFTS:  # the diary is busy: a few minutes either way still tells the same story
            start = (self.anchor() + timedelta(minutes=minutes + shift)).replace(tzinfo=None)
            try:
                therapy_plans.auto_schedule(self.doctor, plan_id, fixed_starts={key: start})
            except therapy_plans.PlanNotPlaced:
                continue
            therapy_plans.transition_plan(self.doctor, plan_id, "confirm")
            self._consent(plan_id)
            return plan_id
        therapy_plans.transition_plan(self.doctor, plan_id, "cancel", reason="No room at that time")
        return None

    def _consent(self, plan_id: str) -> None:
        patient_name = procedure_consent.plan_consent_status(self.nurse, plan_id).patient_name
        procedure_consent.record_procedure_consent(self.nurse, plan_id, patient_name, _SIGNATURE_PNG)

    def floor_moves(self) -> list[tuple[datetime, Callable[[], None]]]:
        """Each floor session moved along at the moments a therapist would, as far as its place in FLOOR says.

        Times come from the booked sessions, so they are known only once booked: each move looks its session up
        when it runs. A move later than now never happens (the demo week drops it), which is what leaves sessions
        in preparation, in session, over-running or in recovery.
        """
        anchor = self.anchor()
        library = protocol_library.library()
        moves = []
        for index, (course_key, key, minutes, last_move) in enumerate(FLOOR):
            if last_move is None:
                continue
            course = library.course(course_key, self.today)
            therapy = next(p.therapy for phase in course.phases for p in phase.sessions
                           if p.key == key.rsplit("-", 1)[0])
            start = anchor + timedelta(minutes=minutes)
            end = start + timedelta(minutes=library.therapies[therapy].duration_minutes)
            moments = {"prepare": start - timedelta(minutes=15), "start": start, "recover": end,
                       "complete": end + timedelta(minutes=15)}
            for move in list(moments)[:list(moments).index(last_move) + 1]:
                moves.append((moments[move], lambda i=index, m=move: self._floor_move(i, m)))
        return moves

    def _floor_move(self, index: int, move: str) -> None:
        plan_id = self.floor_plans.get(index)
        if plan_id is None:  # the diary had no place for it
            return
        item = therapy_plans.plan_summary(self.doctor, plan_id).sessions[0]
        if move == "complete":
            self._tick_steps(item.id, stop_at_timer=False)
        therapy_sessions.move_session(self.therapist, item.id, move)
        if move == "start":
            self._tick_steps(item.id, stop_at_timer=True)
        if move == "complete":
            self.sessions_run += 1

    def _tick_steps(self, session_id: str, *, stop_at_timer: bool) -> None:
        """Tick the SOP's open steps in order (mid-range values); with `stop_at_timer`, up to the timed step."""
        for step in therapy_sessions.session_detail(self.therapist, session_id).steps:
            if step.outcome is not None:
                continue
            if stop_at_timer and step.timer_seconds:
                return
            value = None if step.measure is None else ((step.low or 0) + (step.high or step.low or 0)) / 2
            sop_runner.record_step_result(self.therapist, session_id, step.no, value=value,
                                          timer_seconds=step.timer_seconds)

    def create(self) -> None:
        for code, (name, unit, level, batches) in STOCK.items():
            item_id, _ = stock.save_item(self.nurse, self.centre_id, code, name, unit, level)
            for number, quantity, days in batches:
                stock.receive_batch(self.nurse, item_id, number, quantity,
                                    self.today + timedelta(days=days) if days is not None else None)
        patient_id = self.pick_patient()  # one of the demo's own Kochi patients, so the head count stays as asked
        if patient_id is None:  # a demo without patients has stock but no course
            return
        self.plan_id, _ = therapy_plans.create_plan(self.doctor, patient_id, COURSE, self.start,
                                                    notes="Virechana-based course for knee pain and stiffness")
        for _ in range(3):  # a session the diary cannot hold is left out, as a doctor would after the refusal
            try:
                therapy_plans.auto_schedule(self.doctor, self.plan_id)
                break
            except therapy_plans.PlanNotPlaced as refused:
                therapy_plans.adjust_plan(self.doctor, self.plan_id, drop=tuple(u.key for u in refused.unplaced))
        therapy_plans.transition_plan(self.doctor, self.plan_id, "confirm")
        # signed at the planning visit, as a clinic does before any procedure; the pad's drawing is a tiny PNG
        patient_name = procedure_consent.plan_consent_status(self.nurse, self.plan_id).patient_name
        procedure_consent.record_procedure_consent(self.nurse, self.plan_id, patient_name, _SIGNATURE_PNG)

    def run_day(self, offset: int) -> None:
        if not self.plan_id:
            return
        summary = therapy_plans.plan_summary(self.doctor, self.plan_id)
        day = self.start + timedelta(days=offset)
        for item in summary.sessions:
            if item.start is not None and item.start.date() == day and item.status == "scheduled" and (
                    self.now is None or _aware(item.end + timedelta(minutes=15)) <= self.now):
                self._run(item)

    def _run(self, item) -> None:
        ctx = self.therapist
        self.set_clock(_aware(item.start - timedelta(minutes=10)))
        therapy_sessions.move_session(ctx, item.id, "prepare")
        steps = therapy_sessions.session_detail(ctx, item.id).steps
        if steps:
            sop_runner.record_vitals(ctx, item.id, "before", pulse_bpm=76, bp_systolic=128, bp_diastolic=82)
        self.set_clock(_aware(item.start))
        therapy_sessions.move_session(ctx, item.id, "start")
        deviation, incident = item.key == "abh-5", item.key == "swe-5"
        for step in steps:
            if deviation and not step.mandatory and step.materials:
                sop_runner.record_step_result(ctx, item.id, step.no, skip=True,
                                              reason="Patient brought her own cotton towels")
                continue
            if incident and step.timer_seconds:
                self.set_clock(_aware(item.start + timedelta(minutes=8)))
                incidents.report_incident(
                    ctx, severity="minor", description="Patient felt light-headed eight minutes into the steam",
                    immediate_action="Steam stopped, patient lay down with a cold pad, water given; pulse settled",
                    session_id=item.id, follow_up_owner_id=self.doctor.user.staff_id)
                sop_runner.record_step_result(ctx, item.id, step.no, timer_seconds=480)
                continue
            value = None if step.measure is None else ((step.low or 0) + (step.high or step.low or 0)) / 2
            sop_runner.record_step_result(ctx, item.id, step.no, value=value, timer_seconds=step.timer_seconds)
        if item.key.startswith("vir"):
            sop_runner.record_dosage(ctx, item.id, "Eranda taila (castor oil) with warm milk", 40, "ml")
        self.set_clock(_aware(item.end))
        therapy_sessions.move_session(ctx, item.id, "recover")
        if steps:
            sop_runner.record_vitals(ctx, item.id, "after", pulse_bpm=80, bp_systolic=124, bp_diastolic=80)
        self.set_clock(_aware(item.end + timedelta(minutes=15)))
        therapy_sessions.move_session(ctx, item.id, "complete")
        self.sessions_run += 1
        if steps:
            pain, stiffness, energy, sleep, digestion = _SCORES[min(self._sop_runs, len(_SCORES) - 1)]
            self._sop_runs += 1
            nausea = {"nausea": demo_feedback.NAUSEA_AFTER_VIRECHANA} if item.key.startswith("vir") else {}
            outcomes.record_outcome(self.nurse, self.plan_id, OutcomeReport(
                {"knee pain": pain, "morning stiffness": stiffness} | nausea, energy=energy, sleep=sleep,
                digestion=digestion, side_effects="Light-headed in the steam" if incident else ""), session_id=item.id)
            self.reports += 1
        demo_feedback.after_session(self, item.key, item.id)  # the patient's ratings, at the desk

    def summary(self) -> str:
        if not self.plan_id:
            return f"Therapy: {len(STOCK)} stock items, no course (no patients)"
        return (f"Therapy: one 21-day Virechana course, {self.sessions_run} sessions run, "
                f"{self.reports} outcome reports; {len(STOCK)} stock items")


def _local(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, _IST)


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=_IST)


