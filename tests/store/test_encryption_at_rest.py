"""The clinic database and its -wal file on disk: encrypted headers and no readable patient name or phone."""

from dataclasses import replace

import sqlcipher3

from clinicdesk.services import patients
from tests.store.helpers import PATIENTS, SECRET_STRINGS

PLAIN_HEADER = b"SQLite format 3\x00"


def _register_all(ctx) -> None:
    for draft in PATIENTS:
        patients.register_patient(ctx, draft)


def _leaks(data: bytes) -> list[str]:
    return [s for s in SECRET_STRINGS if s.encode("utf-8") in data or s.lower().encode("utf-8") in data]


def test_database_and_wal_headers_are_not_plain_sqlite(admin_ctx):
    _register_all(admin_ctx)
    db_file = admin_ctx.db.path
    wal_file = db_file.with_name(db_file.name + "-wal")
    # The engine is still open, so the latest commits sit in the WAL: both files are checked with data in them.
    assert wal_file.stat().st_size > 0
    assert db_file.read_bytes()[:16] != PLAIN_HEADER
    assert wal_file.read_bytes()[:16] != PLAIN_HEADER


def test_no_patient_name_or_phone_readable_in_database_or_wal(admin_ctx, tmp_path):
    _register_all(admin_ctx)
    db_file = admin_ctx.db.path
    wal_file = db_file.with_name(db_file.name + "-wal")
    assert wal_file.stat().st_size > 0
    assert _leaks(db_file.read_bytes()) == []
    assert _leaks(wal_file.read_bytes()) == []

    # Control: the same search finds every value in a decrypted copy, so the check above is not vacuous.
    plain = tmp_path / "plain.db"
    conn = sqlcipher3.connect(str(db_file), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{admin_ctx.db.key.sqlcipher_pragma_value()}"')
        conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    assert plain.read_bytes()[:16] == PLAIN_HEADER
    assert sorted(_leaks(plain.read_bytes())) == sorted(SECRET_STRINGS)


def test_checkpointed_pages_are_encrypted_in_the_main_file_too(admin_ctx):
    """After a checkpoint the pages live in clinic.db itself, and newer ones in the WAL: neither holds plaintext."""
    for n in range(40):
        for draft in PATIENTS:
            patients.register_patient(admin_ctx, replace(draft, phone=f"98470{n:05d}"))
        if n == 30:
            with admin_ctx.db.engine.connect() as conn:
                busy, _, moved = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            assert busy == 0 and moved > 0
    db_file = admin_ctx.db.path
    for path in (db_file, db_file.with_name(db_file.name + "-wal")):
        data = path.read_bytes()
        assert data[:16] != PLAIN_HEADER
        assert _leaks(data) == []
        assert b"Zephyrine" not in data and b"9847000039" not in data
