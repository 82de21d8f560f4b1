"""`clinicdesk portal-demo`: a local HQ with the demo clinic synced into it and the patient portal on, for trying.

It builds a small demo clinic (clinicdesk.services.demo), gives the Panchakarma course patient a prescription,
starts HQ (uvicorn over HTTPS with a development certificate) with the portal mounted at /portal, enrols the demo
desk with it and syncs, publishes the clinic's online-booking rules and free slots, and then keeps the desk syncing
every few seconds so online requests are decided as a real reception desk would. Sign-in codes go to a local SMS
stand-in that prints each message on the console instead of sending it. The end-to-end tests (tests/portal_e2e)
build their world with the same functions.

Everything here is for trying and testing only: the desk's database key and HQ credential stay in this process (an
in-memory keyring), and the HQ certificate is self-signed.
"""

import json
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring

from clinicdesk.store.process_keyring import ProcessKeyring

DEMO_PATIENTS = 6  # enough for a course patient, a second Kochi patient and the Pune desk's list; builds in seconds
DEMO_ADMIN_TOKEN_BYTES = 32
SYNC_EVERY_SECONDS = 5.0
BOOKABLE_SERVICE_CODES = ("CON-FU", "SHI")  # what the demo clinic lets patients book online
CODE_PATTERN = re.compile(r"\b(\d{6})\b")


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


# --- the SMS stand-in ------------------------------------------------------------------------------------------

@dataclass
class SmsStandIn:
    """A local HTTP JSON gateway (the request docs/notifications.md describes) that keeps every message, and with
    `echo` prints it (number masked) so a person trying the portal can read the sign-in code."""

    echo: Callable[[str], None] | None = None
    messages: list[dict] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, body: dict) -> None:
        with self._lock:
            self.messages.append(body)
        if self.echo is not None:
            to = str(body.get("to", ""))
            self.echo(f"SMS to ******{to[-4:]}: {body.get('text', '')}")

    def texts_to(self, phone_e164: str) -> list[str]:
        with self._lock:
            return [str(m.get("text", "")) for m in self.messages if m.get("to") == phone_e164]

    def latest_code(self, phone_e164: str, *, after: int = 0, timeout: float = 10.0) -> str:
        """The sign-in code of the newest message to the phone beyond the first `after` ones, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(phone_e164)
            if len(texts) > after:
                found = CODE_PATTERN.search(texts[-1])
                if found:
                    return found.group(1)
            time.sleep(0.05)
        raise TimeoutError("no sign-in code reached the SMS stand-in")


@contextmanager
def serve_sms_stand_in(stand_in: SmsStandIn, host: str = "127.0.0.1") -> Iterator[SmsStandIn]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's hook name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            stand_in.receive(body)
            reply = json.dumps({"id": f"demo-{len(stand_in.messages)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):  # the console is for the codes, not for access lines
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="sms-stand-in")
    thread.start()
    stand_in.url = f"http://{host}:{server.server_address[1]}/v1/messages"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- the demo desk ---------------------------------------------------------------------------------------------

@dataclass
class DemoDesk:
    """The demo clinic's desk database (open) and the patient the portal demo is about."""

    db: object  # clinicdesk.store.database.Database
    centre_id: str  # the desk's id of Kochi (portal_settings rows are keyed by it)
    patient_id: str  # Kochi's first patient, on a Panchakarma course
    phone: str  # that patient's phone, +91...
    services: dict[str, str]  # service code -> id
    admin: object  # ServiceContext of the demo administrator, signed in


def build_desk(data_dir: Path, *, patients: int = DEMO_PATIENTS, passphrase: str | None = None,
               now: datetime | None = None) -> DemoDesk:
    """The demo clinic in `data_dir` (which must not hold a clinic yet), opened, with a finished consultation and
    prescription for the course patient (the demo's own visits go to other patients)."""
    from sqlalchemy import select

    from clinicdesk.services import auth, demo_consultations
    from clinicdesk.services.context import ServiceContext
    from clinicdesk.services.demo import DEMO_ADMIN, DEMO_DOCTOR, DEMO_PASSWORD, build_demo_clinic
    from clinicdesk.store.database import open_database
    from clinicdesk.store.models import CentreRow, PatientRow
    from clinicdesk.store.models_scheduling import ServiceRow

    build_demo_clinic(data_dir, passphrase=passphrase, patients=patients, now=now)
    db = open_database(Path(data_dir).expanduser().resolve(), passphrase=passphrase)
    with db.session() as session:
        kochi = session.scalars(select(CentreRow).where(CentreRow.code == "KOC")).one()
        course_patient = session.scalars(select(PatientRow).where(PatientRow.centre_id == kochi.id)
                                         .order_by(PatientRow.uhid)).first()
        services = {row.code: row.id for row in session.scalars(select(ServiceRow))}
        centre_id, patient_id, phone = kochi.id, course_patient.id, course_patient.phone
    doctor = ServiceContext(db)
    doctor.user = auth.sign_in(doctor, DEMO_DOCTOR, DEMO_PASSWORD)
    demo_consultations.DemoConsultations(doctor, random.Random(1)).record(patient_id)
    admin = ServiceContext(db)
    admin.user = auth.sign_in(admin, DEMO_ADMIN, DEMO_PASSWORD)
    return DemoDesk(db, centre_id, patient_id, phone, services, admin)


