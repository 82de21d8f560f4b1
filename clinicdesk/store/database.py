"""Opening and creating a clinic's encrypted database: key, engine, migrations, sealer, in one object."""

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clinicdesk.domain.ids import uuid7
from clinicdesk.store import keys
from clinicdesk.store.centre_key_store import load_centre_key
from clinicdesk.store.crypto import FieldSealer
from clinicdesk.store.datadir import DATABASE_FILE, LocalConfig
from clinicdesk.store.engine import make_engine
from clinicdesk.store.errors import KeyUnavailableError
from clinicdesk.store.migrate import upgrade_to_head
from clinicdesk.store.outbox import install_outbox_hook


def new_id() -> str:
    return uuid7(unix_ms=time.time_ns() // 1_000_000, random_bytes=secrets.token_bytes(10))


@dataclass
class Database:
    """An unlocked clinic database. Sessions come from `session()`; services own their transactions."""

    data_dir: Path
    config: LocalConfig
    engine: Engine
    key: keys.DatabaseKey
    sealer: FieldSealer

    @property
    def path(self) -> Path:
        return self.data_dir / DATABASE_FILE

    def session(self) -> Session:
        return self._factory()

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        install_outbox_hook(self._factory)  # writes to synced tables queue sync operations in the same transaction

    def close(self) -> None:
        self.engine.dispose()


def database_exists(data_dir: Path) -> bool:
    return (data_dir / DATABASE_FILE).exists() and LocalConfig.load(data_dir) is not None


def create_database(data_dir: Path, *, passphrase: str | None, device_code: str = "A") -> Database:
    """Make a new empty clinic database with a fresh random key (keyring and/or passphrase-wrapped)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if database_exists(data_dir):
        raise FileExistsError(f"A clinic database already exists in {data_dir}.")
    config = LocalConfig(database_id=new_id(), device_code=device_code)
    key = keys.new_key()
    config.key_storage = keys.store_new_key(data_dir, config.database_id, key, passphrase)
    config.save(data_dir)
    return _open_with_key(data_dir, config, key)


def open_database(data_dir: Path, *, passphrase: str | None = None) -> Database:
    """Unlock an existing clinic database and bring its schema up to date (after refusing newer ones)."""
    config = LocalConfig.load(data_dir)
    if config is None or not (data_dir / DATABASE_FILE).exists():
        raise KeyUnavailableError(f"No clinic database was found in {data_dir}. Run the set-up first.")
    key = keys.load_key(data_dir, config.database_id, passphrase)
    return _open_with_key(data_dir, config, key)


def _open_with_key(data_dir: Path, config: LocalConfig, key: keys.DatabaseKey) -> Database:
    engine = make_engine(data_dir / DATABASE_FILE, key)
    try:
        upgrade_to_head(engine)
    except Exception:
        engine.dispose()  # a refused (too new) or failed migration must not leave the file open
        raise
    sealer = FieldSealer(key, centre_key=load_centre_key(engine, key))  # the centre's key once HQ gave it
    return Database(data_dir=data_dir, config=config, engine=engine, key=key, sealer=sealer)
