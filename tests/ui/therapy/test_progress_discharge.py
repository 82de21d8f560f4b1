"""The plan's progress dialog offers the course's discharge summary once the course is completed."""

from clinicdesk.domain.roles import Role
from clinicdesk.services import therapy_plans
from clinicdesk.ui.documents.discharge_dialog import DischargeSummaryDialog
from clinicdesk.ui.therapy.progress_chart import ProgressDialog


def test_the_discharge_summary_waits_for_the_end_of_the_course_then_prints_this_course(qtbot, course, runner,
                                                                                      tmp_path):
    dialog = ProgressDialog(course.app(Role.DOCTOR, runner), course.plan_id)
    qtbot.addWidget(dialog)
    button = dialog.discharge_button
    assert button.isVisibleTo(dialog) and button.text() == "Discharge summary…"
    assert not button.isEnabled() and button.toolTip() == "Available once the course is completed"
    assert dialog.open_discharge_summary() is None

    # completed elsewhere: the dialog follows the app-wide change signal
    runner.run(therapy_plans.transition_plan, course.world.ctx(Role.DOCTOR), course.plan_id, "complete")
    assert button.isEnabled() and "this course" in button.toolTip()
    button.click()
    summary = dialog.findChild(DischargeSummaryDialog)
    assert summary is not None and (summary.patient_id, summary.plan_id) == (dialog.chart.summary.patient_id,
                                                                            course.plan_id)
    assert summary.status.text().startswith("This course is printed")
    target = tmp_path / "discharge.pdf"
    summary._with_pdf(lambda pdf: summary._save(pdf, str(target)))
    assert target.read_bytes().startswith(b"%PDF") and "Saved as discharge.pdf" in summary.status.text()
    assert summary.status.text().startswith("Saved as")
    latest = DischargeSummaryDialog(dialog.app, summary.patient_id)  # the profile's button: the latest course
    qtbot.addWidget(latest)
    assert latest.status.text().startswith("The latest course is printed")


def test_a_role_that_may_not_print_does_not_see_the_button(qtbot, course, runner):
    dialog = ProgressDialog(course.app(Role.THERAPIST, runner), course.plan_id)
    qtbot.addWidget(dialog)
    assert not dialog.discharge_button.isVisibleTo(dialog)
