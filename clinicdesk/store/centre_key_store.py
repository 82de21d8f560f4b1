"""This database's copy of its centre's key: one settings row, sealed (AES-GCM) with a subkey of the database key."""

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine

from clinicdesk.store.crypto import CentreKey, SealedValueUnavailable, _subkey
from clinicdesk.store.keys import DatabaseKey

# The settings table is device-local (it never syncs), and the value is sealed, so a copy of the database file
# without the database key reveals nothing, like every other sealed value.
CENTRE_KEY_SETTING = "sync.centre_key"
_FORMAT = "v1"
_AD = b"clinicdesk:stored-centre-key"


def _aead(db_key: DatabaseKey) -> AESGCM:
    return AESGCM(_subkey(db_key, "centre-key-storage-v1"))


def seal_for_storage(db_key: DatabaseKey, centre_key: CentreKey) -> str:
    nonce = secrets.token_bytes(12)
    sealed = nonce + _aead(db_key).encrypt(nonce, centre_key.raw, _AD)
    return f"{_FORMAT}:{centre_key.key_id}:{base64.b64encode(sealed).decode('ascii')}"


def open_from_storage(db_key: DatabaseKey, stored: str) -> CentreKey:
    try:
        version, key_id, payload = stored.split(":", 2)
        sealed = base64.b64decode(payload, validate=True)
        raw = _aead(db_key).decrypt(sealed[:12], sealed[12:], _AD)
    except (ValueError, InvalidTag):
        raise SealedValueUnavailable("The centre key stored in this database is damaged; sync with HQ to fetch it "
                                     "again.") from None
    key = CentreKey(raw)
    if version != _FORMAT or key.key_id != key_id:
        raise SealedValueUnavailable("The centre key stored in this database is damaged; sync with HQ to fetch it "
                                     "again.")
    return key


def load_centre_key(bind: Engine | Connection, db_key: DatabaseKey) -> CentreKey | None:
    """The stored centre key, or None before this device first fetched it from HQ."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return load_centre_key(connection, db_key)
    row = bind.exec_driver_sql("SELECT value FROM settings WHERE key = ?", (CENTRE_KEY_SETTING,)).first()
    return None if row is None else open_from_storage(db_key, row[0])


def save_centre_key(connection: Connection, db_key: DatabaseKey, centre_key: CentreKey) -> None:
    """Store the key inside the caller's transaction (a second save with the same key changes nothing)."""
    stored = seal_for_storage(db_key, centre_key)
    updated = connection.exec_driver_sql("UPDATE settings SET value = ? WHERE key = ?", (stored, CENTRE_KEY_SETTING))
    if updated.rowcount == 0:
        connection.exec_driver_sql("INSERT INTO settings (key, value) VALUES (?, ?)", (CENTRE_KEY_SETTING, stored))
