"""The database key: 32 random bytes kept in the OS keyring, or wrapped with Argon2id + AES-GCM by a passphrase."""

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clinicdesk.store.errors import KeyUnavailableError, PassphraseNeeded, PassphraseTooShort, WrongKeyError

KEYRING_SERVICE = "ClinicDesk"
WRAPPED_KEY_FILE = "database.key"
PASSPHRASE_ENV = "CLINICDESK_PASSPHRASE"
# Argon2id for key wrapping: one unlock per start, so it can afford more than a sign-in hash.
_KDF = {"time_cost": 3, "memory_cost": 65536, "parallelism": 2}


@dataclass(frozen=True)
class DatabaseKey:
    raw: bytes

    def sqlcipher_pragma_value(self) -> str:
        """The raw-key form SQLCipher accepts, which skips its per-connection PBKDF2."""
        return f"x'{self.raw.hex()}'"

    def __repr__(self) -> str:  # never print key material
        return "DatabaseKey(<hidden>)"


def new_key() -> DatabaseKey:
    return DatabaseKey(secrets.token_bytes(32))


def _keyring_user(database_id: str) -> str:
    return f"database-{database_id}"


def keyring_store(database_id: str, key: DatabaseKey) -> bool:
    """Save the key in the OS keyring; False when no usable keyring exists (headless, locked)."""
    try:
        import keyring
        import keyring.errors

        keyring.set_password(KEYRING_SERVICE, _keyring_user(database_id), key.raw.hex())
        return True
    except Exception:  # NoKeyringError, KeyringLocked, D-Bus failures: all mean "use the passphrase"
        return False


def keyring_load(database_id: str) -> DatabaseKey | None:
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, _keyring_user(database_id))
    except Exception:
        return None
    return DatabaseKey(bytes.fromhex(value)) if value else None


def _derive(passphrase: str, salt: bytes, params: dict) -> bytes:
    return hash_secret_raw(passphrase.encode("utf-8"), salt, hash_len=32, type=Type.ID, **params)


def write_wrapped_key(path: Path, database_id: str, key: DatabaseKey, passphrase: str) -> None:
    """Write the key encrypted under a passphrase-derived key; the database id is bound in as associated data."""
    if len(passphrase) < 8:
        raise PassphraseTooShort("The passphrase must be at least 8 characters long; a short sentence is easy to "
                                 "remember.")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapping = _derive(passphrase, salt, _KDF)
    sealed = AESGCM(wrapping).encrypt(nonce, key.raw, database_id.encode())
    doc = {"format": 1, "kdf": "argon2id", **_KDF, "salt": base64.b64encode(salt).decode(),
           "nonce": base64.b64encode(nonce).decode(), "ciphertext": base64.b64encode(sealed).decode()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, path)


def read_wrapped_key(path: Path, database_id: str, passphrase: str) -> DatabaseKey:
    doc = json.loads(path.read_text())
    params = {k: doc[k] for k in _KDF}
    wrapping = _derive(passphrase, base64.b64decode(doc["salt"]), params)
    try:
        raw = AESGCM(wrapping).decrypt(base64.b64decode(doc["nonce"]), base64.b64decode(doc["ciphertext"]),
                                       database_id.encode())
    except InvalidTag:
        raise WrongKeyError("That passphrase does not unlock this clinic's database. Check it and try again; "
                            "nothing was changed.") from None
    return DatabaseKey(raw)


def store_new_key(data_dir: Path, database_id: str, key: DatabaseKey, passphrase: str | None) -> str:
    """Keep a new key in the keyring and, when a passphrase is given, also as a wrapped key file.

    Returns where it went ("keyring", "passphrase" or "keyring+passphrase"). Never writes it in plain form.
    """
    in_keyring = keyring_store(database_id, key)
    if passphrase:
        write_wrapped_key(data_dir / WRAPPED_KEY_FILE, database_id, key, passphrase)
    if in_keyring and passphrase:
        return "keyring+passphrase"
    if in_keyring:
        return "keyring"
    if passphrase:
        return "passphrase"
    raise PassphraseNeeded("This computer has no usable keyring. Choose a passphrase (at least 8 characters) "
                           f"to protect the clinic database, or set {PASSPHRASE_ENV}.")


def load_key(data_dir: Path, database_id: str, passphrase: str | None = None) -> DatabaseKey:
    """Find the key: the keyring first, then the wrapped key file with the passphrase given or from the env."""
    key = keyring_load(database_id)
    if key is not None:
        return key
    wrapped = data_dir / WRAPPED_KEY_FILE
    if not wrapped.exists():
        raise KeyUnavailableError("The database key is kept in this computer's keyring, which is locked or "
                                  "unavailable. Unlock the keyring (sign in to the desktop) and try again.")
    passphrase = passphrase or os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise PassphraseNeeded("Enter the clinic passphrase to unlock the database.")
    return read_wrapped_key(wrapped, database_id, passphrase)
