"""Shared by the benchmarks: clinic databases with and without encryption, bulk patient rows, timing statistics."""

import random
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from a source checkout

import sqlcipher3  # noqa: E402
from sqlalchemy import create_engine, event, insert  # noqa: E402

from clinicdesk.domain.identifiers import verhoeff_check_digit  # noqa: E402
from clinicdesk.services import auth, demo_names  # noqa: E402
from clinicdesk.services.context import ServiceContext  # noqa: E402
from clinicdesk.services.demo import DEMO_PASSWORD  # noqa: E402
from clinicdesk.store import engine as store_engine  # noqa: E402
from clinicdesk.store.crypto import FieldSealer  # noqa: E402
from clinicdesk.store.database import Database, create_database, new_id  # noqa: E402
from clinicdesk.store.datadir import DATABASE_FILE, LocalConfig  # noqa: E402
from clinicdesk.store.keys import new_key  # noqa: E402
from clinicdesk.store.migrate import upgrade_to_head  # noqa: E402
from clinicdesk.store.models import PatientRow, UhidCounterRow  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402

TARGET_MS = 30.0


keyring.set_keyring(MemoryKeyring())


def encrypted_clinic(folder: Path) -> Database:
    """The real thing: store.database.create_database (SQLCipher, raw key, WAL, synchronous=FULL, migrations)."""
    return create_database(folder, passphrase=None)


def plain_clinic(folder: Path) -> Database:
    """The reference: the same SQLite library (sqlcipher3 without a key, so no encryption), the same connection
    settings and the same Alembic schema and FTS triggers, wrapped in the same Database so services run on it."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{folder / DATABASE_FILE}", module=sqlcipher3.dbapi2,
                           connect_args={"check_same_thread": False})
    event.listen(engine, "connect", store_engine._configure_connection)
    event.listen(engine, "connect", store_engine._disable_driver_transactions)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    upgrade_to_head(engine)
    key = new_key()  # only for the app-level Aadhaar sealing, which both sides do alike
    return Database(data_dir=folder, config=LocalConfig(database_id=new_id()), engine=engine, key=key,
                    sealer=FieldSealer(key))


def file_header(db: Database) -> bytes:
    return db.path.read_bytes()[:16]


def set_up(db: Database, clock=None) -> ServiceContext:
    """First-run set-up; returns the admin's signed-in context."""
    ctx = ServiceContext(db) if clock is None else ServiceContext(db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Bench Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Bench Admin", admin_password=DEMO_PASSWORD))
    return ctx


_POOLS = (
    (demo_names.KERALA_MALE + demo_names.KERALA_FEMALE, demo_names.KERALA_FAMILY, "ml"),
    (demo_names.MARATHI_MALE + demo_names.MARATHI_FEMALE, demo_names.MARATHI_FAMILY, "deva"),
    (demo_names.NORTH_MALE + demo_names.NORTH_FEMALE, demo_names.NORTH_FAMILY, "deva"),
)


def patient_rows(rng: random.Random, count: int, *, centre_id: str, centre_code: str, first_number: int = 1
                 ) -> list[dict]:
    """Rows for a bulk insert, shaped like registrations: Indian names (a fifth with a native-script name),
    unique mobile numbers, a quarter with ABHA, UHIDs in the service's format."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    phones = rng.sample(range(6_000_000_000, 10_000_000_000), count)
    rows = []
    for i in range(count):
        given_pool, family_pool, _ = rng.choice(_POOLS)
        if rng.random() < 0.2:  # other states: Latin script only
            given, family, local = rng.choice(demo_names.OTHER_MALE + demo_names.OTHER_FEMALE), \
                rng.choice(demo_names.OTHER_FAMILY), ""
        else:
            (given, given_local), (family, family_local) = rng.choice(given_pool), rng.choice(family_pool)
            local = f"{given_local} {family_local}" if rng.random() < 0.25 else ""
        abha = "91" + "".join(rng.choice("0123456789") for _ in range(12)) if rng.random() < 0.25 else ""
        number = first_number + i
        locality, city, state, pin = rng.choice(demo_names.KERALA_PLACES)
        rows.append({
            "id": new_id(), "centre_id": centre_id, "uhid": f"{centre_code}-A-{number:06d}",
            "given_name": given, "family_name": family, "name_local": local,
            "date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 60)),
            "sex": rng.choice(("female", "male")), "phone": f"+91{phones[i]}",
            "address_line": f"{rng.randint(1, 60)}/{rng.randint(100, 2400)}, {locality}", "city": city,
            "state": state, "pincode": pin,
            "abha_number": f"{abha[:2]}-{abha[2:6]}-{abha[6:10]}-{abha[10:]}" if abha else "",
            "medical_history": "Chronic low back pain; type 2 diabetes" if i % 7 == 0 else "",
            "created_at": now, "updated_at": now,
        })
    return rows


def bulk_insert(db: Database, rows: list[dict], *, batch: int | None = None) -> None:
    """executemany through SQLAlchemy Core; the FTS triggers fire per row. One transaction, or one per batch."""
    batch = batch or len(rows)
    for start in range(0, len(rows), batch):
        with db.engine.begin() as conn:
            conn.execute(insert(PatientRow.__table__), rows[start:start + batch])


def set_uhid_counter(db: Database, centre_id: str, next_number: int) -> None:
    """So that registrations through the service continue after the bulk-loaded hospital numbers."""
    with db.engine.begin() as conn:
        conn.execute(insert(UhidCounterRow.__table__), [{"centre_id": centre_id, "device_code": "A",
                                                         "next_number": next_number}])


def aadhaar(rng: random.Random) -> str:
    body = str(rng.randint(2, 9)) + "".join(rng.choice("0123456789") for _ in range(10))
    return body + verhoeff_check_digit(body)


def ms_stats(seconds: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return statistics.median(ms), p95
