"""Feedback, complaint, care-rule and task calls for the role x action matrix, on the therapy corner's records."""

import itertools
import json
from datetime import timedelta

from sqlalchemy import select

from clinicdesk.domain.feedback import FeedbackForm
from clinicdesk.domain.roles import Action
from clinicdesk.services import feedback, rule_tasks, rules
from clinicdesk.store.models_feedback import ClinicianTaskRow
from clinicdesk.store.models_therapy import PlanSessionRow
from tests.services.therapy_world import START

FORM = FeedbackForm("session", {"effectiveness": 4, "practitioner": 4, "facility": 4, "staff": 4, "value": 4,
                                "overall": 4}, 8)
_hours = itertools.count(1)


class Desk:
    """Fresh complaints and tasks per call, and one run session to give feedback on."""

    def __init__(self, floor):
        self.floor = floor
        self.boss = floor.boss
        plan_id = floor.small_plan(scheduled=True)  # a plan of its own: the therapy calls keep their sessions
        with self.boss.unit_of_work() as session:
            row = session.scalar(select(PlanSessionRow).where(PlanSessionRow.plan_id == plan_id))
            self.session_id = row.id
            row.status = "completed"  # set-up only: the session flow has its own tests

    def complaint(self, *, started: bool = False) -> str:
        complaint_id, _ = feedback.open_complaint(self.boss, "Matrix complaint about waiting")
        if started:
            feedback.move_complaint(self.boss, complaint_id, "start")
        return complaint_id

    def task(self) -> str:
        with self.boss.unit_of_work() as session:
            row = ClinicianTaskRow(id=self.boss.make_id(), centre_id=self.floor.centre, kind="manual",
                                   due_at=self.boss.now(), reason="Matrix task", created_at=self.boss.now())
            session.add(row)
            return row.id


def _rule_text() -> str:
    return json.dumps({"key": "matrix-rule", "name": "Matrix rule", "on": "outcome_reported",
                       "when": [{"fact": "sleep", "at_most": 1}],
                       "then": [{"do": "call_patient", "within_hours": next(_hours) % 72 + 1}]})


def registry(floor_of) -> dict[Action, dict[str, object]]:
    desks: dict[int, Desk] = {}

    def d(w) -> Desk:
        floor = floor_of(w)
        if id(floor) not in desks:
            desks[id(floor)] = Desk(floor)
        return desks[id(floor)]

    return {
        Action.FEEDBACK_RECORD: {
            "feedback.submit_feedback": lambda c, w: feedback.submit_feedback(c, FORM, session_id=d(w).session_id),
            "feedback.open_complaint": lambda c, w: feedback.open_complaint(c, "The room was too warm")},
        Action.FEEDBACK_REVIEW: {
            "feedback.list_complaints": lambda c, w: feedback.list_complaints(c, d(w).floor.centre),
            "feedback.move_complaint": lambda c, w: feedback.move_complaint(c, d(w).complaint(), "start"),
            "feedback.respond_to_complaint": lambda c, w: feedback.respond_to_complaint(
                c, d(w).complaint(started=True), "Called back"),
            "feedback.assign_complaint": lambda c, w: feedback.assign_complaint(c, d(w).complaint(),
                                                                                d(w).boss.user.staff_id),
            "feedback.practitioner_ratings": lambda c, w: feedback.practitioner_ratings(c, d(w).floor.centre)},
        Action.CARE_RULES_MANAGE: {
            "rules.list_rules": lambda c, w: rules.list_rules(c),
            "rules.save_rule": lambda c, w: rules.save_rule(c, _rule_text()),
            "rules.rule_history": lambda c, w: rules.rule_history(c, "low-adherence"),
            "rules.list_firings": lambda c, w: rules.list_firings(c)},
        Action.CARE_TASKS_WORK: {
            "rules.review_adherence": lambda c, w: rules.review_adherence(
                c, d(w).floor.plan, week_ending=START + timedelta(days=7)),
            "rules.review_centre_adherence": lambda c, w: rules.review_centre_adherence(
                c, d(w).floor.centre, week_ending=START + timedelta(days=7)),
            "rule_tasks.list_tasks": lambda c, w: rule_tasks.list_tasks(c, d(w).floor.centre),
            "rule_tasks.complete_task": lambda c, w: rule_tasks.complete_task(c, d(w).task()),
            "rule_tasks.session_flags": lambda c, w: rule_tasks.session_flags(c, [d(w).session_id])},
    }
