"""Sync endpoints of a device: push a batch of operations, pull the centre's changes, compare counts and hashes.
The centre always comes from the device credential (current_device), never from the request."""

from collections import defaultdict

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from sqlalchemy import select

from clinicdesk.domain.sync.digest import table_digest
from clinicdesk.domain.sync.hlc import HlcStamp, skew_warning
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.server.auth import AuthenticatedDevice
from clinicdesk.server.device_routes import current_device
from clinicdesk.server.errors import ApiError
from clinicdesk.server.state import ServerState, server_state
from clinicdesk.server.sync_clock import ServerClock, wall_ms
from clinicdesk.server.sync_epoch import EPOCH_HEADER, client_epoch, require_current_epoch
from clinicdesk.server.sync_models import ChangeRow, RowStateRow
from clinicdesk.server.sync_push import apply_batch
from clinicdesk.server.sync_queue_routes import admin_router
from clinicdesk.server.sync_queue_routes import router as queue_router
from clinicdesk.server.sync_rows import router as rows_router
from clinicdesk.server.sync_schemas import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MAX_PUSH_BODY_BYTES,
    PushBatch,
)

PUSH_PATH = "/v1/sync/push"
LARGER_BODY_LIMITS = {PUSH_PATH: MAX_PUSH_BODY_BYTES}
MAX_SEQ = 2**63 - 1  # a BIGINT; a larger cursor would overflow the database driver

router = APIRouter(prefix="/v1/sync")


def install_sync(app: FastAPI) -> None:
    """The sync endpoints (with the conflict queue and the admin's epoch reset) and HQ's hybrid logical clock."""
    app.state.sync_clock = ServerClock()
    app.include_router(router)
    app.include_router(queue_router)
    app.include_router(rows_router)  # row-level checks behind the summary: digests per row, merged state, epoch
    app.include_router(admin_router)


def _sync_clock(request: Request) -> ServerClock:
    return request.app.state.sync_clock


def _parse_stamp(text: str, what: str) -> HlcStamp:
    try:
        return HlcStamp.parse(text)
    except ValueError as error:
        raise ApiError(422, "invalid_request", f"The {what} is not an HLC stamp: {error}.") from None


@router.post("/push")
def push(body: PushBatch, response: Response, device: AuthenticatedDevice = Depends(current_device),
         state: ServerState = Depends(server_state), clock: ServerClock = Depends(_sync_clock),
         device_epoch: str | None = Depends(client_epoch)) -> dict:
    """Apply the batch in one transaction; every operation gets an answer (applied, merged, conflict, rejected).
    A device on an old epoch is refused (409 epoch_changed) before anything is applied."""
    device_hlc = _parse_stamp(body.device_hlc, "device clock (device_hlc)")
    now = state.clock()
    wires = [operation.model_dump() for operation in body.operations]
    with state.transaction(device.centre_id) as session:
        epoch = require_current_epoch(session, device_epoch)
        results = apply_batch(session, centre_id=device.centre_id, device_id=device.device_id,
                              batch_id=body.batch_id, wires=wires, now=now)
    heard = [device_hlc, *(_stamp_or_none(wire["hlc"]) for wire in wires)]
    answer = {"results": [{"op_id": r.op_id, "outcome": str(r.outcome), "reason": r.reason} for r in results],
              "server_hlc": clock.receive([stamp for stamp in heard if stamp is not None], now).to_string()}
    response.headers[EPOCH_HEADER] = epoch
    warning = skew_warning(body.device_wall_ms, wall_ms(now))
    if warning:
        answer["clock_warning"] = warning
    return answer


def _stamp_or_none(text: str) -> HlcStamp | None:
    try:
        return HlcStamp.parse(text)
    except ValueError:
        return None


@router.get("/pull")
def pull(response: Response, after: int = Query(0, ge=0, le=MAX_SEQ),
         limit: int = Query(DEFAULT_PULL_LIMIT, ge=1, le=MAX_PULL_LIMIT),
         device: AuthenticatedDevice = Depends(current_device), state: ServerState = Depends(server_state),
         device_epoch: str | None = Depends(client_epoch)) -> dict:
    """The centre's changes after the cursor `after`, in server sequence order; `next_after` is the new cursor;
    the X-ClinicDesk-Epoch response header is HQ's current epoch (a device on an old one gets 409 epoch_changed)."""
    with state.transaction(device.centre_id) as session:
        epoch = require_current_epoch(session, device_epoch)
        rows = session.scalars(select(ChangeRow).where(ChangeRow.centre_id == device.centre_id,
                                                       ChangeRow.server_seq > after)
                               .order_by(ChangeRow.server_seq).limit(limit + 1)).all()
    page = rows[:limit]
    response.headers[EPOCH_HEADER] = epoch
    return {"changes": [{"seq": row.server_seq, "operation": row.operation, "pushed_by_device_id":
                         row.pushed_by_device_id} for row in page],
            "next_after": page[-1].server_seq if page else after,
            "has_more": len(rows) > limit}


@router.get("/summary")
def summary(device: AuthenticatedDevice = Depends(current_device),
            state: ServerState = Depends(server_state)) -> dict:
    """Per synced table: rows (tombstones included), deleted rows and a SHA-256 over (row id, stamps, tombstone),
    as of `last_seq`; a device computes the same with clinicdesk.domain.sync.digest.table_digest and compares."""
    rows_by_table = defaultdict(list)
    with state.transaction(device.centre_id) as session:
        # one statement, so the rows and last_seq agree even while a push commits (every change sets its row's seq)
        last_seq = 0
        for table, row_id, stamps, deleted, seq in session.execute(
                select(RowStateRow.table_name, RowStateRow.row_id, RowStateRow.field_stamps, RowStateRow.deleted,
                       RowStateRow.server_seq).where(RowStateRow.centre_id == device.centre_id)):
            rows_by_table[table].append((row_id, stamps, deleted))
            last_seq = max(last_seq, seq)
    tables = {}
    for table in sorted(set(CLINICDESK_POLICIES.schema()) | set(rows_by_table)):
        digest = table_digest(rows_by_table.get(table, ()))
        tables[table] = {"rows": digest.rows, "deleted": digest.deleted, "sha256": digest.sha256}
    return {"last_seq": last_seq, "tables": tables}
