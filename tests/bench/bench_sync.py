"""Sync over loopback HTTPS: patient and appointment changes pushed to and pulled from the real HQ server, against a
plain bulk insert of the same rows into the same server tables.

Not part of the default test run. Run:

    .venv/bin/python tests/bench/bench_sync.py [--changes 10000] [--batch 500] [--postgres] [--repeat 1]

Starts `clinicdesk server --dev-self-signed` as a subprocess on a free loopback port, with its embedded SQLite file
in a temporary data folder or, with --postgres, on a throwaway PostgreSQL cluster (tests/server/postgres.py: the
owner role migrates, the server runs as the application role under row-level security). A subprocess rather than
uvicorn on a thread: it is the command an HQ runs (its TLS set-up and uvicorn settings), and the server gets its own
interpreter, so the client's JSON work and the server's never take turns on one GIL, as on a real network where
they sit on different machines.

Per run, a new centre with two enrolled devices: the reception desk pushes a day's worth of realistic changes
(registrations, bookings, contact edits, appointment check-in to completion, reschedules and cancellations, each an
`Operation(...).to_wire()` with the stamps a device would send) in batches over HTTPS with httpx, trusting only the
dev certificate; the consultation tablet then pulls every change back in pages of the same size. Both sides are
checked (every operation applied, every change pulled back in order and unchanged, the summary's counts).

The reference, in the same run and the same database: the rows the push stored (`sync_changes`, `sync_row_states`,
`sync_applied_ops`, `sync_sequences` of that centre) are read back, moved to a second centre and inserted again
with SQLAlchemy Core `executemany` in one transaction, through the server's own engine settings and, on PostgreSQL,
as the application role inside the centre (row-level security checks those inserts too). The ratio is push (or
pull) time over that insert's time. Prints changes per second, per-batch latency median and p95, the ratios, and
the load average (the machine is shared).
"""

import argparse
import contextlib
import io
import os
import random
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from a source checkout

import httpx  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from clinicdesk.domain.appointments import format_booking_reference  # noqa: E402
from clinicdesk.domain.ids import uuid7  # noqa: E402
from clinicdesk.domain.sync.hlc import HlcStamp  # noqa: E402
from clinicdesk.domain.sync.operations import Operation, OpKind  # noqa: E402
from clinicdesk.server import migrate  # noqa: E402
from clinicdesk.server.centre_scope import CENTRE_SETTING  # noqa: E402
from clinicdesk.server.database import make_engine  # noqa: E402
from clinicdesk.server.models import ServerBase  # noqa: E402
from clinicdesk.server.sync_models import SYNC_TABLES  # noqa: E402
from clinicdesk.server.sync_schemas import MAX_BATCH_OPERATIONS, MAX_PULL_LIMIT  # noqa: E402
from clinicdesk.server_command import ADMIN_TOKEN_ENV  # noqa: E402
from clinicdesk.services import demo_names  # noqa: E402

ADMIN_TOKEN = "bench-sync-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SERVER_START_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 300
CENTRE_CODE = "KOC"
DAY_MS = 24 * 3600 * 1000

# How a reception day's changes split; edits need something to edit, so the stream starts with registrations.
MIX = (("register", 0.25), ("book", 0.35), ("contact_edit", 0.15), ("appointment_step", 0.25))
# An appointment's day: each step is one status change a desk or tablet makes.
NEXT_STATUS = {"confirmed": "checked_in", "checked_in": "in_progress", "in_progress": "completed"}
NAME_POOLS = (
    (demo_names.KERALA_MALE + demo_names.KERALA_FEMALE, demo_names.KERALA_FAMILY, demo_names.KERALA_PLACES),
    (demo_names.MARATHI_MALE + demo_names.MARATHI_FEMALE, demo_names.MARATHI_FAMILY, demo_names.MAHARASHTRA_PLACES),
    (demo_names.NORTH_MALE + demo_names.NORTH_FEMALE, demo_names.NORTH_FAMILY, demo_names.OTHER_PLACES),
)
LANGUAGES = ("ml", "en", "hi", "mr")
SOURCES = ("front_desk", "front_desk", "phone", "walk_in", "self_service")


# ---------------------------------------------------------------------------------------------- the changes

@dataclass
class _Row:
    table: str
    row_id: str
    stamps: dict[str, str]  # field -> stamp text of its current value: the `base` of the next edit
    status: str = ""
    start: datetime | None = None


