"""The portal's settings: its hash key, the SMS gateway that sends sign-in codes, timeouts and limits."""

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from clinicdesk.notify.http_gateway import GatewaySettings

MIN_HASH_KEY_BYTES = 32


@dataclass(frozen=True)
class PortalConfig:
    """Defaults are the issue's numbers; tests shorten nothing but the clock they pass in."""

    # keys the HMACs of phone numbers and client addresses in audit rows and rate limits; kept outside the database
    # so a copy of the database alone cannot turn them back into phone numbers (10^10 numbers are quick to try)
    hash_key: bytes
    sms_gateway: GatewaySettings | None = None  # None: sign-in by code is not set up at this clinic
    idle_timeout: timedelta = timedelta(minutes=20)
    absolute_timeout: timedelta = timedelta(hours=12)
    code_lifetime: timedelta = timedelta(minutes=5)
    wrong_tries_per_code: int = 5
    codes_per_phone: int = 3
    codes_per_phone_window: timedelta = timedelta(minutes=15)
    starts_per_client: int = 10
    starts_per_client_window: timedelta = timedelta(hours=1)
    secure_cookies: bool = True  # Secure cookies; HQ serves the portal over TLS (docs/portal.md)

    def __post_init__(self):
        if len(self.hash_key) < MIN_HASH_KEY_BYTES:
            raise ValueError(f"The portal hash key must be at least {MIN_HASH_KEY_BYTES} bytes.")


def unsaved_portal_config() -> PortalConfig:
    """A portal without an SMS gateway (nobody can sign in), keyed by a random key that lives as long as the
    process: what an HQ started without portal options runs."""
    return PortalConfig(hash_key=secrets.token_bytes(MIN_HASH_KEY_BYTES))


def load_or_create_hash_key(path: Path) -> bytes:
    """The portal's hash key from `path` (hex), made on first start, readable by its owner only. Kept outside the
    database: a database copy alone cannot turn the keyed hashes of its audit rows back into phone numbers."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(MIN_HASH_KEY_BYTES) + "\n")
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError as exc:
        raise ValueError(f"The portal hash key file {path} is not hex text; restore it from your backup.") from exc
    if len(key) < MIN_HASH_KEY_BYTES:
        raise ValueError(f"The portal hash key file {path} holds fewer than {MIN_HASH_KEY_BYTES} bytes.")
    return key
