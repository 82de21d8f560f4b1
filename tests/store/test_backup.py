"""Backups: encrypted and verified on write, tamper-evident, restorable, rotated daily for 30 days."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlcipher3

from clinicdesk.store.backup import (
    PLAIN_SQLITE_HEADER,
    ensure_daily_backup,
    manifest_path_for,
    restore_backup,
    verify_backup,
    write_backup,
)
from clinicdesk.store.database import open_database
from clinicdesk.store.errors import BackupError
from clinicdesk.store.keys import new_key
from clinicdesk.store.migrate import head_revision
from tests.store.helpers import SECRET_STRINGS, file_hashes, new_clinic, patient_names, register, sha256_of

IST = timezone(timedelta(hours=5, minutes=30))


def _live_hashes(db) -> dict:
    """The clinic folder's files, backups included: a refused restore must leave all of them as they were."""
    return file_hashes(db.data_dir)


def _flip_byte(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _rewrite_manifest(path, **changes) -> None:
    manifest = manifest_path_for(path)
    doc = json.loads(manifest.read_text())
    doc.update(changes)
    manifest.write_text(json.dumps(doc))


def test_write_backup_produces_an_encrypted_verified_copy_with_a_manifest(admin_ctx):
    from clinicdesk.services import patients
    from tests.store.helpers import PATIENTS

    for draft in PATIENTS:
        patients.register_patient(admin_ctx, draft)
    db = admin_ctx.db
    created = datetime(2026, 11, 26, 10, 15, 30, tzinfo=IST)
    result = write_backup(db, now=created)

    assert result.path == db.data_dir / "backups" / "clinic-20261126-101530.cdbak"
    data = result.path.read_bytes()
    assert data[:16] != PLAIN_SQLITE_HEADER
    assert not [s for s in SECRET_STRINGS if s.encode() in data]
    assert (result.size_bytes, result.sha256) == (len(data), sha256_of(result.path))
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest == {"format": 1, "database_id": db.config.database_id, "schema_revision": head_revision(),
                        "created_at": "2026-11-26T10:15:30+05:30", "sha256": result.sha256,
                        "size_bytes": result.size_bytes, "app_version": manifest["app_version"],
                        "cipher": "sqlcipher4-raw-key"}
    manifest_text = result.manifest_path.read_text()
    assert db.key.raw.hex() not in manifest_text.lower()
    assert not [s for s in SECRET_STRINGS if s in manifest_text]
    assert verify_backup(result.path, db.key).sha256 == result.sha256
    # No temporary file is left next to it.
    assert sorted(p.name for p in result.path.parent.iterdir()) == [result.path.name, result.manifest_path.name]

    # Plain SQLite cannot read it; with the clinic key it holds the patients.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(result.path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn = sqlcipher3.connect(str(result.path))
    conn.execute(f'PRAGMA key = "{db.key.sqlcipher_pragma_value()}"')
    assert conn.execute("SELECT count(*) FROM patients").fetchone() == (3,)
    conn.close()


def test_two_backups_in_the_same_second_do_not_overwrite_each_other(clinic_db):
    moment = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    first, second = write_backup(clinic_db, now=moment), write_backup(clinic_db, now=moment)
    assert first.path != second.path and first.path.exists() and second.path.exists()


def test_existing_target_is_never_overwritten(clinic_db, tmp_path):
    target = tmp_path / "mine.cdbak"
    target.write_bytes(b"precious")
    with pytest.raises(BackupError, match="already exists"):
        write_backup(clinic_db, target)
    assert target.read_bytes() == b"precious"


def test_unwritable_target_gives_a_sentence_and_leaves_nothing(clinic_db, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(BackupError, match="cannot be created.*Choose a folder"):
        write_backup(clinic_db, blocker / "backup.cdbak")
    assert [p.name for p in tmp_path.iterdir() if p.name != "clinic"] == ["not-a-folder"]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_one_flipped_byte_fails_verification(clinic_db, where):
    result = write_backup(clinic_db)
    offset = {"start": 5, "middle": result.size_bytes // 2, "end": result.size_bytes - 3}[where]
    _flip_byte(result.path, offset)
    with pytest.raises(BackupError, match="has changed since it was written"):
        verify_backup(result.path, clinic_db.key)


def test_damage_is_caught_by_the_cipher_check_even_with_a_matching_checksum(clinic_db):
    # Bit rot before the manifest was written, or a hand-edited manifest: the page HMACs still catch it.
    result = write_backup(clinic_db)
    _flip_byte(result.path, result.size_bytes // 2)
    _rewrite_manifest(result.path, sha256=sha256_of(result.path))
    with pytest.raises(BackupError, match="damaged"):
        verify_backup(result.path, clinic_db.key)


def test_backup_does_not_open_with_another_key(clinic_db):
    result = write_backup(clinic_db)
    with pytest.raises(BackupError, match="cannot be opened with this clinic's key"):
        verify_backup(result.path, new_key())


def test_missing_manifest_says_to_keep_it_with_the_backup(clinic_db):
    result = write_backup(clinic_db)
    result.manifest_path.unlink()
    with pytest.raises(BackupError, match="manifest .* is missing. Keep it in the same folder"):
        verify_backup(result.path, clinic_db.key)


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(admin_ctx):
    db = admin_ctx.db
    register(admin_ctx, "Before")
    backup = write_backup(db)
    register(admin_ctx, "After")
    assert patient_names(db) == {"Before", "After"}

    safety = restore_backup(db, backup.path)

    assert patient_names(db) == {"Before"}
    assert safety.exists() and safety.parent == db.data_dir / "backups"
    verify_backup(safety, db.key)
    # The reopened database works for writes and is back in WAL mode with its encryption.
    register(admin_ctx, "Later")
    assert patient_names(db) == {"Before", "Later"}
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert db.path.read_bytes()[:16] != PLAIN_SQLITE_HEADER
    assert not db.path.with_name(".clinic.db.restoring").exists()

    # The safety copy is itself a restorable backup holding what was there before.
    restore_backup(db, safety)
    assert patient_names(db) == {"Before", "After"}


def test_restored_database_survives_a_fresh_open(admin_ctx):
    db = admin_ctx.db
    register(admin_ctx, "Kept")
    backup = write_backup(db)
    register(admin_ctx, "Dropped")
    restore_backup(db, backup.path)
    db.close()
    reopened = open_database(db.data_dir)
    try:
        assert patient_names(reopened) == {"Kept"}
    finally:
        reopened.close()


def test_restore_refuses_a_tampered_backup_and_changes_nothing(admin_ctx):
    db = admin_ctx.db
    backup = write_backup(db)
    register(admin_ctx, "Current")
    _flip_byte(backup.path, backup.size_bytes // 3)
    before = _live_hashes(db)
    with pytest.raises(BackupError, match="has changed since it was written"):
        restore_backup(db, backup.path)
    assert _live_hashes(db) == before
    assert patient_names(db) == {"Current"}


def test_restore_refuses_another_clinics_backup_and_changes_nothing(admin_ctx, tmp_path, clock):
    other, other_ctx = new_clinic(tmp_path / "other", clock)
    foreign = write_backup(other)
    other.close()
    db = admin_ctx.db
    register(admin_ctx, "Current")
    before = _live_hashes(db)
    with pytest.raises(BackupError, match="backup of another clinic database"):
        restore_backup(db, foreign.path)
    # Even with the clinic id in its manifest forged, the key does not open it.
    _rewrite_manifest(foreign.path, database_id=db.config.database_id)
    with pytest.raises(BackupError, match="cannot be opened with this clinic's key"):
        restore_backup(db, foreign.path)
    assert _live_hashes(db) == before
    assert patient_names(db) == {"Current"}


def test_restore_refuses_a_backup_from_a_newer_version(admin_ctx):
    db = admin_ctx.db
    backup = write_backup(db)
    conn = sqlcipher3.connect(str(backup.path), isolation_level=None)
    conn.execute(f'PRAGMA key = "{db.key.sqlcipher_pragma_value()}"')
    conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    conn.close()
    _rewrite_manifest(backup.path, schema_revision="0099_future", sha256=sha256_of(backup.path),
                      size_bytes=backup.path.stat().st_size)
    verify_backup(backup.path, db.key)  # a sound file: refused only for its version
    before = _live_hashes(db)
    with pytest.raises(BackupError, match="newer version of ClinicDesk.*0099_future"):
        restore_backup(db, backup.path)
    assert _live_hashes(db) == before


def test_restore_refuses_while_another_program_has_the_database_open(admin_ctx):
    db = admin_ctx.db
    register(admin_ctx, "Current")
    backup = write_backup(db)
    register(admin_ctx, "Newer")
    other = sqlcipher3.connect(str(db.path), isolation_level=None)
    other.execute(f'PRAGMA key = "{db.key.sqlcipher_pragma_value()}"')
    other.execute("SELECT count(*) FROM patients").fetchone()
    try:
        backups_before = sorted(p.name for p in backup.path.parent.iterdir())
        with pytest.raises(BackupError, match="in use by another ClinicDesk window.*nothing was changed"):
            restore_backup(db, backup.path)
        assert sorted(p.name for p in backup.path.parent.iterdir()) == backups_before
    finally:
        other.close()
    # The database object still works after the refusal.
    assert patient_names(db) == {"Current", "Newer"}
    register(admin_ctx, "Still writable")


def test_daily_backup_writes_once_a_day_and_keeps_thirty_days(clinic_db):
    folder = clinic_db.data_dir / "backups"
    folder.mkdir()
    (folder / "my-own-copy.cdbak").write_bytes(b"a person's file")
    start = datetime(2026, 1, 1, 9, 0, tzinfo=IST)
    for day in range(45):
        morning = start + timedelta(days=day)
        assert ensure_daily_backup(clinic_db, morning) is not None
        # Later the same day: nothing new.
        assert ensure_daily_backup(clinic_db, morning + timedelta(hours=10)) is None

    backups = sorted(p.name for p in folder.glob("clinic-*.cdbak"))
    manifests = sorted(p.name for p in folder.glob("clinic-*.cdbak.json"))
    last = start + timedelta(days=44)
    expected = [f"clinic-{(last - timedelta(days=n)):%Y%m%d}-090000.cdbak" for n in range(29, -1, -1)]
    assert backups == expected
    assert manifests == [name + ".json" for name in expected]
    assert (folder / "my-own-copy.cdbak").read_bytes() == b"a person's file"
    verify_backup(folder / expected[-1], clinic_db.key)


def test_daily_backup_counts_days_in_the_clinic_time_zone(clinic_db):
    # 20:00 UTC on the 1st is already the 2nd in India: one backup for each local day.
    assert ensure_daily_backup(clinic_db, datetime(2026, 3, 1, 20, 0, tzinfo=UTC).astimezone(IST)) is not None
    assert ensure_daily_backup(clinic_db, datetime(2026, 3, 2, 9, 0, tzinfo=IST)) is None
    assert ensure_daily_backup(clinic_db, datetime(2026, 3, 3, 0, 5, tzinfo=IST)) is not None


def test_a_crashed_partial_backup_is_not_todays_backup(clinic_db):
    folder = clinic_db.data_dir / "backups"
    folder.mkdir()
    (folder / ".clinic-20260301-090000.cdbak.partial").write_bytes(b"half")
    (folder / "clinic-20260301-080000.cdbak").write_bytes(b"no manifest: never finished")
    written = ensure_daily_backup(clinic_db, datetime(2026, 3, 1, 12, 0, tzinfo=IST))
    assert written is not None
    verify_backup(written, clinic_db.key)
    # Thirty days on, the debris of that day is pruned with it.
    ensure_daily_backup(clinic_db, datetime(2026, 3, 31, 12, 0, tzinfo=IST))
    assert sorted(p.name for p in folder.iterdir()) == ["clinic-20260331-120000.cdbak",
                                                        "clinic-20260331-120000.cdbak.json"]
