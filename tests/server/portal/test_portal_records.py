"""The portal's records page and PDF downloads, fed by a real desk through a real HQ: the demo clinic is built, enrolled
and synced (uvicorn on loopback), then the records router reads HQ's merged rows. The PDFs carry the same medicines,
totals and therapies as the desk's own PDFs of the same records; another patient's, another centre's, a draft's or a
wrong kind's id is a 404 that records nothing."""

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from clinicdesk.server.app import create_app
from clinicdesk.server.centre_keys import load_or_create_master_key
from clinicdesk.server.database import open_server_database
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.portal_models import PortalAuditRow
from clinicdesk.server.portal.portal_state import PortalState
from clinicdesk.server.portal.records_pages import router
from clinicdesk.server.portal.sessions import current_identity
from clinicdesk.services import (
    auth,
    billing_documents,
    clinical_notes,
    consultations,
    demo,
    discharge_summary,
    prescription_documents,
)
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.settings import load_hq_settings
from tests.memory_keyring import MemoryKeyring
from tests.sync.hq_fixtures import NO_WAIT, enrolment_code, new_centre, serve_hq_url

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # the demo's "now"; the portal's clock too, so PDFs compare
DEMO_PATIENTS = 12
VISIT = [(0.0, 4.0, "My shoulder has been stiff for a month."),
         (4.0, 9.0, "This looks like avabahuka, a frozen shoulder."),
         (9.0, 14.0, "Apply warm sesame oil every evening.")]


@dataclass
class World:
    """HQ's database after the demo desk synced, and what the desk itself printed for the same records."""

    hq_database: Path
    master_key_file: Path
    centre_id: str
    other_centre_id: str
    rx_patient: str  # has a signed note, a prescription, a bill and a draft note of a later visit
    course_patient: str  # has a completed course
    bare_patient: str  # has no record of any kind
    prescription_id: str
    invoice_id: str
    plan_id: str
    active_plan: tuple[str, str]  # (plan id, patient id) of a course still running: no discharge summary yet
    credit_note: tuple[str, str]  # (credit note id, patient id)
    signed_note_id: str
    draft_note_id: str
    desk_text: dict  # kind -> pdftotext of the desk's own PDF
    note_sections: dict  # section -> sentences of the signed note, as the desk reads them


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _query(db, sql: str):
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(sql).fetchall()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("records")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # the module's desk keeps its key and credential here
    try:
        demo.build_demo_clinic(root / "desk", passphrase=None, patients=DEMO_PATIENTS, now=FIXED_NOW)
        db = open_database(root / "desk")
        ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
        ctx.user = auth.sign_in(ctx, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
        doctor = ServiceContext(db, clock=lambda: FIXED_NOW)
        doctor.user = auth.sign_in(doctor, demo.DEMO_DOCTOR, demo.DEMO_PASSWORD)

        [(rx_patient, prescription_id, consultation_id)] = _query(db, (
            "SELECT rx.patient_id, rx.id, rx.consultation_id FROM prescriptions rx "
            "WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.patient_id = rx.patient_id AND i.kind = 'invoice') "
            "ORDER BY rx.prescribed_at LIMIT 1"))
        [(signed_note_id,)] = _query(db, f"SELECT id FROM clinical_notes WHERE consultation_id = '{consultation_id}' "
                                         "AND status = 'signed' ORDER BY version DESC LIMIT 1")
        [(invoice_id,)] = _query(db, f"SELECT id FROM invoices WHERE patient_id = '{rx_patient}' AND kind = 'invoice' "
                                     "ORDER BY issued_at LIMIT 1")
        [(plan_id, course_patient)] = _query(db, "SELECT id, patient_id FROM care_plans WHERE status = 'completed' "
                                                 "ORDER BY id LIMIT 1")
        [credit_note] = _query(db, "SELECT id, patient_id FROM invoices WHERE kind = 'credit_note' ORDER BY id LIMIT 1")
        [active_plan] = _query(db, "SELECT id, patient_id FROM care_plans WHERE status = 'active' ORDER BY id LIMIT 1")
        [(bare_patient,)] = _query(db, (
            "SELECT id FROM patients p WHERE NOT EXISTS (SELECT 1 FROM invoices WHERE patient_id = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM prescriptions WHERE patient_id = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM care_plans WHERE patient_id = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM consultations WHERE patient_id = p.id) ORDER BY id LIMIT 1"))

        # a later visit of the same patient whose note is only drafted: it must never reach the portal
        later, _ = consultations.start_consultation(doctor, rx_patient)
        clinical_notes.save_transcript(doctor, later.id, VISIT, model="tiny.en")
        draft, _ = clinical_notes.draft_note_from_transcript(doctor, later.id)

        note = clinical_notes.get_note(doctor, consultation_id)
        note_sections = {name: [sentence.text for sentence in lines] for name, lines in note.sections.items()}
        desk_text = {
            "prescription": pdf_text(prescription_documents.prescription_pdf(ctx, prescription_id), root),
            "invoice": pdf_text(billing_documents.invoice_pdf(ctx, invoice_id)[1], root),
            "credit_note": pdf_text(billing_documents.invoice_pdf(ctx, credit_note[0])[1], root),
            **{f"discharge-{language}": pdf_text(discharge_summary.discharge_summary_pdf(
                ctx, course_patient, plan_id=plan_id, language=language), root) for language in ("en", "hi")}}

        master_key_file = root / "hq" / "centre-master-key"
        with serve_hq_url(root, master_key_file=master_key_file) as url:
            centre_id = new_centre(url, "Kochi")
            other_centre_id = new_centre(url, "Thrissur")
            enrol(db.data_dir, url, enrolment_code(url, centre_id), "", device_name="Reception desk",
                  database=db)
            summary = sync_once(db, load_hq_settings(db.data_dir), **NO_WAIT)
            assert summary.rejected == 0
        db.close()
    finally:
        keyring.set_keyring(previous)
    return World(root / "hq" / "hq.sqlite3", master_key_file, centre_id, other_centre_id, rx_patient,
                 course_patient, bare_patient, prescription_id, invoice_id, plan_id, tuple(active_plan),
                 tuple(credit_note), signed_note_id, draft.note_id, desk_text, note_sections)


@pytest.fixture(scope="module")
def hq_sessions(world):
    factory = open_server_database(f"sqlite:///{world.hq_database}")
    yield factory
    factory.kw["bind"].dispose()


@dataclass
class Portal:
    client: TestClient
    sessions: object
    identity: PortalIdentity
    state: PortalState

    def sign_in_as(self, patient_id: str, *, centre_id: str | None = None, language: str = "en") -> None:
        self.identity = replace(self.identity, patient_id=patient_id, language=language,
                                centre_id=centre_id or self.identity.centre_id)

    def audit_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(PortalAuditRow))

    def audit_entries(self) -> list[tuple[str, str]]:
        with self.sessions() as session:
            return [tuple(row) for row in session.execute(select(PortalAuditRow.action, PortalAuditRow.subject)
                                        .order_by(PortalAuditRow.id))]


