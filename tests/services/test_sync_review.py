"""The sync review services with a stand-in HQ (the real one is in tests/sync/test_review_client.py): who may settle
what, records described in staff's words, typed values checked, refused changes sent again or kept, every decision
audited without the values decided on, and bad input refused with a sentence while nothing changes."""

import json

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import patient_records, patients, sync_review
from clinicdesk.store.models import AuditEntryRow
from clinicdesk.store.outbox import PENDING, REJECTED, OutboxRow
from clinicdesk.store.outbox_review import RESENT, SETTLED
from tests.services.helpers import patient_draft
from tests.services.sync_review_matrix import CLINICAL_ID, ITEM_ID, SCHEDULING_ID, FakeHq, refused_change


@pytest.fixture
def patient(admin_ctx) -> str:
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft(given_name="Lakshmi", family_name="Nair"))
    return patient_id


@pytest.fixture
def hq(admin_ctx, patient) -> FakeHq:
    other, _ = patients.register_patient(admin_ctx, patient_draft(given_name="Lakshmi", family_name="Nair",
                                                                  phone="9847055555"))
    return FakeHq(patient, other)


def audit(ctx, action: str) -> list[AuditEntryRow]:
    with ctx.db.session() as session:
        return list(session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action)))


def outbox_row(ctx, op_id: str) -> OutboxRow:
    with ctx.db.session() as session:
        return session.get(OutboxRow, op_id)


def test_conflicts_and_duplicates_are_described_with_this_device_s_records(admin_ctx, ctx_for_role, patient, hq):
    snapshot = sync_review.fetch_review(ctx_for_role(Role.NURSE), hq)
    uhid = patients.get_profile(admin_ctx, patient).uhid
    clinical, scheduling = snapshot.conflicts
    assert clinical.record.text == f"Patient details of Lakshmi Nair ({uhid})"
    assert (clinical.field_label, clinical.needs_clinician) == ("Date of birth", True)
    assert [(v.text, v.device_name) for v in clinical.versions] == [("09 Mar 1984", "Reception desk A"),
                                                                   ("03 Sep 1984", "Reception desk B")]
    assert scheduling.record.text == "Appointment appt-1"  # not on this device: named by its kind alone
    assert not scheduling.needs_clinician
    (duplicate,) = snapshot.duplicates
    assert duplicate.new.name == duplicate.existing.name == "Lakshmi Nair"
    assert duplicate.matched_on == ("Name", "Date of birth") and snapshot.open_count == 3


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE])
def test_only_a_doctor_or_admin_settles_a_clinical_conflict(ctx_for_role, hq, role):
    ctx = ctx_for_role(role)
    with pytest.raises(PermissionDenied, match=r"sync.resolve_clinical"):
        sync_review.resolve_conflict(ctx, hq, CLINICAL_ID, choice=0)
    assert hq.resolutions == []
    (denied,) = [row for row in audit(ctx, "sync.resolve_clinical") if row.actor == ctx.user.username]
    assert denied.outcome == "denied"


def test_reception_settles_a_scheduling_conflict_under_its_own_name(ctx_for_role, hq):
    desk = ctx_for_role(Role.FRONT_DESK)
    resolved = sync_review.resolve_conflict(desk, hq, SCHEDULING_ID, choice=1)
    assert hq.resolutions == [(SCHEDULING_ID, "Test front_desk", 1, None)]  # the staff member's name, not a patient's
    assert (resolved.is_open, resolved.resolved_text) == (False, "no_show")
    (entry,) = audit(desk, "sync.conflict_resolve")
    assert (entry.entity, entry.entity_id, entry.outcome) == ("appointments", "appt-1", "ok")
    assert "no_show" not in entry.detail and "Reception desk B" in entry.detail


def test_a_doctor_types_the_right_value_and_a_wrong_one_changes_nothing(ctx_for_role, hq):
    doctor = ctx_for_role(Role.DOCTOR)
    with pytest.raises(ValidationError, match="Date of birth must be a date such as 1984-03-09"):
        sync_review.typed_value("patients", "date_of_birth", "9/3/84")
    with pytest.raises(ValidationError):
        sync_review.resolve_conflict(doctor, hq, CLINICAL_ID)  # neither a version nor a value
    with pytest.raises(ValidationError, match="one of the 2 versions"):
        sync_review.resolve_conflict(doctor, hq, CLINICAL_ID, choice=5)
    assert hq.resolutions == []
    value = sync_review.typed_value("patients", "date_of_birth", " 1984-03-09 ")
    sync_review.resolve_conflict(doctor, hq, CLINICAL_ID, value=value)
    assert hq.resolutions == [(CLINICAL_ID, "Test doctor", None, "1984-03-09")]
    (entry,) = audit(doctor, "sync.conflict_resolve")
    assert "entered a new value" in entry.detail and "1984" not in entry.detail


