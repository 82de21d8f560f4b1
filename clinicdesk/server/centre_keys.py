"""Centre keys at HQ: the master key file, and each centre's key made once and stored only wrapped by it."""

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.errors import ApiError
from clinicdesk.server.models import CentreKeyRow
from clinicdesk.store.crypto import CENTRE_KEY_BYTES, CentreKey

MASTER_KEY_FILE = "centre-master-key"
MASTER_KEY_ENV = "CLINICDESK_HQ_MASTER_KEY_FILE"
MASTER_KEY_BYTES = 32


class MasterKeyProblem(Exception):
    """The master key file is missing, unreadable, open to others or of the wrong size; the message says which."""


@dataclass(frozen=True)
class MasterKey:
    """HQ's key-encrypting key. It lives in a file, never in the database, so a database dump alone reveals no
    centre key."""

    raw: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"clinicdesk:hq-master-key-id:" + self.raw).hexdigest()[:16]

    def __repr__(self) -> str:  # never print key material
        return f"MasterKey(key_id={self.key_id!r})"


def load_or_create_master_key(path: Path) -> MasterKey:
    """Read the master key file; create it (32 random bytes, owner-readable only) when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it between the check and now: read theirs
        else:
            with os.fdopen(descriptor, "wb") as out:
                out.write(secrets.token_bytes(MASTER_KEY_BYTES))
                out.flush()
                os.fsync(out.fileno())
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes()
    except OSError as error:
        raise MasterKeyProblem(f"The HQ master key file {path} cannot be read ({error.__class__.__name__}).") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise MasterKeyProblem(f"The HQ master key file {path} can be read by other users; make it readable by its "
                               f"owner only (chmod 600 {path}).")
    if len(raw) != MASTER_KEY_BYTES:
        raise MasterKeyProblem(f"The HQ master key file {path} is not a ClinicDesk master key (it must hold exactly "
                               f"{MASTER_KEY_BYTES} bytes).")
    return MasterKey(raw)


def _ad(centre_id: str) -> bytes:
    # Bound to its centre: a wrapped key copied onto another centre's row does not open.
    return b"clinicdesk:centre-key:" + centre_id.encode()


def wrap_centre_key(master: MasterKey, centre_id: str, key: CentreKey) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(master.raw).encrypt(nonce, key.raw, _ad(centre_id))


def unwrap_centre_key(master: MasterKey, row: CentreKeyRow) -> CentreKey:
    if row.master_key_id != master.key_id:
        raise ApiError(503, "centre_key_unavailable", "HQ was started with another master key file than the one this "
                                                      "centre's key was made with; the HQ operator must restore it.")
    try:
        raw = AESGCM(master.raw).decrypt(row.wrapped_key[:12], row.wrapped_key[12:], _ad(row.centre_id))
    except InvalidTag:
        raise ApiError(503, "centre_key_unavailable", "This centre's key is damaged at HQ; the HQ operator must "
                                                      "restore it from a backup.") from None
    key = CentreKey(raw)
    if key.key_id != row.key_id:
        raise ApiError(503, "centre_key_unavailable", "This centre's key is damaged at HQ; the HQ operator must "
                                                      "restore it from a backup.")
    return key


def centre_key_for(session: Session, centre_id: str, master: MasterKey, *, now: datetime) -> CentreKey:
    """The centre's key, made on first use. Two devices asking at once both get the one that was stored first."""
    enter_centre(session, centre_id)  # PostgreSQL: the row is visible and writable only inside its centre
    row = session.get(CentreKeyRow, centre_id)
    if row is None:
        key = CentreKey(secrets.token_bytes(CENTRE_KEY_BYTES))
        try:
            with session.begin_nested():  # a savepoint: losing the race must not abort the request's transaction
                session.add(CentreKeyRow(centre_id=centre_id, key_id=key.key_id,
                                         wrapped_key=wrap_centre_key(master, centre_id, key),
                                         master_key_id=master.key_id, created_at=now))
            return key
        except IntegrityError:
            row = session.get(CentreKeyRow, centre_id, populate_existing=True)
            if row is None:
                raise
    return unwrap_centre_key(master, row)
