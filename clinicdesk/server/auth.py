"""Who is asking: the device behind the Authorization header (and so its centre), or the HQ admin token."""

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request

from clinicdesk.server.centre_scope import centre_of_device, enter_centre
from clinicdesk.server.credentials import parse_credential, secret_matches
from clinicdesk.server.errors import ApiError
from clinicdesk.server.limits import AUTHORIZATION_MAX_LENGTH
from clinicdesk.server.models import CentreRow, DeviceRow

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="clinicdesk-hq"'}


@dataclass(frozen=True)
class AuthenticatedDevice:
    """The only source of a request's centre: looked up from the credential, never read from the request."""

    device_id: str
    device_name: str
    centre_id: str
    centre_name: str


class VerifiedCredentials:
    """Remembers credentials already checked with Argon2 (by SHA-256, in memory only) so a sync of many requests
    pays the deliberate slowness once. Revocation is still read from the database on every request."""

    def __init__(self, max_entries: int = 10_000):
        self._device_by_digest: dict[str, str] = {}
        self._max_entries = max_entries

    @staticmethod
    def _digest(credential: str) -> str:
        return hashlib.sha256(credential.encode()).hexdigest()

    def device_for(self, credential: str) -> str | None:
        return self._device_by_digest.get(self._digest(credential))

    def remember(self, credential: str, device_id: str) -> None:
        if len(self._device_by_digest) >= self._max_entries:
            self._device_by_digest.clear()
        self._device_by_digest[self._digest(credential)] = device_id


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, "credential_missing", "This endpoint needs a credential (Authorization: Bearer ...): "
                                                  "the device credential from enrolment, or the HQ admin token.",
                       _CHALLENGE)
    if len(header) > AUTHORIZATION_MAX_LENGTH:
        raise ApiError(401, "credential_invalid", "The credential is not valid.", _CHALLENGE)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "credential_invalid", "Send the credential as 'Authorization: Bearer <credential>'.",
                       _CHALLENGE)
    return token.strip()


def authenticate_device(session, credential: str, cache: VerifiedCredentials) -> AuthenticatedDevice:
    parsed = parse_credential(credential)
    if parsed is None:
        raise ApiError(401, "credential_invalid", "The credential is not valid.", _CHALLENGE)
    device_id, secret = parsed
    centre_id = centre_of_device(session, device_id)
    if centre_id is not None:
        enter_centre(session, centre_id)  # from here on (PostgreSQL) this transaction sees only that centre's rows
    device = session.get(DeviceRow, device_id) if centre_id is not None else None
    if cache.device_for(credential) != device_id or device is None:
        if not secret_matches(device.credential_hash if device else None, secret):
            raise ApiError(401, "credential_invalid", "The credential is not valid.", _CHALLENGE)
        cache.remember(credential, device_id)
    if device.revoked_at is not None:
        when = device.revoked_at.strftime("%Y-%m-%d %H:%M UTC")
        raise ApiError(403, "device_revoked", f"HQ revoked this device on {when} ({device.revoked_reason}). "
                                              "Ask HQ for a new enrolment code to enrol it again.")
    centre = session.get(CentreRow, device.centre_id)
    return AuthenticatedDevice(device.id, device.name, centre.id, centre.name)


def check_admin_token(request: Request, admin_token: str | None) -> None:
    if not admin_token:
        raise ApiError(403, "admin_disabled", "The admin API is off: start the server with an admin token "
                                              "(CLINICDESK_HQ_ADMIN_TOKEN).")
    if not hmac.compare_digest(bearer_token(request).encode(), admin_token.encode()):
        raise ApiError(403, "not_admin", "This needs the HQ admin token.")
