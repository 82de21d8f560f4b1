"""Procedure consent (typed name and drawn signature) and sealed before/after photos."""

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import procedure_consent, session_photos, therapy_plans
from clinicdesk.store.models_consent_media import ProcedureConsentRow, SessionPhotoRow
from tests.services.helpers import audit_rows
from tests.services.therapy_world import COURSE, PNG, START, build_therapy_world

JPEG = b"\xff\xd8\xff\xe0" + b"before-photo" * 8


@pytest.fixture(scope="module")
def pk(shared_admin_ctx):
    return build_therapy_world(shared_admin_ctx)


@pytest.fixture
def plan(pk):
    plan_id, _ = therapy_plans.create_plan(pk.ctx(Role.DOCTOR), pk.patient, COURSE, START)
    return plan_id


def _raw(ctx, row_type, row_id):
    with ctx.db.session() as session:
        return session.get(row_type, row_id)


def test_consent_is_recorded_with_a_sealed_signature(pk, plan):
    nurse = pk.ctx(Role.NURSE)
    assert not procedure_consent.plan_consent_status(nurse, plan).consented
    consent_id, changes = procedure_consent.record_procedure_consent(nurse, plan, "  lakshmi   MENON ", PNG, "pk-1")
    assert changes.therapy
    status = procedure_consent.plan_consent_status(pk.ctx(Role.THERAPIST), plan)
    assert (status.consented, status.consent_id, status.typed_name, status.text_version) == (
        True, consent_id, "lakshmi MENON", "pk-1")
    row = _raw(nurse, ProcedureConsentRow, consent_id)
    assert PNG not in row.sealed_signature and not row.sealed_signature.startswith(PNG[:8])
    assert nurse.db.sealer.open(row.sealed_signature, context=f"procedure-consent:{consent_id}") == PNG
    assert ("therapy.consent_record", plan, "ok") in [(r.action, r.entity_id, r.outcome)
                                                        for r in audit_rows(nurse)]


def test_wrong_name_missing_signature_and_a_second_consent_are_refused(pk, plan):
    therapist = pk.ctx(Role.THERAPIST)
    with pytest.raises(ValidationError, match="Typed name must be the patient's full name") as refused:
        procedure_consent.record_procedure_consent(therapist, plan, "Someone Else", PNG)
    assert set(refused.value.problems) == {"typed_name"}
    with pytest.raises(ValidationError, match="Signature is missing"):
        procedure_consent.record_procedure_consent(therapist, plan, "Lakshmi Menon", b"")
    with pytest.raises(ValidationError, match="Signature must be a PNG"):
        procedure_consent.record_procedure_consent(therapist, plan, "Lakshmi Menon", b"GIF89a")
    with pytest.raises(ValidationError, match="Typed name is required"):
        procedure_consent.record_procedure_consent(therapist, plan, "  ", PNG, witness_id=pk.staff["vaidya"])
    procedure_consent.record_procedure_consent(therapist, plan, "Ravi (son)", PNG, witness_id=pk.staff["vaidya"])
    assert procedure_consent.plan_consent_status(therapist, plan).witness_name == "Dr. Vaidya Nair"
    with pytest.raises(ValidationError, match="Consent is already recorded"):
        procedure_consent.record_procedure_consent(therapist, plan, "Lakshmi Menon", PNG)
    with pytest.raises(PermissionDenied):
        procedure_consent.record_procedure_consent(pk.ctx(Role.FRONT_DESK), plan, "Lakshmi Menon", PNG)


def test_withdrawn_consent_stays_on_record_and_a_new_one_may_follow(pk, plan):
    doctor = pk.ctx(Role.DOCTOR)
    first, _ = procedure_consent.record_procedure_consent(doctor, plan, "Lakshmi Menon", PNG)
    procedure_consent.withdraw_procedure_consent(doctor, plan)
    assert not procedure_consent.plan_consent_status(doctor, plan).consented
    assert _raw(doctor, ProcedureConsentRow, first).withdrawn_at is not None
    with pytest.raises(NotFound):
        procedure_consent.withdraw_procedure_consent(doctor, plan)
    second, _ = procedure_consent.record_procedure_consent(doctor, plan, "Lakshmi Menon", PNG)
    assert procedure_consent.plan_consent_status(doctor, plan).consent_id == second != first


def test_photos_are_sealed_and_only_doctors_and_admins_open_them(pk, plan):
    session_id = therapy_plans.plan_summary(pk.boss, plan).sessions[0].id
    therapist = pk.ctx(Role.THERAPIST)
    photo_id, _ = session_photos.add_photo(therapist, session_id, "before", "image/jpeg", JPEG)
    session_photos.add_photo(therapist, session_id, "after", "image/png", PNG)
    row = _raw(therapist, SessionPhotoRow, photo_id)
    assert JPEG not in row.sealed_content and row.size_bytes == len(JPEG)
    items = session_photos.list_photos(therapist, session_id)
    assert [(i.kind, i.mime_type, i.taken_by_name) for i in items] == [
        ("before", "image/jpeg", "Floor therapist"), ("after", "image/png", "Floor therapist")]
    for role in (Role.THERAPIST, Role.NURSE, Role.FRONT_DESK):
        with pytest.raises(PermissionDenied):
            session_photos.open_photo(pk.ctx(role), session_id, photo_id)
    for role in (Role.DOCTOR, Role.ADMIN):
        assert session_photos.open_photo(pk.ctx(role), session_id, photo_id) == ("image/jpeg", JPEG)
    with pytest.raises(ValidationError, match="Photo is not a valid PNG image"):
        session_photos.add_photo(therapist, session_id, "before", "image/png", JPEG)
    with pytest.raises(ValidationError, match="Photo kind must be before or after"):
        session_photos.add_photo(therapist, session_id, "during", "image/jpeg", JPEG)
    with pytest.raises(NotFound):
        session_photos.open_photo(pk.ctx(Role.DOCTOR), "other-session", photo_id)
    with pk.boss.db.session() as session:
        assert session.scalars(select(SessionPhotoRow.id).where(SessionPhotoRow.session_id == session_id)).all()
