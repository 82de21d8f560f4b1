"""Argon2id password hashes for staff (19 MiB, t=2, as OWASP recommends) and the common-password blocklist."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clinicdesk.resources import resource_path

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


# A valid hash of a random string: used for unknown usernames so their timing matches a real check.
DUMMY_HASH = _HASHER.hash("clinicdesk-timing-equaliser")


@lru_cache(maxsize=1)
def password_blocklist() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    extra = resource_path("security", "extra-blocked-passwords.txt").read_text(encoding="utf-8").splitlines()
    words = {w.strip().lower() for w in extra if w.strip() and not w.startswith("#")}
    return frozenset(words | {w.lower() for w in FREQUENCY_LISTS["passwords"]})
