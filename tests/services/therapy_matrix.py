"""Therapy calls for the role x action matrix: a Panchakarma corner of the matrix clinic and fresh records per call."""

import itertools
from contextlib import contextmanager
from datetime import timedelta

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.domain.roles import Action
from clinicdesk.services import (
    incidents,
    outcomes,
    patients,
    procedure_consent,
    protocol_versions,
    session_photos,
    sop_runner,
    stock,
    therapy_plans,
    therapy_sessions,
)
from clinicdesk.services.context import ServiceContext
from tests.services.helpers import patient_draft
from tests.services.therapy_world import COURSE, PNG, START, TherapyWorld, at_local, build_therapy_world


class Floor:
    """Plans with scheduled sessions handed out one per call; the clock is moved to a session's day for the call."""

    def __init__(self, boss: ServiceContext):
        self.boss = boss
        self.clock = boss.clock
        self.codes = itertools.count(1)
        self.days = itertools.count(40)

    def set_up(self) -> None:
        self.world: TherapyWorld = build_therapy_world(self.boss)
        self.centre = self.world.centre
        self.plan = self.world.scheduled_plan()
        other, _ = patients.register_patient(self.boss, patient_draft(given_name="Floor", phone="98470 80001"))
        self.world.patient, first = other, self.world.patient
        second = self.world.scheduled_plan()
        self.world.patient = first
        self.planner, _ = patients.register_patient(self.boss, patient_draft(given_name="Plan", phone="98470 80002"))
        summaries = [therapy_plans.plan_summary(self.boss, plan) for plan in (self.plan, second)]
        sessions = [s for summary in summaries for s in summary.sessions]
        with_sop = {s.id for s in sessions if s.key.split("-")[0] not in ("sneha", "sams")}
        self.any = iter([(s.id, s.start.date()) for s in sessions if s.id not in with_sop])
        self.sop = iter([(s.id, s.start.date()) for s in sessions if s.id in with_sop])
        self.running, day = next(self.sop)
        with self.on(day):
            therapy_sessions.move_session(self.boss, self.running, "prepare")
        self.item = self.world.items["LINEN-TOWEL"]
        self.photo, _ = session_photos.add_photo(self.boss, self.running, "before", "image/png", PNG)

    @contextmanager
    def on(self, day):
        before = self.clock.now
        self.clock.now = at_local(day, "06:30")
        try:
            yield
        finally:
            self.clock.now = before

    def move(self, ctx: ServiceContext):
        session_id, day = next(self.any)
        with self.on(day):
            return therapy_sessions.move_session(ctx, session_id, "prepare")

    def tick(self, ctx: ServiceContext):
        session_id, day = next(self.sop)
        with self.on(day):
            therapy_sessions.move_session(self.boss, session_id, "prepare")
            return sop_runner.record_step_result(ctx, session_id, 1)

    def small_plan(self, *, scheduled: bool = False) -> str:
        """A one-session plan on a day of its own, so each call schedules quickly and never collides."""
        start = START + timedelta(days=next(self.days))
        plan_id, _ = therapy_plans.create_plan(self.boss, self.planner, COURSE, start)
        keys = [s.key for s in therapy_plans.plan_summary(self.boss, plan_id).sessions]
        therapy_plans.adjust_plan(self.boss, plan_id, drop=tuple(k for k in keys if k != "abh-5"))
        if scheduled:
            therapy_plans.auto_schedule(self.boss, plan_id)
        return plan_id

    def consent(self, ctx: ServiceContext, *, withdraw: bool = False):
        plan_id = self.small_plan()
        if not withdraw:
            return procedure_consent.record_procedure_consent(ctx, plan_id, "Guardian", PNG,
                                                              witness_id=self.boss.user.staff_id)
        procedure_consent.record_procedure_consent(self.boss, plan_id, "Guardian", PNG,
                                                   witness_id=self.boss.user.staff_id)
        return procedure_consent.withdraw_procedure_consent(ctx, plan_id)

    def incident(self) -> str:
        incident_id, _ = incidents.report_incident(self.boss, severity="near_miss", description="Oil too hot, caught",
                                                   session_id=self.running)
        return incident_id

