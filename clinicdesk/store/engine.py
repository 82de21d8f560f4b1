"""SQLCipher engine: raw-key unlock checked read-only first, then WAL, synchronous=FULL and foreign keys."""

from pathlib import Path

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from clinicdesk.store.errors import WrongKeyError
from clinicdesk.store.keys import DatabaseKey

_WRONG_KEY_MESSAGE = ("This database cannot be opened with the key or passphrase given. Check the passphrase "
                      "(or that this is the right clinic folder); the file was not changed.")


def check_key(path: Path, key: DatabaseKey) -> None:
    """Open read-only and read the schema: a wrong key fails here without a byte written to the file."""
    conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute(f'PRAGMA key = "{key.sqlcipher_pragma_value()}"')
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        raise WrongKeyError(_WRONG_KEY_MESSAGE) from None
    finally:
        conn.close()


def _configure_connection(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA cipher_log_level = NONE")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def make_engine(path: Path, key: DatabaseKey, *, verify: bool = True) -> Engine:
    """Engine for an existing or new encrypted file; `verify` checks the key first when the file exists."""
    if verify and path.exists() and path.stat().st_size > 0:
        check_key(path, key)
    url = URL.create("sqlite+pysqlcipher", password=key.sqlcipher_pragma_value(), database=str(path))
    # QueuePool, not the dialect's SingletonThreadPool: two sessions must never share one connection.
    engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=QueuePool, pool_size=4,
                           hide_parameters=True)  # database errors must not quote patient values into logs
    event.listen(engine, "connect", _configure_connection)
    # pysqlite's own transaction handling defers BEGIN; take control so SAVEPOINT and BEGIN work as written.
    event.listen(engine, "connect", _disable_driver_transactions)
    event.listen(engine, "begin", _begin)
    return engine


# Execution option for a transaction that takes SQLite's write lock at BEGIN: a read-check-write (a booking)
# then cannot interleave with another connection or process doing the same; they queue on busy_timeout.
BEGIN_IMMEDIATE = "clinicdesk_begin_immediate"


def _begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(BEGIN_IMMEDIATE) else "BEGIN")


def _disable_driver_transactions(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
