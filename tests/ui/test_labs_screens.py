"""The Labs, Forms and Timeline tabs of the profile: entry with a critical banner, the form renderer, filters."""

from datetime import date
from decimal import Decimal

from clinicdesk.domain.labs import LabEntry, ReferenceRange
from clinicdesk.domain.roles import Role
from clinicdesk.services import consultations, lab_results
from clinicdesk.ui.reception.profile_view import ProfileView


def _profile(qtbot, app, patient_id) -> ProfileView:
    view = ProfileView(app)
    qtbot.addWidget(view)
    view.show()
    view.show_patient(patient_id)
    return view


def test_entering_a_critical_result_shows_the_banner_and_the_trend(qtbot, app_for_role, some_patients):
    patient_id = some_patients["Anitha Sharma"]
    doctor = app_for_role(Role.DOCTOR)
    consultations.start_consultation(doctor.ctx, patient_id)
    lab_results.record_lab_result(doctor.ctx, patient_id, LabEntry(
        "Haemoglobin", date(2026, 11, 1), "9.8", "g/dL", ReferenceRange(Decimal("12"), Decimal("16"))))
    view = _profile(qtbot, doctor, patient_id)
    tab = view.labs
    view.tabs.setCurrentWidget(tab)
    assert view.tabs.indexOf(tab) >= 0 and not tab.critical.isVisible()
    tab.test.setText("Haemoglobin")
    tab.value.setText("6.2")
    tab.unit.setText("g/dL")
    for edit, text in ((tab.low, "12"), (tab.high, "16"), (tab.critical_low, "7")):
        edit.setText(text)
    tab.save()
    assert tab.model.index(0, 4).data() == "CRITICAL"
    assert tab.critical.isVisible() and "Test doctor was alerted" in tab.critical.text()
    assert [str(p.value) for p in tab.trend.points] == ["9.8", "6.2"]
    assert tab.trend.title == "Haemoglobin — falling"


def test_a_bad_entry_is_explained_and_saves_nothing(qtbot, app_for_role, some_patients):
    view = _profile(qtbot, app_for_role(Role.NURSE), some_patients["Anitha Sharma"])
    tab = view.labs
    tab.test.setText("Urine sugar")
    tab.value.setText("trace")
    tab.low.setText("abc")
    tab.save()
    assert "Reference range limit 'abc' is not a number" in tab.banner.text()
    tab.low.clear()
    tab.save()
    assert "Flag must be chosen" in tab.banner.text() and tab.model.rowCount() == 0


def test_front_desk_has_no_labs_tab_and_no_lab_entries_on_the_timeline(qtbot, app_for_role, some_patients):
    view = _profile(qtbot, app_for_role(Role.FRONT_DESK), some_patients["Anitha Sharma"])
    assert view.tabs.indexOf(view.labs) == -1
    kinds = [view.timeline.kind.itemData(i) for i in range(view.timeline.kind.count())
             if view.timeline.kind.model().item(i).isEnabled()]
    assert "lab" not in kinds and "document" in kinds


def test_the_form_renderer_builds_inputs_marks_problems_and_saves(qtbot, app_for_role, some_patients):
    view = _profile(qtbot, app_for_role(Role.FRONT_DESK), some_patients["Anitha Sharma"])
    forms = view.forms
    assert [forms.choice.itemText(i) for i in range(forms.choice.count())] == [
        "General intake (v1)", "Panchakarma pre-assessment (v1)"]
    dialog = forms.open_fill(filled_on="tablet")
    renderer = dialog.renderer
    assert set(renderer.inputs) >= {"chief_complaint", "severity", "diabetes", "tried_before", "since"}
    assert all(b.minimumHeight() >= 44 for b, _ in renderer.inputs["diabetes"].buttons)  # touch-sized
    dialog.save()
    assert "Main problem in your own words is required" in dialog.banner.text()
    assert renderer.inputs["chief_complaint"].property("invalid") is True
    renderer.set_answers({"chief_complaint": "Neck pain", "severity": 4, "diabetes": False, "hypertension": False,
                          "diet": "Vegan", "tried_before": ["Yoga"], "since": "2026-10-01"})
    assert renderer.answers()["since"] == date(2026, 10, 1)
    dialog.save()
    assert not dialog.isVisible()
    assert forms.model.rowCount() == 1 and forms.model.index(0, 3).data() == "Tablet"
    timeline = [view.timeline.model.index(r, 2).data() for r in range(view.timeline.model.rowCount())]
    assert "Form filled: General intake (version 1)" in timeline


def test_timeline_filter_by_kind(qtbot, app_for_role, some_patients):
    view = _profile(qtbot, app_for_role(Role.DOCTOR), some_patients["Anitha Sharma"])
    timeline = view.timeline
    timeline.kind.setCurrentIndex(timeline.kind.findData("registered"))
    assert [timeline.model.index(r, 1).data() for r in range(timeline.model.rowCount())] == ["Registration"]
    assert not timeline.more.isVisible()
