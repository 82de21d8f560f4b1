"""HQ's epoch: one random id, replaced on a reset or restore; a device still on the old one must resync in full."""

import re
import uuid
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.server.errors import ApiError
from clinicdesk.server.sync_models import ServerEpochRow

EPOCH_HEADER = "X-ClinicDesk-Epoch"
EPOCH_SLOT = 1
_EPOCH_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FULL_RESYNC_REASON = ("HQ's data was reset or restored since this device last synced (it is on an old epoch), so "
                      "nothing was accepted. Run a full resync: keep the unsynced local changes aside, download "
                      "everything again from HQ, then send those changes again.")


def client_epoch(request: Request) -> str | None:
    """The epoch the device last saw (header X-ClinicDesk-Epoch), or None for a device that has never synced."""
    value = request.headers.get(EPOCH_HEADER)
    if value is None:
        return None
    if not _EPOCH_PATTERN.fullmatch(value.strip()):
        raise ApiError(422, "invalid_request", f"The {EPOCH_HEADER} header must be the epoch id HQ returned "
                                               "(a lower-case UUID).")
    return value.strip()


def current_epoch(session: Session, *, hold: bool = False) -> str:
    """The current epoch id, created if the row is missing. `hold`: share-lock the row until commit, so a reset
    waits for a push that has already checked the epoch (and the push never applies under a stale one)."""
    query = select(ServerEpochRow).where(ServerEpochRow.slot == EPOCH_SLOT)
    row = session.scalars(query.with_for_update(read=True) if hold else query).one_or_none()
    if row is None:
        row = ServerEpochRow(slot=EPOCH_SLOT, epoch_id=str(uuid.uuid4()), started_at=datetime.now(UTC))
        session.add(row)
        session.flush()
    return row.epoch_id


def require_current_epoch(session: Session, device_epoch: str | None) -> str:
    """The current epoch; 409 epoch_changed (the current epoch in the response header) when the device names
    another one. A device that names none (its first sync) is accepted and learns the epoch from the answer."""
    epoch = current_epoch(session, hold=True)
    if device_epoch is not None and device_epoch != epoch:
        raise ApiError(409, "epoch_changed", FULL_RESYNC_REASON, {EPOCH_HEADER: epoch})
    return epoch


def reset_epoch(session: Session, now: datetime) -> str:
    """A new random epoch id; every device on the old one is refused until it has resynced in full."""
    current_epoch(session)
    row = session.scalars(select(ServerEpochRow).where(ServerEpochRow.slot == EPOCH_SLOT).with_for_update()).one()
    row.epoch_id, row.started_at = str(uuid.uuid4()), now
    return row.epoch_id
