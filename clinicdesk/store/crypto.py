"""Field-level sealing (AES-GCM) and keyed lookups (HMAC) with subkeys derived from the database key."""

import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clinicdesk.domain.redaction import patient_token
from clinicdesk.store.keys import DatabaseKey


def _subkey(key: DatabaseKey, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"clinicdesk:{purpose}".encode()).derive(key.raw)


class FieldSealer:
    """Seals sensitive values (Aadhaar, attachments) so they stay encrypted even inside exports and backups."""

    def __init__(self, key: DatabaseKey):
        self._aead = AESGCM(_subkey(key, "field-seal-v1"))
        self._lookup_key = _subkey(key, "lookup-v1")
        self._pseudonym_key = _subkey(key, "patient-pseudonym-v1")

    def seal(self, plain: bytes, *, context: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], context.encode())

    def patient_pseudonym(self, patient_id: str) -> str:
        """The patient's stable token in redacted text (PATIENT_A7X9K2); only this database's key maps it back."""
        return patient_token(self._pseudonym_key, patient_id)

    def lookup_token(self, value: str, *, kind: str) -> str:
        """Deterministic keyed hash, so duplicates can be found without storing the value in the clear."""
        return hmac.new(self._lookup_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