# --- HQ with the portal ----------------------------------------------------------------------------------------

@dataclass
class LocalHq:
    """HQ under uvicorn in a thread of this process, over HTTPS with a development certificate."""

    data_dir: Path
    url: str
    ca_file: Path
    admin_token: str
    app: object  # the FastAPI application

    def admin(self, method: str, path: str, body: dict) -> dict:
        import ssl

        import httpx

        trusted = ssl.create_default_context(cafile=str(self.ca_file))
        response = httpx.request(method, self.url + path, json=body, verify=trusted, timeout=30,
                                 headers={"Authorization": f"Bearer {self.admin_token}"})
        response.raise_for_status()
        return response.json()

    @property
    def portal_url(self) -> str:
        return self.url + "/portal"


def hq_application(database_url: str, *, admin_token: str, master_key, sms_url: str,
                   portal_options: dict | None = None):
    """HQ's application with the portal on, its sign-in codes sent to `sms_url`; `portal_options` change
    PortalConfig's defaults (tests allow more codes per phone)."""
    from clinicdesk.notify.http_gateway import GatewaySettings
    from clinicdesk.server.app import create_app
    from clinicdesk.server.portal.config import PortalConfig

    portal = PortalConfig(hash_key=secrets.token_bytes(32), sms_gateway=GatewaySettings(url=sms_url),
                          **(portal_options or {}))
    return create_app(database_url, admin_token=admin_token, centre_master_key=master_key, portal=portal)


