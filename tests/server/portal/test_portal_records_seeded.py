"""The records pages through the whole portal (real sign-in by SMS code, session cookie, audit), on SQLite and on a
real PostgreSQL as the portal's own role under row-level security: synced rows seeded as desks push them, a note
sealed with the centre key that HQ stores wrapped, and another centre's prescription that stays out of reach."""

import base64
import json
import secrets
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from clinicdesk.server.centre_keys import centre_key_for, load_or_create_master_key
from clinicdesk.server.portal.portal_models import PortalAuditRow
from clinicdesk.store.crypto import FieldSealer
from clinicdesk.store.keys import DatabaseKey
from tests.server.portal.conftest import ASHA, KOCHI, OWN_PHONE, RAVI, THRISSUR, portal_sub_app, seed_rows
from tests.server.portal.test_portal_postgres import pg_portal, pg_portal_urls  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

DOCTOR = "0190d2a0-0000-7000-8000-0000000000d1"
CONSULTATION, LATER_VISIT = "0190d2a0-0000-7000-8000-0000000000c1", "0190d2a0-0000-7000-8000-0000000000c2"
SIGNED_NOTE, DRAFT_NOTE = "0190d2a0-0000-7000-8000-0000000000e1", "0190d2a0-0000-7000-8000-0000000000e2"
PRESCRIPTION, RAVIS_PRESCRIPTION = "0190d2a0-0000-7000-8000-0000000000f1", "0190d2a0-0000-7000-8000-0000000000f2"
INVOICE, PLAN, SESSION = ("0190d2a0-0000-7000-8000-000000000101", "0190d2a0-0000-7000-8000-000000000201",
                          "0190d2a0-0000-7000-8000-000000000301")
SECTIONS = {"history": [{"text": "Worried about her job, does not want it shared."}],
            "assessment": [{"text": "Sandhivata of both knees."}],
            "plan": [{"text": "Warm sesame oil massage every evening."}]}


def _sealed_note(sealer: FieldSealer, note_id: str) -> str:
    plain = json.dumps({"sections": SECTIONS}, sort_keys=True).encode()
    return base64.b64encode(sealer.seal(plain, context=f"clinical-note:{note_id}")).decode("ascii")


def _note(note_id: str, consultation_id: str, status: str, sealed: str) -> dict:
    signed = status == "signed"
    return {"consultation_id": consultation_id, "version": 1, "source_transcript_id": None, "written_by": DOCTOR,
            "written_at": "2026-11-20T05:00:00+00:00", "content_hash": "0" * 64, "sealed_sections": sealed,
            "status": status, "signed_by": DOCTOR if signed else None,
            "signed_at": "2026-11-20T05:10:00+00:00" if signed else None}


def _prescription(patient_id: str, consultation_id: str) -> dict:
    return {"consultation_id": consultation_id, "patient_id": patient_id, "prescribed_by": DOCTOR,
            "prescribed_at": "2026-11-20T05:05:00+00:00", "allergy_warnings_acknowledged": False}


