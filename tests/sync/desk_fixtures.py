"""N enrolled desks of one centre for sync tests (the first sets the clinic up; the others get its centres and staff
copied by hand), each with its own movable clock, plus readers of the synced state of a desk and of HQ."""

import contextlib
import json
import shutil
import sqlite3
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
from sqlalchemy import insert, select

from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store import keys
from clinicdesk.store.database import Database, create_database, open_database
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.models import Base
from clinicdesk.store.outbox import ALL_FIELDS, CLOCK_INFO_KEY, SyncRowStampRow, outbox_counts, wire_value
from clinicdesk.sync.apply import synced_mappers
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.settings import load_credential, load_hq_settings, store_credential
from clinicdesk.sync.summary import SyncSummary
from tests.sync.hq_process import FileKeyring, HqProcess

PASSPHRASE = "sync tests desk passphrase"
ADMIN_PASSWORD = "a long clinic passphrase"
REFERENCE_TABLES = ("centres", "staff", "settings")  # not synced (yet): a joining desk is seeded from the first
DESK_CODES = "ABCDEFGH"


@dataclass
class TrueTime:
    """The one real time of a simulated world; each desk reads it through its own skew."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class DeskClock:
    """A desk's wall clock: the true time plus this desk's skew (a desk a day ahead reads tomorrow)."""

    true_time: TrueTime
    skew: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return self.true_time.now + self.skew


@dataclass
class Desk:
    """One enrolled desk: its services context (clock = the desk clock) and its sync."""

    name: str
    ctx: ServiceContext
    clock: DeskClock

    @property
    def db(self) -> Database:
        return self.ctx.db

    def sync(self, **kwargs) -> SyncSummary:
        kwargs.setdefault("sleep", lambda _seconds: None)
        return sync_once(self.db, load_hq_settings(self.db.data_dir), now=self.clock, **kwargs)

    def outbox(self) -> dict[str, int]:
        with self.db.session() as session:
            return outbox_counts(session)

    def close(self) -> None:
        self.db.close()


def _stamp_local_changes_with(db: Database, clock: DeskClock) -> None:
    """Local writes are stamped with the desk's clock (the outbox reads it from the session), as a desk whose
    system clock is off would stamp them; without this the outbox would read the test machine's real time."""
    plain_session = db.session

    def session_with_desk_clock():
        session = plain_session()
        session.info[CLOCK_INFO_KEY] = clock
        return session

    db.session = session_with_desk_clock


@dataclass(frozen=True)
class DeskTemplate:
    """A closed, set-up desk database to copy: clinic, centre and administrator, no patients, not enrolled."""

    data_dir: Path
    key_hex: str
    user: SignedInUser


def make_templates(root: Path, count: int, *, passphrase: str | None = PASSPHRASE) -> list[DeskTemplate]:
    """`count` desk databases of one clinic: desk A is set up, the others get A's centres, staff and settings.
    With a passphrase a subprocess can open a copy (CLINICDESK_PASSPHRASE); without one the key is only in the
    keyring of this process (quicker: no key derivation)."""
    first = create_database(root / "template-A", passphrase=passphrase, device_code="A")
    ctx = ServiceContext(first)
    user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    databases = [first]
    for code in DESK_CODES[1:count]:
        other = create_database(root / f"template-{code}", passphrase=passphrase, device_code=code)
        with first.engine.connect() as source, other.engine.begin() as target:
            for table in Base.metadata.sorted_tables:
                if table.name in REFERENCE_TABLES:
                    rows = [dict(row._mapping) for row in source.execute(select(table))]
                    if rows:
                        target.execute(insert(table), rows)
            # with their stamps, as a pull leaves them: a synced row without stamps is one this desk never queued,
            # which the next sync queues as its own (clinicdesk/sync/backfill.py)
            stamps = Base.metadata.tables["sync_row_stamps"]
            rows = [dict(row._mapping) for row in source.execute(
                select(stamps).where(stamps.c.table_name.in_(REFERENCE_TABLES)))]
            if rows:
                target.execute(insert(stamps), rows)
        databases.append(other)
    templates = [DeskTemplate(db.data_dir, db.key.raw.hex(), user) for db in databases]
    for db in databases:
        db.close()
    return templates


def open_copy(template: DeskTemplate, data_dir: Path, clock: DeskClock, name: str) -> Desk:
    """A new desk from a copy of `template` (its key put in this test's keyring, so opening skips the KDF)."""
    shutil.copytree(template.data_dir, data_dir)
    config = LocalConfig.load(data_dir)
    keys.keyring_store(config.database_id, keys.DatabaseKey(bytes.fromhex(template.key_hex)))
    db = open_database(data_dir)
    _stamp_local_changes_with(db, clock)
    return Desk(name, ServiceContext(db, user=template.user, clock=clock), clock)


def enrolled_desks(templates: list[DeskTemplate], root: Path, hq: HqProcess, *, centre_name: str,
                   clocks: list[DeskClock] | None = None) -> list[Desk]:
    """Copies of the templates, each enrolled with `hq` in one new centre named `centre_name`."""
    centre = hq.new_centre(centre_name)
    clocks = clocks or [DeskClock(TrueTime()) for _ in templates]
    desks = []
    for template, clock, code in zip(templates, clocks, DESK_CODES, strict=False):
        desk = open_copy(template, root / f"desk-{code}", clock, f"Reception desk {code}")
        enrol(desk.db.data_dir, hq.url, hq.enrolment_code(centre), str(hq.ca_file), device_name=desk.name)
        desks.append(desk)
    return desks


