"""Patient profile: allergies always in view, and each tab records through its service and refreshes."""

from PySide6.QtWidgets import QTabWidget

from clinicdesk.domain.prakriti import PRAKRITI_QUESTIONS, Dosha
from clinicdesk.services import patient_records, patients
from clinicdesk.ui.reception.profile_view import ProfileView
from clinicdesk.ui.widgets import messages


def _profile(qtbot, app_ctx, patient_id) -> ProfileView:
    view = ProfileView(app_ctx)
    qtbot.addWidget(view)
    view.show()
    view.show_patient(patient_id)
    return view


def test_header_shows_identity_and_allergy_chips(qtbot, app_ctx, some_patients):
    patient_id = some_patients["Jisha Chacko"]
    patient_records.add_allergy(app_ctx.ctx, patient_id, "Sesame oil", "rash", "severe")
    view = _profile(qtbot, app_ctx, patient_id)
    header = view.header
    assert header.name.text() == "Jisha Chacko" and header.local_name.text() == "ജിഷ ചാക്കോ"
    assert "KOC-A-" in header.facts.text() and "32 y F" in header.facts.text()
    assert header.chip_texts("allergy") == ["⚠ Sesame oil (rash, severe)"]
    assert isinstance(view.tabs, QTabWidget) and view.tabs.count() == 10  # ... Timeline, Messages, Labs, Forms


def test_adding_and_removing_an_allergy_refreshes_the_chips(qtbot, app_ctx, some_patients, monkeypatch):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    dialog = view.header.open_allergy_dialog()
    dialog.save()
    assert "Allergy substance is required" in dialog.banner.text() and dialog.isVisible()
    dialog.substance.setText("Penicillin")
    dialog.save()
    assert not dialog.isVisible()
    assert view.header.chip_texts("allergy") == ["⚠ Penicillin (moderate)"]
    monkeypatch.setattr("clinicdesk.ui.reception.profile_header.confirm", lambda *a, **k: True)
    view.header._remove_allergy(view.profile.allergies[0].id)
    assert view.header.chip_texts("allergy") == []


def test_medication_dialog_records_a_current_medication(qtbot, app_ctx, some_patients):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    dialog = view.header.open_medication_dialog()
    dialog.name.setText("Triphala churna")
    dialog.dose.setText("5 g")
    dialog.frequency.setText("at bedtime")
    dialog.save()
    assert view.header.chip_texts("medication") == ["Triphala churna 5 g at bedtime"]
    assert view.history.medications.rowCount() == 1


def test_assessment_tab_scores_live_and_saves(qtbot, app_ctx, some_patients):
    view = _profile(qtbot, app_ctx, some_patients["Rohit Tiwari"])
    tab = view.assessment
    tab.answer("frame", Dosha.PITTA)
    assert tab.constitution.text() == "Pitta" and "1 of 12" in tab.answered.text()
    tab.save()
    assert "needs at least 6 answered questions" in tab.banner.text()
    for question, dosha in zip(PRAKRITI_QUESTIONS, [Dosha.VATA, Dosha.PITTA] * 3 + [Dosha.VATA] * 2, strict=False):
        tab.answer(question.key, dosha)
    tab.agni.set_value("vishama (irregular)")
    assert tab.bar.score.vata == 5 and tab.bar.score.pitta == 3
    tab.save()
    assert not tab.banner.isVisible()
    saved = patients.get_profile(app_ctx.ctx, view.patient_id).assessments[0]
    assert (saved.vata, saved.pitta, saved.kapha, saved.prakriti, saved.agni) == (5, 3, 0, "Vata",
                                                                                   "vishama (irregular)")
    assert "Last assessment: Vata" in tab.latest.text()


