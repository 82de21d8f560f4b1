"""A real HQ for sync tests (create_app on a temp SQLite file, uvicorn in a thread on a free loopback port), its admin
calls, and the desk that sets a clinic up, shared by the tests that sync desks through it."""

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import insert, select

from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.server.app import create_app
from clinicdesk.server.centre_keys import load_or_create_master_key
from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.models import Base
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.sync.summary import SyncSummary
from tests.sync.hq_process import HqProcess

ADMIN_TOKEN = "hq-admin-token-for-sync-client-tests-0123456789"
ADMIN_PASSWORD = "a long clinic passphrase"
NO_WAIT = {"sleep": lambda _seconds: None}  # retries back off without really sleeping


def clock() -> datetime:
    """The desks' fixed wall clock: a Thursday morning in Kochi."""
    return datetime(2026, 11, 26, 4, 30, tzinfo=UTC)


@contextlib.contextmanager
def serve_hq(tmp_path: Path, *, master_key_file: Path | None = None, **tls) -> Iterator[int]:
    """A real HQ (uvicorn in a thread) on a free loopback port, yielding the port. `master_key_file`: where HQ keeps
    its centre master key (None: an HQ that hands out no centre keys); `tls`: uvicorn's ssl_certfile, ssl_keyfile."""
    master_key = load_or_create_master_key(master_key_file) if master_key_file else None
    app = create_app(f"sqlite:///{tmp_path / 'hq' / 'hq.sqlite3'}", admin_token=ADMIN_TOKEN,
                     centre_master_key=master_key)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", **tls))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "HQ did not start"
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def serve_hq_url(tmp_path: Path, *, master_key_file: Path | None = None) -> Iterator[str]:
    """serve_hq over plain HTTP (which the client allows to this machine only), yielding HQ's address."""
    with serve_hq(tmp_path, master_key_file=master_key_file) as port:
        yield f"http://127.0.0.1:{port}"


def hq_admin(hq_url: str, method: str, path: str, body: dict) -> dict:
    """An HQ admin call that must succeed (its answer as JSON)."""
    response = httpx.request(method, hq_url + path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.is_success, response.text
    return response.json()


def new_centre(hq_url: str, name: str = "Kochi") -> str:
    """The id of a new centre at HQ."""
    return hq_admin(hq_url, "POST", "/v1/admin/centres", {"name": name})["id"]


def enrolment_code(hq_url: str, centre_id: str) -> str:
    """A one-hour enrolment code for the centre."""
    return hq_admin(hq_url, "POST", "/v1/admin/enrolment-codes", {"centre_id": centre_id, "valid_hours": 1})["code"]


def set_up_clinic_desk(data_dir: Path, device_code: str = "A") -> ServiceContext:
    """A new desk database (no passphrase) that sets the clinic up; the administrator is signed in."""
    db = create_database(data_dir, passphrase=None, device_code=device_code)
    ctx = ServiceContext(db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    return ctx


def copy_tables(source: Database, target: Database, table_names: Iterable[str]) -> None:
    """Copy every row of the named tables from one desk to another (a second desk joining the first's clinic)."""
    names = set(table_names)
    with source.engine.connect() as reading, target.engine.begin() as writing:
        for table in Base.metadata.sorted_tables:
            if table.name in names:
                rows = [dict(row._mapping) for row in reading.execute(select(table))]
                if rows:
                    writing.execute(insert(table), rows)


def synced_rows(db: Database, table_name: str, *, leave_out: Callable[[str], bool] = lambda _name: False) -> dict:
    """Every row of a table by key, synced columns only (local times and counters stay on each desk), less the
    synced fields `leave_out` names."""
    table = Base.metadata.tables[table_name]
    fields = {name for name in CLINICDESK_POLICIES.schema()[table_name] if not leave_out(name)}
    keys = [c.name for c in table.primary_key.columns]
    columns = [c for c in table.columns if c.name in fields or c.primary_key]
    with db.engine.connect() as conn:
        return {"|".join(str(row[k]) for k in keys): dict(row) for row in conn.execute(select(*columns)).mappings()}


def sync(db: Database) -> SyncSummary:
    """One sync of the desk with the HQ it enrolled with, without waiting between retries."""
    return sync_once(db, load_hq_settings(db.data_dir), **NO_WAIT)


@pytest.fixture(name="hq", scope="module")
def hq_subprocess(tmp_path_factory):
    """One HQ in a `clinicdesk server` subprocess for a whole test module (tests that cut connections or kill it)."""
    server = HqProcess(tmp_path_factory.mktemp("hq")).start()
    yield server
    server.stop()


def desks_of_one_clinic(tmp_path: Path, copied_tables: Iterable[str]) -> tuple[ServiceContext, ServiceContext]:
    """Desk A sets the clinic up; desk B (device B) starts with A's `copied_tables` and A's administrator signed
    in. Neither is enrolled."""
    ctx_a = set_up_clinic_desk(tmp_path / "desk-a")
    db_b = create_database(tmp_path / "desk-b", passphrase=None, device_code="B")
    copy_tables(ctx_a.db, db_b, copied_tables)
    return ctx_a, ServiceContext(db_b, user=ctx_a.user, clock=clock)