def export_credential(desk: Desk, keyring_file: Path) -> None:
    """Put the desk's HQ credential into a subprocess's file keyring, the way enrolment stores it (the database
    key stays out: the subprocess unlocks the database with CLINICDESK_PASSPHRASE)."""
    credential = load_credential(desk.db.config.database_id)
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring(keyring_file))
    try:
        store_credential(desk.db.config.database_id, credential)
    finally:
        keyring.set_keyring(previous)


class Interrupted(httpx.BaseTransport):
    """The connection fails at request number `at`: "before" it is sent, or "after" HQ answered (the answer is
    lost); both leave the connection down from then on, so the sync stops. "lost-once" loses that one answer and
    then works again (the client's retry finishes the sync)."""

    def __init__(self, at: int, mode: str, ca_file: str):
        self.inner = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=ca_file))
        self.at, self.mode, self.seen = at, mode, 0
        self.paths: list[str] = []  # every request tried, in order (the cut one included)

    @property
    def fired(self) -> bool:
        return self.seen >= self.at

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        self.paths.append(request.url.path)
        down = self.seen > self.at and self.mode != "lost-once"
        if down or (self.seen == self.at and self.mode == "before"):
            raise httpx.ConnectError("connection refused", request=request)
        response = self.inner.handle_request(request)
        response.read()
        if self.seen == self.at:
            raise httpx.ReadError("connection reset by peer", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


# --- the synced state, as comparable values --------------------------------------------------------------------

@dataclass(frozen=True)
class SyncedRow:
    """A synced row as both sides can state it: field values (wire form; None once deleted on a desk, whose
    values are gone), the stamp of every field, and the tombstone's stamp."""

    values: dict | None
    stamps: dict
    deleted: str | None


def desk_state(db: Database) -> dict[tuple[str, str], SyncedRow]:
    """Every synced row of the desk (live rows and tombstones), keyed by (table, row id)."""
    schema = CLINICDESK_POLICIES.schema()
    state: dict[tuple[str, str], SyncedRow] = {}
    with db.session() as session:
        stamp_rows = {(r.table_name, r.row_id): r for r in session.scalars(select(SyncRowStampRow))}
        for table, mapper in synced_mappers().items():
            key_columns = list(mapper.local_table.primary_key.columns)
            columns = [c for c in mapper.local_table.columns if c.name in schema[table]]
            selected = list(dict.fromkeys([*key_columns, *columns]))
            for row in session.execute(select(*selected)).mappings():
                row_id = "/".join(str(row[c.name]) for c in key_columns)  # as the outbox names a row
                stamp_row = stamp_rows.get((table, row_id))
                saved = json.loads(stamp_row.stamps_json) if stamp_row else {}
                values = {c.name: wire_value(row[c.name]) for c in columns}
                stamps = {name: saved.get(name, saved.get(ALL_FIELDS)) for name in values}
                state[(table, row_id)] = SyncedRow(values, stamps, stamp_row.deleted_hlc if stamp_row else None)
        for (table, row_id), stamp_row in stamp_rows.items():
            if (table, row_id) not in state:
                state[(table, row_id)] = SyncedRow(None, {}, stamp_row.deleted_hlc)
    return state


@contextlib.contextmanager
def hq_connection(hq: HqProcess):
    """A read-only look at HQ's SQLite file while HQ runs (or after it was killed)."""
    connection = sqlite3.connect(f"file:{hq.database_file}?mode=ro", uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def hq_state(hq: HqProcess, centre_id: str) -> dict[tuple[str, str], SyncedRow]:
    """HQ's state of every row of one centre, keyed by (table, row id)."""
    with hq_connection(hq) as connection:
        rows = connection.execute("SELECT table_name, row_id, field_values, field_stamps, deleted "
                                  "FROM sync_row_states WHERE centre_id = ?", (centre_id,)).fetchall()
    return {(table, row_id): SyncedRow(json.loads(values), json.loads(stamps), deleted)
            for table, row_id, values, stamps, deleted in rows}


def state_differences(desk: dict, hq: dict) -> list[str]:
    """Where a desk's synced state differs from HQ's, in words (table, row id, field; never a value)."""
    problems = []
    for key in sorted(set(desk) | set(hq)):
        mine, theirs = desk.get(key), hq.get(key)
        where = f"{key[0]} {key[1]}"
        if mine is None or theirs is None:
            problems.append(f"{where}: only {'at HQ' if mine is None else 'on the desk'}")
            continue
        if mine.deleted != theirs.deleted:
            problems.append(f"{where}: tombstone differs")
        if theirs.deleted is not None:
            if mine.values is not None:
                problems.append(f"{where}: deleted at HQ, still present on the desk")
            continue
        if mine.values is None:
            problems.append(f"{where}: present at HQ, missing on the desk")
            continue
        for name in sorted(set(theirs.values) | set(theirs.stamps)):
            if mine.values.get(name) != theirs.values.get(name):
                problems.append(f"{where}.{name}: value differs")
            if mine.stamps.get(name) != theirs.stamps.get(name):
                problems.append(f"{where}.{name}: stamp differs")
    return problems
