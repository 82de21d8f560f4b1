"""One world for the portal's end-to-end tests: the demo desk synced into a real HQ (uvicorn, HTTPS) with the portal
on and an SMS stand-in, and one headless Debian Chromium driven by Playwright, shared by the whole session."""

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from clinicdesk import portal_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LOCALES = {"en": "en-IN", "hi": "hi-IN", "ml": "ml-IN"}
# each test that signs in asks for a code: more than the 3 per phone per 15 minutes a real patient gets
LIMITS = {"codes_per_phone": 50, "starts_per_client": 100}
WORLD_PATIENTS = 4  # the course patient, a second Kochi patient with bills of their own, two in Pune
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("CLINICDESK_PORTAL_SCREENSHOTS", REPO_ROOT / "out" / "portal"))

@dataclass
class PortalWorld:
    """The running world and the ids the tests look for."""

    connected: portal_demo.ConnectedDesk
    sms: portal_demo.SmsStandIn
    other_invoice_id: str  # an invoice of another patient of the same centre
    prescription_id: str  # the course patient's
    invoice_number: str  # the course patient's first invoice's number
    invoice_total: Decimal  # and its total, as the desk has it
    medicine: str  # the drug of the course patient's prescription

    @property
    def desk(self) -> portal_demo.DemoDesk:
        return self.connected.desk

    @property
    def portal_url(self) -> str:
        return self.connected.hq.portal_url

    @property
    def phone(self) -> str:
        return self.desk.phone

    def hq_rows(self, table: str) -> list[dict]:
        """The live rows of a synced table of the world's centre, as HQ holds them."""
        from clinicdesk.server.sync_models import RowStateRow

        with self.connected.hq.app.state.hq.transaction(self.connected.hq_centre_id) as session:
            states = session.scalars(select(RowStateRow).where(
                RowStateRow.centre_id == self.connected.hq_centre_id, RowStateRow.table_name == table,
                RowStateRow.deleted.is_(None)))
            return [{**state.field_values, "id": state.row_id} for state in states]


def _course_patient_records(desk: portal_demo.DemoDesk) -> tuple[str, str, str, Decimal, str]:
    from clinicdesk.store.models_billing import InvoiceRow
    from clinicdesk.store.models_consultation import PrescriptionItemRow, PrescriptionRow

    with desk.db.session() as session:
        prescription = session.scalars(select(PrescriptionRow.id).where(
            PrescriptionRow.patient_id == desk.patient_id)).one()
        invoice = session.scalars(select(InvoiceRow).where(InvoiceRow.patient_id == desk.patient_id)
                                  .order_by(InvoiceRow.number)).first()
        other = session.scalars(select(InvoiceRow.id).where(InvoiceRow.patient_id != desk.patient_id)).first()
        medicine = session.scalars(select(PrescriptionItemRow.drug_name).where(
            PrescriptionItemRow.prescription_id == prescription)).first()
        return other, prescription, invoice.number, invoice.total, medicine


@pytest.fixture(scope="session")
def portal_world(tmp_path_factory) -> Iterator[PortalWorld]:
    root = tmp_path_factory.mktemp("portal-world")
    previous = keyring.get_keyring()
    keyring.set_keyring(portal_demo.ProcessKeyring())  # the desk's key and credential stay in this process
    started = time.perf_counter()
    desk = portal_demo.build_desk(root / "desk", patients=WORLD_PATIENTS)
    built = time.perf_counter()
    try:
        portal_demo.enable_online_booking(desk)
        with contextlib.ExitStack() as stack:
            sms = stack.enter_context(portal_demo.serve_sms_stand_in(portal_demo.SmsStandIn()))
            hq = stack.enter_context(portal_demo.serve_hq(root / "hq", sms_url=sms.url, portal_options=LIMITS))
            connected = portal_demo.connect_desk(desk, hq)
            print(f"\nportal world ready in {time.perf_counter() - started:.1f} s (desk built in "
                  f"{built - started:.1f} s)")
            yield PortalWorld(connected, sms, *_course_patient_records(desk))
    finally:
        desk.db.close()
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, for the whole session (requested before the world, so a machine without it
    skips the browser tests without building anything)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): run installer/bootstrap.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone_context(browser):
    """A new phone-size browser profile (no cookies) per test; HQ's development certificate is self-signed."""
    contexts = []

    def open_context(language: str = "en", *, javascript: bool = True):
        context = browser.new_context(**PHONE, locale=LOCALES[language], ignore_https_errors=True,
                                      accept_downloads=True, java_script_enabled=javascript)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(phone_context):
    """A phone browser that is not signed in."""
    return phone_context().new_page()


@pytest.fixture(scope="session")
def signed_in_state(browser, portal_world) -> dict:
    """The cookies of one sign-in as the course patient, shared by the tests that only need to be signed in (a test
    that changes the session's language or signs out signs in on its own)."""
    context = browser.new_context(**PHONE, locale=LOCALES["en"], ignore_https_errors=True)
    try:
        sign_in(context.new_page(), portal_world)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def patient_page(browser, signed_in_state):
    """A phone browser signed in as the course patient, in English."""
    context = browser.new_context(**PHONE, locale=LOCALES["en"], ignore_https_errors=True, accept_downloads=True,
                                  storage_state=signed_in_state)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page, world: PortalWorld) -> None:
    """Sign in as the course patient with the code the SMS stand-in received; ends on a signed-in page."""
    page.goto(world.portal_url + "/sign-in")
    earlier = len(world.sms.texts_to(world.phone))
    page.fill("#phone", world.phone)
    page.locator("form[action='/portal/sign-in'] button[type=submit]").click()
    page.wait_for_url("**/portal/verify**")
    page.fill("#code", world.sms.latest_code(world.phone, after=earlier))
    page.locator("form[action='/portal/verify'] button[type=submit]").click()
    page.wait_for_load_state()
    if "/portal/choose" in page.url:
        page.locator("form[action='/portal/choose'] button[type=submit]").click()
        page.wait_for_load_state()
    assert "/portal/sign-in" not in page.url and "/portal/verify" not in page.url, "sign-in did not finish"


def screenshot(page, name: str) -> Path:
    """A full-page phone-size PNG in out/portal/ (or $CLINICDESK_PORTAL_SCREENSHOTS)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pdftotext(path: Path) -> str:
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: run installer/bootstrap.sh --test")
    return subprocess.run([tool, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pytest_collection_modifyitems(items):
    """Under `pytest -n N --dist loadgroup` every e2e test runs on one worker, which builds the world once."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("portal_e2e"))
