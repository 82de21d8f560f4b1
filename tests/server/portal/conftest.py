"""Shared portal fixtures: an HQ on a temporary SQLite file with the portal mounted, two seeded centres and their
patients (as synced rows), a local SMS gateway stand-in that captures the codes, a hand-moved clock, and a helper
that signs a test client in through the real pages.

    def test_something(portal):                 # PortalTestbed
        client = portal.sign_in(OWN_PHONE, record=0)     # a TestClient with a live session
        page = client.get("/portal/home")
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clinicdesk.notify.http_gateway import GatewaySettings
from clinicdesk.server.app import create_app
from clinicdesk.server.models import CentreRow
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.portal_models import PortalAuditRow
from clinicdesk.server.sync_models import RowStateRow, SyncSequenceRow
from tests.notify.servers import Gateway, gateway_server

START = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)  # 10:00 in Kochi
TODAY = START.date()

KOCHI = "0190d2a0-0000-7000-8000-00000000c0c1"
THRISSUR = "0190d2a0-0000-7000-8000-00000000c0c2"
OWN_PHONE = "+919847012345"  # opens Asha's own record and her son Kiran's (as guardian)
SOLO_PHONE = "+919895011111"  # opens one record (Meera at Thrissur)
UNKNOWN_PHONE = "+919000000001"  # opens nothing
ASHA = "0190d2a0-0000-7000-8000-0000000000a1"
KIRAN = "0190d2a0-0000-7000-8000-0000000000a2"  # 9 years old, mother's phone as emergency contact
ARJUN = "0190d2a0-0000-7000-8000-0000000000a3"  # 19, same contact phone: an adult, so not opened as guardian
MEERA = "0190d2a0-0000-7000-8000-0000000000b1"
RAVI = "0190d2a0-0000-7000-8000-0000000000b2"  # another patient of another phone

CODE_IN_TEXT = re.compile(r"\b(\d{6})\b")


def years_ago(years: int, days: int = 0) -> str:
    return (TODAY.replace(year=TODAY.year - years) - timedelta(days=days)).isoformat()


def patient_fields(centre_id: str, given: str, family: str, dob: str, phone: str, contact_phone: str = "",
                   relation: str = "") -> dict:
    """A patient's synced field values, as a desk pushes them (phones normalised, dates as ISO text)."""
    return {"centre_id": centre_id, "uhid": f"UH-{given.upper()}", "given_name": given, "family_name": family,
            "name_local": "", "date_of_birth": dob, "sex": "F", "phone": phone, "alt_phone": "", "email": "",
            "emergency_contact_name": "Contact" if contact_phone else "", "emergency_contact_relation": relation,
            "emergency_contact_phone": contact_phone}


SEEDED_PATIENTS = {
    ASHA: patient_fields(KOCHI, "Asha", "Menon", "1988-04-02", OWN_PHONE),
    KIRAN: patient_fields(KOCHI, "Kiran", "Menon", years_ago(9), "+919847099999", OWN_PHONE, "Mother"),
    ARJUN: patient_fields(KOCHI, "Arjun", "Menon", years_ago(19), "+919847088888", OWN_PHONE, "parent"),
    MEERA: patient_fields(THRISSUR, "Meera", "Nair", "1975-01-20", SOLO_PHONE),
    RAVI: patient_fields(THRISSUR, "Ravi", "Varma", "1960-06-06", "+919847077777"),
}
CENTRE_NAMES = {KOCHI: "Sukham Kochi", THRISSUR: "Sukham Thrissur"}


@dataclass
class PortalClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass
class PortalTestbed:
    client: TestClient
    gateway: Gateway
    clock: PortalClock
    centre_ids: tuple[str, ...] = (KOCHI, THRISSUR)
    _clients: list = field(default_factory=list)

    @property
    def app(self):
        return self.client.app

    def transaction(self, centre_id: str | None = None):
        return self.app.state.hq.transaction(centre_id)

    def new_client(self, client_ip: str = "testclient") -> TestClient:
        """Another browser (its own cookie jar); `client_ip` as the address HQ sees."""
        client = TestClient(self.app, base_url="https://testserver", client=(client_ip, 50000))
        client.__enter__()
        self._clients.append(client)
        return client

    def last_code(self) -> str:
        _headers, body = self.gateway.requests[-1]
        return CODE_IN_TEXT.search(body["text"]).group(1)

    def csrf_of(self, client: TestClient, path: str) -> str:
        page = client.get(path)
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, f"no csrf field on {path}"
        return match.group(1)

    def start(self, client: TestClient, phone: str):
        return client.post("/portal/sign-in", data={"phone": phone, "csrf": self.csrf_of(client, "/portal/sign-in")},
                           follow_redirects=False)

    def enter_code(self, client: TestClient, code: str):
        return client.post("/portal/verify", data={"code": code, "csrf": self.csrf_of(client, "/portal/verify")},
                           follow_redirects=False)

    def sign_in(self, phone: str = SOLO_PHONE, *, record: int | None = None, client: TestClient | None = None,
                client_ip: str = "testclient") -> TestClient:
        """A client signed in through the real pages; `record` picks a row of the chooser when the phone opens
        several (0 = the first: own records come before children's)."""
        client = client or self.new_client(client_ip)
        sent_before = len(self.gateway.requests)
        assert self.start(client, phone).status_code == 303
        assert len(self.gateway.requests) == sent_before + 1, "no code was sent"
        reply = self.enter_code(client, self.last_code())
        assert reply.status_code == 303, reply.text
        if reply.headers["location"] == "/portal/choose":
            assert record is not None, "this phone opens several records: pass record="
            chosen = client.post("/portal/choose", data={"record": str(record),
                                                         "csrf": self.csrf_of(client, "/portal/choose")},
                                 follow_redirects=False)
            assert chosen.status_code == 303 and chosen.headers["location"] == "/portal/home"
        return client

    def session_csrf(self, client: TestClient) -> str:
        """The signed-in session's CSRF token, as its pages carry it (the chooser is the shell's own page)."""
        return self.csrf_of(client, "/portal/choose")

    def audit_rows(self) -> list[PortalAuditRow]:
        with self.app.state.hq.sessions.begin() as session:
            return list(session.scalars(select(PortalAuditRow).order_by(PortalAuditRow.id)))

    def close(self) -> None:
        for client in self._clients:
            client.__exit__(None, None, None)


