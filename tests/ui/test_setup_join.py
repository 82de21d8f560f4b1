"""The first-run wizard's second path: join a centre that already uses ClinicDesk, against a real HQ (uvicorn on
loopback), on a real worker thread; a wrong code shows HQ's sentence and leaves no database behind."""

from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QDialog, QWizard

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import auth, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import create_database, database_exists
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.ui.dialogs.setup_wizard import SetupWizard
from tests.sync.hq_fixtures import NO_WAIT, enrolment_code, hq_admin, serve_hq

ADMIN_PASSWORD = "a long clinic passphrase"


def clock():
    return datetime(2026, 11, 26, 4, 30, tzinfo=UTC)


@pytest.fixture
def centre_at_hq(tmp_path):
    """HQ with one centre that desk A set up, used and synced; yields (HQ address, the centre's id at HQ)."""
    with serve_hq(tmp_path) as port:
        hq_url = f"http://127.0.0.1:{port}"
        db = create_database(tmp_path / "desk-a", passphrase=None)
        ctx = ServiceContext(db, clock=clock)
        ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
            clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
            centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon",
            admin_password=ADMIN_PASSWORD))
        patients.register_patient(ctx, PatientDraft(given_name="Lakshmi", family_name="Nair", sex="female",
                                                    date_of_birth=date(1984, 3, 9), phone="9847012345"))
        centre = hq_admin(hq_url, "POST", "/v1/admin/centres", {"name": "Kochi"})["id"]
        enrol(db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk A")
        sync_once(db, load_hq_settings(db.data_dir), **NO_WAIT)
        db.close()
        yield hq_url, centre


def _join_wizard(qtbot, data_dir, hq_url: str, code: str) -> SetupWizard:
    wizard = SetupWizard(data_dir, keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.join_existing.setChecked(True)
    wizard.next()
    assert wizard.currentId() == SetupWizard.JOIN
    wizard.join_fields.hq_url.setText(hq_url)
    wizard.join_fields.code.setText(code)
    wizard.join_fields.device_name.setText("Consultation tablet")
    return wizard


def test_joining_from_the_wizard_fills_the_new_database_and_leads_to_sign_in(qtbot, tmp_path, centre_at_hq):
    hq_url, centre = centre_at_hq
    data_dir = tmp_path / "desk-b"
    wizard = _join_wizard(qtbot, data_dir, hq_url, enrolment_code(hq_url, centre))
    wizard.grab().save("/tmp/h1_join.png")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.join_fields.progress.isVisible()  # the join runs on a worker; the page shows it is busy
    qtbot.waitUntil(lambda: wizard.result() == QDialog.DialogCode.Accepted, timeout=60_000)
    assert wizard.wait_for_join()
    assert wizard.user is None and wizard.joined.device_code == "B"  # nobody signed in yet: sign-in comes next
    assert (wizard.joined.staff, wizard.joined.patients) == (1, 1)
    try:
        assert database_exists(data_dir) and not auth.needs_setup(ServiceContext(wizard.database))
        user = auth.sign_in(ServiceContext(wizard.database), "admin", ADMIN_PASSWORD)  # A's password
        assert user.full_name == "Asha Menon"
    finally:
        wizard.database.close()


def test_a_wrong_code_shows_hqs_sentence_and_leaves_no_database(qtbot, tmp_path, centre_at_hq):
    hq_url, _ = centre_at_hq
    data_dir = tmp_path / "desk-c"
    wizard = _join_wizard(qtbot, data_dir, hq_url, "AAAA-BBBB-CCCC-DDDD")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: "enrolment code is not valid" in wizard.join_page.banner.text(), timeout=30_000)
    assert wizard.wait_for_join()
    assert wizard.result() != QDialog.DialogCode.Accepted and wizard.currentId() == SetupWizard.JOIN
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # fix the code and try again
    assert not data_dir.exists() and wizard.database is None


def test_the_join_page_asks_for_what_is_missing_before_sending_anything(qtbot, tmp_path):
    data_dir = tmp_path / "desk-d"
    wizard = _join_wizard(qtbot, data_dir, "https://hq.example.in", "")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    text = wizard.join_page.banner.text()
    assert "Enrolment code is required" in text and "CA certificate is required" in text
    assert not data_dir.exists()