def registry(floor_of) -> dict[Action, dict[str, object]]:
    f = floor_of
    report = OutcomeReport({"joint pain": 5}, energy=6, sleep=7, digestion=6)
    return {
        Action.THERAPY_CONSENT: {
            "procedure_consent.record_procedure_consent": lambda c, w: f(w).consent(c),
            "procedure_consent.withdraw_procedure_consent": lambda c, w: f(w).consent(c, withdraw=True)},
        Action.THERAPY_PHOTO_ADD: {
            "session_photos.add_photo": lambda c, w: session_photos.add_photo(c, f(w).running, "after",
                                                                            "image/png", PNG)},
        Action.THERAPY_PHOTO_VIEW: {
            "session_photos.open_photo": lambda c, w: session_photos.open_photo(c, f(w).running, f(w).photo)},
        Action.THERAPY_VIEW: {
            "therapy_plans.plan_summary": lambda c, w: therapy_plans.plan_summary(c, f(w).plan),
            "therapy_sessions.day_board": lambda c, w: therapy_sessions.day_board(c, f(w).centre, START),
            "therapy_sessions.session_detail": lambda c, w: therapy_sessions.session_detail(c, f(w).running),
            "stock.stock_levels": lambda c, w: stock.stock_levels(c, f(w).centre),
            "stock.low_stock": lambda c, w: stock.low_stock(c, f(w).centre),
            "incidents.list_incidents": lambda c, w: incidents.list_incidents(c, f(w).centre),
            "outcomes.progress_series": lambda c, w: outcomes.progress_series(c, f(w).plan),
            "procedure_consent.plan_consent_status": lambda c, w: procedure_consent.plan_consent_status(
                c, f(w).plan),
            "session_photos.list_photos": lambda c, w: session_photos.list_photos(c, f(w).running)},
        Action.THERAPY_PLAN: {
            "therapy_plans.create_plan": lambda c, w: therapy_plans.create_plan(
                c, f(w).planner, COURSE, START + timedelta(days=next(f(w).days))),
            "therapy_plans.adjust_plan": lambda c, w: therapy_plans.adjust_plan(
                c, f(w).small_plan(), start_date=START + timedelta(days=next(f(w).days))),
            "therapy_plans.auto_schedule": lambda c, w: therapy_plans.auto_schedule(c, f(w).small_plan()),
            "therapy_plans.transition_plan": lambda c, w: therapy_plans.transition_plan(
                c, f(w).small_plan(scheduled=True), "confirm")},
        Action.SESSION_RUN: {
            "therapy_sessions.move_session": lambda c, w: f(w).move(c),
            "sop_runner.record_step_result": lambda c, w: f(w).tick(c),
            "sop_runner.log_materials": lambda c, w: sop_runner.log_materials(c, f(w).running, "LINEN-TOWEL", 1),
            "sop_runner.record_vitals": lambda c, w: sop_runner.record_vitals(c, f(w).running, "before",
                                                                             pulse_bpm=72),
            "sop_runner.record_dosage": lambda c, w: sop_runner.record_dosage(c, f(w).running, "Castor oil", 40,
                                                                             "ml"),
            "incidents.report_incident": lambda c, w: incidents.report_incident(
                c, severity="minor", description="Slipped on oil, no injury", session_id=f(w).running),
            "outcomes.record_outcome": lambda c, w: outcomes.record_outcome(c, f(w).plan, report)},
        Action.STOCK_MANAGE: {
            "stock.save_item": lambda c, w: stock.save_item(c, f(w).centre, f"MTX-{next(f(w).codes)}", "Gauze",
                                                            "piece", 5),
            "stock.receive_batch": lambda c, w: stock.receive_batch(c, f(w).item, f"LT-{next(f(w).codes)}", 10,
                                                                    None)},
        Action.PROTOCOL_MANAGE: {
            "protocol_versions.list_templates": lambda c, w: protocol_versions.list_templates(c),
            "protocol_versions.template_draft": lambda c, w: protocol_versions.template_draft(c, "sop", "abhyanga"),
            "protocol_versions.save_template_version": lambda c, w: protocol_versions.save_template_version(
                c, "sop", "abhyanga", protocol_versions.template_draft(f(w).boss, "sop", "abhyanga").body,
                START + timedelta(days=365))},
        Action.INCIDENT_MANAGE: {
            "incidents.update_incident": lambda c, w: incidents.update_incident(c, f(w).incident(), "investigate")},
    }
