"""Registration and procedure consents given through versioned forms: statements, rows written, refusals, printing."""

import shutil
import struct
import subprocess
import zlib

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import intake_forms, patients, procedure_consent, therapy_plans
from clinicdesk.services.consent_forms import (
    consent_form,
    record_procedure_consent_form,
    record_registration_consents,
)
from clinicdesk.services.patient_records import CONSENT_KINDS, CONSENT_METHODS
from clinicdesk.store.models import ConsentRow
from clinicdesk.store.models_clinical_inbox import IntakeFormResponseRow
from clinicdesk.store.models_consent_media import ProcedureConsentRow
from tests.services.helpers import count_rows, patient_draft
from tests.services.therapy_world import COURSE, START, build_therapy_world


def _png(width: int = 60, height: int = 20) -> bytes:
    """A real (tiny, black-on-white stripe) PNG, so the printed form can draw it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(0 if height // 3 < y < 2 * height // 3 else 255 for _ in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


SIGNATURE = _png()
REGISTRATION = {"treatment": True, "data_processing": True, "recording": False, "photography": True,
                "research": False, "marketing": False, "contact_sms": True, "contact_whatsapp": True,
                "contact_email": False, "method": "signed"}


@pytest.fixture
def patient(admin_ctx):
    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    return patient_id


def _consents(ctx, patient_id) -> list[tuple[str, str, str]]:
    with ctx.db.session() as session:
        rows = session.scalars(select(ConsentRow).where(ConsentRow.patient_id == patient_id)
                               .order_by(ConsentRow.kind))
        return [(r.kind, r.version, r.method) for r in rows]


def test_the_consent_forms_map_only_to_known_kinds_and_methods():
    registration = consent_form("registration_consents")
    kinds = [q.field.removeprefix("consent.") for q in registration.questions() if q.field.startswith("consent.")]
    assert sorted(kinds) == sorted(CONSENT_KINDS)
    method = next(q for q in registration.questions() if q.field == "method")
    assert set(method.choices) == set(CONSENT_METHODS)
    [statement] = [q for q in consent_form("procedure_consent").questions() if q.field == "consent.procedures"]
    assert statement.label == procedure_consent.CONSENT_TEXT and statement.required


def test_ticked_statements_become_consent_rows_once(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    response_id, changes = record_registration_consents(desk, patient, REGISTRATION)
    assert changes.patients
    expected = sorted((kind, "reg-1", "signed") for kind in ("treatment", "data_processing", "photography",
                                                             "contact_sms", "contact_whatsapp"))
    assert _consents(admin_ctx, patient) == expected
    profile = patients.get_profile(desk, patient)
    assert {c.kind for c in profile.consents if c.withdrawn_at is None} == {k for k, _, _ in expected}
    # filled again with one more tick: only the new consent is added, the form response is kept each time
    record_registration_consents(desk, patient, REGISTRATION | {"marketing": True})
    assert _consents(admin_ctx, patient) == sorted(expected + [("marketing", "reg-1", "signed")])
    assert response_id in [i.id for i in intake_forms.list_filled_forms(desk, patient)]
    assert count_rows(admin_ctx, IntakeFormResponseRow) == 2


def test_an_unticked_required_statement_is_refused_with_a_clear_message(admin_ctx, ctx_for_role, patient):
    desk = ctx_for_role(Role.FRONT_DESK)
    with pytest.raises(ValidationError) as refused:
        record_registration_consents(desk, patient, REGISTRATION | {"data_processing": False})
    assert set(refused.value.problems) == {"data_processing"}
    assert refused.value.problems["data_processing"] == "must be ticked: the patient has to agree to this statement"
    assert str(refused.value) == ("Consent to keep health information must be ticked: the patient has to agree to "
                                  "this statement")
    with pytest.raises(ValidationError, match="Patient's signature .* is missing: ask the patient to sign"):
        record_registration_consents(desk, patient, REGISTRATION | {"method": "digital"})
    with pytest.raises(ValidationError, match="must be a PNG image"):
        record_registration_consents(desk, patient, REGISTRATION | {"signature": b"GIF89a"})
    assert _consents(admin_ctx, patient) == [] and count_rows(admin_ctx, IntakeFormResponseRow) == 0
    with pytest.raises(Exception, match="may not do this"):
        record_registration_consents(ctx_for_role(Role.THERAPIST), patient, REGISTRATION)


@pytest.fixture(scope="module")
def pk(shared_admin_ctx):
    return build_therapy_world(shared_admin_ctx)


@pytest.fixture
def plan(pk):
    plan_id, _ = therapy_plans.create_plan(pk.ctx(Role.DOCTOR), pk.patient, COURSE, START)
    return plan_id


PROCEDURE = {"procedures": True, "typed_name": "Lakshmi Menon", "signature": SIGNATURE}


def test_the_procedure_consent_form_writes_the_plan_consent(pk, plan):
    nurse = pk.ctx(Role.NURSE)
    with pytest.raises(ValidationError) as refused:
        record_procedure_consent_form(nurse, plan, PROCEDURE | {"procedures": False, "signature": None})
    assert set(refused.value.problems) == {"procedures", "signature"}
    assert "must be ticked: the patient has to agree" in str(refused.value)
    with pytest.raises(ValidationError, match="Typed name must be the patient's full name"):
        record_procedure_consent_form(nurse, plan, PROCEDURE | {"typed_name": "Someone Else"})
    assert not procedure_consent.plan_consent_status(nurse, plan).consented

    consent_id, changes = record_procedure_consent_form(nurse, plan, PROCEDURE | {"typed_name": "lakshmi  menon"})
    assert changes.therapy and changes.patients
    status = procedure_consent.plan_consent_status(nurse, plan)
    assert (status.consent_id, status.typed_name, status.text_version, status.witness_name) == (
        consent_id, "lakshmi menon", procedure_consent.CONSENT_TEXT_VERSION, "")
    with nurse.db.session() as session:
        row = session.get(ProcedureConsentRow, consent_id)
        assert nurse.db.sealer.open(row.sealed_signature, context=f"procedure-consent:{row.id}") == SIGNATURE
    with pytest.raises(ValidationError, match="Consent is already recorded"):
        record_procedure_consent_form(nurse, plan, PROCEDURE)


def test_someone_signing_for_the_patient_is_witnessed_by_the_recorder(pk, plan):
    nurse = pk.ctx(Role.NURSE)
    record_procedure_consent_form(nurse, plan, PROCEDURE | {"typed_name": "Ravi (son)", "on_behalf": True})
    status = procedure_consent.plan_consent_status(nurse, plan)
    assert status.typed_name == "Ravi (son)" and status.witness_name == nurse.user.full_name


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_printed_consent_shows_the_statements_and_the_signature(pk, plan, tmp_path):
    nurse, doctor = pk.ctx(Role.NURSE), pk.ctx(Role.DOCTOR)
    record_procedure_consent_form(nurse, plan, PROCEDURE)
    item = next(i for i in intake_forms.list_filled_forms(doctor, pk.patient) if i.form_key == "procedure_consent")
    (tmp_path / "consent.pdf").write_bytes(intake_forms.filled_form_pdf(doctor, pk.patient, item.id))
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "consent.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "Panchakarma procedure consent (version 1)" in text and "I agree to the procedures in this plan." in text
    assert "Agreed" in text and "Lakshmi Menon" in text
    if shutil.which("pdfimages"):
        images = subprocess.run(["pdfimages", "-list", str(tmp_path / "consent.pdf")], check=True,
                                capture_output=True, text=True).stdout
        assert " 60    20 " in images  # the drawn signature, at its own size in pixels