@pytest.fixture
def portal(world, hq_sessions):
    """The records router in a small app of its own, signed in (by dependency override) as the prescription patient."""
    app = FastAPI()
    app.include_router(router)
    state = PortalState(hq_sessions, lambda: FIXED_NOW, PortalConfig(hash_key=b"k" * 32, secure_cookies=False))
    state.centre_master_key = load_or_create_master_key(world.master_key_file)
    app.state.portal = state
    holder = Portal(None, hq_sessions, PortalIdentity("session-1", world.centre_id, world.rx_patient, "0001", False,
                                                      "en", "csrf-token"), state)
    app.dependency_overrides[current_identity] = lambda: holder.identity
    with TestClient(app) as client:
        holder.client = client
        yield holder


def test_the_records_page_lists_each_kind_with_a_download_link_and_is_audited(portal, world):
    before = portal.audit_count()
    page = portal.client.get("/records")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert f'href="/portal/records/prescription/{world.prescription_id}.pdf"' in html
    assert f'href="/portal/records/consultation/{world.signed_note_id}.pdf"' in html
    assert world.draft_note_id not in html  # a draft is not a record yet
    assert "No completed treatment courses yet." in html  # this patient has no completed course
    assert html.count("Download PDF") >= 3
    assert portal.audit_count() == before + 1 and portal.audit_entries()[-1] == ("records.view", "")
    every_invoice = portal.client.get("/records", params={"all": "invoice"}).text
    assert f'href="/portal/records/invoice/{world.invoice_id}.pdf"' in every_invoice
    assert portal.audit_entries()[-1] == ("records.view", "invoice")


def _links(html: str, kind: str) -> list[str]:
    return re.findall(rf'href="/portal/records/{kind}/([^"]+)\.pdf"', html)


