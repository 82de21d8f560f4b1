"""Registration and edit form: bad input is refused field by field and saves nothing; good input is found."""

from datetime import date

from PySide6.QtWidgets import QDialog

from clinicdesk.services import patients
from clinicdesk.ui.reception.patient_form import PatientFormDialog
from clinicdesk.ui.reception.search_view import PatientSearchView


def _count(ctx) -> int:
    return len(patients.search_patients(ctx, "", limit=1000))


def _form(qtbot, app_ctx, profile=None) -> PatientFormDialog:
    form = PatientFormDialog(app_ctx, profile)
    qtbot.addWidget(form)
    form.show()
    return form


def test_bad_input_names_each_field_marks_it_and_saves_nothing(qtbot, app_ctx):
    before = _count(app_ctx.ctx)
    form = _form(qtbot, app_ctx)
    form.field_widget("given_name").setText("Ravi2")
    form.field_widget("phone").setText("12345")
    form.field_widget("email").setText("ravi@")
    form.save()

    assert form.isVisible() and form.result() != QDialog.DialogCode.Accepted
    banner = form.banner.text()
    assert form.banner.isVisible()
    for sentence in ("Given name must not contain digits", "Phone must be a 10-digit Indian number",
                     "Email must be an email address", "Date of birth is required", "Sex must be female"):
        assert sentence in banner
    assert set(form.errors.invalid_fields()) == {"given_name", "phone", "email", "date_of_birth", "sex"}
    assert "10-digit" in form.field_widget("phone").toolTip()
    assert form.field_widget("given_name").text() == "Ravi2"  # the person's typing is kept
    assert _count(app_ctx.ctx) == before


def test_fixing_the_fields_clears_the_marks_and_registers(qtbot, app_ctx):
    form = _form(qtbot, app_ctx)
    form.field_widget("given_name").setText("Ravi")
    form.save()
    assert "phone" in form.errors.invalid_fields()
    form.field_widget("family_name").setText("Kumar")
    form.field_widget("name_local").setText("रवि कुमार")
    form.field_widget("phone").setText("98470 11223")
    form.field_widget("sex").set_value("male")
    form.field_widget("date_of_birth").set_value(date(1979, 5, 4))
    with qtbot.waitSignal(form.saved) as saved:
        form.save()
    assert form.errors.invalid_fields() == []
    assert form.result() == QDialog.DialogCode.Accepted
    profile = patients.get_profile(app_ctx.ctx, saved.args[0])
    assert profile.draft.phone == "+919847011223" and profile.draft.name_local == "रवि कुमार"


def test_a_registered_patient_appears_in_search(qtbot, app_ctx):
    view = PatientSearchView(app_ctx)
    qtbot.addWidget(view)
    view.show()
    form = view.open_registration()
    form.field_widget("given_name").setText("Lakshmi")
    form.field_widget("family_name").setText("Pillai")
    form.field_widget("phone").setText("+91 94470 55667")
    form.field_widget("sex").set_value("female")
    form.age.setValue(60)  # age only: the date of birth is estimated
    form.save()
    view.search_box.setText("Laksh")
    view.search_now()
    assert [view.model.index(r, 1).data() for r in range(view.model.rowCount())] == ["Lakshmi Pillai"]
    assert view.model.index(0, 2).data() == "60 y F"


def test_editing_with_a_stale_version_is_refused_and_keeps_the_input(qtbot, app_ctx, some_patients):
    patient_id = some_patients["Anitha Sharma"]
    profile = patients.get_profile(app_ctx.ctx, patient_id)
    form = _form(qtbot, app_ctx, profile)
    assert form.field_widget("given_name").text() == "Anitha"
    assert "XXXX" not in form.field_widget("aadhaar").placeholderText()  # none stored for her
    # Someone else saves first.
    patients.update_patient(app_ctx.ctx, patient_id, profile.draft.__class__(**{**profile.draft.__dict__,
                                                                                 "city": "Kochi"}),
                            expected_version=profile.row_version)
    form.field_widget("city").setText("Thrissur")
    form.save()
    assert form.isVisible()
    assert "Someone else changed this patient" in form.banner.text()
    assert form.field_widget("city").text() == "Thrissur"
    assert patients.get_profile(app_ctx.ctx, patient_id).draft.city == "Kochi"


def test_edit_form_shows_the_masked_aadhaar_as_a_hint_only(qtbot, app_ctx, some_patients):
    profile = patients.get_profile(app_ctx.ctx, some_patients["Jisha Chacko"])
    form = _form(qtbot, app_ctx, profile)
    aadhaar = form.field_widget("aadhaar")
    assert aadhaar.text() == "" and "XXXX XXXX 0124" in aadhaar.placeholderText()
    assert form.windowTitle() == "Edit patient record"  # no patient data in window titles
