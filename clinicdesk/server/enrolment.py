"""HQ admin and enrolment operations over one database session: centres, one-time codes, devices, revocation."""

import itertools
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinicdesk.server.centre_scope import centre_of_device, centre_of_enrolment_code, enter_centre
from clinicdesk.server.credentials import code_digest, issue_credential, new_enrolment_code, new_id
from clinicdesk.server.errors import ApiError
from clinicdesk.server.models import CentreRow, DeviceRow, EnrolmentCodeRow


@dataclass(frozen=True)
class IssuedCode:
    code: str
    centre_id: str
    expires_at: datetime


@dataclass(frozen=True)
class EnrolledDevice:
    device_id: str
    device_name: str
    centre_id: str
    centre_name: str
    credential: str  # shown once; HQ keeps only its hash
    device_code: str  # the letter(s) this device numbers patients and bookings with, unique in its centre


def create_centre(session: Session, name: str, *, now: datetime) -> CentreRow:
    if session.scalar(select(CentreRow.id).where(CentreRow.name == name)) is not None:
        raise ApiError(409, "centre_exists", f"A centre named {name!r} already exists; choose another name.")
    centre = CentreRow(id=new_id(), name=name, created_at=now)
    session.add(centre)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request took the name between the check and the insert
        raise ApiError(409, "centre_exists", f"A centre named {name!r} already exists; choose another name.") from exc
    return centre


def issue_enrolment_code(session: Session, centre_id: str, *, valid_for: timedelta, now: datetime) -> IssuedCode:
    if session.get(CentreRow, centre_id) is None:
        raise ApiError(404, "unknown_centre", "There is no centre with that id; create the centre first.")
    enter_centre(session, centre_id)  # the admin names the centre; row-level security checks the insert against it
    code = new_enrolment_code()
    session.add(EnrolmentCodeRow(id=new_id(), centre_id=centre_id, code_sha256=code_digest(code), created_at=now,
                                 expires_at=now + valid_for))
    session.flush()
    return IssuedCode(code, centre_id, now + valid_for)


_CODE_REFUSED = "This enrolment code is not valid: it may be mistyped, already used or expired. Ask HQ for a new one."


def device_codes() -> Iterator[str]:
    """A, B, ... Z, then AA, AB, ... ZZ: the order free device codes are handed out in."""
    for length in (1, 2):
        for letters in itertools.product(string.ascii_uppercase, repeat=length):
            yield "".join(letters)


def _free_device_code(session: Session, centre_id: str, proposed: str | None) -> str:
    """The proposed code if no device of the centre ever had it (a revoked device's numbers still exist), else the
    first free one."""
    taken = set(session.scalars(select(DeviceRow.device_code).where(DeviceRow.centre_id == centre_id,
                                                                     DeviceRow.device_code.is_not(None))))
    if proposed and proposed not in taken:
        return proposed
    for candidate in device_codes():
        if candidate not in taken:
            return candidate
    raise ApiError(409, "no_device_code_left", "Every device code of this centre is in use; revoke and replace "
                                               "devices instead of enrolling more.")


def enrol_device(session: Session, code: str, device_name: str, *, now: datetime,
                 proposed_device_code: str | None = None) -> EnrolledDevice:
    """Turn a one-time code into a device of the code's centre, with a device code unique in that centre. The code
    is claimed with one conditional UPDATE, so two devices racing with the same code cannot both win."""
    digest = code_digest(code)
    centre_id = centre_of_enrolment_code(session, digest)
    if centre_id is None:
        raise ApiError(403, "enrolment_code_refused", _CODE_REFUSED)
    enter_centre(session, centre_id)
    row = session.scalar(select(EnrolmentCodeRow).where(EnrolmentCodeRow.code_sha256 == digest))
    if row is None:
        raise ApiError(403, "enrolment_code_refused", _CODE_REFUSED)
    if row.used_at is not None:
        raise ApiError(403, "enrolment_code_used", "This enrolment code has already been used. Ask HQ for a new one.")
    if row.expires_at <= now:
        raise ApiError(403, "enrolment_code_expired", "This enrolment code has expired. Ask HQ for a new one.")
    device_id = new_id()
    issued = issue_credential(device_id)
    device_code = _free_device_code(session, row.centre_id, proposed_device_code)
    session.add(DeviceRow(id=device_id, centre_id=row.centre_id, name=device_name,
                          credential_hash=issued.stored_hash, enrolled_at=now, device_code=device_code))
    try:
        session.flush()
    except IntegrityError:
        # another device of the centre took the same free code a moment ago; the whole enrolment rolls back, so
        # the one-time code is still unused and the same request can simply be made again
        raise ApiError(409, "device_code_busy", "Another device of this centre is enrolling at this moment; try "
                                                "again.") from None
    claimed = session.execute(
        update(EnrolmentCodeRow)
        .where(EnrolmentCodeRow.id == row.id, EnrolmentCodeRow.used_at.is_(None), EnrolmentCodeRow.expires_at > now)
        .values(used_at=now, used_by_device_id=device_id)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise ApiError(403, "enrolment_code_used", "This enrolment code has already been used. Ask HQ for a new one.")
    centre = session.get(CentreRow, row.centre_id)
    return EnrolledDevice(device_id, device_name, centre.id, centre.name, issued.credential, device_code)


def revoke_device(session: Session, device_id: str, reason: str, *, now: datetime) -> DeviceRow:
    """Idempotent: revoking a revoked device keeps the first time and reason."""
    centre_id = centre_of_device(session, device_id)
    if centre_id is None:
        raise ApiError(404, "unknown_device", "There is no device with that id.")
    enter_centre(session, centre_id)
    device = session.get(DeviceRow, device_id)
    if device.revoked_at is None:
        device.revoked_at = now
        device.revoked_reason = reason
        session.flush()
    return device
