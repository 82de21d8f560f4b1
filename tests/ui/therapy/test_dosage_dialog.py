"""Logging a dose from the SOP runner on a real clinic: refused with a sentence, then kept and shown."""

from clinicdesk.domain.roles import Role
from clinicdesk.domain.therapy_sessions import SessionEvent
from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog


def test_a_dose_is_logged_from_the_sop_runner(qtbot, course, runner):
    sop = SopRunnerDialog(course.app(Role.THERAPIST, runner), course.sessions["abh-5"].id)
    qtbot.addWidget(sop)
    sop.show()
    sop.move(SessionEvent.PREPARE)
    dialog = sop.open_dosage()
    dialog.medicine.setText("Guggulu tiktaka ghrita")
    dialog.quantity.setText("lots")
    dialog.save_button.click()
    assert dialog.banner.isVisible() and dialog.isVisible()
    dialog.quantity.setText("30")
    dialog.route.setCurrentIndex(dialog.route.findData("oral"))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert [(d["medicine"], d["unit"]) for d in sop.detail.dosages] == [("Guggulu tiktaka ghrita", "ml")]
    assert "Guggulu tiktaka ghrita 30 ml oral" in sop.vitals_label.text()
