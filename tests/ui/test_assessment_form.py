"""The assessment and consent screens render their versioned forms: same saved rows as before, pictures to look at."""

import os
from pathlib import Path

from sqlalchemy import select

from clinicdesk.domain.prakriti import Dosha
from clinicdesk.services import patient_records, patients
from clinicdesk.store.models import AssessmentRow
from clinicdesk.ui.reception.profile_view import ProfileView

ANSWERS = {"frame": "vata", "skin": "pitta", "hair": "vata", "appetite": "vata", "digestion": "pitta",
           "sleep": "kapha", "mind": "vata", "vikriti_digestion": "pitta", "vikriti_skin": "pitta",
           "agni": "tikshna (sharp)", "koshta": "mridu (soft)", "sleep_pattern": "disturbed", "stress": "high",
           "notes": "Pulse quick; tongue red at the tip."}
OLD_DIALOG = dict(prakriti_answers={"frame": "vata", "skin": "pitta", "hair": "vata", "appetite": "vata",
                                    "digestion": "pitta", "sleep": "kapha", "mind": "vata"},
                  vikriti_answers={"digestion": "pitta", "skin": "pitta"}, agni="tikshna (sharp)",
                  koshta="mridu (soft)", sleep="disturbed", stress="high", notes="Pulse quick; tongue red at the tip.")
_COLUMNS = ("prakriti_answers", "vikriti_answers", "vata", "pitta", "kapha", "prakriti", "vikriti", "agni", "koshta",
            "sleep", "stress", "energy", "notes")


def _profile(qtbot, app_ctx, patient_id) -> ProfileView:
    view = ProfileView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1366, 720)
    view.show()
    view.show_patient(patient_id)
    return view


def _shots_dir(tmp_path) -> Path:
    """Pictures go to CLINICDESK_SHOTS_DIR when set, so a person can look at them after the run."""
    folder = Path(os.environ.get("CLINICDESK_SHOTS_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _newest(ctx, patient_id) -> tuple:
    with ctx.db.session() as session:
        row = session.scalars(select(AssessmentRow).where(AssessmentRow.patient_id == patient_id)
                              .order_by(AssessmentRow.assessed_at.desc())).first()
        return tuple(getattr(row, name) for name in _COLUMNS)


def test_the_assessment_form_saves_the_row_the_old_dialog_saved(qtbot, app_ctx, some_patients, tmp_path):
    by_form, by_dialog = some_patients["Rohit Tiwari"], some_patients["Jisha Chacko"]
    view = _profile(qtbot, app_ctx, by_form)
    view.tabs.setCurrentWidget(view.assessment)
    tab = view.assessment
    tab.renderer.set_answers(ANSWERS)
    assert (tab.bar.score.vata, tab.bar.score.pitta, tab.bar.score.kapha) == (4, 2, 1)  # vikriti does not count
    assert tab.constitution.text() == "Vata" and "7 of 12" in tab.answered.text()
    assert view.assessment.grab().save(str(_shots_dir(tmp_path) / "assessment_form.png"))
    tab.save()
    assert not tab.banner.isVisible()
    patient_records.record_assessment(app_ctx.ctx, by_dialog, **OLD_DIALOG)
    assert _newest(app_ctx.ctx, by_form) == _newest(app_ctx.ctx, by_dialog)
    assert _newest(app_ctx.ctx, by_form)[5:7] == ("Vata", "Pitta")
    assert "Last assessment: Vata" in tab.latest.text()
    tab.clear_answers()
    assert tab.constitution.text() == "—" and tab.renderer.answers()["notes"] == ""


def test_six_answers_save_and_fewer_are_refused(qtbot, app_ctx, some_patients):
    view = _profile(qtbot, app_ctx, some_patients["Rohit Tiwari"])
    tab = view.assessment
    for key in ("frame", "skin", "hair", "appetite", "digestion", "sleep"):
        tab.answer(key, Dosha.KAPHA)
    tab.renderer.inputs["notes"].setText("x" * 10)
    tab.save()  # six answers are enough: saved
    assert not tab.banner.isVisible()
    tab.clear_answers()
    tab.answer("frame", Dosha.VATA)
    tab.save()
    assert "Questionnaire needs at least 6 answered questions" in tab.banner.text()
    assert len(patients.get_profile(app_ctx.ctx, tab.patient_id).assessments) == 1


def test_the_consent_form_refuses_an_unticked_required_statement(qtbot, app_ctx, some_patients, tmp_path):
    view = _profile(qtbot, app_ctx, some_patients["Anitha Sharma"])
    view.tabs.setCurrentWidget(view.consents)
    tab = view.consents
    tab.renderer.set_answers({"treatment": True, "contact_whatsapp": True, "method": "signed"})
    tab.record()
    assert "must be ticked: the patient has to agree to this statement" in tab.banner.text()
    assert tab.renderer.inputs["data_processing"].property("invalid") is True and tab.model.rowCount() == 0
    assert view.consents.grab().save(str(_shots_dir(tmp_path) / "consent_form_refused.png"))
    tab.renderer.set_answers({"data_processing": True})
    tab.record()
    assert tab.model.rowCount() == 3 and not tab.banner.isVisible()
