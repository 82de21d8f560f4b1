"""The outcome dialog on a real clinic: scores reach the outcomes service; nothing scored is refused on screen."""

from clinicdesk.domain.roles import Role
from clinicdesk.domain.therapy_sessions import SessionEvent
from clinicdesk.services import outcomes
from clinicdesk.ui.therapy.outcome_dialog import TOUCH, OutcomeDialog
from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog


def test_scores_are_saved_for_the_session(qtbot, course, runner):
    app = course.app(Role.THERAPIST, runner)
    session = course.sessions["abh-5"]
    dialog = OutcomeDialog(app, course.plan_id, session.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.save_button.click()  # nothing scored: the service's sentence, the dialog stays
    assert dialog.banner.isVisible() and dialog.isVisible()
    edit, box = dialog.symptoms[0]
    assert box.minimumHeight() >= TOUCH and box.text() == "—"
    box.setValue(6)
    dialog.symptoms[3][0].setText("Headache")
    dialog.symptoms[3][1].setValue(2)
    dialog.scores["energy"].setValue(7)
    dialog.scores["sleep"].setValue(5)
    dialog.side_effects.setPlainText("Mild nausea")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    series = outcomes.progress_series(course.world.ctx(Role.DOCTOR), course.plan_id)
    point = series.points[-1]
    assert point.symptom_scores == {edit.text(): 6, "Headache": 2}
    assert (point.energy, point.sleep, point.digestion, point.side_effects) == (7, 5, None, "Mild nausea")
    assert point.session_key == "abh-5"


def test_the_sop_runner_offers_the_outcome_after_recovery(qtbot, course, runner):
    sop = SopRunnerDialog(course.app(Role.THERAPIST, runner), course.sessions["abh-5"].id)
    qtbot.addWidget(sop)
    sop.show()
    assert not sop.outcome_button.isEnabled()
    for event in (SessionEvent.PREPARE, SessionEvent.START, SessionEvent.RECOVER):
        sop.move(event)
    assert sop.detail.board.status == "recovery" and sop.outcome_button.isEnabled()
    dialog = sop.open_outcome()
    assert dialog.session_id == sop.session_id and dialog.plan_id == course.plan_id
    dialog.reject()


def test_the_board_offers_the_outcome_of_a_session_in_recovery(qtbot, course, runner):
    from clinicdesk.services import therapy_sessions
    from clinicdesk.ui.therapy.board_page import TherapyBoardPage

    app = course.app(Role.THERAPIST, runner)
    session = course.sessions["abh-5"]
    page = TherapyBoardPage(app)
    qtbot.addWidget(page)
    page.show()
    page.show_day(session.start.date())
    page.select(session.id)
    assert not page.outcome_button.isEnabled()
    for event in ("prepare", "start", "recover"):
        therapy_sessions.move_session(app.ctx, session.id, event)
    page.refresh()
    page.select(session.id)
    assert page.outcome_button.isEnabled()
    dialog = page.open_outcome()
    assert dialog.session_id == session.id
    dialog.reject()