def seed_records(testbed) -> None:
    """Asha's records at Kochi (and one prescription of Ravi's at Thrissur), with Kochi's key made at HQ."""
    master = load_or_create_master_key(testbed.master_key_file)
    portal_sub_app(testbed.app).state.portal.centre_master_key = master  # as create_app hands it over
    with testbed.transaction(KOCHI) as session:
        key = centre_key_for(session, KOCHI, master, now=datetime(2026, 11, 20, tzinfo=UTC))
    sealer = FieldSealer(DatabaseKey(secrets.token_bytes(32)), key)  # a desk of Kochi, holding the centre key
    visit = {"centre_id": KOCHI, "patient_id": ASHA, "appointment_id": None, "doctor_id": DOCTOR,
             "status": "completed", "started_at": "2026-11-20T04:40:00+00:00", "ended_at": None, "room_id": None}
    with testbed.transaction(KOCHI) as session:
        seed_rows(session, {
            (KOCHI, "staff", DOCTOR): {"username": "dr.meera", "centre_id": KOCHI, "full_name": "Dr. Meera Nair",
                                       "role": "doctor", "phone": "+919800000000", "password_hash": "argon2-secret"},
            (KOCHI, "consultations", CONSULTATION): visit,
            (KOCHI, "consultations", LATER_VISIT): {**visit, "status": "in_progress"},
            (KOCHI, "clinical_notes", SIGNED_NOTE): _note(SIGNED_NOTE, CONSULTATION, "signed",
                                                          _sealed_note(sealer, SIGNED_NOTE)),
            (KOCHI, "clinical_notes", DRAFT_NOTE): _note(DRAFT_NOTE, LATER_VISIT, "draft",
                                                         _sealed_note(sealer, DRAFT_NOTE)),
            (KOCHI, "prescriptions", PRESCRIPTION): _prescription(ASHA, CONSULTATION),
            (KOCHI, "prescription_items", PRESCRIPTION + "-1"): {
                "prescription_id": PRESCRIPTION, "line_no": 1, "drug_name": "Yogaraja Guggulu", "dose": "2",
                "dose_unit": "tablet", "frequency_code": "BD", "food_timing": "after_food", "duration_days": 30,
                "route": "oral", "quantity": "120", "instructions": "", "stock_item_id": None,
                "dispense_in_house": False, "dispensed": []},
            (KOCHI, "invoices", INVOICE): {
                "centre_id": KOCHI, "patient_id": ASHA, "kind": "invoice", "number": "KOC-A/I26/00042",
                "issued_on": "2026-11-20", "issued_at": "2026-11-20T05:20:00+00:00", "issued_by": DOCTOR,
                "original_invoice_id": None, "package_id": None, "centre_gstin": "", "centre_state": "Kerala",
                "buyer_name": "", "buyer_gstin": "", "place_of_supply": "Kerala", "intra_state": True,
                "gross": "1250.00", "discount": "0.00", "taxable": "1250.00", "cgst": "0.00", "sgst": "0.00",
                "igst": "0.00", "round_off": "0.00", "total": "1250.00", "reason": ""},
            (KOCHI, "invoice_lines", INVOICE + "-1"): {
                "invoice_id": INVOICE, "position": 1, "description": "Consultation – first visit", "hsn_sac": "999312",
                "gst_rate": "0", "exempt": True, "quantity": "1", "unit_price": "1250.00", "line_discount": "0.00",
                "invoice_discount": "0.00", "taxable": "1250.00", "cgst": "0.00", "sgst": "0.00", "igst": "0.00",
                "source_kind": "", "source_id": ""},
            (KOCHI, "care_plans", PLAN): {
                "centre_id": KOCHI, "patient_id": ASHA, "course_key": "keraliya-7", "course_version": 1,
                "start_date": "2026-11-10", "status": "completed", "name": "Kerala rejuvenation (7 days)",
                "rest_days": [], "max_days_late": 2, "scheduled": True, "notes": "", "doctor_id": DOCTOR},
            (KOCHI, "plan_sessions", SESSION): {
                "plan_id": PLAN, "key": "d0-abhyanga", "status": "completed", "day_offset": 0,
                "started_at": "2026-11-10T04:30:00+00:00", "ended_at": "2026-11-10T05:30:00+00:00", "seq": 1,
                "therapy": "abhyanga", "phase": "keraliya", "service_id": None, "after": None,
                "appointment_id": None, "sop_key": None, "sop_version": None, "sop_steps": []},
        })
    with testbed.transaction(THRISSUR) as session:
        seed_rows(session, {(THRISSUR, "prescriptions", RAVIS_PRESCRIPTION): _prescription(RAVI, CONSULTATION)})


def _text(pdf: bytes, folder) -> str:
    (folder / "record.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(folder / "record.pdf"), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


@pytest.fixture(params=["sqlite", "postgresql"])
def testbed(request, tmp_path):
    bed = request.getfixturevalue("portal" if request.param == "sqlite" else "pg_portal")
    bed.master_key_file = tmp_path / "centre-master-key"
    seed_records(bed)
    return bed


def test_a_signed_in_patient_lists_and_downloads_her_own_records(testbed, tmp_path):
    asha = testbed.sign_in(OWN_PHONE, record=0)
    page = asha.get("/portal/records")
    assert page.status_code == 200
    for path in (f"prescription/{PRESCRIPTION}", f"consultation/{SIGNED_NOTE}", f"invoice/{INVOICE}",
                 f"discharge/{PLAN}"):
        assert f'href="/portal/records/{path}.pdf"' in page.text
    assert DRAFT_NOTE not in page.text and "argon2" not in page.text and "+919800000000" not in page.text

    expected = {f"prescription/{PRESCRIPTION}": ("Yogaraja Guggulu", "Sandhivata of both knees."),
                f"consultation/{SIGNED_NOTE}": ("Sandhivata of both knees.", "Warm sesame oil massage every evening."),
                f"invoice/{INVOICE}": ("KOC-A/I26/00042", "1,250.00"),
                f"discharge/{PLAN}": ("Abhyanga", "Kerala rejuvenation (7 days)")}
    for path, words in expected.items():
        response = asha.get(f"/portal/records/{path}.pdf")
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        assert "Asha" not in response.headers["content-disposition"]
        text = _text(response.content, tmp_path)
        assert all(word in text for word in words), path
        assert "Worried about her job" not in text  # the note's history is the doctor's, not the patient's copy
    with testbed.transaction(KOCHI) as session:
        actions = [(a, s) for a, s in session.execute(select(PortalAuditRow.action, PortalAuditRow.subject)
                                                      .where(PortalAuditRow.action.like("records.%")))]
    assert ("records.view", "") in actions and ("records.download.consultation", SIGNED_NOTE) in actions
    assert len(actions) == 5


@pytest.mark.parametrize("path", [f"prescription/{RAVIS_PRESCRIPTION}", f"consultation/{DRAFT_NOTE}",
                                  f"discharge/{INVOICE}", f"invoice/{PRESCRIPTION}", f"notes/{SIGNED_NOTE}"])
def test_another_centres_a_draft_and_a_wrong_kind_are_404_and_not_audited(testbed, path):
    asha = testbed.sign_in(OWN_PHONE, record=0)
    response = asha.get(f"/portal/records/{path}.pdf")
    assert response.status_code == 404 and "That record was not found" in response.text
    with testbed.transaction(KOCHI) as session:
        assert session.scalar(select(PortalAuditRow.id).where(PortalAuditRow.action.like("records.%"))) is None