@contextmanager
def serve_hq(data_dir: Path, *, sms_url: str, host: str = "127.0.0.1", port: int | None = None,
             portal_options: dict | None = None) -> Iterator[LocalHq]:
    import uvicorn

    from clinicdesk.server.centre_keys import load_or_create_master_key
    from clinicdesk.server.tls import dev_self_signed

    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    tls = dev_self_signed(data_dir)
    token = secrets.token_urlsafe(DEMO_ADMIN_TOKEN_BYTES)
    app = hq_application(f"sqlite:///{data_dir / 'hq.sqlite3'}", admin_token=token,
                         master_key=load_or_create_master_key(data_dir / "centre-master-key"), sms_url=sms_url,
                         portal_options=portal_options)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port or 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", ssl_certfile=str(tls.cert),
                                           ssl_keyfile=str(tls.key), server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hq")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("HQ stopped while starting")
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("HQ did not start within 20 s")
    try:
        yield LocalHq(data_dir, f"https://127.0.0.1:{sock.getsockname()[1]}", tls.cert, token, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# --- the desk joins HQ and publishes what the portal offers ----------------------------------------------------

@dataclass
class ConnectedDesk:
    desk: DemoDesk
    hq: LocalHq
    hq_centre_id: str  # HQ's id of the centre the desk enrolled in (what portal identities carry)
    settings: object  # clinicdesk.sync.settings.HqSettings, kept here so syncing needs no keyring

    def sync(self):
        """One sync and the desk's portal work after it (auto-approving requests, publishing free starts), pushed
        at once as every sync path does."""
        from clinicdesk.services.portal_after_sync import settle_after_sync
        from clinicdesk.sync.client import sync_once

        no_wait = {"sleep": lambda _seconds: None}
        summary = sync_once(self.desk.db, self.settings, **no_wait)
        return settle_after_sync(self.desk.admin, self.settings, summary, **no_wait)[0]


def connect_desk(desk: DemoDesk, hq: LocalHq, centre_name: str = "Kochi") -> ConnectedDesk:
    """A new centre at HQ, the desk enrolled in it (and its centre key fetched), then the first sync."""
    from clinicdesk.sync.enrolment import enrol

    centre = hq.admin("POST", "/v1/admin/centres", {"name": centre_name})["id"]
    code = hq.admin("POST", "/v1/admin/enrolment-codes", {"centre_id": centre, "valid_hours": 1})["code"]
    settings = enrol(desk.db.data_dir, hq.url, code, str(hq.ca_file), device_name="Kochi reception (demo)",
                     database=desk.db)
    connected = ConnectedDesk(desk, hq, centre, settings)
    connected.sync()
    return connected


def enable_online_booking(desk: DemoDesk) -> None:
    """The demo clinic's rules for online booking (Admin > Patient portal), saved at the desk like an admin would,
    and its first free starts published; both reach HQ at the next sync."""
    from clinicdesk.services.portal_availability import publish_availability
    from clinicdesk.services.portal_settings import PortalSettings, save_settings

    save_settings(desk.admin, PortalSettings(
        desk.centre_id, booking_enabled=True, auto_approve=True, min_notice_hours=12, max_days_ahead=14,
        change_notice_hours=24, bookable_service_ids=tuple(desk.services[code] for code in BOOKABLE_SERVICE_CODES)))
    publish_availability(desk.admin)


# --- the command -----------------------------------------------------------------------------------------------

def run(data_dir: Path, *, port: int = 8443, host: str = "127.0.0.1", patients: int = DEMO_PATIENTS,
        out=sys.stdout) -> int:
    """Build, connect and serve until Ctrl-C; the desk syncs every few seconds meanwhile."""
    from clinicdesk.domain.errors import ClinicError

    data_dir = Path(data_dir).expanduser().resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        print(f"clinicdesk: {data_dir} is not empty; the portal demo builds a new clinic and HQ there. Choose an "
              "empty or new folder with --data-dir.", file=sys.stderr)
        return 2
    if not port_is_free(host, port):
        print(f"clinicdesk: port {port} is already in use on {host}; choose another with --port.", file=sys.stderr)
        return 2
    keyring.set_keyring(ProcessKeyring())
    signal.signal(signal.SIGTERM, _stop_on_terminate)  # `kill` stops the demo as cleanly as Ctrl-C does

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    started = time.perf_counter()
    try:
        desk = build_desk(data_dir / "desk", patients=patients)
    except ClinicError as error:
        print(f"clinicdesk: {error}", file=sys.stderr)
        return 2
    try:
        with serve_sms_stand_in(SmsStandIn(echo=say)) as sms, \
                serve_hq(data_dir / "hq", sms_url=sms.url, host=host, port=port) as hq:
            enable_online_booking(desk)
            connected = connect_desk(desk, hq)
            say(f"Portal demo ready in {time.perf_counter() - started:.0f} s.")
            say(f"  Open {portal_address(host, port)} (the certificate is self-signed: accept the browser's warning).")
            say(f"  Sign in with the demo patient's phone number {desk.phone}; the code is printed here.")
            say("  The demo desk syncs every few seconds, so online requests are decided as a desk would. "
                "Ctrl-C stops.")
            _keep_syncing(connected, say)
    except KeyboardInterrupt:
        say("Stopping the portal demo.")
    finally:
        desk.db.close()
    return 0


def _keep_syncing(connected: ConnectedDesk, say: Callable[[str], None]) -> None:
    while True:
        time.sleep(SYNC_EVERY_SECONDS)
        try:
            connected.sync()
        except Exception as error:  # noqa: BLE001 (a failed demo sync is reported and tried again)
            say(f"(demo desk sync failed: {type(error).__name__}; trying again)")


def _stop_on_terminate(_signum, _frame):
    raise KeyboardInterrupt


def portal_address(host: str, port: int) -> str:
    """Where to open the portal: this computer's address on the network when listening on all of them."""
    shown = {"127.0.0.1": "localhost", "0.0.0.0": _network_address()}.get(host, host)  # noqa: S104 (a comparison)
    return f"https://{shown}:{port}/portal/sign-in"


def _network_address() -> str:
    """This computer's address on its local network (a UDP socket sends nothing until data is written)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def add_parser(sub) -> None:
    """`clinicdesk portal-demo --data-dir DIR [--port N] [--host H]`."""
    p = sub.add_parser("portal-demo", help="try the patient portal: a local HQ with the demo clinic synced into it",
                       description="Build a small demo clinic, start a local HQ with the patient portal on, and "
                                   "print each sign-in code here instead of sending an SMS. For trying only.")
    p.add_argument("--data-dir", required=True, help="an empty or new folder for the demo desk and HQ")
    p.add_argument("--port", type=int, default=8443, help="HTTPS port of HQ and the portal (default 8443)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 to try it from a phone on this network)")
    p.add_argument("--patients", type=int, default=DEMO_PATIENTS, help=f"demo patients (default {DEMO_PATIENTS})")
    p.set_defaults(func=lambda args: run(Path(args.data_dir), port=args.port, host=args.host,
                                         patients=args.patients))
