"""Care rules on a real SQLCipher clinic: an outcome report after Virechana, weekly adherence, the firing log."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.domain.roles import Role
from clinicdesk.services import outcomes, rule_actions, rule_tasks, rules, therapy_plans
from clinicdesk.services.context import Changes
from clinicdesk.store.models_feedback import ClinicianTaskRow, RuleFiringRow, SessionFlagRow
from clinicdesk.store.models_notifications import NotificationMessageRow, StaffAlertRow
from clinicdesk.store.models_therapy import OutcomeReportRow
from tests.services.feedback_world import build_feedback_world
from tests.services.helpers import count_rows
from tests.services.therapy_world import at_local


@pytest.fixture
def world(admin_ctx):
    return build_feedback_world(admin_ctx)


def _firings(ctx):
    with ctx.db.session() as session:
        return list(session.scalars(select(RuleFiringRow).order_by(RuleFiringRow.at)))


def test_nausea_after_virechana_makes_a_call_task_flags_the_next_session_and_logs_the_evidence(world, clock):
    nurse = world.ctx(Role.NURSE)
    vir = world.sessions["vir-7"]
    report_id, _ = outcomes.record_outcome(
        nurse, world.plan, OutcomeReport({"Nausea": 7, "Headache": 4}, energy=3,
                                         side_effects="Felt faint after the fourth motion"), session_id=vir)

    (firing,) = _firings(nurse)
    assert (firing.rule_key, firing.rule_version, firing.trigger, firing.source_id) == (
        "virechana-nausea", 0, "outcome_reported", report_id)
    assert firing.evidence == {"symptom:nausea": 7, "therapy": "virechana"}  # only what the rule read
    assert [a["do"] for a in firing.actions] == ["call_patient", "reduce_next_session", "send_diet_alert"]

    tasks = rule_tasks.list_tasks(nurse, world.therapy.centre)
    call = next(t for t in tasks if t.kind == "call_patient")
    assert call.assignee_id == world.ctx(Role.DOCTOR).user.staff_id  # the plan's doctor calls
    assert call.due_at == clock.now + timedelta(hours=24) and call.patient_name.startswith("Lakshmi")
    assert call.reason == "Nausea after Virechana (nausea 7/10, the therapy virechana)"
    assert firing.actions[0]["result"] == f"task {call.id}, doctor alerted"
    with nurse.db.session() as session:
        (alert,) = session.scalars(select(StaffAlertRow))
        assert (alert.staff_id, alert.patient_id) == (call.assignee_id, world.therapy.patient)
        assert alert.text == "Call the patient within 24 h: " + call.reason
    assert "faint" not in call.reason  # free text never leaves the outcome report

    flags = rule_tasks.session_flags(nurse, list(world.sessions.values()))
    assert flags == {world.sessions["basa-9"]: ["reduced_intensity"]}  # the next session after day 7's Virechana

    # the diet alert: sent through the notifications service when it exists, otherwise a task for a person
    diet = firing.actions[2]["result"]
    assert diet.startswith("message ")
    with nurse.db.session() as session:
        message = session.get(NotificationMessageRow, diet.removeprefix("message "))
        assert (message.patient_id, message.template_key) == (world.therapy.patient, "diet_alert")
        assert "rice gruel" in message.body and "faint" not in message.body


@pytest.mark.parametrize("break_it", ["unknown template", "messaging not installed"])
def test_a_message_that_cannot_be_queued_becomes_a_task_and_the_report_is_still_saved(world, monkeypatch, break_it):
    if break_it == "unknown template":
        monkeypatch.setattr(rule_actions, "DIET_TEMPLATE", "no_such_template")
    else:
        monkeypatch.setattr(rule_actions, "_notifications", None)
    nurse = world.ctx(Role.NURSE)
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 8}), session_id=world.sessions["vir-7"])
    (firing,) = _firings(nurse)
    assert firing.actions[2]["result"].startswith("pending: task ")
    kinds = sorted(t.kind for t in rule_tasks.list_tasks(nurse, world.therapy.centre))
    assert kinds == ["call_patient", "send_diet_alert"]
    assert count_rows(nurse, NotificationMessageRow) == 0 and count_rows(nurse, OutcomeReportRow) == 1


def test_mild_nausea_or_another_therapy_fires_nothing(world):
    nurse = world.ctx(Role.NURSE)
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 5}), session_id=world.sessions["vir-7"])
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 9}), session_id=world.sessions["abh-5"])
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 9}))  # no session, so no therapy
    assert _firings(nurse) == []
    assert count_rows(nurse, ClinicianTaskRow) == 0 and count_rows(nurse, SessionFlagRow) == 0


def test_a_second_report_does_not_flag_the_next_session_twice(world):
    nurse = world.ctx(Role.NURSE)
    for score in (8, 9):
        outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": score}),
                                session_id=world.sessions["vir-7"])
    assert len(_firings(nurse)) == 2 and count_rows(nurse, SessionFlagRow) == 1


def test_an_edited_rule_is_used_from_its_new_version_on(world):
    doctor, nurse = world.ctx(Role.DOCTOR), world.ctx(Role.NURSE)
    (item,) = [r for r in rules.list_rules(doctor) if r.key == "virechana-nausea"]
    saved, _ = rules.save_rule(doctor, item.text.replace('"at_least": 6', '"at_least": 4'))
    assert saved.version == 1 and "nausea is 4/10 or worse" in saved.words
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 5}), session_id=world.sessions["vir-7"])
    (firing,) = _firings(nurse)
    assert (firing.rule_key, firing.rule_version) == ("virechana-nausea", 1)
    logged = rules.list_firings(doctor)
    assert [(f.rule_key, f.evidence) for f in logged] == [("virechana-nausea", {"symptom:nausea": 5,
                                                                                 "therapy": "virechana"})]


def test_weekly_adherence_under_70_percent_asks_for_reminders_and_other_slots(world, clock):
    desk = world.ctx(Role.FRONT_DESK)
    summary = {s.key: s for s in therapy_plans.plan_summary(world.ctx(Role.DOCTOR), world.plan).sessions}
    week_end = summary["vir-7"].start.date()
    clock.now = at_local(week_end, "20:00")
    # days 1-7 hold 4 snehapana, 2 abhyanga, 2 swedana and Virechana: 9 due; 6 completed is 67 %
    for key in ("sneha-1", "sneha-2", "sneha-3", "sneha-4", "abh-5", "swe-5"):
        world.set_status(key, "completed")
    fired, changes = rules.review_adherence(desk, world.plan, week_ending=week_end)
    assert len(fired) == 1 and changes.therapy
    (firing,) = _firings(desk)
    assert firing.evidence == {"adherence_percent": 67}
    assert [a["do"] for a in firing.actions] == ["extra_reminders", "propose_other_slots"]
    assert firing.actions[0]["result"] == "2 reminders queued"  # the next two booked sessions, on the day
    with desk.db.session() as session:
        reminders = list(session.scalars(select(NotificationMessageRow).where(
            NotificationMessageRow.template_key == "reminder_day_before")))
    assert len(reminders) == 2 and all(r.appointment_id for r in reminders)
    (task,) = rule_tasks.list_tasks(desk, world.therapy.centre)
    assert (task.kind, task.assignee_id) == ("propose_other_slots", None)  # whoever at the desk is free

    # the whole centre's review the same week: the course was reviewed already, nothing fires twice
    assert rules.review_centre_adherence(desk, world.therapy.centre, week_ending=week_end)[0] == []
    assert len(_firings(desk)) == 1


def test_the_centre_review_goes_through_every_active_course_and_a_good_week_fires_nothing(world, clock):
    desk = world.ctx(Role.FRONT_DESK)
    summary = {s.key: s for s in therapy_plans.plan_summary(world.ctx(Role.DOCTOR), world.plan).sessions}
    week_end = summary["vir-7"].start.date()
    clock.now = at_local(week_end, "20:00")
    for key in ("sneha-1", "sneha-2", "sneha-3", "sneha-4", "abh-5", "swe-5", "abh-6", "swe-6"):
        world.set_status(key, "completed")  # 8 of 9: 89 %
    assert rules.review_centre_adherence(desk, world.therapy.centre, week_ending=week_end) == ([], Changes())
    world.set_status("abh-6", "cancelled")  # cancelled sessions are not due: 7 of 8 is still 88 %
    world.set_status("swe-6", "scheduled")  # 6 of 8: 75 %
    assert rules.review_centre_adherence(desk, world.therapy.centre, week_ending=week_end)[0] == []
    world.set_status("swe-5", "scheduled")  # 5 of 8: 62 %
    fired, _ = rules.review_centre_adherence(desk, world.therapy.centre, week_ending=week_end)
    assert len(fired) == 1 and _firings(desk)[0].evidence == {"adherence_percent": 62}