@dataclass
class ChangeStream:
    """A reception desk's changes through one day, as wire operations with the stamps that device would send."""

    rng: random.Random
    device_id: str
    centre_id: str
    first_ms: int
    step_ms: int
    staff: list[str]
    services: list[str]
    rooms: list[str]
    patients: list[_Row] = field(default_factory=list)
    appointments: list[_Row] = field(default_factory=list)
    bookings: int = 0
    wall_ms: int = 0

    def __post_init__(self):
        self.wall_ms = self.first_ms

    def operations(self, count: int) -> list[dict]:
        kinds, weights = zip(*MIX, strict=True)
        out = []
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            if not self.patients:
                kind = "register"
            elif kind == "appointment_step" and not self._open_appointments():
                kind = "book"
            out.append(getattr(self, f"_{kind}")())
        return out

    def _stamp(self) -> HlcStamp:
        self.wall_ms += self.step_ms
        return HlcStamp(self.wall_ms, 0, self.device_id)

    def _new_id(self) -> str:
        return uuid7(unix_ms=self.wall_ms, random_bytes=self.rng.randbytes(10))

    def _upsert(self, row: _Row, fields: dict) -> dict:
        stamp = self._stamp()
        seen = {name: HlcStamp.parse(row.stamps[name]) for name in fields if name in row.stamps}
        op = Operation(str(uuid.UUID(bytes=self.rng.randbytes(16), version=4)), row.table, row.row_id, OpKind.UPSERT,
                       fields, stamp, self.device_id, seen)
        row.stamps.update(dict.fromkeys(fields, stamp.to_string()))
        return op.to_wire()

    def _register(self) -> dict:
        rng = self.rng
        given_pool, family_pool, places = rng.choice(NAME_POOLS)
        (given, given_local), (family, family_local) = rng.choice(given_pool), rng.choice(family_pool)
        locality, city, state, pincode = rng.choice(places)
        row = _Row("patients", self._new_id(), {})
        self.patients.append(row)
        fields = {
            "centre_id": self.centre_id, "uhid": f"{CENTRE_CODE}-A-{len(self.patients):06d}",
            "created_by": rng.choice(self.staff), "given_name": given, "family_name": family,
            "name_local": f"{given_local} {family_local}" if rng.random() < 0.25 else "",
            "date_of_birth": (date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 60))).isoformat(),
            "sex": rng.choice(("female", "male")), "phone": f"+91{rng.randint(6_000_000_000, 9_999_999_999)}",
            "address_line": f"{rng.randint(1, 60)}/{rng.randint(100, 2400)}, {locality}", "city": city,
            "state": state, "pincode": pincode, "preferred_language": rng.choice(LANGUAGES),
            "emergency_contact_name": rng.choice(given_pool)[0], "emergency_contact_relation": "spouse",
            "emergency_contact_phone": f"+91{rng.randint(6_000_000_000, 9_999_999_999)}",
        }
        if rng.random() < 0.25:
            digits = "".join(rng.choice("0123456789") for _ in range(12))
            fields["abha_number"] = f"91-{digits[:4]}-{digits[4:8]}-{digits[8:]}"
        if rng.random() < 0.15:
            fields["medical_history"] = "Chronic low back pain; type 2 diabetes on metformin"
        return self._upsert(row, fields)

    def _book(self) -> dict:
        rng = self.rng
        self.bookings += 1
        booked_on = datetime.fromtimestamp(self.wall_ms / 1000, UTC)
        start = booked_on.replace(minute=0, second=0, microsecond=0) + timedelta(days=rng.randint(0, 21),
                                                                                 minutes=15 * rng.randint(0, 40))
        row = _Row("appointments", self._new_id(), {}, status="confirmed", start=start)
        self.appointments.append(row)
        return self._upsert(row, {
            "reference": format_booking_reference(CENTRE_CODE, "A", booked_on.date(), self.bookings),
            "centre_id": self.centre_id, "patient_id": rng.choice(self.patients).row_id,
            "service_id": rng.choice(self.services), "source": rng.choice(SOURCES),
            "created_by": rng.choice(self.staff), "start_at": start.isoformat(),
            "end_at": (start + timedelta(minutes=45)).isoformat(), "status": "confirmed", "approval_pending": False,
            "room_id": rng.choice(self.rooms), "gender_match_required": rng.random() < 0.6,
            "notes": "Bring previous reports" if rng.random() < 0.2 else ""})

    def _contact_edit(self) -> dict:
        rng = self.rng
        patient = rng.choice(self.patients)
        name, value = rng.choice((
            ("phone", f"+91{rng.randint(6_000_000_000, 9_999_999_999)}"),
            ("alt_phone", f"+91{rng.randint(6_000_000_000, 9_999_999_999)}"),
            ("email", f"patient{rng.randint(1, 99_999)}@{rng.choice(demo_names.EMAIL_DOMAINS)}"),
            ("address_line", f"{rng.randint(1, 60)}/{rng.randint(100, 2400)}, {rng.choice(demo_names.STREETS)}"),
            ("occupation", rng.choice(("Teacher", "Farmer", "Software engineer", "Retired", "Shopkeeper"))),
            ("diet", rng.choice(("vegetarian", "non-vegetarian", "eggetarian")))))
        return self._upsert(patient, {name: value})

    def _open_appointments(self) -> list[_Row]:
        return [row for row in self.appointments[-200:] if row.status in NEXT_STATUS]

    def _appointment_step(self) -> dict:
        rng = self.rng
        row = rng.choice(self._open_appointments())
        roll = rng.random()
        if row.status == "confirmed" and roll < 0.1:  # moved to another slot
            row.start = row.start + timedelta(days=rng.randint(1, 7))
            return self._upsert(row, {"start_at": row.start.isoformat(),
                                      "end_at": (row.start + timedelta(minutes=45)).isoformat()})
        if row.status == "confirmed" and roll < 0.15:
            row.status = rng.choice(("cancelled", "no_show"))
        else:
            row.status = NEXT_STATUS[row.status]
        return self._upsert(row, {"status": row.status})