def seed_rows(session, rows: dict[tuple[str, str, str], dict]) -> None:
    """Write merged row states as if desks had pushed them: {(centre, table, row id): field values}."""
    for (centre_id, table, row_id), values in rows.items():
        sequence = session.get(SyncSequenceRow, centre_id)
        if sequence is None:
            sequence = SyncSequenceRow(centre_id=centre_id, last_seq=0)
            session.add(sequence)
        sequence.last_seq += 1
        stamps = {name: f"{sequence.last_seq:015d}-000000-seed" for name in values}
        session.merge(RowStateRow(centre_id=centre_id, table_name=table, row_id=row_id, field_values=dict(values),
                                  field_stamps=stamps, deleted=None, server_seq=sequence.last_seq))


def seed_clinic(app) -> None:
    state = app.state.hq
    for centre_id, name in CENTRE_NAMES.items():
        with state.transaction() as session:
            session.add(CentreRow(id=centre_id, name=name, created_at=START))
        with state.transaction(centre_id) as session:
            seed_rows(session, {(centre_id, "centres", centre_id): {"code": name[-3:].upper(), "name": name,
                                                                   "timezone": "Asia/Kolkata"}})
            seed_rows(session, {(centre_id, "patients", pid): values for pid, values in SEEDED_PATIENTS.items()
                                if values["centre_id"] == centre_id})


@pytest.fixture
def portal_clock() -> PortalClock:
    return PortalClock()


@pytest.fixture
def sms_gateway():
    gateway = Gateway()
    with gateway_server(gateway) as url:
        yield gateway, url


@pytest.fixture
def portal_config(sms_gateway) -> PortalConfig:
    _gateway, url = sms_gateway
    return PortalConfig(hash_key=secrets.token_bytes(32),
                        sms_gateway=GatewaySettings(url, api_key="portal-test-key", sender_id="SUKHAM"))


@pytest.fixture
def portal(tmp_path, portal_clock, portal_config, sms_gateway) -> PortalTestbed:
    """An HQ with the portal, seeded centres and patients, and a captured-SMS gateway."""
    app = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}", clock=portal_clock, portal=portal_config)
    seed_clinic(app)
    with TestClient(app, base_url="https://testserver") as client:
        testbed = PortalTestbed(client=client, gateway=sms_gateway[0], clock=portal_clock)
        yield testbed
        testbed.close()




def portal_sub_app(app):
    """The FastAPI app mounted at /portal inside the HQ app."""
    return next(route.app for route in app.routes if getattr(route, "path", None) == "/portal")


def add_probe_routes(app) -> None:
    """GET and POST /portal/probe: a signed-in page in miniature (current_identity, a transaction, an audit row),
    answering the identity as JSON (without its CSRF token) so tests can see whom a request acts for."""
    from dataclasses import asdict

    from fastapi import APIRouter, Depends, Request
    from fastapi.responses import JSONResponse

    from clinicdesk.server.portal.access import portal_transaction
    from clinicdesk.server.portal.audit import audit
    from clinicdesk.server.portal.identity import PortalIdentity
    from clinicdesk.server.portal.sessions import current_identity

    router = APIRouter()

    @router.api_route("/probe", methods=["GET", "POST"])
    def probe(request: Request, identity: PortalIdentity = Depends(current_identity)):
        with portal_transaction(request, identity) as session:
            audit(session, identity, f"probe.{request.method.lower()}", "row-1")
        return JSONResponse({k: v for k, v in asdict(identity).items() if k != "csrf_token"})

    portal_sub_app(app).include_router(router)


@pytest.fixture
def probed_portal(portal) -> PortalTestbed:
    add_probe_routes(portal.app)
    return portal
