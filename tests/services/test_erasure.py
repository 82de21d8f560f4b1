"""Erasure: request -> review -> carried out; contact details pseudonymised inside retention, identity after it."""

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import erasure, patient_records, patients
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.audit_log import verify_audit_log
from clinicdesk.store.models import AuditEntryRow, CommunicationPreferenceRow, PatientRow, SettingRow
from tests.services.helpers import aadhaar, patient_draft

PERSON = {"given_name": "Lakshmi", "family_name": "Nair", "phone": "98470 55555", "email": "lakshmi@example.in",
          "address_line": "12 Temple Road", "city": "Kochi", "pincode": "682301", "abha_number": "91-1234-5678-9012",
          "emergency_contact_name": "Ravi Nair", "emergency_contact_phone": "98470 66666"}


@pytest.fixture
def people(admin_ctx, ctx_for_role):
    desk, doctor = ctx_for_role(Role.FRONT_DESK), ctx_for_role(Role.DOCTOR)
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft(aadhaar=aadhaar(), **PERSON))
    patient_records.set_preferences(admin_ctx, patient_id, CommunicationPreferences(channels=("sms", "email")))
    return desk, doctor, admin_ctx, patient_id


def row(ctx, patient_id) -> PatientRow:
    with ctx.db.session() as session:
        return session.get(PatientRow, patient_id)


def test_inside_retention_contact_details_are_pseudonymised_and_clinical_identity_kept(people):
    desk, doctor, admin, patient_id = people
    request_id, _ = erasure.request_erasure(desk, patient_id, reason="consent_withdrawn")
    erasure.review_erasure(doctor, request_id, approve=True)
    done, changes = erasure.carry_out_erasure(admin, request_id)
    assert done.status == erasure.CARRIED_OUT and done.mode == "pseudonymised" and changes.patients
    after = row(admin, patient_id)
    assert after.phone == erasure.ERASED_MARK
    assert (after.email, after.address_line, after.pincode, after.emergency_contact_name,
            after.emergency_contact_phone, after.aadhaar_last4) == ("", "", "", "", "", "")
    assert after.aadhaar_sealed is None and after.aadhaar_lookup is None
    assert (after.given_name, after.family_name, after.abha_number) == ("Lakshmi", "Nair", "91-1234-5678-9012")
    with admin.db.session() as session:
        preferences = session.get(CommunicationPreferenceRow, patient_id)
        assert preferences.channels == [] and preferences.do_not_disturb
        entries = session.scalars(select(AuditEntryRow).where(AuditEntryRow.entity == "erasure")
                                  .order_by(AuditEntryRow.seq)).all()
        assert [e.action for e in entries] == ["patient.erasure_request", "patient.erasure_approve",
                                               "patient.erasure_carry_out"]
        assert [e.actor for e in entries] == [desk.user.username, doctor.user.username, admin.user.username]
        assert not any(value in e.detail for e in entries for value in PERSON.values())
        assert verify_audit_log(session)[1] == []


def test_after_the_retention_period_the_identity_is_anonymised_too(people):
    desk, doctor, admin, patient_id = people
    admin.clock.advance(days=4 * 366)  # past the default three years since the last clinical activity
    request_id, _ = erasure.request_erasure(desk, patient_id, reason="patient_request")
    erasure.review_erasure(doctor, request_id, approve=True)
    done, _ = erasure.carry_out_erasure(admin, request_id)
    after = row(admin, patient_id)
    assert done.mode == "anonymised"
    assert after.given_name == "Erased" and "Nair" not in after.family_name and after.abha_number == ""
    assert after.date_of_birth.month == 1 and after.date_of_birth.day == 1
    assert after.uhid in after.family_name  # still findable by hospital number for the kept clinical records


def test_the_retention_period_is_a_setting(people):
    desk, doctor, admin, patient_id = people
    with admin.unit_of_work() as session:
        session.add(SettingRow(key=erasure.RETENTION_SETTING, value="10"))
    admin.clock.advance(days=4 * 366)
    request_id, _ = erasure.request_erasure(desk, patient_id, reason="patient_request")
    erasure.review_erasure(doctor, request_id, approve=True)
    done, _ = erasure.carry_out_erasure(admin, request_id)
    assert done.mode == "pseudonymised" and done.retention_until.year >= 2036
    assert row(admin, patient_id).given_name == "Lakshmi"


def test_steps_out_of_order_or_by_the_wrong_person_change_nothing(people):
    desk, doctor, admin, patient_id = people
    before = row(admin, patient_id).phone
    with pytest.raises(ValidationError, match="Reason must be one of"):
        erasure.request_erasure(desk, patient_id, reason="because")
    request_id, _ = erasure.request_erasure(doctor, patient_id, reason="no_longer_needed")
    with pytest.raises(IllegalTransition, match="already open"):
        erasure.request_erasure(desk, patient_id, reason="no_longer_needed")
    with pytest.raises(IllegalTransition, match="is requested"):
        erasure.carry_out_erasure(admin, request_id)
    with pytest.raises(PermissionDenied, match="Someone other than"):
        erasure.review_erasure(doctor, request_id, approve=True)  # the doctor recorded it
    with pytest.raises(PermissionDenied):
        erasure.carry_out_erasure(doctor, request_id)  # only administrators carry it out
    erasure.review_erasure(admin, request_id, approve=False)
    with pytest.raises(IllegalTransition, match="is refused"):
        erasure.carry_out_erasure(admin, request_id)
    assert row(admin, patient_id).phone == before
    assert [r.status for r in erasure.list_erasure_requests(desk)] == [erasure.REFUSED]
