"""Field-level sealing (AES-GCM) and keyed lookups (HMAC) with subkeys of the centre key, else of the database key."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.redaction import patient_token
from clinicdesk.store.keys import DatabaseKey

CENTRE_KEY_BYTES = 32
KEY_ID_BYTES = 8
# A value sealed with the centre key starts with this marker and the key's id; a value sealed with this database's
# own key (the older format) is a bare nonce and ciphertext. Six marker bytes: a random nonce starts with them by
# chance once in 2**48 values, and even then opening falls back to the database key.
CENTRE_SEAL_MAGIC = b"CDCK1\x00"
_CENTRE_HEADER = len(CENTRE_SEAL_MAGIC) + KEY_ID_BYTES
# A lookup token keyed by the centre key; ':' never occurs in the hex of a token keyed by the database key.
CENTRE_TOKEN_PREFIX = "c:"
_TOKEN_LENGTH = 64  # the width of the aadhaar_lookup column


class SealedValueUnavailable(ClinicError):
    """A sealed value cannot be opened here: sealed with a centre key this device does not hold, or damaged."""


def _subkey(key: DatabaseKey, purpose: str) -> bytes:
    return _derive(key.raw, purpose)


def _derive(raw: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"clinicdesk:{purpose}".encode()).derive(raw)


def centre_key_id(raw: bytes) -> str:
    """A public fingerprint of a centre key (16 hex digits); HQ and every device compute the same one."""
    return hashlib.sha256(b"clinicdesk:centre-key-id:" + raw).hexdigest()[:2 * KEY_ID_BYTES]


@dataclass(frozen=True)
class CentreKey:
    """The 256-bit key every device of one centre shares, so what one device seals another can open."""

    raw: bytes

    def __post_init__(self):
        if len(self.raw) != CENTRE_KEY_BYTES:
            raise ValueError("a centre key is 32 bytes")

    @property
    def key_id(self) -> str:
        return centre_key_id(self.raw)

    def __repr__(self) -> str:  # the key is a secret: never print it
        return f"CentreKey(key_id={self.key_id!r})"


def is_centre_sealed(value) -> bool:
    """True for a value another device of the centre can use: sealed bytes or a lookup token of the centre key."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value[:len(CENTRE_SEAL_MAGIC)]) == CENTRE_SEAL_MAGIC
    if isinstance(value, str):
        return value.startswith(CENTRE_TOKEN_PREFIX)
    return False


class FieldSealer:
    """Seals sensitive values (Aadhaar, notes, signatures) so they stay encrypted even inside exports and backups.

    With a centre key (after enrolment at HQ) new values are sealed with it, so the centre's other devices can open
    them after sync; values sealed earlier with this database's key still open. `adopt_centre_key` switches a live
    sealer over once the key is stored.
    """

    def __init__(self, key: DatabaseKey, centre_key: CentreKey | None = None):
        self._device_key = key
        self._aead = AESGCM(_subkey(key, "field-seal-v1"))
        self._lookup_key = _subkey(key, "lookup-v1")
        self._pseudonym_key = _subkey(key, "patient-pseudonym-v1")
        self._centre: CentreKey | None = None
        if centre_key is not None:
            self.adopt_centre_key(centre_key)

    def adopt_centre_key(self, centre_key: CentreKey) -> None:
        """From now on seal, match and pseudonymise with the centre key. Call only after it is stored."""
        self._centre = centre_key
        self._centre_id_bytes = bytes.fromhex(centre_key.key_id)
        self._centre_aead = AESGCM(_derive(centre_key.raw, "centre:field-seal-v1"))
        self._centre_lookup_key = _derive(centre_key.raw, "centre:lookup-v1")
        self._centre_pseudonym_key = _derive(centre_key.raw, "centre:patient-pseudonym-v1")

    @property
    def centre_key_id(self) -> str | None:
        return self._centre.key_id if self._centre else None

    @property
    def has_centre_key(self) -> bool:
        return self._centre is not None

    def seal(self, plain: bytes, *, context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        if self._centre is not None:
            return (CENTRE_SEAL_MAGIC + self._centre_id_bytes + nonce
                    + self._centre_aead.encrypt(nonce, plain, context.encode()))
        return nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        """The plain value; SealedValueUnavailable (a sentence without the value) when it cannot be opened here."""
        sealed = bytes(sealed)
        if sealed.startswith(CENTRE_SEAL_MAGIC) and len(sealed) >= _CENTRE_HEADER + 12 + 16:
            key_id = sealed[len(CENTRE_SEAL_MAGIC):_CENTRE_HEADER]
            if self._centre is not None and key_id == self._centre_id_bytes:
                try:
                    return self._centre_aead.decrypt(sealed[_CENTRE_HEADER:_CENTRE_HEADER + 12],
                                                     sealed[_CENTRE_HEADER + 12:], context.encode())
                except InvalidTag:
                    raise SealedValueUnavailable("This sealed value is damaged or belongs to another record; it "
                                                 "cannot be opened.") from None
            opened = self._open_with_device_key(sealed, context)  # a device-sealed value that starts like a marker
            if opened is not None:
                return opened
            if self._centre is None:
                raise SealedValueUnavailable("This value was sealed with the centre's key, which this device does not "
                                             "have yet; sync with HQ (or enrol this device) and try again.")
            raise SealedValueUnavailable(f"This value was sealed with another centre key ({key_id.hex()}) than "
                                         f"this device's ({self._centre.key_id}); it cannot be opened here.")
        opened = self._open_with_device_key(sealed, context)
        if opened is None:
            if not sealed:
                raise SealedValueUnavailable("This content was written on another device before the centre had a "
                                             "shared key; it can be read only there until that device syncs again.")
            raise SealedValueUnavailable("This sealed value is damaged, belongs to another record or was sealed on "
                                         "another device with its own key; it cannot be opened here.")
        return opened

    def _open_with_device_key(self, sealed: bytes, context: str) -> bytes | None:
        if len(sealed) < 12 + 16:
            return None
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], context.encode())
        except InvalidTag:
            return None

    def patient_pseudonym(self, patient_id: str) -> str:
        """The patient's stable token in redacted text (PATIENT_A7X9K2); only the centre's (else this database's)
        key maps it back."""
        return patient_token(self._centre_pseudonym_key if self._centre else self._pseudonym_key, patient_id)

    def lookup_token(self, value: str, *, kind: str) -> str:
        """Deterministic keyed hash, so duplicates can be found without storing the value in the clear; with a
        centre key every device of the centre computes the same token."""
        if self._centre is not None:
            digest = hmac.new(self._centre_lookup_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
            return CENTRE_TOKEN_PREFIX + digest[:_TOKEN_LENGTH - len(CENTRE_TOKEN_PREFIX)]
        return hmac.new(self._lookup_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def device_subkey(self, purpose: str) -> bytes:
        """A subkey of this database's own key (for the older formats, e.g. recording keys wrapped before)."""
        return _subkey(self._device_key, purpose)

    def centre_subkey(self, purpose: str) -> tuple[bytes, bytes] | None:
        """(key id bytes, subkey of the centre key), or None without a centre key."""
        if self._centre is None:
            return None
        return self._centre_id_bytes, _derive(self._centre.raw, f"centre:{purpose}")
