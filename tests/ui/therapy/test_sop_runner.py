"""The SOP runner on a real clinic: steps in order, values, timers, skips as deviations, stock, refused completion."""

from decimal import Decimal

from clinicdesk.domain.roles import Role
from clinicdesk.domain.therapy_sessions import SessionEvent
from clinicdesk.services import therapy_sessions
from clinicdesk.ui.therapy.sop_runner import TOUCH, SopRunnerDialog


def _runner(qtbot, course, runner) -> SopRunnerDialog:
    dialog = SopRunnerDialog(course.app(Role.THERAPIST, runner), course.sessions["abh-5"].id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_session_runs_through_its_sop_on_screen(qtbot, course, runner, clock):
    dialog = _runner(qtbot, course, runner)
    assert list(dialog.cards) == [1, 2, 3, 4, 5, 6, 7]
    assert "safety check" in dialog.cards[1].findChildren(type(dialog.header))[0].text()
    assert "50–100 beats/min" in dialog.cards[2].details.text()
    assert "DHANWANTARAM 150" in dialog.cards[4].details.text()
    assert dialog.cards[1].done_button.minimumHeight() >= TOUCH
    dialog.cards[1].done_button.click()  # not yet prepared: the service's sentence shows
    assert dialog.banner.isVisible() and "scheduled" in dialog.banner.text()

    dialog.move_buttons[SessionEvent.PREPARE].click()
    assert dialog.detail.board.status == "in_preparation" and not dialog.banner.isVisible()
    dialog.vitals["pulse_bpm"].setText("74")
    dialog.vitals["bp_systolic"].setText("122")
    dialog.vitals_before.click()
    assert "before" in dialog.vitals_label.text() and "pulse_bpm 74" in dialog.vitals_label.text()
    dialog.cards[1].done_button.click()
    dialog.cards[2].value.setText("74")
    dialog.cards[2].done_button.click()
    dialog.cards[3].value.setText("38.5")
    dialog.cards[3].done_button.click()
    assert dialog.cards[1].done_button is None and "Done: 74" in dialog.cards[2].details.text()
    dialog.move_buttons[SessionEvent.START].click()

    card = dialog.cards[4]
    assert card.clock.text() == "45:00"
    card.timer_button.click()
    for _ in range(3):
        card.timer.timeout.emit()
    assert card.clock.text() == "44:57"
    dialog.vitals["pulse_bpm"].setText("76")
    dialog.vitals_before.click()  # a write rebuilds the cards; the running timer carries on
    card = dialog.cards[4]
    assert card.clock.text() == "44:57" and card.timer.isActive()
    card.timer.timeout.emit()
    assert card.clock.text() == "44:56"
    card.done_button.click()  # oil taken from stock by the service
    detail = therapy_sessions.session_detail(course.world.ctx(Role.THERAPIST), dialog.session_id)
    assert detail.steps[3].outcome == "done"
    assert [(m["item"], m["quantity"]) for m in detail.materials] == [("Dhanwantaram taila", Decimal(150))]

    dialog.cards[5].skip_button.click()  # a skip needs a reason
    assert dialog.banner.isVisible() and dialog.cards[5].done_button is not None
    dialog.cards[5].reason.setText("Patient brought her own towels")
    dialog.cards[5].skip_button.click()
    assert "Skipped (deviation): Patient brought her own towels" in dialog.cards[5].details.text()

    dialog.move_buttons[SessionEvent.RECOVER].click()
    complete = dialog.move_buttons[SessionEvent.COMPLETE]
    assert not complete.isEnabled() and "7" in complete.toolTip()  # step 7 is mandatory and open
    dialog.move(SessionEvent.COMPLETE)  # even if asked, the service refuses and says why
    assert "mandatory SOP steps are open: step 7" in dialog.banner.text()
    dialog.cards[7].done_button.click()
    assert complete.isEnabled()
    complete.click()
    assert dialog.detail.board.status == "completed" and dialog.detail.board.deviations == 1


def test_short_stock_is_shown_and_the_step_stays_open(qtbot, course, runner):
    dialog = _runner(qtbot, course, runner)
    dialog.move(SessionEvent.PREPARE)
    for no in (1, 2, 3):
        if dialog.cards[no].value is not None:
            dialog.cards[no].value.setText("74" if no == 2 else "38")
        dialog.cards[no].done_button.click()
    dialog.move(SessionEvent.START)
    dialog.record(4, materials={"DHANWANTARAM": Decimal(99999)})
    assert dialog.banner.isVisible() and "DHANWANTARAM" in dialog.banner.text().upper()
    assert dialog.cards[4].done_button is not None