def test_a_conflict_settled_meanwhile_is_said_so(ctx_for_role, hq):
    hq.conflicts.pop(CLINICAL_ID)
    with pytest.raises(sync_review.NoLongerOpen, match="no longer open"):
        sync_review.resolve_conflict(ctx_for_role(Role.DOCTOR), hq, CLINICAL_ID, choice=0)


def test_a_duplicate_is_settled_with_a_note_that_stays_out_of_the_audit(ctx_for_role, hq):
    desk = ctx_for_role(Role.FRONT_DESK)
    with pytest.raises(ValidationError):
        sync_review.settle_duplicate(desk, hq, ITEM_ID, "merge_now")
    with pytest.raises(ValidationError):
        sync_review.settle_duplicate(desk, hq, ITEM_ID, sync_review.SAME_PERSON, "x" * 201)
    assert hq.settlements == []
    view = sync_review.settle_duplicate(desk, hq, ITEM_ID, sync_review.SAME_PERSON, "  Same mother's name ")
    assert hq.settlements == [(ITEM_ID, "same_person", "Test front_desk", "Same mother's name")]
    assert view.decision_text == "Same person, merge later" and not view.is_open
    (entry,) = audit(desk, "sync.duplicate_settle")
    assert "same_person" in entry.detail and "mother" not in entry.detail


def test_refused_changes_in_words_sent_again_and_kept(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    patient_records.add_allergy(admin_ctx, patient, "Sesame oil")
    allergy = patients.get_profile(admin_ctx, patient).allergies[0]
    uhid = patients.get_profile(admin_ctx, patient).uhid
    first = refused_change(admin_ctx.db, patient, "0190a0b0-0000-7000-8000-000000000001")
    with admin_ctx.db.session() as session, session.begin():  # a refused change of the allergy's substance
        session.add(OutboxRow(op_id="0190a0b0-0000-7000-8000-000000000002", table_name="patient_allergies",
                              row_id=allergy.id, kind="upsert", fields_json=json.dumps({"substance": "Til oil"}),
                              base_json="{}", hlc="001764131400001-000000-x", created_at=admin_ctx.now(),
                              state=REJECTED, result_reason="HQ refused this change."))
    changes = sync_review.needs_attention(desk)
    assert [(c.record.text, c.fields) for c in changes] == [
        (f"Patient details of Lakshmi Nair ({uhid})", ("UHID",)),
        (f"Patient allergy of Lakshmi Nair ({uhid})", ("Substance",))]

    new_id, _changes = sync_review.send_change_again(desk, "0190a0b0-0000-7000-8000-000000000002")
    again = outbox_row(desk, new_id)
    assert again.state == PENDING and json.loads(again.fields_json) == {"substance": "Sesame oil"}  # what it shows now
    assert outbox_row(desk, "0190a0b0-0000-7000-8000-000000000002").state == RESENT

    with pytest.raises(ValidationError, match="is needed"):
        sync_review.keep_change_on_device(desk, first, "   ")
    assert outbox_row(desk, first).state == REJECTED  # a refused keep changed nothing
    sync_review.keep_change_on_device(desk, first, "HQ's UHID stands")
    kept = outbox_row(desk, first)
    assert kept.state == SETTLED and "Test front_desk" in kept.result_reason and "HQ had said" in kept.result_reason
    with pytest.raises(NotFound, match="no longer waiting"):
        sync_review.keep_change_on_device(desk, first, "again")
    assert sync_review.needs_attention(desk) == []
    assert [a.entity_id for a in audit(desk, "sync.change_keep_local")] == [first]
    assert len(audit(desk, "sync.change_send_again")) == 1


def test_a_nurse_sees_but_does_not_settle(ctx_for_role, patient, hq):
    nurse = ctx_for_role(Role.NURSE)
    op_id = refused_change(nurse.db, patient, "0190a0b0-0000-7000-8000-000000000009")
    assert len(sync_review.needs_attention(nurse)) == 1
    for attempt in (lambda: sync_review.send_change_again(nurse, op_id),
                    lambda: sync_review.keep_change_on_device(nurse, op_id, "because"),
                    lambda: sync_review.settle_duplicate(nurse, hq, ITEM_ID, sync_review.DIFFERENT_PEOPLE)):
        with pytest.raises(PermissionDenied, match=r"sync.resolve\)"):
            attempt()
    assert outbox_row(nurse, op_id).state == REJECTED and hq.settlements == []
