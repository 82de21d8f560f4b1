"""Joining a centre: a new encrypted database in an empty folder, enrolled at HQ, filled with everything HQ holds."""

import contextlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from clinicdesk.store import keys
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.datadir import DATABASE_FILE, LocalConfig
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.sync.client import sync_once, utc_now
from clinicdesk.sync.enrolment import enrol_device
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.page import held_back_changes
from clinicdesk.sync.settings import _keyring_user as hq_keyring_user
from clinicdesk.sync.transport import HqTransport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JoinResult:
    """What the new desk holds after joining; figures only, no patient data."""

    device_code: str
    centre_name: str
    patients: int
    staff: int
    pulled: int
    waiting: int  # rows whose pulled changes wait for a record that has not arrived (clinicdesk/sync/page.py)

    def as_json(self) -> dict:
        return asdict(self)


def refuse_unless_empty(data_dir: Path) -> None:
    """Joining makes a new database; it never touches an existing clinic's files."""
    if (data_dir / DATABASE_FILE).exists() or LocalConfig.path(data_dir).exists():
        raise SyncError(f"A clinic database already exists in {data_dir}. Joining a centre makes a new one: choose "
                        "an empty folder, or sync the existing clinic instead.", code="database_exists")


def join_centre(data_dir: Path, hq_url: str, code: str, ca_file: str, *, device_name: str,
                passphrase: str | None = None, transport: httpx.BaseTransport | None = None,
                now: Callable[[], datetime] = utc_now) -> tuple[Database, JoinResult]:
    """Create, enrol and pull; returns the open database (the caller closes it) and what arrived.

    No clinic set-up and no demo data: the centre, its staff (with their password hashes, so everyone signs in with
    their usual password) and its records all come from HQ. If anything fails (a wrong code, HQ unreachable, a
    locked keyring) the new database is removed again and the error goes to the caller: nothing half-made stays.
    """
    refuse_unless_empty(data_dir)
    HqTransport(hq_url, None, ca_file=ca_file or None).close()  # a bad address or CA file fails before any file
    existed = data_dir.exists()
    before = set(data_dir.iterdir()) if existed else set()
    database = None
    try:
        database = create_database(data_dir, passphrase=passphrase)
        enrolment = enrol_device(data_dir, hq_url, code, ca_file, device_name=device_name, transport=transport,
                                 database=database)
        summary = sync_once(database, enrolment.settings, now=now, transport=transport)
        with database.session() as session:
            result = JoinResult(device_code=database.config.device_code, centre_name=enrolment.centre_name,
                                patients=session.scalar(select(func.count()).select_from(PatientRow)),
                                staff=session.scalar(select(func.count()).select_from(StaffRow)),
                                pulled=summary.pulled, waiting=len({(h.operation.table, h.operation.row_id)
                                                                    for h in held_back_changes(session)}))
    except BaseException:
        _remove_new_database(data_dir, database, existed=existed, before=before)
        raise
    log.info("joined centre as device %s: %d staff, %d patients, %d changes pulled", result.device_code,
             result.staff, result.patients, result.pulled)
    return database, result


def _remove_new_database(data_dir: Path, database: Database | None, *, existed: bool, before: set[Path]) -> None:
    """Undo a failed join: close the database, delete what this join wrote and the keyring entries it made."""
    config = LocalConfig.load(data_dir)
    if database is not None:
        database.close()
    if config is not None:
        _forget_keyring_entries(config.database_id)
    if not existed:
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    for path in set(data_dir.iterdir()) - before:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _forget_keyring_entries(database_id: str) -> None:
    with contextlib.suppress(Exception):  # no keyring, or nothing stored: nothing to forget
        import keyring

        # the names store/keys.py (database key) and sync/settings.py (device credential) save them under
        for user in (keys._keyring_user(database_id), hq_keyring_user(database_id)):
            with contextlib.suppress(Exception):
                keyring.delete_password(keys.KEYRING_SERVICE, user)