# ---------------------------------------------------------------------------------------------- the server

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def hq_server(data_dir: Path, database_url: str | None):
    """`clinicdesk server --dev-self-signed` in a subprocess; yields an httpx client that trusts only its
    certificate. The process is stopped (and killed if it must be) on the way out."""
    port = _free_port()
    command = [sys.executable, "-m", "clinicdesk.cli", "server", "--data-dir", str(data_dir), "--dev-self-signed",
               "--port", str(port)] + (["--database-url", database_url] if database_url else [])
    log_path = data_dir.parent / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, ADMIN_TOKEN_ENV: ADMIN_TOKEN})
    try:
        client = _wait_until_up(process, data_dir / "dev-tls" / "dev-cert.pem", port, log_path)
        try:
            yield client
        finally:
            client.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, cert: Path, port: int, log_path: Path) -> httpx.Client:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"The HQ server did not start:\n{log_path.read_text()[-3000:]}")
        if cert.exists():
            client = httpx.Client(base_url=f"https://127.0.0.1:{port}", timeout=REQUEST_TIMEOUT_SECONDS,
                                  verify=ssl.create_default_context(cafile=str(cert)))
            try:
                if client.get("/v1/health").status_code == 200:
                    return client
            except httpx.TransportError:
                pass
            client.close()
        time.sleep(0.2)


def _ok(response: httpx.Response, status: int = 200) -> dict:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                           f"{response.text[:500]}")
    return response.json()


@dataclass(frozen=True)
class Device:
    id: str
    centre_id: str
    headers: dict[str, str]


def new_centre(client: httpx.Client, name: str) -> str:
    return _ok(client.post("/v1/admin/centres", json={"name": name}, headers=ADMIN), 201)["id"]


def enrol(client: httpx.Client, centre_id: str, device_name: str) -> Device:
    code = _ok(client.post("/v1/admin/enrolment-codes", json={"centre_id": centre_id, "valid_hours": 1},
                           headers=ADMIN), 201)["code"]
    body = _ok(client.post("/v1/enrol", json={"code": code, "device_name": device_name}), 201)
    device = Device(body["device_id"], body["centre_id"], {"Authorization": f"Bearer {body['credential']}"})
    # checks the credential once (Argon2), as a device's first request of a sync would, before anything is timed
    _ok(client.get("/v1/whoami", headers=device.headers))
    return device


# ---------------------------------------------------------------------------------------------- one run

@dataclass
class RunResult:
    changes: int
    push_seconds: float
    push_batches: list[float]
    pull_seconds: float
    pull_pages: list[float]
    insert_seconds: float
    inserted_rows: int


