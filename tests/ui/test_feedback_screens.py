"""The feedback loop's screens on a real clinic: the feedback form from the board, complaints, care rules, tasks."""

import os

import pytest

from clinicdesk.domain.outcomes import OutcomeReport
from clinicdesk.domain.roles import Role
from clinicdesk.services import feedback, outcomes, rule_tasks, therapy_plans
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.feedback.complaints_page import ComplaintsPage
from clinicdesk.ui.feedback.rules_page import CareRulesPage
from clinicdesk.ui.feedback.tasks_page import TasksPage
from clinicdesk.ui.therapy.board_page import TherapyBoardPage
from tests.services.feedback_world import build_feedback_world
from tests.services.therapy_world import at_local

SHOTS = os.environ.get("CLINICDESK_N2_SHOTS", "/tmp")  # where the screenshots for the review go


@pytest.fixture
def world(admin_ctx, clock):
    made = build_feedback_world(admin_ctx)
    day = therapy_plans.plan_summary(admin_ctx, made.plan).sessions[0].start.date()
    clock.now = at_local(day, "06:50")
    return made


def _app(world, role, runner) -> AppContext:
    return AppContext(world.ctx(role), runner)


def _board_feedback(qtbot, world, runner, key="abh-5"):
    app = _app(world, Role.FRONT_DESK, runner)
    session = {s.key: s for s in therapy_plans.plan_summary(world.ctx(Role.DOCTOR), world.plan).sessions}[key]
    page = TherapyBoardPage(app)
    qtbot.addWidget(page)
    page.show()
    page.show_day(session.start.date())
    page.select(session.id)
    return page


def test_the_board_offers_feedback_only_once_the_session_has_run(qtbot, world, runner):
    page = _board_feedback(qtbot, world, runner)
    assert page.feedback_button.isVisible() and not page.feedback_button.isEnabled()
    world.set_status("abh-5", "completed")
    page.refresh()
    page.select(world.sessions["abh-5"])
    assert page.feedback_button.isEnabled()


def test_the_feedback_form_refuses_missing_ratings_then_saves_and_a_low_rating_opens_a_complaint(qtbot, world,
                                                                                                  runner):
    world.set_status("abh-5", "completed")
    page = _board_feedback(qtbot, world, runner)
    dialog = page.open_feedback()
    qtbot.addWidget(dialog)
    assert dialog.after_session.isChecked() and "Lakshmi" not in dialog.windowTitle()  # no patient data in titles
    dialog.save_button.click()  # nothing rated: each missing rating named, the dialog stays open
    assert dialog.isVisible()
    text = dialog.banner.text()
    assert "Treatment effectiveness must be rated from 1 to 5" in text
    assert "Likelihood to recommend must be a score from 0 to 10 (not -1)" in text
    for name, value in {"effectiveness": 3, "practitioner": 4, "facility": 2, "staff": 3, "value": 3,
                        "overall": 2}.items():
        dialog.ratings[name].set_value(value)
    dialog.recommend.set_value(4)
    dialog.comment.setPlainText("Waited twenty minutes in a cold room before the massage")
    dialog.errors.clear()  # the screenshot shows the filled form, not the earlier refusal
    qtbot.wait(20)  # let the layout close the banner's space
    assert dialog.grab().save(os.path.join(SHOTS, "n2_feedback.png"))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    (complaint,) = feedback.list_complaints(world.ctx(Role.CUSTOMER_RELATIONS), world.therapy.centre)
    assert complaint.source == "rule:low-overall-rating" and complaint.patient_name.startswith("Lakshmi")


def test_anonymous_feedback_from_the_form_has_no_patient(qtbot, world, runner):
    world.set_status("abh-5", "completed")
    dialog = _board_feedback(qtbot, world, runner).open_feedback()
    qtbot.addWidget(dialog)
    for row in dialog.ratings.values():
        row.set_value(1)
    dialog.recommend.set_value(0)
    dialog.anonymous.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    (complaint,) = feedback.list_complaints(world.ctx(Role.DOCTOR), world.therapy.centre)
    assert (complaint.patient_id, complaint.patient_name) == (None, "Anonymous")