def test_the_records_page_shows_the_latest_five_of_a_kind_and_all_of_them_on_request(portal, world):
    every = _links(portal.client.get("/records", params={"all": "invoice"}).text, "invoice")
    assert len(every) > 5, "the world's patient should have more bills than the page shows at first"
    first = portal.client.get("/records").text
    assert _links(first, "invoice") == every[:5]  # newest first, the same order in both
    assert f'href="/portal/records?all=invoice#records-invoice">Show all ({len(every)})</a>' in first
    assert "?all=prescription" not in first  # a kind with few records needs no such link
    assert "?all=invoice" not in portal.client.get("/records", params={"all": "invoice"}).text
    # an unknown kind, or a made-up parameter, is not an error: the page shows the latest of each kind
    for params in ({"all": "everything"}, {"all": "../invoice"}, {"page": "2"}):
        odd = portal.client.get("/records", params=params)
        assert odd.status_code == 200 and _links(odd.text, "invoice") == every[:5]


def test_a_patient_without_records_sees_an_empty_line_for_every_kind(portal, world):
    portal.sign_in_as(world.bare_patient, language="hi")
    html = portal.client.get("/records").text
    assert 'lang="hi"' in html and "Download PDF" not in html and "PDF डाउनलोड करें" not in html
    for line in ("अभी तक कोई पर्चा नहीं है।", "अभी तक कोई बिल नहीं है।", "अभी तक कोई उपचार कोर्स पूरा नहीं हुआ है।",
                 "अभी तक कोई हस्ताक्षरित परामर्श सारांश नहीं है।"):
        assert line in html


