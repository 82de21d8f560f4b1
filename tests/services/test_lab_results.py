"""Lab results through the services: the domain's flag, the sealed report, the critical alert, trends, refusals."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.labs import LabEntry, ReferenceRange
from clinicdesk.domain.roles import Role
from clinicdesk.services import consultations, lab_results, notifications, patient_records, patients
from clinicdesk.store.models import PatientDocumentRow
from clinicdesk.store.models_clinical_inbox import LabResultRow
from clinicdesk.store.models_notifications import StaffAlertRow
from tests.services.helpers import audit_rows, count_rows, patient_draft

HB = ReferenceRange(Decimal("12"), Decimal("16"), Decimal("7"), Decimal("20"))
PDF = b"%PDF-1.4 haemogram report"


def _hb(value: str, day: date = date(2026, 11, 25)) -> LabEntry:
    return LabEntry("Haemoglobin", day, value, "g/dL", HB)


@pytest.fixture
def patient(admin_ctx):
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    return patient_id


def test_a_result_is_flagged_by_the_domain_and_its_report_sealed_with_the_documents(admin_ctx, ctx_for_role,
                                                                                    patient):
    nurse = ctx_for_role(Role.NURSE)
    result_id, changes = lab_results.record_lab_result(nurse, patient, _hb("10.2"), report=lab_results.LabReport(
        "Haemogram 25 Nov", "application/pdf", PDF))
    assert changes.patients and not changes.messages
    [item] = lab_results.list_lab_results(nurse, patient)
    assert (item.id, item.flag, item.value, item.unit, item.reference) == (result_id, "abnormal", "10.2", "g/dL",
                                                                           "12–16")
    with admin_ctx.db.session() as session:
        stored = session.get(PatientDocumentRow, item.document_id)
        assert PDF not in stored.sealed_content  # sealed, as every document is
    assert patient_records.open_document(nurse, patient, item.document_id) == ("Haemogram 25 Nov",
                                                                              "application/pdf", PDF)
    assert patients.get_profile(nurse, patient).documents[0].title == "Haemogram 25 Nov"


def test_a_critical_result_alerts_the_patients_doctor_and_is_audited(admin_ctx, ctx_for_role, patient):
    doctor, nurse = ctx_for_role(Role.DOCTOR), ctx_for_role(Role.NURSE)
    consultations.start_consultation(doctor, patient)  # the doctor of the latest consultation is the patient's
    _, changes = lab_results.record_lab_result(nurse, patient, _hb("6.1"))
    assert changes.messages
    [alert] = notifications.list_my_alerts(doctor)
    assert "Critical lab result" in alert.text and "Haemoglobin" in alert.text
    assert "6.1" not in alert.text  # the value stays in the chart, not on an alert list
    assert lab_results.list_lab_results(doctor, patient)[0].alerted == "Test doctor"
    actions = [(r.action, r.detail) for r in audit_rows(admin_ctx, entity_id=patient) if r.action.startswith("lab.")]
    assert ("lab.record", "flag: critical") in actions and ("lab.critical_alert", "doctor alerted") in actions


def test_a_critical_result_without_a_doctor_on_record_is_still_audited(admin_ctx, ctx_for_role, patient):
    lab_results.record_lab_result(ctx_for_role(Role.NURSE), patient, _hb("21"))
    assert count_rows(admin_ctx, StaffAlertRow) == 0
    assert ("lab.critical_alert", "no doctor on record: shown on the profile") in [
        (r.action, r.detail) for r in audit_rows(admin_ctx, entity_id=patient)]


def test_the_ordering_doctor_is_alerted_first(admin_ctx, ctx_for_role, patient):
    doctor = ctx_for_role(Role.DOCTOR)
    lab_results.record_lab_result(ctx_for_role(Role.NURSE), patient, _hb("5"), ordered_by=doctor.user.staff_id)
    assert len(notifications.list_my_alerts(doctor)) == 1


def test_textual_results_need_a_flag_and_bad_input_changes_nothing(admin_ctx, ctx_for_role, patient):
    nurse = ctx_for_role(Role.NURSE)
    urine = LabEntry("Urine albumin", date(2026, 11, 25), "trace", entered_flag="abnormal")
    lab_results.record_lab_result(nurse, patient, urine)
    assert lab_results.list_lab_results(nurse, patient)[0].flag == "abnormal"
    before = (count_rows(admin_ctx, LabResultRow), count_rows(admin_ctx, PatientDocumentRow))
    with pytest.raises(ValidationError, match="Flag must be chosen"):
        lab_results.record_lab_result(nurse, patient, LabEntry("Urine albumin", date(2026, 11, 25), "trace"))
    with pytest.raises(ValidationError, match="File must be a PDF"):
        lab_results.record_lab_result(nurse, patient, _hb("13"), report=lab_results.LabReport("x", "video/mp4",
                                                                                               b"data"))
    with pytest.raises(ValidationError, match="Date taken cannot be in the future"):
        lab_results.record_lab_result(nurse, patient, _hb("13", date(2026, 12, 25)))
    assert (count_rows(admin_ctx, LabResultRow), count_rows(admin_ctx, PatientDocumentRow)) == before


def test_trend_per_test_is_oldest_first_with_a_direction(ctx_for_role, patient):
    nurse = ctx_for_role(Role.NURSE)
    for day, value in ((date(2026, 11, 20), "9.5"), (date(2026, 10, 1), "8.2"), (date(2026, 11, 25), "11.0")):
        lab_results.record_lab_result(nurse, patient, _hb(value, day))
    lab_results.record_lab_result(nurse, patient, LabEntry("Haemoglobin", date(2026, 11, 25), "see report",
                                                           entered_flag="normal"))
    points, direction = lab_results.trend_for_test(nurse, patient, "Haemoglobin")
    assert [str(p.value) for p in points] == ["8.2", "9.5", "11.0"] and direction == "rising"
    assert [i.taken_on for i in lab_results.list_lab_results(nurse, patient, test="Haemoglobin")][:1] == [
        date(2026, 11, 25)]


def test_front_desk_may_not_read_or_enter_lab_values(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    with pytest.raises(PermissionDenied):
        lab_results.list_lab_results(desk, patient)
    with pytest.raises(PermissionDenied):
        lab_results.record_lab_result(desk, patient, _hb("13"))
    with admin_ctx.db.session() as session:
        assert session.scalars(select(LabResultRow)).all() == []