def test_the_complaint_workflow_on_screen(qtbot, world, runner):
    desk = world.ctx(Role.FRONT_DESK)
    feedback.open_complaint(desk, "Invoice shows a session that was cancelled", patient_id=world.therapy.patient)
    page = ComplaintsPage(_app(world, Role.CUSTOMER_RELATIONS, runner))
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 1 and page.selected() is not None
    buttons = page.move_buttons
    assert [b.isEnabled() for b in buttons.values()] == [True, False, False, False]  # start only: no skipping
    page.response.setText("Calling the patient now")
    buttons[next(iter(buttons))].click()
    assert page.selected().status == "in_progress" and page.response.text() == ""
    resolve = list(buttons.values())[1]
    resolve.click()  # no response typed: refused with the reason
    assert page.banner.isVisible() and "must say what was done" in page.banner.text()
    page.response.setText("Cancelled session removed from the invoice")
    resolve.click()
    assert page.selected().status == "resolved"
    assert "Cancelled session removed from the invoice" in page.history.toPlainText()


def test_the_rules_page_shows_rules_in_words_refuses_an_invalid_edit_and_logs_firings(qtbot, world, runner):
    outcomes.record_outcome(world.ctx(Role.NURSE), world.plan, OutcomeReport({"Nausea": 8}),
                            session_id=world.sessions["vir-7"])
    page = CareRulesPage(_app(world, Role.DOCTOR, runner))
    qtbot.addWidget(page)
    page.resize(1150, 760)
    page.show()
    keys = [r.key for r in page.rule_model.rows()]
    assert keys == ["low-adherence", "low-overall-rating", "vamana-nausea", "virechana-nausea"]
    page.rule_table.selectRow(3)
    assert page.words.text().startswith("If nausea is 6/10 or worse after Virechana")
    good = page.editor.toPlainText()
    page.editor.setPlainText(good.replace('"at_least": 6', '"at_least": 11'))
    assert not page.save_button.isEnabled() and "must be compared with a whole number from 0 to 10 (not 11)" \
        in page.check.text()
    assert page.grab().save(os.path.join(SHOTS, "n2_rules_refused.png"))
    page.editor.setPlainText(good[:-3])
    assert "is not valid JSON" in page.check.text()
    page.editor.setPlainText(good.replace('"at_least": 6', '"at_least": 5'))
    assert page.save_button.isEnabled() and "nausea is 5/10 or worse" in page.words.text()
    assert page.grab().save(os.path.join(SHOTS, "n2_rules.png"))
    page.save_button.click()
    saved = next(r for r in page.rule_model.rows() if r.key == "virechana-nausea")
    assert (saved.version, saved.saved_by) == (1, "Floor doctor")
    (firing,) = page.firing_model.rows()
    assert firing.evidence == {"symptom:nausea": 8, "therapy": "virechana"}
    page.tabs.setCurrentIndex(1)
    assert page.grab().save(os.path.join(SHOTS, "n2_rules_log.png"))


def test_the_task_list_shows_the_call_and_marks_it_done(qtbot, world, runner):
    nurse = world.ctx(Role.NURSE)
    outcomes.record_outcome(nurse, world.plan, OutcomeReport({"nausea": 9}), session_id=world.sessions["vir-7"])
    page = TasksPage(_app(world, Role.DOCTOR, runner))
    qtbot.addWidget(page)
    page.show()
    (task,) = page.model.rows()
    assert task.kind == "call_patient" and task.assignee_name == "Floor doctor"
    page.table.selectRow(0)
    page.done_button.click()
    assert page.model.rows() == [] and rule_tasks.list_tasks(nurse, world.therapy.centre) == []


def test_the_board_shows_the_reduced_intensity_mark_a_care_rule_set(qtbot, world, runner):
    outcomes.record_outcome(world.ctx(Role.NURSE), world.plan, OutcomeReport({"nausea": 7}),
                            session_id=world.sessions["vir-7"])
    page = _board_feedback(qtbot, world, runner, key="basa-9")
    item = page.selected()
    assert item.session_id == world.sessions["basa-9"]
    status = page.model.index(page.model.items.index(item), 5).data()
    assert status.endswith(" · reduced intensity")


def test_reviewing_the_week_from_the_task_list_asks_the_desk_to_offer_other_slots(qtbot, world, runner, clock):
    vir = {s.key: s for s in therapy_plans.plan_summary(world.ctx(Role.DOCTOR), world.plan).sessions}["vir-7"]
    clock.now = at_local(vir.start.date(), "20:00")
    for key in ("sneha-1", "sneha-2", "sneha-3", "abh-5"):
        world.set_status(key, "completed")  # 4 of the week's 9: 44 %
    page = TasksPage(_app(world, Role.FRONT_DESK, runner))
    qtbot.addWidget(page)
    page.show()
    assert page.model.rows() == []
    page.review_button.click()
    assert [t.kind for t in page.model.rows()] == ["propose_other_slots"]
    assert "adherence over the week 44 %" in page.model.rows()[0].reason
