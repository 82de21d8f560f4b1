"""The Ayurvedic assessment as a versioned form: same questions and scoring, same assessment row, sealed, printed."""

import json
import shutil
import subprocess

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.intake_forms import QuestionType
from clinicdesk.domain.prakriti import AGNI_CHOICES, KOSHTA_CHOICES, LEVEL_CHOICES, PRAKRITI_QUESTIONS, SLEEP_CHOICES
from clinicdesk.domain.roles import Role
from clinicdesk.services import intake_forms, patient_records, patients
from clinicdesk.services.assessment_form import assessment_form, record_assessment_form
from clinicdesk.store.models import AssessmentRow
from clinicdesk.store.models_clinical_inbox import IntakeFormResponseRow
from tests.services.helpers import count_rows, patient_draft

# (old dialog's keyword arguments, the same answers as the form's question keys)
CASES = [
    (dict(prakriti_answers={"frame": "vata", "skin": "vata", "hair": "pitta", "appetite": "vata", "digestion": "kapha",
                            "sleep": "vata", "speech": "pitta"},
          agni="vishama (irregular)", koshta="krura (hard)", sleep="disturbed", stress="high", energy="low",
          notes="Pulse thready; tongue dry."),
     {"frame": "vata", "skin": "vata", "hair": "pitta", "appetite": "vata", "digestion": "kapha", "sleep": "vata",
      "speech": "pitta", "agni": "vishama (irregular)", "koshta": "krura (hard)", "sleep_pattern": "disturbed",
      "stress": "high", "energy": "low", "notes": "Pulse thready; tongue dry."}),
    (dict(prakriti_answers={q.key: ("kapha", "pitta", "vata")[i % 3] for i, q in enumerate(PRAKRITI_QUESTIONS)},
          vikriti_answers={"digestion": "pitta", "skin": "pitta", "mind": "vata"}),
     {q.key: ("kapha", "pitta", "vata")[i % 3] for i, q in enumerate(PRAKRITI_QUESTIONS)}
     | {"vikriti_digestion": "pitta", "vikriti_skin": "pitta", "vikriti_mind": "vata"}),
    (dict(prakriti_answers={q.key: "pitta" for q in PRAKRITI_QUESTIONS[:8]} | {"memory": "kapha"},
          vikriti_answers={"bowel": "pitta"}, agni="tikshna (sharp)", energy="moderate"),
     {q.key: "pitta" for q in PRAKRITI_QUESTIONS[:8]} | {"memory": "kapha", "vikriti_bowel": "pitta",
                                                         "agni": "tikshna (sharp)", "energy": "moderate",
                                                         "notes": "", "stress": None}),
]
_COLUMNS = ("prakriti_answers", "vikriti_answers", "vata", "pitta", "kapha", "prakriti", "vikriti", "agni", "koshta",
            "sleep", "stress", "energy", "notes", "assessed_by")


def _row(ctx, assessment_id: str) -> tuple:
    with ctx.db.session() as session:
        row = session.get(AssessmentRow, assessment_id)
        return tuple(getattr(row, name) for name in _COLUMNS)


def _newest_assessment_id(ctx, patient_id: str) -> str:
    with ctx.db.session() as session:
        return session.scalar(select(AssessmentRow.id).where(AssessmentRow.patient_id == patient_id)
                              .order_by(AssessmentRow.assessed_at.desc()).limit(1))


def test_the_form_asks_the_questions_and_offers_the_choices_of_the_assessment():
    form = assessment_form()
    assert (form.key, form.version, form.purpose) == ("ayurvedic_assessment", 1, "assessment")
    by_key = {q.key: q for q in form.questions()}
    for prefix, tally in (("", "prakriti"), ("vikriti_", "vikriti")):
        for question in PRAKRITI_QUESTIONS:
            asked = by_key[prefix + question.key]
            assert (asked.type, asked.tally, asked.field) == (QuestionType.SCORE, tally, f"{tally}.{question.key}")
            assert asked.choices == tuple(d.value for d, _ in question.options)
            assert asked.choice_labels == tuple(text for _, text in question.options)
            assert asked.label.startswith(question.text)
    for key, field, values in (("agni", "agni", AGNI_CHOICES), ("koshta", "koshta", KOSHTA_CHOICES),
                               ("sleep_pattern", "sleep", SLEEP_CHOICES), ("stress", "stress", LEVEL_CHOICES),
                               ("energy", "energy", LEVEL_CHOICES)):
        assert (by_key[key].field, by_key[key].choices) == (field, values)


