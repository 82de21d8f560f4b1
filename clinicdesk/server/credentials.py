"""Device credentials and enrolment codes: their text format, random generation and the hashes HQ keeps."""

import hashlib
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from clinicdesk.domain.ids import uuid7
from clinicdesk.store.password_hashing import DUMMY_HASH, hash_password, verify_password

CREDENTIAL_PREFIX = "cdk1"
CREDENTIAL_MAX_LENGTH = 120
# Unambiguous capitals and digits (no 0/O, 1/I/L) so a code can be read aloud over the phone and typed at a desk.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4  # 16 symbols of 31 = 79 bits
CODE_MAX_LENGTH = 40
_CREDENTIAL_SHAPE = re.compile(r"^cdk1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$")


def new_id() -> str:
    return uuid7(unix_ms=time.time_ns() // 1_000_000, random_bytes=secrets.token_bytes(10))


def new_enrolment_code() -> str:
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(symbols[i:i + CODE_GROUP_LENGTH] for i in range(0, len(symbols), CODE_GROUP_LENGTH))


def normalise_code(code: str) -> str:
    """What a person typed, as issued: upper case, spaces and dashes ignored, regrouped."""
    symbols = "".join(ch for ch in code.upper() if ch not in " -")
    return "-".join(symbols[i:i + CODE_GROUP_LENGTH] for i in range(0, len(symbols), CODE_GROUP_LENGTH))


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCredential:
    """The device's secret, shown once at enrolment; HQ keeps only `stored_hash`."""

    device_id: str
    credential: str
    stored_hash: str


def issue_credential(device_id: str) -> IssuedCredential:
    secret = secrets.token_urlsafe(32)  # 256 bits, 43 characters
    return IssuedCredential(device_id, f"{CREDENTIAL_PREFIX}.{device_id}.{secret}", hash_password(secret))


def parse_credential(credential: str) -> tuple[str, str] | None:
    """(device id, secret) from a well-formed credential, else None. The device id only finds the hash to check."""
    if len(credential) > CREDENTIAL_MAX_LENGTH:
        return None
    match = _CREDENTIAL_SHAPE.match(credential)
    if not match:
        return None
    try:
        uuid.UUID(match.group(1))
    except ValueError:
        return None
    return match.group(1), match.group(2)


def secret_matches(stored_hash: str | None, secret: str) -> bool:
    """Argon2id check; an unknown device is checked against a dummy hash so both take the same time."""
    if stored_hash is None:
        verify_password(DUMMY_HASH, secret)
        return False
    return verify_password(stored_hash, secret)
