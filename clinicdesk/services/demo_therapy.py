"""The demo's Panchakarma corner: oils and linen in stock, and one patient's 21-day course run through its first days.

Everything goes through the real services on the demo clock: the course is made from the template three days
before it starts, auto-scheduled and confirmed; each past day's sessions are then run through their SOPs as the
therapists would (one with a deviation, one with an incident), taking oils from stock, with outcome reports.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.services import incidents, outcomes, sop_runner, stock, therapy_plans, therapy_sessions
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
    plan_id: str = ""
    sessions_run: int = 0
    reports: int = 0
    _sop_runs: int = field(default=0)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=DAYS_RUN)

    def actions(self) -> list[tuple[datetime, Callable[[], None]]]:
        """Timed actions, in order: set up three days before the course, then each past day's sessions."""
        made = [(_local(self.start - timedelta(days=3), time(11, 0)), self.create)]
        made += [(_local(self.start + timedelta(days=d), time(6, 0)), lambda d=d: self.run_day(d))
                 for d in range(DAYS_RUN)]
        return made

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

    def run_day(self, offset: int) -> None:
        if not self.plan_id:
            return
        summary = therapy_plans.plan_summary(self.doctor, self.plan_id)
        day = self.start + timedelta(days=offset)
        for item in summary.sessions:
            if item.start is not None and item.start.date() == day and item.status == "scheduled":
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
            outcomes.record_outcome(self.nurse, self.plan_id, OutcomeReport(
                {"knee pain": pain, "morning stiffness": stiffness}, energy=energy, sleep=sleep, digestion=digestion,
                side_effects="Light-headed in the steam" if incident else ""), session_id=item.id)
            self.reports += 1

    def summary(self) -> str:
        if not self.plan_id:
            return f"Therapy: {len(STOCK)} stock items, no course (no patients)"
        return (f"Therapy: one 21-day Virechana course, {self.sessions_run} sessions run, "
                f"{self.reports} outcome reports; {len(STOCK)} stock items")


def _local(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, _IST)


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=_IST)


