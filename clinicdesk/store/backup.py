"""Encrypted, verified backups of the clinic database: write, verify, restore, and the daily 30-day rotation."""

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlcipher3

from clinicdesk import __version__
from clinicdesk.store.database import Database
from clinicdesk.store.datadir import BACKUP_DIR
from clinicdesk.store.engine import make_engine
from clinicdesk.store.errors import BackupError
from clinicdesk.store.keys import DatabaseKey
from clinicdesk.store.migrate import alembic_config, upgrade_to_head

FORMAT_VERSION = 1
BACKUP_SUFFIX = ".cdbak"
MANIFEST_SUFFIX = ".json"
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
# Names the daily rotation owns; anything else in backups/ (safety copies, a person's own files) is left alone.
_DATED_NAME = re.compile(r"^\.?clinic-(\d{8})-(\d{6})(?:-\d+)?\.cdbak(?:\.json)?(?:\.partial)?$")
_CHUNK = 1 << 20
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    sha256: str
    created_at: datetime
    manifest_path: Path


@dataclass(frozen=True)
class BackupManifest:
    """The sidecar JSON: enough to check and place a backup; no key material and no patient data."""

    format: int
    database_id: str
    schema_revision: str
    created_at: str
    sha256: str
    size_bytes: int
    app_version: str
    cipher: str = "sqlcipher4-raw-key"


def manifest_path_for(backup_path: Path) -> Path:
    return backup_path.with_name(backup_path.name + MANIFEST_SUFFIX)


# --- small file helpers ----------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # A rename is only durable once the directory entry itself reaches the disk.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _copy_with_digest(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def _connect(path: Path, key: DatabaseKey, *, read_only: bool) -> sqlcipher3.Connection:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f'PRAGMA key = "{key.sqlcipher_pragma_value()}"')
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


# --- checking a copy ---------------------------------------------------------------------------------------------

def _check_copy(path: Path, key: DatabaseKey) -> str:
    """Prove a backup file is encrypted, opens with `key` and is internally sound; returns its schema revision."""
    with path.open("rb") as fh:
        header = fh.read(len(PLAIN_SQLITE_HEADER))
    if header == PLAIN_SQLITE_HEADER:
        raise BackupError(f"{path.name} is not encrypted, so it is not a ClinicDesk backup. Choose a .cdbak file "
                          "written by ClinicDesk.")
    try:
        conn = _connect(path, key, read_only=True)
    except sqlcipher3.Error as exc:
        raise BackupError(f"{path.name} could not be opened ({exc}). Check the file is readable.") from None
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise BackupError(f"{path.name} cannot be opened with this clinic's key: it belongs to another clinic "
                              "or is damaged. Choose a backup made by this clinic.") from None
        cipher_problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if cipher_problems:
            raise BackupError(f"{path.name} is damaged ({len(cipher_problems)} pages fail their checksum). Use an "
                              "older backup.")
        if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupError(f"{path.name} is damaged (its database structure is inconsistent). Use an older "
                              "backup.")
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlcipher3.DatabaseError:
            row = None
        if not row:
            raise BackupError(f"{path.name} holds no ClinicDesk schema version. Choose a backup written by "
                              "ClinicDesk.")
        return row[0]
    finally:
        conn.close()


