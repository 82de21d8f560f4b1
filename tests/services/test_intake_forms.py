"""Intake forms through the services: filled against a version, sealed, read back, printed, and refused cleanly."""

import json
import shutil
import subprocess

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import intake_forms, patients
from clinicdesk.store.models_clinical_inbox import IntakeFormResponseRow, IntakeFormVersionRow
from tests.services.helpers import audit_rows, count_rows, patient_draft

ANSWERS = {"chief_complaint": "Stiff neck after long drives", "severity": 7, "diabetes": False,
           "hypertension": True, "diet": "Vegetarian", "tried_before": ["Yoga", "Allopathy"], "weight_kg": "64.5",
           "since": "2026-09-01", "alternate_phone": "9847054321"}


@pytest.fixture
def patient(admin_ctx):
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    return patient_id


def test_the_starter_forms_are_offered_newest_version_first_by_title(ctx_for_role):
    forms = intake_forms.available_forms(ctx_for_role(Role.FRONT_DESK))
    assert [(f.key, f.version) for f in forms] == [("general_intake", 1), ("panchakarma_pre_assessment", 1)]


def test_answers_are_sealed_against_the_form_version_and_read_back(admin_ctx, ctx_for_role, patient):
    desk, doctor = ctx_for_role(Role.FRONT_DESK), ctx_for_role(Role.DOCTOR)
    response_id, changes = intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS, filled_on="tablet")
    assert changes.patients
    with admin_ctx.db.session() as session:
        row = session.get(IntakeFormResponseRow, response_id)
        assert b"Stiff neck" not in row.sealed_answers and b"drives" not in row.sealed_answers
        assert session.get(IntakeFormVersionRow, row.form_version_id).version == 1
    [item] = intake_forms.list_filled_forms(desk, patient)
    assert (item.title, item.version, item.filled_by, item.filled_on) == ("General intake", 1, "Test front_desk",
                                                                         "tablet")
    filled = intake_forms.open_filled_form(doctor, patient, response_id)
    assert filled.answers["chief_complaint"] == "Stiff neck after long drives"
    assert filled.answers["tried_before"] == ["Allopathy", "Yoga"]  # in the form's order
    assert filled.answers["severity"] == "7" and filled.answers["diabetes"] is False
    assert "form.view" in [r.action for r in audit_rows(admin_ctx, actor=doctor.user.username)]
    # a second response reuses the stored version row
    intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS)
    assert count_rows(admin_ctx, IntakeFormVersionRow) == 1


def test_bad_answers_name_the_question_and_store_nothing(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    with pytest.raises(ValidationError) as caught:
        intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS | {"severity": 12, "diabetes": None,
                                                                              "alternate_phone": "12345"})
    assert set(caught.value.problems) == {"severity", "diabetes", "alternate_phone"}
    assert "Another phone to reach you must be a 10-digit mobile number" in str(caught.value)
    with pytest.raises(NotFound, match="no form 'general_intake' version 9"):
        intake_forms.fill_form(desk, patient, "general_intake", 9, ANSWERS)
    with pytest.raises(ValidationError, match="Filled on must be desk or tablet"):
        intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS, filled_on="phone")
    assert count_rows(admin_ctx, IntakeFormResponseRow) == 0


def test_a_definition_edited_without_a_new_version_is_refused(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS)
    with admin_ctx.db.session() as session, session.begin():
        row = session.scalar(select(IntakeFormVersionRow))
        body = json.loads(row.body)
        body["title"] = "Edited in place"
        row.body = json.dumps(body)
    with pytest.raises(intake_forms.FormVersionChanged, match="Give the edited file a new version number"):
        intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS)
    assert count_rows(admin_ctx, IntakeFormResponseRow) == 1


def test_old_answers_read_against_the_stored_definition(admin_ctx, ctx_for_role, patient):
    desk, doctor = ctx_for_role(Role.FRONT_DESK), ctx_for_role(Role.DOCTOR)
    response_id, _ = intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS)
    with admin_ctx.db.session() as session, session.begin():
        row = session.scalar(select(IntakeFormVersionRow))
        body = json.loads(row.body)
        body["sections"][0]["questions"][0]["label"] = "Main problem (as asked then)"
        row.body = json.dumps(body)
    filled = intake_forms.open_filled_form(doctor, patient, response_id)
    assert filled.form.questions()[0].label == "Main problem (as asked then)"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_printing_gives_a_pdf_with_the_answers(admin_ctx, ctx_for_role, patient, tmp_path):
    desk = ctx_for_role(Role.FRONT_DESK)
    response_id, _ = intake_forms.fill_form(desk, patient, "general_intake", 1, ANSWERS)
    pdf = intake_forms.filled_form_pdf(desk, patient, response_id)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "form.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "form.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "General intake" in text and "neck after long drives" in text and "7 / 10" in text
    assert "form.print" in [r.action for r in audit_rows(admin_ctx, actor=desk.user.username)]


def test_roles_that_may_not_fill_or_read_are_refused(admin_ctx, ctx_for_role, patient):
    response_id, _ = intake_forms.fill_form(ctx_for_role(Role.FRONT_DESK), patient, "general_intake", 1, ANSWERS)
    therapist = ctx_for_role(Role.THERAPIST)
    with pytest.raises(PermissionDenied):
        intake_forms.fill_form(therapist, patient, "general_intake", 1, ANSWERS)
    with pytest.raises(PermissionDenied):
        intake_forms.open_filled_form(therapist, patient, response_id)
    with pytest.raises(NotFound):
        intake_forms.open_filled_form(ctx_for_role(Role.DOCTOR), "someone-else", response_id)