def push_all(client: httpx.Client, desk: Device, operations: list[dict], batch: int) -> tuple[float, list[float]]:
    latencies, outcomes = [], {}
    started = time.perf_counter()
    for first in range(0, len(operations), batch):
        chunk = operations[first:first + batch]
        body = {"batch_id": str(uuid.uuid4()), "operations": chunk,
                "device_hlc": chunk[-1]["hlc"], "device_wall_ms": int(time.time() * 1000)}
        sent = time.perf_counter()
        answer = _ok(client.post("/v1/sync/push", json=body, headers=desk.headers))
        latencies.append(time.perf_counter() - sent)
        for result in answer["results"]:
            outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    elapsed = time.perf_counter() - started
    if outcomes != {"applied": len(operations)}:
        raise RuntimeError(f"Expected every operation applied, got {outcomes}")
    return elapsed, latencies


def pull_all(client: httpx.Client, tablet: Device, page: int) -> tuple[float, list[float], list[dict]]:
    latencies, changes, after = [], [], 0
    started = time.perf_counter()
    while True:
        sent = time.perf_counter()
        body = _ok(client.get(f"/v1/sync/pull?after={after}&limit={page}", headers=tablet.headers))
        latencies.append(time.perf_counter() - sent)
        changes.extend(body["changes"])
        after = body["next_after"]
        if not body["has_more"]:
            break
    return time.perf_counter() - started, latencies, changes


def check_round_trip(client: httpx.Client, tablet: Device, operations: list[dict], pulled: list[dict]) -> None:
    if [change["operation"] for change in pulled] != operations:
        raise RuntimeError("The pulled changes differ from the pushed operations (content or order).")
    summary = _ok(client.get("/v1/sync/summary", headers=tablet.headers))
    rows = {(op["table"], op["row_id"]) for op in operations}
    counted = sum(table["rows"] for table in summary["tables"].values())
    if summary["last_seq"] != len(operations) or counted != len(rows):
        raise RuntimeError(f"Summary disagrees: last_seq {summary['last_seq']}, rows {counted}, expected "
                           f"{len(operations)} and {len(rows)}")


def _enter_centre(conn, centre_id: str) -> None:
    # what the server's own transactions do (centre_scope.enter_centre): row-level security then applies
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config(:name, :centre, true)"), {"name": CENTRE_SETTING, "centre": centre_id})


def reference_insert(database_url: str, centre_id: str, reference_centre_id: str) -> tuple[float, int]:
    """Seconds to insert, in one transaction with Core executemany, the rows the push stored, moved to another
    centre (same tables, same database, same engine settings, same role)."""
    engine = make_engine(database_url)
    tables = [ServerBase.metadata.tables[name] for name in SYNC_TABLES]
    try:
        stored = {}
        with engine.begin() as conn:
            _enter_centre(conn, centre_id)
            for table in tables:
                stored[table] = [{**row, "centre_id": reference_centre_id} for row in
                                 conn.execute(select(table).where(table.c.centre_id == centre_id)).mappings()]
        started = time.perf_counter()
        with engine.begin() as conn:
            _enter_centre(conn, reference_centre_id)
            for table, rows in stored.items():
                if rows:
                    conn.execute(insert(table), rows)
        return time.perf_counter() - started, sum(len(rows) for rows in stored.values())
    finally:
        engine.dispose()