def read_manifest(backup_path: Path) -> BackupManifest:
    path = manifest_path_for(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"The backup file {backup_path} does not exist. Check the name and folder.")
    if not path.is_file():
        raise BackupError(f"The manifest {path.name} is missing. Keep it in the same folder as {backup_path.name} "
                          "(they are always copied together) and try again.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        manifest = BackupManifest(**{name: raw[name] for name in BackupManifest.__dataclass_fields__ if name in raw})
    except (ValueError, TypeError, OSError):
        raise BackupError(f"The manifest {path.name} is unreadable. Copy it again from where the backup was "
                          "made.") from None
    if manifest.format > FORMAT_VERSION:
        raise BackupError(f"{backup_path.name} was written by a newer ClinicDesk (backup format "
                          f"{manifest.format}). Install that version or newer to restore it.")
    return manifest


def verify_backup(path: Path, key: DatabaseKey) -> BackupManifest:
    """Re-check a backup against its manifest (size, sha256) and its own integrity; returns the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    digest, size = _sha256_file(path)
    if size != manifest.size_bytes or digest != manifest.sha256:
        raise BackupError(f"{path.name} has changed since it was written (its checksum does not match the "
                          "manifest). It may be damaged or incompletely copied; copy it again or use another "
                          "backup.")
    revision = _check_copy(path, key)
    if revision != manifest.schema_revision:
        raise BackupError(f"{path.name} does not match its manifest (schema {revision}, manifest says "
                          f"{manifest.schema_revision}). Use the manifest that was written with this backup.")
    return manifest


# --- writing -----------------------------------------------------------------------------------------------------

def _default_target(folder: Path, created: datetime, prefix: str = "clinic") -> Path:
    stem = f"{prefix}-{created:%Y%m%d-%H%M%S}"
    target, n = folder / f"{stem}{BACKUP_SUFFIX}", 2
    while target.exists() or manifest_path_for(target).exists():
        target, n = folder / f"{stem}-{n}{BACKUP_SUFFIX}", n + 1
    return target


def _copy_live_database(db: Database, target: Path) -> None:
    """SQLite's online backup between two keyed connections: one consistent snapshot, re-encrypted page by page."""
    source = _connect(db.path, db.key, read_only=False)
    try:
        dest = _connect(target, db.key, read_only=False)
        try:
            source.backup(dest)
            # A self-contained file: the copy needs no -wal or -shm next to it, and opens read-only anywhere.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    finally:
        source.close()


def write_backup(db: Database, target: Path | None = None, *, now: datetime | None = None) -> BackupResult:
    """Write an encrypted copy of the live database, verify it, then give it its final name and a manifest.

    `target` may be a file name or a folder; by default backups/clinic-YYYYMMDD-HHMMSS.cdbak in the data folder.
    On any failure nothing is left behind but the BackupError.
    """
    created = now or datetime.now().astimezone()
    if target is None:
        folder = db.data_dir / BACKUP_DIR
    elif Path(target).is_dir():
        folder, target = Path(target), None
    else:
        target = Path(target)
        folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"The backup folder {folder} cannot be created ({exc.strerror}). Choose a folder you "
                          "can write to.") from None
    target = target or _default_target(folder, created)
    manifest_path = manifest_path_for(target)
    if target.exists() or manifest_path.exists():
        raise BackupError(f"{target} already exists. Choose another file name; existing backups are never "
                          "overwritten.")
    needed = sum((db.path.with_name(db.path.name + s).stat().st_size
                  for s in ("", "-wal") if db.path.with_name(db.path.name + s).exists()), 0)
    free = shutil.disk_usage(folder).free
    if free < needed + (16 << 20):
        raise BackupError(f"Not enough free disk space in {folder} for a backup (about {needed >> 20} MB needed, "
                          f"{free >> 20} MB free). Free some space or choose another folder.")

    partial = target.with_name(f".{target.name}.partial")
    partial_manifest = manifest_path.with_name(f".{manifest_path.name}.partial")
    try:
        _unlink_quietly(partial, partial_manifest)
        _copy_live_database(db, partial)
        _fsync_file(partial)
        revision = _check_copy(partial, db.key)
        digest, size = _sha256_file(partial)
        manifest = BackupManifest(format=FORMAT_VERSION, database_id=db.config.database_id,
                                  schema_revision=revision, created_at=created.isoformat(timespec="seconds"),
                                  sha256=digest, size_bytes=size, app_version=__version__)
        with partial_manifest.open("w", encoding="utf-8") as fh:
            json.dump(asdict(manifest), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        # The backup gets its final name first: a manifest never points at a file that is not there.
        os.replace(partial, target)
        os.replace(partial_manifest, manifest_path)
        _fsync_dir(folder)
    except (OSError, sqlcipher3.Error) as exc:
        _unlink_quietly(target, manifest_path)
        raise BackupError(f"The backup could not be written to {folder} ({exc}). Check there is free space and "
                          "that you can write there, then try again.") from None
    finally:
        _unlink_quietly(partial, partial_manifest)
    return BackupResult(path=target, size_bytes=size, sha256=digest, created_at=created,
                        manifest_path=manifest_path)


# --- restoring ---------------------------------------------------------------------------------------------------

def _side_files(live: Path) -> list[Path]:
    return [live.with_name(live.name + suffix) for suffix in _SIDE_FILES]


def _take_offline(db: Database) -> None:
    """Close our connections and fold the WAL into the file; refuses if anyone else still has it open."""
    db.engine.dispose()
    switched = None
    try:
        conn = _connect(db.path, db.key, read_only=False)
        try:
            conn.execute("PRAGMA busy_timeout = 2000")
            # Leaving WAL mode needs the only connection, so this doubles as the "nobody else is using it" check,
            # and it removes the -wal and -shm files the old database owned.
            switched = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        finally:
            conn.close()
    except sqlcipher3.Error:
        switched = None
    if switched != "delete":
        _reopen(db)
        raise BackupError("The clinic database is in use by another ClinicDesk window or program. Close it, then "
                          "restore again; nothing was changed.")


def _reopen(db: Database) -> None:
    engine = make_engine(db.path, db.key)
    try:
        upgrade_to_head(engine)
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                raise BackupError("The database failed its quick check after opening.")
    except Exception:
        engine.dispose()
        raise
    db.engine = engine
    # Sessions must come from the new engine; the dataclass builds its session factory in __post_init__.
    db.__post_init__()


def _install(staging: Path, live: Path) -> None:
    """Swap a verified, fsynced file into place; stale side files go first so they never meet the new file."""
    for side in _side_files(live):
        _unlink_quietly(side)
    os.replace(staging, live)
    _fsync_dir(live.parent)


def restore_backup(db: Database, backup_path: Path, *, now: datetime | None = None) -> Path:
    """Replace the live database with a verified backup; returns the safety copy made of the database first."""
    backup_path = Path(backup_path)
    manifest = read_manifest(backup_path)
    if manifest.database_id != db.config.database_id:
        raise BackupError(f"{backup_path.name} is a backup of another clinic database ({manifest.database_id}), "
                          f"not this one ({db.config.database_id}). Choose a backup made in this clinic folder; "
                          "nothing was changed.")
    if manifest.schema_revision not in _known_revisions():
        raise BackupError(f"{backup_path.name} was written by a newer version of ClinicDesk (schema "
                          f"{manifest.schema_revision}). Install that version or newer to restore it; nothing "
                          "was changed.")
    verify_backup(backup_path, db.key)

    live = db.path
    staging = live.with_name(f".{live.name}.restoring")
    try:
        try:
            digest = _copy_with_digest(backup_path, staging)
        except OSError as exc:
            raise BackupError(f"The backup could not be copied into {live.parent} ({exc.strerror}). Free some "
                              "space and try again; nothing was changed.") from None
        if digest != manifest.sha256:
            raise BackupError("The backup changed while it was being copied. Try again; nothing was changed.")
        created = now or datetime.now().astimezone()
        safety_target = _default_target(db.data_dir / BACKUP_DIR, created, prefix="before-restore")
        safety = write_backup(db, safety_target, now=created).path
        try:
            _take_offline(db)
        except BackupError:
            _unlink_quietly(safety, manifest_path_for(safety))  # nothing was restored, so nothing to keep
            raise
        try:
            _install(staging, live)
        except OSError as exc:
            _reopen(db)
            raise BackupError(f"The database could not be replaced ({exc.strerror}). The current database was "
                              "kept; check the clinic folder's permissions and try again.") from None
        try:
            _reopen(db)
        except Exception:
            _copy_with_digest(safety, staging)
            _install(staging, live)
            _reopen(db)
            raise BackupError(f"The restored database did not open correctly, so the previous one was put back "
                              f"(also kept in {safety}). Try an older backup.") from None
    finally:
        _unlink_quietly(staging)
    return safety


# --- daily rotation ----------------------------------------------------------------------------------------------

def _dated_files(folder: Path) -> list[tuple[date, Path]]:
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            if match := _DATED_NAME.match(path.name):
                found.append((datetime.strptime(match.group(1), "%Y%m%d").date(), path))
    return found


def ensure_daily_backup(db: Database, now: datetime, keep_days: int = 30) -> Path | None:
    """Write today's backup unless one exists; delete dated backups older than `keep_days` days.

    Returns the new backup's path, or None when today's already existed. `now` decides what "today" is, in
    its own time zone, so the clinic's local midnight is the boundary.
    """
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    folder = db.data_dir / BACKUP_DIR
    today = now.date()
    has_today = any(day == today and path.suffix == BACKUP_SUFFIX and manifest_path_for(path).exists()
                    for day, path in _dated_files(folder))
    written = None if has_today else write_backup(db, now=now).path
    oldest_kept = today - timedelta(days=keep_days - 1)
    for day, path in _dated_files(folder):
        if day < oldest_kept:
            _unlink_quietly(path)
    return written
