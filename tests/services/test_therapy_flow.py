"""The must-show course on a real SQLCipher clinic: plan, schedule, three sessions through the SOP, stock, PROMs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.domain.roles import Role
from clinicdesk.services import (
    admin,
    incidents,
    outcomes,
    procedure_consent,
    sop_runner,
    stock,
    therapy_plans,
    therapy_sessions,
)
from clinicdesk.services.stock import StockShort
from clinicdesk.store.models_scheduling import AppointmentRow
from clinicdesk.store.models_therapy import SessionEventRow, SopStepRecordRow, StockBatchRow
from tests.services.helpers import count_rows
from tests.services.therapy_world import COURSE, START, at_local, build_therapy_world


@pytest.fixture
def world(admin_ctx):
    return build_therapy_world(admin_ctx)


def _sessions(ctx, plan_id) -> dict:
    return {s.key: s for s in therapy_plans.plan_summary(ctx, plan_id).sessions}


def _left(ctx, batch_id) -> Decimal:
    with ctx.db.session() as session:
        return session.get(StockBatchRow, batch_id).left


def _statuses(ctx) -> dict[str, int]:
    with ctx.db.session() as session:
        return dict(session.execute(select(AppointmentRow.status, func.count()).group_by(AppointmentRow.status)).all())


def test_a_21_day_course_from_template_to_progress_chart(world, clock):
    doctor, therapist, nurse = world.ctx(Role.DOCTOR), world.ctx(Role.THERAPIST), world.ctx(Role.NURSE)
    plan_id, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, START)
    placed, changes = therapy_plans.auto_schedule(doctor, plan_id)
    assert placed == 25 and changes.appointments
    assert _statuses(doctor) == {"requested": 25}  # held until the doctor confirms
    therapy_plans.transition_plan(doctor, plan_id, "confirm")
    world.consent(plan_id)
    assert _statuses(doctor) == {"confirmed": 25}
    sessions = _sessions(doctor, plan_id)
    abh, swe, vir = sessions["abh-5"], sessions["swe-5"], sessions["vir-7"]
    assert abh.start.date() == START + timedelta(days=5) and swe.start >= abh.end

    # Session 1: Abhyanga, with a deviation (the linen step skipped) and completion refused while a step is open
    clock.now = at_local(abh.start.date(), "06:50")
    board = therapy_sessions.day_board(therapist, world.centre, abh.start.date())
    assert [(b.therapy, b.status) for b in board] == [("Abhyanga (full-body oil massage)", "scheduled"),
                                                     ("Swedana (herbal steam)", "scheduled")]
    therapy_sessions.move_session(therapist, abh.id, "prepare")
    sop_runner.record_vitals(therapist, abh.id, "before", pulse_bpm=74, bp_systolic=122, bp_diastolic=80)
    sop_runner.record_step_result(therapist, abh.id, 1)
    sop_runner.record_step_result(therapist, abh.id, 2, value=Decimal(74))
    sop_runner.record_step_result(therapist, abh.id, 3, value=Decimal("38.5"))
    therapy_sessions.move_session(therapist, abh.id, "start")
    sop_runner.record_step_result(therapist, abh.id, 4, timer_seconds=2700)
    sop_runner.record_step_result(therapist, abh.id, 5, skip=True, reason="Patient brought her own towels")
    clock.advance(minutes=65)
    therapy_sessions.move_session(therapist, abh.id, "recover")
    with pytest.raises(IllegalTransition, match="mandatory SOP steps are open: step 7"):
        therapy_sessions.move_session(therapist, abh.id, "complete")
    assert therapy_sessions.session_detail(therapist, abh.id).board.status == "recovery"
    sop_runner.record_step_result(therapist, abh.id, 7)
    therapy_sessions.move_session(therapist, abh.id, "complete")
    detail = therapy_sessions.session_detail(therapist, abh.id)
    assert detail.board.status == "completed" and detail.board.deviations == 1
    assert [e.to_status for e in detail.events] == ["in_preparation", "in_session", "recovery", "completed"]
    assert all(e.by == "Floor therapist" for e in detail.events)
    # earliest expiry first: the batch expiring in ten days gives the oil, the later one is untouched
    assert (_left(nurse, world.batches["DT-2"]), _left(nurse, world.batches["DT-1"])) == (850, 1000)
    assert _left(nurse, world.batches["LT-1"]) == 40  # the skipped linen step took nothing
    outcomes.record_outcome(nurse, plan_id, OutcomeReport({"joint pain": 7, "stiffness": 6}, energy=4, sleep=5,
                                                          digestion=5), session_id=abh.id)

    # Session 2: Swedana, with an incident
    therapy_sessions.move_session(therapist, swe.id, "prepare")
    for step, value in ((1, None), (2, Decimal(43))):
        sop_runner.record_step_result(therapist, swe.id, step, value=value)
    therapy_sessions.move_session(therapist, swe.id, "start")
    sop_runner.record_step_result(therapist, swe.id, 4, timer_seconds=600)
    incident_id, _ = incidents.report_incident(
        therapist, severity="minor", description="Patient felt light-headed in the steam box",
        immediate_action="Steam stopped, patient lay down, water given", session_id=swe.id,
        follow_up_owner_id=world.staff["vaidya"])
    sop_runner.record_step_result(therapist, swe.id, 5, value=Decimal(118), reason="Pulse high after the steam")
    sop_runner.record_step_result(therapist, swe.id, 6)
    therapy_sessions.move_session(therapist, swe.id, "recover")
    therapy_sessions.move_session(therapist, swe.id, "complete")
    assert [i.id for i in incidents.list_incidents(doctor, world.centre)] == [incident_id]
    incidents.update_incident(doctor, incident_id, "resolve", note="Steam time shortened to 10 minutes")
    assert incidents.list_incidents(doctor, world.centre) == []
    outcomes.record_outcome(nurse, plan_id, OutcomeReport({"joint pain": 6, "stiffness": 5}, energy=5, sleep=6,
                                                          digestion=5, side_effects="Light-headed"),
                            session_id=swe.id)

    # Session 3: Virechana two days later, with the dose and the castor oil taken from stock
    clock.now = at_local(vir.start.date(), "06:55")
    therapy_sessions.move_session(therapist, vir.id, "prepare")
    sop_runner.record_step_result(therapist, vir.id, 1)
    sop_runner.record_step_result(therapist, vir.id, 2, value=Decimal(70))
    sop_runner.record_step_result(therapist, vir.id, 3, value=Decimal(124))
    therapy_sessions.move_session(therapist, vir.id, "start")
    sop_runner.record_step_result(therapist, vir.id, 4, value=Decimal(50), materials={"CASTOR-OIL": Decimal(50)})
    sop_runner.record_dosage(therapist, vir.id, "Castor oil", 50, "ml")
    for step, value in ((5, None), (6, None), (7, Decimal(80))):
        sop_runner.record_step_result(therapist, vir.id, step, value=value)
    therapy_sessions.move_session(therapist, vir.id, "recover")
    sop_runner.record_vitals(therapist, vir.id, "after", pulse_bpm=80)
    therapy_sessions.move_session(therapist, vir.id, "complete")
    assert _left(nurse, world.batches["CO-1"]) == 150
    outcomes.record_outcome(nurse, plan_id, OutcomeReport({"joint pain": 4, "stiffness": 3}, energy=6, sleep=7,
                                                          digestion=6), session_id=vir.id)

    summary = therapy_plans.plan_summary(doctor, plan_id)
    assert [(p.phase, p.planned, p.completed) for p in summary.phases] == [
        ("purvakarma", 8, 2), ("pradhanakarma", 10, 1), ("paschatkarma", 7, 0)]
    series = outcomes.progress_series(doctor, plan_id)
    assert series.symptoms == ("joint pain", "stiffness")
    assert [p.symptom_scores["joint pain"] for p in series.points] == [7, 6, 4]
    assert [p.day_of_course for p in series.points] == [5, 5, 7]
    # sneha-1..4 and abh-6/swe-6 were due before Virechana and never run
    assert (series.sessions_completed, series.sessions_due) == (3, 9)
    assert _statuses(doctor)["completed"] == 3


def _running_abhyanga(world, clock):
    doctor, therapist = world.ctx(Role.DOCTOR), world.ctx(Role.THERAPIST)
    plan_id = world.scheduled_plan()
    abh = _sessions(doctor, plan_id)["abh-5"]
    clock.now = at_local(abh.start.date(), "06:50")
    therapy_sessions.move_session(therapist, abh.id, "prepare")
    return plan_id, abh.id, therapist


def test_illegal_moves_are_refused_and_change_nothing(world, clock):
    doctor, therapist = world.ctx(Role.DOCTOR), world.ctx(Role.THERAPIST)
    plan_id = world.scheduled_plan(confirm=False)
    abh = _sessions(doctor, plan_id)["abh-5"]
    clock.now = at_local(abh.start.date(), "06:50")
    with pytest.raises(IllegalTransition, match="confirm it first"):
        therapy_sessions.move_session(therapist, abh.id, "prepare")
    therapy_plans.transition_plan(doctor, plan_id, "confirm")
    for event, words in (("complete", "scheduled, so it cannot be completed"),
                         ("recover", "cannot be moved to recovery"), ("start", "cannot be started"),
                         ("fly", "not something that can happen")):
        events = count_rows(doctor, SessionEventRow)
        with pytest.raises(IllegalTransition, match=words):
            therapy_sessions.move_session(therapist, abh.id, event)
        assert count_rows(doctor, SessionEventRow) == events
        assert _sessions(doctor, plan_id)["abh-5"].status == "scheduled"
    with pytest.raises(IllegalTransition, match="cannot be resumed"):
        therapy_plans.transition_plan(doctor, plan_id, "resume")
    therapy_plans.transition_plan(doctor, plan_id, "pause")
    with pytest.raises(IllegalTransition, match="resume it first"):
        therapy_sessions.move_session(therapist, abh.id, "prepare")
    therapy_plans.transition_plan(doctor, plan_id, "resume")
    other_day = _sessions(doctor, plan_id)["vir-7"]
    with pytest.raises(IllegalTransition, match="prepare the session on that day"):
        therapy_sessions.move_session(therapist, other_day.id, "prepare")


def test_sop_records_refuse_bad_input_and_skipping_a_safety_check(world, clock):
    _, session_id, therapist = _running_abhyanga(world, clock)
    with pytest.raises(ValidationError, match="mandatory and cannot be skipped"):
        sop_runner.record_step_result(therapist, session_id, 1, skip=True, reason="No time")
    with pytest.raises(ValidationError, match="needed to skip a step"):
        sop_runner.record_step_result(therapist, session_id, 6, skip=True)
    with pytest.raises(ValidationError, match="outside the SOP's range"):
        sop_runner.record_step_result(therapist, session_id, 3, value=Decimal(45))
    assert count_rows(therapist, SopStepRecordRow) == 0
    sop_runner.record_step_result(therapist, session_id, 3, value=Decimal(45), reason="Oil warmer faulty")
    with pytest.raises(ValidationError, match="already recorded"):
        sop_runner.record_step_result(therapist, session_id, 3, value=Decimal(38))
    assert therapy_sessions.session_detail(therapist, session_id).steps[2].deviation


def test_short_or_expired_stock_refuses_the_step_and_takes_nothing(world, clock):
    _, session_id, therapist = _running_abhyanga(world, clock)
    nurse = world.ctx(Role.NURSE)
    old, _ = stock.save_item(nurse, world.centre, "OLD-OIL", "Old oil", "ml", 100)
    with pytest.raises(ValidationError, match="already past"):
        stock.receive_batch(nurse, old, "OO-0", 500, date(2026, 11, 1))
    clock_now = clock.now
    clock.now = at_local(START, "09:00")
    stock.receive_batch(nurse, old, "OO-1", 500, START + timedelta(days=1))
    clock.now = clock_now
    with pytest.raises(StockShort, match="Only 0 ml of Old oil .* 500 ml more is expired"):
        sop_runner.log_materials(therapist, session_id, "OLD-OIL", 20)
    with pytest.raises(StockShort, match="Only 2000 ml of Dhanwantaram"):
        sop_runner.record_step_result(therapist, session_id, 4, materials={"DHANWANTARAM": Decimal(3000)})
    assert count_rows(therapist, SopStepRecordRow) == 0
    assert _left(nurse, world.batches["DT-2"]) == 1000
    low = {line.code for line in stock.low_stock(nurse, world.centre)}
    assert "OLD-OIL" in low and "DHANWANTARAM" not in low


def test_auto_schedule_is_all_or_nothing_with_the_engines_reasons(world):
    doctor = world.ctx(Role.DOCTOR)
    for key in ("swedana 1", "swedana 2"):
        admin.set_room_active(world.boss, world.rooms[key], False)
    plan_id, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, START)
    with pytest.raises(therapy_plans.PlanNotPlaced) as refused:
        therapy_plans.auto_schedule(doctor, plan_id)
    assert {u.key for u in refused.value.unplaced} >= {"swe-5", "swe-6"}
    assert all(u.reasons for u in refused.value.unplaced)
    assert count_rows(doctor, AppointmentRow) == 0
    assert not therapy_plans.plan_summary(doctor, plan_id).scheduled


def test_adjusting_and_cancelling_a_plan(world):
    doctor = world.ctx(Role.DOCTOR)
    plan_id, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, START)
    therapy_plans.adjust_plan(doctor, plan_id, drop=("nas-13",), move={"shi-19": 20})
    with pytest.raises(ValidationError, match="rest day"):
        therapy_plans.adjust_plan(doctor, plan_id, move={"shi-15": 8})
    sessions = _sessions(doctor, plan_id)
    assert "nas-13" not in sessions and sessions["shi-19"].day_offset == 20
    therapy_plans.auto_schedule(doctor, plan_id)
    with pytest.raises(IllegalTransition, match="already scheduled"):
        therapy_plans.adjust_plan(doctor, plan_id, drop=("sams-14",))
    therapy_plans.transition_plan(doctor, plan_id, "cancel", reason="Patient travelling")
    assert _statuses(doctor) == {"cancelled": 24}
    summary = therapy_plans.plan_summary(doctor, plan_id)
    assert summary.status == "cancelled" and all(p.planned == 0 for p in summary.phases)


def test_a_session_cannot_start_without_the_plans_procedure_consent(world, clock):
    doctor, therapist, nurse = world.ctx(Role.DOCTOR), world.ctx(Role.THERAPIST), world.ctx(Role.NURSE)
    plan_id = world.scheduled_plan(consent=False)
    abh = _sessions(doctor, plan_id)["abh-5"]
    clock.now = at_local(abh.start.date(), "06:50")
    therapy_sessions.move_session(therapist, abh.id, "prepare")  # preparing the room needs no signature yet
    assert not therapy_sessions.day_board(therapist, world.centre, abh.start.date())[0].consented
    events, appointments = count_rows(doctor, SessionEventRow), _statuses(doctor)
    with pytest.raises(IllegalTransition, match="Record the patient's procedure consent for this plan before "
                                                "starting: open Consent"):
        therapy_sessions.move_session(therapist, abh.id, "start")
    assert (count_rows(doctor, SessionEventRow), _statuses(doctor)) == (events, appointments)
    detail = therapy_sessions.session_detail(therapist, abh.id)
    assert detail.board.status == "in_preparation" and detail.board.started_at is None

    world.consent(plan_id)
    assert therapy_sessions.day_board(therapist, world.centre, abh.start.date())[0].consented
    therapy_sessions.move_session(therapist, abh.id, "start")
    assert therapy_sessions.session_detail(therapist, abh.id).board.status == "in_session"

    # a withdrawn consent stops the next session of the course from starting
    procedure_consent.withdraw_procedure_consent(nurse, plan_id)
    swe = _sessions(doctor, plan_id)["swe-5"]
    therapy_sessions.move_session(therapist, swe.id, "prepare")
    with pytest.raises(IllegalTransition, match="procedure consent"):
        therapy_sessions.move_session(therapist, swe.id, "start")
    assert not therapy_sessions.session_detail(therapist, swe.id).board.consented


def test_a_session_can_be_pinned_to_a_chosen_time_and_the_engine_still_checks_it(world):
    doctor = world.ctx(Role.DOCTOR)
    plan_id, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, START)
    keys = [s.key for s in _sessions(doctor, plan_id).values()]
    therapy_plans.adjust_plan(doctor, plan_id, drop=tuple(k for k in keys if k != "abh-5"))
    day = START + timedelta(days=5)
    with pytest.raises(therapy_plans.PlanNotPlaced, match="06:00"):  # before anyone's working hours
        therapy_plans.auto_schedule(doctor, plan_id, fixed_starts={"abh-5": at_local(day, "06:00").replace(
            tzinfo=None)})
    assert count_rows(doctor, AppointmentRow) == 0
    therapy_plans.auto_schedule(doctor, plan_id, fixed_starts={"abh-5": at_local(day, "15:15").replace(tzinfo=None)})
    placed = _sessions(doctor, plan_id)["abh-5"]
    assert (placed.start, placed.end) == (at_local(day, "15:15").replace(tzinfo=None),
                                          at_local(day, "16:15").replace(tzinfo=None))