def test_consents_record_and_withdraw(qtbot, app_ctx, some_patients, monkeypatch):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    tab = view.consents
    tab.renderer.set_answers({"treatment": True, "recording": True, "method": "verbal"})
    tab.record()  # the data-processing statement is required and still unticked
    assert "must be ticked: the patient has to agree" in tab.banner.text()
    assert tab.errors.invalid_fields() == ["data_processing"] and tab.model.rowCount() == 0
    tab.renderer.set_answers({"data_processing": True})
    tab.record()
    assert sorted(tab.model.index(r, 0).data() for r in range(tab.model.rowCount())) == [
        "Audio recording", "Data processing", "Treatment"]
    assert tab.model.index(0, 1).data() == "reg-1" and tab.model.index(0, 5).data() == "In force"
    assert tab.renderer.answers()["treatment"] is False  # the form is cleared for the next one
    tab.withdraw_selected()
    assert "Select the consent" in tab.banner.text()
    monkeypatch.setattr("clinicdesk.ui.reception.consents_tab.confirm", lambda *a, **k: True)
    tab.table.selectRow(0)
    tab.withdraw_selected()
    assert tab.model.index(0, 5).data().startswith("Withdrawn")


def test_preferences_round_trip_and_refuse_half_quiet_hours(qtbot, app_ctx, some_patients):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    tab = view.preferences
    tab.channel_boxes["whatsapp"].setChecked(True)
    tab.channel_boxes["sms"].setChecked(False)
    tab.language.set_value("ml")
    tab.reminder_hours.setValue(6)
    tab.quiet_enabled.setChecked(False)
    tab.marketing.setChecked(True)
    tab.save()
    assert tab.saved_note.text() == "Preferences saved."
    prefs = patients.get_profile(app_ctx.ctx, view.patient_id).preferences
    assert (prefs.channels, prefs.language, prefs.reminder_hours_before, prefs.quiet_start,
            prefs.marketing_opt_in) == (("whatsapp",), "ml", 6, None, True)


def test_documents_add_view_and_refuse_unknown_types(qtbot, app_ctx, some_patients, tmp_path):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    tab = view.documents
    note = tmp_path / "referral.txt"
    note.write_text("Referred for Panchakarma.\n")
    tab.add_file(note, "Referral letter")
    assert tab.model.rowCount() == 1 and tab.model.index(0, 1).data() == "Text"
    tab.table.selectRow(0)
    tab.view_selected()
    assert tab.viewer.isVisible() and "Referred for Panchakarma" in tab.viewer.body.toPlainText()
    tab.viewer.reject()
    bad = tmp_path / "scan.docx"
    bad.write_bytes(b"PK\x03\x04 not allowed")
    tab.add_file(bad, "Scan")
    assert "File must be a PDF, JPEG, PNG or plain-text file" in tab.banner.text()
    assert tab.model.rowCount() == 1


def test_timeline_lists_what_happened_newest_first(qtbot, app_ctx, some_patients, clock):
    patient_id = some_patients["Anitha Sharma"]
    clock.advance(hours=1)
    patient_records.record_consent(app_ctx.ctx, patient_id, kind="treatment", version="1", method="signed")
    view = _profile(qtbot, app_ctx, patient_id)
    texts = [view.timeline.model.index(r, 2).data() for r in range(view.timeline.model.rowCount())]
    assert texts == ["Consent given: treatment", "Registered"]
    assert view.timeline.model.index(0, 0).data() == "26 Nov 2026, 11:00"  # 05:30 UTC shown in IST


def test_a_missing_patient_shows_a_sentence_not_a_crash(qtbot, app_ctx):
    view = _profile(qtbot, app_ctx, "no-such-id")
    assert view.message.isVisible() and "no longer exists" in view.message.text()
    assert not view.header.isVisible()


def test_edit_form_saves_and_the_header_follows(qtbot, app_ctx, some_patients):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    form = view.open_edit_form()
    form.field_widget("family_name").setText("Nair")
    form.save()
    assert not form.isVisible()
    assert view.header.name.text() == "Anitha Nair"


def test_message_helpers_do_not_block(qtbot):
    box = messages.show_error(None, "The room is booked.")
    assert box.isVisible() and box.text() == "The room is booked."
    box.close()
