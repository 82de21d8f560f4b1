"""Feedback after a session or a course, anonymous feedback, complaints and their workflow, practitioner ratings."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from clinicdesk.domain.feedback import FeedbackForm
from clinicdesk.domain.roles import Role
from clinicdesk.services import feedback, rules
from clinicdesk.store.models_feedback import ComplaintRow, FeedbackRow, RuleFiringRow
from clinicdesk.store.models_scheduling import AppointmentStaffRow
from tests.services.feedback_world import build_feedback_world
from tests.services.helpers import audit_rows, count_rows

GOOD = {"effectiveness": 4, "practitioner": 5, "facility": 4, "staff": 4, "value": 3, "overall": 4}


@pytest.fixture
def world(admin_ctx):
    return build_feedback_world(admin_ctx)


def _form(scope="session", anonymous=False, comment="", recommend=8, **ratings):
    return FeedbackForm(scope, GOOD | ratings, recommend, comment, anonymous)


def _row(ctx, model, row_id):
    with ctx.db.session() as session:
        return session.get(model, row_id)


def test_feedback_after_a_completed_session_is_linked_and_rated_for_its_practitioner(world):
    desk = world.ctx(Role.FRONT_DESK)
    session_id = world.set_status("abh-5", "completed")
    feedback_id, changes = feedback.submit_feedback(desk, _form(comment="Gentle hands"), session_id=session_id)
    row = _row(desk, FeedbackRow, feedback_id)
    assert (row.patient_id, row.plan_id, row.session_id, row.therapy) == (
        world.therapy.patient, world.plan, session_id, "abhyanga")
    with desk.db.session() as session:
        therapists = set(session.scalars(select(AppointmentStaffRow.staff_id)))
    assert row.practitioner_id in therapists and (row.overall, row.recommend) == (4, 8) and changes.therapy
    assert count_rows(desk, ComplaintRow) == 0  # nothing low, no complaint
    assert [(r.action, r.entity_id) for r in audit_rows(desk) if r.action == "feedback.submit"] == [
        ("feedback.submit", feedback_id)]


def test_anonymous_feedback_keeps_no_patient_link_but_a_low_rating_still_opens_a_complaint(world):
    desk, relations = world.ctx(Role.FRONT_DESK), world.ctx(Role.CUSTOMER_RELATIONS)
    world.set_status("abh-5", "completed")
    feedback_id, _ = feedback.submit_feedback(desk, _form(scope="course", anonymous=True, overall=2,
                                                          comment="Rooms were cold"), plan_id=world.plan)
    row = _row(desk, FeedbackRow, feedback_id)
    assert (row.patient_id, row.plan_id, row.session_id, row.anonymous) == (None, None, None, True)
    assert row.practitioner_id == world.ctx(Role.DOCTOR).user.staff_id  # the course's doctor, for the ratings
    (complaint,) = feedback.list_complaints(relations, world.therapy.centre)
    assert (complaint.patient_id, complaint.patient_name, complaint.status, complaint.source) == (
        None, "Anonymous", "pending", "rule:low-overall-rating")
    assert complaint.summary == "Overall rating of 2 or less (the overall rating 2/5)"
    with desk.db.session() as session:
        (firing,) = session.scalars(select(RuleFiringRow))
        assert firing.patient_id is None and firing.evidence == {"rating:overall": 2}


@pytest.mark.parametrize(("overall", "complaints"), [(1, 1), (2, 1), (3, 0), (5, 0)])
def test_a_rating_of_2_or_less_opens_a_complaint(world, overall, complaints):
    session_id = world.set_status("abh-5", "recovery")
    feedback.submit_feedback(world.ctx(Role.THERAPIST), _form(overall=overall), session_id=session_id)
    assert count_rows(world.ctx(Role.ADMIN), ComplaintRow) == complaints


@pytest.mark.parametrize(("scope", "key", "status", "message"), [
    ("session", None, None, "Session must be chosen for feedback after a session"),
    ("session", "abh-5", "scheduled", "Session must have been run (in recovery or completed) before it is rated"),
    ("course", None, None, "Course must be chosen for feedback after a course"),
    ("course", "plan", None, "Course must have at least one completed session before it is rated"),
])
def test_feedback_on_something_not_yet_run_is_refused_and_nothing_is_kept(world, scope, key, status, message):
    desk = world.ctx(Role.FRONT_DESK)
    target = {}
    if key == "plan":
        target["plan_id"] = world.plan
    elif key:
        target["session_id"] = world.set_status(key, status)
    with pytest.raises(ValidationError, match=re.escape(message)):
        feedback.submit_feedback(desk, _form(scope=scope), **target)
    assert count_rows(desk, FeedbackRow) == 0


def test_a_bad_rating_is_refused_before_anything_is_saved(world):
    session_id = world.set_status("abh-5", "completed")
    with pytest.raises(ValidationError, match="Overall must be a rating from 1 to 5"):
        feedback.submit_feedback(world.ctx(Role.FRONT_DESK), _form(overall=9), session_id=session_id)
    assert count_rows(world.ctx(Role.ADMIN), FeedbackRow) == 0


def test_the_complaint_workflow_with_owner_and_responses(world, clock):
    desk, relations = world.ctx(Role.FRONT_DESK), world.ctx(Role.CUSTOMER_RELATIONS)
    complaint_id, _ = feedback.open_complaint(desk, "Waited 40 minutes past the booked time",
                                              patient_id=world.therapy.patient)
    with pytest.raises(IllegalTransition, match="pending, so it cannot be resolved"):
        feedback.move_complaint(relations, complaint_id, "resolve", response="Apologised")
    with pytest.raises(PermissionDenied):
        feedback.move_complaint(desk, complaint_id, "start")
    feedback.move_complaint(relations, complaint_id, "start", response="Calling her this afternoon")
    clock.advance(hours=3)
    feedback.respond_to_complaint(relations, complaint_id, "Spoke to her; offered the 9:00 slot")
    with pytest.raises(ValidationError, match="must say what was done"):
        feedback.move_complaint(relations, complaint_id, "resolve")
    feedback.move_complaint(relations, complaint_id, "resolve", response="Rebooked at 9:00, first of the day")
    with pytest.raises(ValidationError, match="Event must be one of"):
        feedback.move_complaint(relations, complaint_id, "escalate")
    feedback.move_complaint(relations, complaint_id, "close")
    assert feedback.list_complaints(relations, world.therapy.centre) == []  # closed ones are hidden by default
    (item,) = feedback.list_complaints(relations, world.therapy.centre, open_only=False)
    assert (item.status, item.owner_name, item.patient_name.split()[0]) == ("closed", "Floor customer_relations",
                                                                            "Lakshmi")
    assert [(r.from_status, r.to_status, r.by_name) for r in item.responses] == [
        ("pending", "in_progress", "Floor customer_relations"), ("in_progress", "in_progress",
                                                                 "Floor customer_relations"),
        ("in_progress", "resolved", "Floor customer_relations"), ("resolved", "closed", "Floor customer_relations")]
    assert item.responses[1].at == item.responses[0].at + timedelta(hours=3)
    with pytest.raises(ValidationError, match="closed complaint"):
        feedback.respond_to_complaint(relations, complaint_id, "One more thing")


def test_practitioner_ratings_per_month(world, clock):
    desk, doctor = world.ctx(Role.FRONT_DESK), world.ctx(Role.DOCTOR)
    world.set_status("abh-5", "completed")
    for overall, recommend in ((5, 10), (3, 6)):
        feedback.submit_feedback(desk, _form(scope="course", overall=overall, recommend=recommend),
                                 plan_id=world.plan)
    clock.advance(days=30)
    feedback.submit_feedback(desk, _form(scope="course", overall=4, anonymous=True), plan_id=world.plan)
    months = feedback.practitioner_ratings(doctor, world.therapy.centre)
    assert [(m.practitioner_name, m.month, m.count) for m in months] == [
        ("Floor doctor", "2026-11", 2), ("Floor doctor", "2026-12", 1)]
    assert months[0].averages["overall"] == 4.0 and months[0].averages["recommend"] == 8.0
    assert months[0].averages["value"] == 3.0 and months[1].averages["overall"] == 4.0
    assert feedback.practitioner_ratings(doctor, world.therapy.centre, since=date(2026, 12, 1))[0].count == 1
    with pytest.raises(PermissionDenied):
        feedback.practitioner_ratings(desk, world.therapy.centre)


def test_the_director_edits_a_rule_and_an_invalid_one_is_refused(world):
    doctor = world.ctx(Role.DOCTOR)
    before = rules.list_rules(doctor)
    assert [r.key for r in before] == ["low-adherence", "low-overall-rating", "vamana-nausea", "virechana-nausea"]
    assert all(r.version == 0 and r.saved_by == "" for r in before)
    text = next(r.text for r in before if r.key == "low-overall-rating")
    with pytest.raises(ValidationError, match="condition 1: \"rating:overall\" must be compared with a whole number "
                                              "from 1 to 5 \\(not 7\\)"):
        rules.save_rule(doctor, text.replace('"at_most": 2', '"at_most": 7'))
    with pytest.raises(ValidationError, match="is unchanged"):
        rules.save_rule(doctor, text)
    saved, _ = rules.save_rule(doctor, text.replace('"at_most": 2', '"at_most": 3'))
    assert (saved.version, saved.saved_by) == (1, "Floor doctor")
    assert [r.version for r in rules.rule_history(doctor, "low-overall-rating")] == [1, 0]
    world.set_status("abh-5", "completed")
    feedback.submit_feedback(world.ctx(Role.FRONT_DESK), _form(overall=3), session_id=world.sessions["abh-5"])
    assert count_rows(doctor, ComplaintRow) == 1  # the new threshold is in force
    assert rules.preview_rule(text).startswith("If the overall rating is 2/5 or less")
    with pytest.raises(PermissionDenied):
        rules.save_rule(world.ctx(Role.NURSE), text)