@pytest.mark.parametrize("old_dialog, form_answers", CASES)
def test_filling_the_form_gives_the_row_the_old_dialog_gave(admin_ctx, ctx_for_role, old_dialog, form_answers):
    doctor = ctx_for_role(Role.DOCTOR)
    by_dialog, _ = patients.register_patient(admin_ctx, patient_draft())
    by_form, _ = patients.register_patient(admin_ctx, patient_draft(given_name="Beena", phone="98470 54321"))
    patient_records.record_assessment(doctor, by_dialog, **old_dialog)
    assessment_id, changes = record_assessment_form(doctor, by_form, form_answers)
    assert changes.patients and assessment_id == _newest_assessment_id(admin_ctx, by_form)
    assert _row(admin_ctx, assessment_id) == _row(admin_ctx, _newest_assessment_id(admin_ctx, by_dialog))
    # and the answers themselves are kept sealed as a filled form, readable against the version asked
    [item] = intake_forms.list_filled_forms(doctor, by_form)
    assert (item.form_key, item.version) == ("ayurvedic_assessment", 1)
    filled = intake_forms.open_filled_form(doctor, by_form, item.id)
    assert filled.answers["frame"] == form_answers["frame"]


def test_too_few_answers_or_a_wrong_choice_is_refused_and_nothing_is_stored(admin_ctx, ctx_for_role):
    doctor = ctx_for_role(Role.DOCTOR)
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    with pytest.raises(ValidationError, match="Questionnaire needs at least 6 answered questions"):
        record_assessment_form(doctor, patient_id, {"frame": "vata", "skin": "pitta", "agni": "manda (slow)"})
    with pytest.raises(ValidationError, match="Body frame must be one of the choices") as refused:
        record_assessment_form(doctor, patient_id, CASES[0][1] | {"frame": "ojas", "koshta": "liquid"})
    assert set(refused.value.problems) == {"frame", "koshta"}
    assert count_rows(admin_ctx, AssessmentRow) == 0 and count_rows(admin_ctx, IntakeFormResponseRow) == 0
    with pytest.raises(Exception, match="may not do this"):
        record_assessment_form(ctx_for_role(Role.FRONT_DESK), patient_id, CASES[0][1])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_printed_assessment_shows_the_answers_and_the_counts(admin_ctx, ctx_for_role, tmp_path):
    doctor = ctx_for_role(Role.DOCTOR)
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    record_assessment_form(doctor, patient_id, CASES[0][1])
    [item] = intake_forms.list_filled_forms(doctor, patient_id)
    pdf = intake_forms.filled_form_pdf(doctor, patient_id, item.id)
    (tmp_path / "assessment.pdf").write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "assessment.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "Ayurvedic assessment (version 1)" in text
    assert "Thin, light, hard to gain weight" in text and "Vishama (irregular)" in text and "Krura (hard)" in text
    assert "Pulse thready; tongue dry." in text
    assert "Prakriti count: Vata 4, Pitta 2, Kapha 1" in text


def test_a_new_form_version_leaves_old_records_readable(admin_ctx, ctx_for_role, monkeypatch):
    doctor = ctx_for_role(Role.DOCTOR)
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    record_assessment_form(doctor, patient_id, CASES[0][1])
    # version 2 renames the bowel question's key and wording; only its field ties it to the record
    bodies = intake_forms._resource_bodies()
    body = json.loads(bodies[("ayurvedic_assessment", 1)]) | {"version": 2}
    for section in body["sections"]:
        for question in section["questions"]:
            if question["key"] == "koshta":
                question.update(key="bowel_type", label="Bowel type (koshta), asked in version 2")
    monkeypatch.setattr(intake_forms, "_resource_bodies", lambda: bodies | {
        ("ayurvedic_assessment", 2): json.dumps(body, sort_keys=True, separators=(",", ":"))})
    assert assessment_form().version == 2
    answers = {k if k != "koshta" else "bowel_type": v for k, v in CASES[0][1].items()}
    record_assessment_form(doctor, patient_id, answers)
    with admin_ctx.db.session() as session:
        rows = session.scalars(select(AssessmentRow).where(AssessmentRow.patient_id == patient_id)).all()
        assert [(r.koshta, r.vata, r.prakriti) for r in rows] == [("krura (hard)", 4, "Vata")] * 2
    versions = {}
    for item in intake_forms.list_filled_forms(doctor, patient_id):
        filled = intake_forms.open_filled_form(doctor, patient_id, item.id)
        versions[item.version] = {q.key: q.label for q in filled.form.questions()}
    assert versions[1]["koshta"] == "Bowel (koshta)" and "bowel_type" not in versions[1]
    assert versions[2]["bowel_type"] == "Bowel type (koshta), asked in version 2"