def _download(portal, kind: str, row_id: str):
    response = portal.client.get(f"/records/{kind}/{row_id}.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="[a-z-]+-\d{4}-\d{2}-\d{2}\.pdf"', disposition), disposition
    return response.content


def _flat(text: str) -> str:
    """The text as one line of single spaces: layout columns differ by a space where the letterhead differs."""
    return " ".join(text.split())


def _without_clinic_name(desk_text: str) -> str:
    # The desk's bills head with its clinic name setting, which stays on the desk (settings do not sync); HQ prints
    # the centre's name. Everything else must read the same.
    return desk_text.replace(f"{demo.CLINIC_NAME}, ", "")


def test_the_prescription_pdf_has_the_desks_medicines_doses_and_advice(portal, world, tmp_path):
    text = _flat(pdf_text(_download(portal, "prescription", world.prescription_id), tmp_path))
    desk = world.desk_text["prescription"]
    items = [_flat(line) for line in desk.splitlines() if re.match(r"^\s*\d+\s+\S", line)]
    assert items and all(item in text for item in items)  # number, medicine, dose, when, how long, instructions
    advice = _flat(desk.split("Advice", 1)[1].split("____", 1)[0])
    assert advice and f"Advice {advice}" in text
    assert portal.audit_entries()[-1] == ("records.download.prescription", world.prescription_id)


def test_the_invoice_pdf_reads_as_the_desks_own(portal, world, tmp_path):
    text = pdf_text(_download(portal, "invoice", world.invoice_id), tmp_path)
    assert "Total" in text and "Payments received" in text
    assert _flat(text) == _flat(_without_clinic_name(world.desk_text["invoice"]))
    assert portal.audit_entries()[-1] == ("records.download.invoice", world.invoice_id)


def test_a_credit_note_is_listed_as_one_and_reads_as_the_desks_own(portal, world, tmp_path):
    credit_note_id, patient_id = world.credit_note
    portal.sign_in_as(patient_id)
    html = portal.client.get("/records").text
    assert f"/records/invoice/{credit_note_id}.pdf" in html and "Credit note" in html
    text = pdf_text(_download(portal, "invoice", credit_note_id), tmp_path)
    assert "CREDIT NOTE" in text.upper()
    assert _flat(text) == _flat(_without_clinic_name(world.desk_text["credit_note"]))


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_discharge_summary_pdf_reads_as_the_desks_own_in_the_patients_language(portal, world, tmp_path,
                                                                                   language):
    portal.sign_in_as(world.course_patient, language=language)
    text = pdf_text(_download(portal, "discharge", world.plan_id), tmp_path)
    assert "Abhyanga" in text  # the course's therapy
    assert _flat(text) == _flat(world.desk_text[f"discharge-{language}"])
    assert portal.audit_entries()[-1] == ("records.download.discharge", world.plan_id)


def test_the_consultation_summary_shows_only_the_signed_diagnosis_and_advice(portal, world, tmp_path):
    text = pdf_text(_download(portal, "consultation", world.signed_note_id), tmp_path)
    flat = " ".join(text.split())
    shown = world.note_sections["assessment"] + world.note_sections["plan"]
    assert shown and all(" ".join(line.split()) in flat for line in shown)
    hidden = [line for name, lines in world.note_sections.items() if name not in ("assessment", "plan")
              for line in lines if line not in shown]
    assert hidden and not any(" ".join(line.split()) in flat for line in hidden)  # history, examination: not here
    assert "avabahuka" not in flat.lower()  # the later visit's draft never prints
    assert "Consultation summary" in text and "Diagnosis" in text and "Advice" in text
    assert portal.audit_entries()[-1] == ("records.download.consultation", world.signed_note_id)


@pytest.mark.parametrize("case", ["other patient", "other centre", "draft note", "wrong kind", "unknown kind",
                                  "no such id", "course still running", "note id as a prescription"])
def test_anything_but_the_patients_own_record_of_that_kind_is_a_404_that_changes_nothing(portal, world, case):
    kind, row_id = {
        "other patient": ("invoice", world.invoice_id),
        "other centre": ("prescription", world.prescription_id),
        "draft note": ("consultation", world.draft_note_id),
        "wrong kind": ("invoice", world.prescription_id),
        "unknown kind": ("labs", world.prescription_id),
        "no such id": ("prescription", "01a218c2-0000-7000-8000-000000000000"),
        "course still running": ("discharge", world.active_plan[0]),
        "note id as a prescription": ("prescription", world.signed_note_id),
    }[case]
    if case == "other patient":
        portal.sign_in_as(world.course_patient)
    if case == "course still running":
        portal.sign_in_as(world.active_plan[1])
    if case == "other centre":
        portal.sign_in_as(world.rx_patient, centre_id=world.other_centre_id)
    before = portal.audit_entries()
    response = portal.client.get(f"/records/{kind}/{row_id}.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "That record was not found in your records." in response.text
    assert portal.audit_entries() == before



def _fonts(pdf: bytes, folder: Path) -> str:
    path = folder / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(("language", "font", "label"), [("hi", "NotoSansDevanagari", "रोगी"),
                                                         ("ml", "NotoSansMalayalam", "UHID")])
def test_the_consultation_summary_prints_its_headings_in_the_patients_language(portal, world, tmp_path, language,
                                                                               font, label):
    portal.sign_in_as(world.rx_patient, language=language)
    pdf = _download(portal, "consultation", world.signed_note_id)
    text = pdf_text(pdf, tmp_path)
    assert label in text and "Diagnosis" not in text and "Advice" not in text
    assert world.note_sections["plan"][0] in _flat(text)  # the doctor's words stay as written
    assert font in _fonts(pdf, tmp_path)


def test_without_the_centre_key_a_summary_is_listed_but_not_opened_and_the_prescription_still_prints(
        portal, world, tmp_path):
    del portal.state.centre_master_key  # a portal started without HQ's master key
    assert f"/records/consultation/{world.signed_note_id}.pdf" in portal.client.get("/records").text
    before = portal.audit_entries()
    response = portal.client.get(f"/records/consultation/{world.signed_note_id}.pdf")
    assert response.status_code == 503 and "ask the clinic for a printed copy" in response.text
    assert portal.audit_entries() == before
    text = _flat(pdf_text(_download(portal, "prescription", world.prescription_id), tmp_path))
    items = [_flat(line) for line in world.desk_text["prescription"].splitlines() if re.match(r"^\s*\d+\s+\S", line)]
    assert items and all(item in text for item in items)  # the medicines print; the sealed advice cannot
    assert "Advice" not in text and world.note_sections["plan"][0] not in text


def test_hq_serves_the_records_at_portal_and_opens_notes_with_its_master_key(world, tmp_path):
    """The whole HQ app (create_app mounts the portal at /portal and hands it the master key); only sign-in is
    stood in for, by overriding the identity dependency of the mounted portal."""
    app = create_app(f"sqlite:///{world.hq_database}", clock=lambda: FIXED_NOW,
                     centre_master_key=load_or_create_master_key(world.master_key_file))
    [portal_app] = [route.app for route in app.routes if getattr(route, "path", "") == "/portal"]
    portal_app.dependency_overrides[current_identity] = lambda: PortalIdentity(
        "session-e2e", world.centre_id, world.rx_patient, "0001", False, "en", "csrf-token")
    with TestClient(app) as client:
        page = client.get("/portal/records")
        assert page.status_code == 200 and f"/portal/records/consultation/{world.signed_note_id}.pdf" in page.text
        response = client.get(f"/portal/records/consultation/{world.signed_note_id}.pdf")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith('attachment; filename="consultation-summary-')
        assert world.note_sections["plan"][0] in _flat(pdf_text(response.content, tmp_path))
