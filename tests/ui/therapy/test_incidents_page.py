"""The incidents page on a real clinic: a therapist reports, a doctor investigates, resolves with a note, closes."""

from PySide6.QtCore import Qt

from clinicdesk.domain.roles import Role
from clinicdesk.ui.therapy.incidents_page import SEVERITY_COLOURS, IncidentEvent, IncidentsPage


def _page(qtbot, course, runner, role) -> IncidentsPage:
    page = IncidentsPage(course.app(role, runner))
    qtbot.addWidget(page)
    page.show()
    return page


def test_an_incident_is_reported_and_moved_along_to_closed(qtbot, course, runner):
    therapist = _page(qtbot, course, runner, Role.THERAPIST)
    assert therapist.report_button.isVisible() and not therapist.move_buttons[IncidentEvent.RESOLVE].isVisible()
    dialog = therapist.open_report(course.sessions["abh-5"].id)
    dialog.save_button.click()  # no description: the service's sentence, the dialog stays
    assert dialog.banner.isVisible() and dialog.isVisible()
    dialog.severity.setCurrentIndex(dialog.severity.findData("moderate"))
    dialog.description.setPlainText("Oil too hot at the start of Abhyanga; patient flinched")
    dialog.immediate_action.setPlainText("Stopped, cooled the oil to 38 °C, checked the skin")
    vaidya = course.world.staff["vaidya"]
    dialog.owner.setCurrentIndex(dialog.owner.findData(vaidya))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert len(therapist.model.items) == 1
    item = therapist.model.items[0]
    assert (item.severity, item.status, item.follow_up_owner_id) == ("moderate", "open", vaidya)
    row = [therapist.model.index(0, column).data() for column in range(7)]
    assert row[1:3] == ["Moderate", "Open"] and row[5] == "Dr. Vaidya Nair"
    brush = therapist.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert brush.color().name() == SEVERITY_COLOURS["moderate"]

    doctor = _page(qtbot, course, runner, Role.DOCTOR)
    doctor.select(item.id)
    buttons = doctor.move_buttons
    assert buttons[IncidentEvent.INVESTIGATE].isEnabled() and not buttons[IncidentEvent.CLOSE].isEnabled()
    buttons[IncidentEvent.INVESTIGATE].click()
    assert doctor.selected().status == "investigating"
    buttons[IncidentEvent.RESOLVE].click()  # a resolution needs a note
    assert doctor.banner.isVisible() and doctor.selected().status == "investigating"
    doctor.note.setText("Thermometer checks added to the Abhyanga SOP")
    buttons[IncidentEvent.RESOLVE].click()
    assert not doctor.banner.isVisible() and doctor.model.items == []  # resolved leaves the open list
    doctor.show_all.setChecked(True)
    doctor.select(item.id)
    assert doctor.selected().status == "resolved"
    assert "Thermometer checks" in doctor.selected().resolution
    assert doctor.note.text() == ""
    buttons[IncidentEvent.CLOSE].click()
    assert doctor.selected().status == "closed"
    assert not any(button.isEnabled() for button in buttons.values())


def test_the_sop_runner_reports_an_incident_linked_to_its_session(qtbot, course, runner):
    from clinicdesk.services import incidents
    from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog

    sop = SopRunnerDialog(course.app(Role.THERAPIST, runner), course.sessions["abh-5"].id)
    qtbot.addWidget(sop)
    sop.show()
    dialog = sop.open_incident()
    dialog.severity.setCurrentIndex(dialog.severity.findData("near_miss"))
    dialog.description.setPlainText("Wrong oil picked up, noticed before use")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    found = incidents.list_incidents(course.world.ctx(Role.DOCTOR), course.world.centre)
    assert [(i.severity, i.session_id, i.patient_id) for i in found] == [
        ("near_miss", sop.session_id, course.world.patient)]