def one_run(client: httpx.Client, database_url: str, run: int, changes: int, batch: int) -> RunResult:
    centre_id = new_centre(client, f"Bench centre {run}")
    reference_centre_id = new_centre(client, f"Bench reference {run}")
    desk, tablet = enrol(client, centre_id, "Reception desk 1"), enrol(client, centre_id, "Consultation tablet 1")
    rng = random.Random(1000 + run)
    now_ms = int(time.time() * 1000)

    def ids(count: int) -> list[str]:
        return [uuid7(unix_ms=now_ms - DAY_MS, random_bytes=rng.randbytes(10)) for _ in range(count)]

    stream = ChangeStream(rng, desk.id, centre_id, first_ms=now_ms - DAY_MS, step_ms=max(1, DAY_MS // 2 // changes),
                          staff=ids(12), services=ids(25), rooms=ids(10))
    operations = stream.operations(changes)
    push_seconds, push_batches = push_all(client, desk, operations, batch)
    pull_seconds, pull_pages, pulled = pull_all(client, tablet, batch)
    check_round_trip(client, tablet, operations, pulled)
    insert_seconds, inserted_rows = reference_insert(database_url, centre_id, reference_centre_id)
    return RunResult(changes, push_seconds, push_batches, pull_seconds, pull_pages, insert_seconds, inserted_rows)


# ---------------------------------------------------------------------------------------------- report

def ms_stats(seconds: list[float]) -> tuple[float, float]:
    """(median, 95th percentile, nearest rank) in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


HEADER = (f"{'run':>6} {'push s':>7} {'push/s':>7} {'batch med':>9} {'p95 ms':>7} {'pull s':>7} {'pull/s':>7} "
          f"{'page med':>8} {'p95 ms':>7} {'insert s':>8} {'rows':>6} {'push/ins':>8} {'pull/ins':>8}")


def result_line(label: str, runs: list[RunResult]) -> str:
    """One run's figures, or for several runs the median of each column (ratios: the median of each run's own)."""
    def mid(values) -> float:
        return statistics.median(values)
    push_median, push_p95 = ms_stats([s for r in runs for s in r.push_batches])
    pull_median, pull_p95 = ms_stats([s for r in runs for s in r.pull_pages])
    return (f"{label:>6} {mid(r.push_seconds for r in runs):7.2f} {mid(r.changes / r.push_seconds for r in runs):7.0f} "
            f"{push_median:9.1f} {push_p95:7.1f} {mid(r.pull_seconds for r in runs):7.2f} "
            f"{mid(r.changes / r.pull_seconds for r in runs):7.0f} {pull_median:8.1f} {pull_p95:7.1f} "
            f"{mid(r.insert_seconds for r in runs):8.3f} {round(mid(r.inserted_rows for r in runs)):6d} "
            f"{mid(r.push_seconds / r.insert_seconds for r in runs):7.1f}x "
            f"{mid(r.pull_seconds / r.insert_seconds for r in runs):7.1f}x")


# ---------------------------------------------------------------------------------------------- main

@contextlib.contextmanager
def postgres_database():
    """A throwaway cluster and HQ database, migrated by the owner role; yields the application role's URL."""
    from tests.server.postgres import APP_ROLE, OWNER_ROLE, start_cluster

    cluster = start_cluster()
    try:
        database = cluster.new_database()
        with contextlib.redirect_stdout(io.StringIO()):
            if migrate.main([cluster.url(OWNER_ROLE, database)]) != 0:
                raise RuntimeError("Migrating the benchmark's PostgreSQL database failed.")
        yield cluster.url(APP_ROLE, database)
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000, help="changes pushed and pulled per run")
    parser.add_argument("--batch", type=int, default=MAX_BATCH_OPERATIONS,
                        help=f"operations per push batch and changes per pull page (at most {MAX_BATCH_OPERATIONS})")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each with a new centre on the same server")
    args = parser.parse_args()
    if not 1 <= args.batch <= min(MAX_BATCH_OPERATIONS, MAX_PULL_LIMIT) or args.changes < 1 or args.repeat < 1:
        parser.error(f"--batch must be 1 to {MAX_BATCH_OPERATIONS}; --changes and --repeat at least 1")

    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory(prefix="clinicdesk-bench-sync-") as tmp, contextlib.ExitStack() as stack:
        data_dir = Path(tmp) / "hq"
        if args.postgres:
            database_url = stack.enter_context(postgres_database())
            storage = "PostgreSQL (throwaway cluster, fsync off; server as the application role, row-level security)"
        else:
            database_url = f"sqlite:///{data_dir / 'hq.sqlite3'}"
            storage = "embedded SQLite file (the default)"
        # for SQLite this is the server's own default file, named so that the reference opens the same URL
        client = stack.enter_context(hq_server(data_dir, database_url))
        print(f"HQ sync over loopback HTTPS, {storage}: {args.changes:,} changes, batches and pages of {args.batch}, "
              f"{args.repeat} run(s); load average {load_before[0]:.2f} at start")
        print(HEADER)
        for run in range(1, args.repeat + 1):
            result = one_run(client, database_url, run, args.changes, args.batch)
            results.append(result)
            print(result_line(str(run), [result]), flush=True)
    if len(results) > 1:
        print(result_line("median", results) + "   (batch and page latencies: over every run's requests)")
    print("push/s, pull/s: changes per second, end to end (JSON, HTTPS, server merge and commit); "
          "batch/page med and p95: per-request latency in ms;\ninsert s: the same rows (rows) bulk-inserted into "
          "the same tables in one transaction; push/ins, pull/ins: time ratio to it.\n"
          f"Load average {os.getloadavg()[0]:.2f} at the end (a shared 2-core machine moves these figures).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
